import { isValidScope } from '@bastion-mcp/auth';
import type { InputRequiredResult, ToolAnnotations } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { ToolContent } from './content.js';
import { isJsonSchemaInput } from './input-schema.js';
import type { InferToolInput, ToolInputSchema } from './input-schema.js';
import type { ToolContext } from './tool-context.js';

export type ToolOutputSchema = z.ZodObject | undefined;

/** A tool's text block in two parts: the server's own note, and the data (fenced when untrusted). */
export interface RenderedText {
  readonly note: string;
  readonly data: string;
}

type OutputData<O extends ToolOutputSchema> = O extends z.ZodObject ? z.input<O> : unknown;

export type ToolReturn<O extends ToolOutputSchema> = OutputData<O> | ToolContent | InputRequiredResult;

type ArrayKeys<O extends ToolOutputSchema> = O extends z.ZodObject
  ? { [K in keyof z.input<O>]-?: NonNullable<z.input<O>[K]> extends readonly unknown[] ? K : never }[keyof z.input<O>] &
      string
  : never;

export interface ToolSpec<Ctx, I extends ToolInputSchema, O extends ToolOutputSchema> {
  /** snake_case `verb_noun`; stable once published. */
  readonly name: string;
  readonly title?: string;
  /** Written for the model: what it does, when to use it, its paging and limits. */
  readonly description: string;
  readonly toolset?: string;
  /** What the caller must hold, as `resource:action` scopes; `[]` for none. */
  readonly scopes: readonly string[];
  /** From `readOnly()` or `write()`, which always set all four hints. */
  readonly annotations: ToolAnnotations;
  readonly input?: I;
  readonly output?: O;
  /**
   * The array field of the output that the response budget may shorten. The input must then take
   * `cursor` and the output carry `nextCursor` and `truncated` (spread `page` and `pageInfo`).
   */
  readonly list?: ArrayKeys<O>;
  /**
   * The text block for clients that read text: by default the compact JSON of the result. A tool
   * whose result reads better as text (file content, a listing, grep lines) renders it here;
   * `structuredContent` always carries the full, validated data. With `{ note, data }`, the note
   * (written by the server: ranges, counts, how to continue) stays outside the untrusted-data
   * fence and only `data` is fenced.
   */
  readonly text?: (data: O extends z.ZodObject ? z.output<O> : never) => string | RenderedText;
  handler(
    args: InferToolInput<I>,
    ctx: ToolContext<Ctx>,
  ): ToolReturn<O> | Promise<ToolReturn<O>>;
}

/** A defined tool with its types erased, as the registry and the server hold it. */
export interface Tool<Ctx = unknown> {
  readonly name: string;
  readonly title: string | undefined;
  readonly description: string;
  readonly toolset: string;
  readonly scopes: readonly string[];
  readonly annotations: ToolAnnotations;
  readonly input: ToolInputSchema;
  readonly output: z.ZodObject | undefined;
  readonly list: string | undefined;
  readonly text: ((data: never) => string | RenderedText) | undefined;
  readonly handler: (args: unknown, ctx: ToolContext<Ctx>) => unknown;
}

export const TOOL_NAME_PATTERN = /^[a-z][a-z0-9_]{1,63}$/;

function shapeOf(schema: ToolInputSchema | z.ZodObject | undefined): Record<string, unknown> {
  if (!schema || isJsonSchemaInput(schema)) return {};
  return schema.shape;
}

function assertWellFormed(tool: Tool<unknown>): void {
  const problems: string[] = [];
  if (!TOOL_NAME_PATTERN.test(tool.name)) {
    problems.push('name must be snake_case: a lowercase letter, then 1-63 of [a-z0-9_]');
  }
  if (tool.description.trim().length === 0) problems.push('description is empty');
  for (const scope of tool.scopes) {
    if (!isValidScope(scope)) problems.push(`scope "${scope}" is not of the form resource:action`);
  }
  if (tool.list !== undefined) {
    const outputShape = shapeOf(tool.output);
    if (!(outputShape[tool.list] instanceof z.ZodType)) problems.push(`list field "${tool.list}" is not in output`);
    if (!('nextCursor' in outputShape) || !('truncated' in outputShape)) {
      problems.push('a tool with a list must spread pageInfo (nextCursor, truncated) into its output');
    }
    if (!('cursor' in shapeOf(tool.input))) {
      problems.push('a tool with a list must spread page (cursor) into its input');
    }
  }
  if (problems.length > 0) throw new Error(`Tool "${tool.name}" is malformed: ${problems.join('; ')}`);
}

/**
 * Returns the `defineTool` of a connector whose handlers receive `Ctx` (its API clients, pools).
 * A connector module does `export const defineTool = toolFactory<MyContext>();` once.
 */
export type DefineTool<Ctx> = <I extends ToolInputSchema = z.ZodObject<{}>, O extends ToolOutputSchema = undefined>(
  spec: ToolSpec<Ctx, I, O>,
) => Tool<Ctx>;

export function toolFactory<Ctx>(): DefineTool<Ctx> {
  return function defineTool<I extends ToolInputSchema = z.ZodObject<{}>, O extends ToolOutputSchema = undefined>(
    spec: ToolSpec<Ctx, I, O>,
  ): Tool<Ctx> {
    const tool: Tool<Ctx> = Object.freeze({
      name: spec.name,
      title: spec.title,
      description: spec.description,
      toolset: spec.toolset ?? 'default',
      scopes: Object.freeze([...spec.scopes]),
      annotations: Object.freeze({ ...spec.annotations }),
      input: spec.input ?? z.object({}),
      output: spec.output,
      list: spec.list,
      text: spec.text as Tool<Ctx>['text'],
      handler: spec.handler as Tool<Ctx>['handler'],
    });
    assertWellFormed(tool as Tool<unknown>);
    return tool;
  };
}

/** `defineTool` for tools that need nothing from the connector's context. */
export const defineTool: DefineTool<{}> = toolFactory<{}>();
