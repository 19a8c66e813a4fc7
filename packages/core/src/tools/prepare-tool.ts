import { isUntrustedSchema } from '@bastion-mcp/schema';
import type { StandardSchemaWithJSON, ToolAnnotations } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { canonicalJson, sha256 } from './canonical-json.js';
import type { Tool } from './define-tool.js';
import { formatIssues, formatStandardIssues } from './format-issues.js';
import { isJsonSchemaInput, toJsonSchema } from './input-schema.js';

/** The tool exactly as tools/list describes it; hashed for pinning. */
export interface ToolDefinitionJson {
  name: string;
  title?: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations: ToolAnnotations;
}

export type ParsedInput = { ok: true; value: unknown } | { ok: false; problems: string[] };

export interface PreparedTool<Ctx = unknown> {
  readonly tool: Tool<Ctx>;
  readonly definition: ToolDefinitionJson;
  readonly sha256: string;
  /** Handed to the SDK: advertises the cached JSON Schema; validation happens in executeTool. */
  readonly sdkInput: StandardSchemaWithJSON;
  readonly sdkOutput: StandardSchemaWithJSON | undefined;
  /** True when some output field holds external text, so the text block is fenced as data. */
  readonly untrustedOutput: boolean;
  parseInput(args: unknown): Promise<ParsedInput>;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const nested of Object.values(value)) deepFreeze(nested);
  }
  return value;
}

/**
 * A schema that reports the precomputed JSON and accepts everything: the SDK calls it, but the
 * core validates input itself (strict zod with argument-naming errors) and output after the
 * handler, so nothing is validated twice and tools/list costs no schema conversion per request.
 */
function advertised(json: () => Record<string, unknown>): StandardSchemaWithJSON {
  return {
    '~standard': {
      version: 1,
      vendor: 'bastion',
      validate: (value: unknown) => ({ value }),
      jsonSchema: { input: json, output: json },
    },
  } as StandardSchemaWithJSON;
}

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  out?: z.ZodType;
  valueType?: z.ZodType;
  items?: z.ZodType[];
};

function containsUntrusted(schema: z.ZodType, depth = 0): boolean {
  if (depth > 32) return false;
  if (isUntrustedSchema(schema)) return true;
  const def = schema.def as Def;
  const children: (z.ZodType | undefined)[] = [
    ...Object.values(def.shape ?? {}),
    def.element,
    def.innerType,
    def.in,
    def.out,
    def.valueType,
    ...(def.options ?? []),
    ...(def.items ?? []),
  ];
  return children.some((child) => child !== undefined && containsUntrusted(child, depth + 1));
}

/** Zod's synchronous parse is markedly cheaper; schemas with async refinements fall back. */
export async function parseSyncFirst<T extends z.ZodType>(schema: T, value: unknown) {
  try {
    return schema.safeParse(value, { reportInput: true });
  } catch (error) {
    if (!(error instanceof z.core.$ZodAsyncError)) throw error;
    return schema.safeParseAsync(value, { reportInput: true });
  }
}

export function prepareTool<Ctx>(tool: Tool<Ctx>): PreparedTool<Ctx> {
  const input = tool.input;
  let parseInput: (args: unknown) => Promise<ParsedInput>;
  let inputJson: () => Record<string, unknown>;
  if (isJsonSchemaInput(input)) {
    inputJson = () => structuredClone(input.json) as Record<string, unknown>;
    parseInput = async (args) => {
      const result = await input.standard['~standard'].validate(args ?? {});
      return result.issues ? { ok: false, problems: formatStandardIssues(result.issues) } : { ok: true, value: result.value };
    };
  } else {
    const strict = input.strict();
    const validArguments = Object.keys(strict.shape);
    inputJson = () => toJsonSchema(strict, 'input');
    parseInput = async (args) => {
      const result = await parseSyncFirst(strict, args ?? {});
      return result.success
        ? { ok: true, value: result.data }
        : { ok: false, problems: formatIssues(result.error.issues, validArguments) };
    };
  }
  // JSON Schema conversion is deferred to the first listing: a server answers initialize sooner.
  let definition: ToolDefinitionJson | undefined;
  let hash: string | undefined;
  const definitionOf = (): ToolDefinitionJson => {
    if (definition) return definition;
    const outputJson = tool.output ? toJsonSchema(tool.output, 'output') : undefined;
    definition = deepFreeze({
      name: tool.name,
      ...(tool.title === undefined ? {} : { title: tool.title }),
      description: tool.description,
      inputSchema: inputJson(),
      ...(outputJson === undefined ? {} : { outputSchema: outputJson }),
      annotations: { ...tool.annotations },
    });
    return definition;
  };
  return Object.freeze({
    tool,
    get definition() {
      return definitionOf();
    },
    get sha256() {
      return (hash ??= sha256(canonicalJson(definitionOf())));
    },
    sdkInput: advertised(() => definitionOf().inputSchema),
    sdkOutput: tool.output ? advertised(() => definitionOf().outputSchema as Record<string, unknown>) : undefined,
    untrustedOutput: tool.output ? containsUntrusted(tool.output) : false,
    parseInput,
  });
}
