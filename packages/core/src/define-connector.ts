import type { Logger } from '@bastion-mcp/logging';
import type { z } from 'zod';
import { CORE_SETTINGS } from './config/core-settings.js';
import { allSettings } from './config/load-config.js';
import type { Prompt } from './prompts/define-prompt.js';
import type { ToolsetInfo } from './registry.js';
import type { Resource } from './resources/define-resource.js';
import type { Tool } from './tools/define-tool.js';
import { CORE_CONTEXT_KEYS } from './tools/tool-context.js';

export interface ConnectorSpec<Config extends z.ZodObject | undefined, Ctx> {
  /** Short lowercase name: bin `bastion-<name>`, env prefix `<NAME>_`. */
  readonly name: string;
  readonly version: string;
  readonly title?: string;
  readonly description: string;
  /** Sent to clients at connection; how to use the tools well. */
  readonly instructions?: string;
  /** Environment variables of the connector (each non-secret also gets a flag). */
  readonly config?: Config;
  /** The list setting filled by positional arguments, e.g. allowed directories. */
  readonly positionals?: Config extends z.ZodObject ? keyof z.input<Config> & string : never;
  /** Usage line after the bin name in --help. */
  readonly usage?: string;
  readonly toolsets?: Readonly<Record<string, ToolsetInfo>>;
  /** Builds the long-lived context (API clients, pools) once per process. */
  createContext?(config: Config extends z.ZodObject ? z.output<Config> : Record<string, never>, services: { log: Logger }): Ctx | Promise<Ctx>;
  /** Releases what createContext opened (pools, sockets) on shutdown. */
  closeContext?(context: Ctx): void | Promise<void>;
  readonly tools: readonly Tool<Ctx>[];
  /**
   * Why a tool is unavailable under this configuration, or undefined when it is available: a
   * filesystem connector offers write tools only with --write. Naming an unavailable tool in
   * --tools is a configuration error that shows this reason.
   */
  unavailable?(tool: Tool<Ctx>, config: Config extends z.ZodObject ? Partial<z.output<Config>> : Record<string, never>): string | undefined;
  readonly resources?: readonly Resource<Ctx>[];
  readonly prompts?: readonly Prompt<Ctx>[];
  /** Advertise the (deprecated) logging capability so tools can send log notifications. */
  readonly clientLogging?: boolean;
  /** Accept resources/subscribe and deliver resource updates published through ctx.notify. */
  readonly resourceSubscriptions?: boolean;
}

export interface Connector<Ctx = unknown> {
  readonly name: string;
  readonly version: string;
  readonly title: string | undefined;
  readonly description: string;
  readonly instructions: string | undefined;
  readonly config: z.ZodObject | undefined;
  readonly positionals: string | undefined;
  readonly usage: string | undefined;
  readonly toolsets: Readonly<Record<string, ToolsetInfo>>;
  readonly createContext: (config: unknown, services: { log: Logger }) => Ctx | Promise<Ctx>;
  readonly closeContext: (context: Ctx) => void | Promise<void>;
  readonly tools: readonly Tool<Ctx>[];
  readonly unavailable: (tool: Tool<Ctx>, config: unknown) => string | undefined;
  readonly resources: readonly Resource<Ctx>[];
  readonly prompts: readonly Prompt<Ctx>[];
  readonly clientLogging: boolean;
  readonly resourceSubscriptions: boolean;
}

function duplicates(names: readonly string[]): string[] {
  return names.filter((name, index) => names.indexOf(name) !== index);
}

function assertConsistent(connector: Connector<unknown>): void {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(connector.name)) problems.push('name must be lowercase letters, digits and dashes');
  for (const [kind, names] of [
    ['tool', connector.tools.map((tool) => tool.name)],
    ['resource', connector.resources.map((resource) => resource.name)],
    ['prompt', connector.prompts.map((prompt) => prompt.name)],
  ] as const) {
    for (const name of new Set(duplicates(names))) problems.push(`${kind} "${name}" is declared twice`);
  }
  const flags = allSettings(connector)
    .map((setting) => setting.flag)
    .filter((flag): flag is string => flag !== undefined);
  for (const flag of new Set(duplicates(flags))) problems.push(`flag --${flag} is declared twice`);
  for (const setting of CORE_SETTINGS) {
    if (setting.env && connector.config && setting.env in connector.config.shape) {
      problems.push(`config key ${setting.env} is a shared setting`);
    }
  }
  if (problems.length > 0) throw new Error(`Connector "${connector.name}" is malformed: ${problems.join('; ')}`);
}

export function defineConnector<Config extends z.ZodObject | undefined, Ctx>(
  spec: ConnectorSpec<Config, Ctx>,
): Connector<Ctx> {
  const connector: Connector<Ctx> = Object.freeze({
    name: spec.name,
    version: spec.version,
    title: spec.title,
    description: spec.description,
    instructions: spec.instructions,
    config: spec.config,
    positionals: spec.positionals,
    usage: spec.usage,
    toolsets: spec.toolsets ?? {},
    createContext: (spec.createContext ?? (() => ({}) as Ctx)) as Connector<Ctx>['createContext'],
    closeContext: spec.closeContext ?? (() => undefined),
    tools: spec.tools,
    unavailable: (spec.unavailable ?? (() => undefined)) as Connector<Ctx>['unavailable'],
    resources: spec.resources ?? [],
    prompts: spec.prompts ?? [],
    clientLogging: spec.clientLogging ?? false,
    resourceSubscriptions: spec.resourceSubscriptions ?? false,
  });
  assertConsistent(connector as Connector<unknown>);
  return connector;
}

/** The connector's context must not shadow the keys the core puts into every handler's context. */
export function assertContextKeys(context: unknown, connectorName: string): void {
  if (typeof context !== 'object' || context === null) return;
  const clashes = CORE_CONTEXT_KEYS.filter((key) => key in context);
  if (clashes.length > 0) {
    throw new Error(`Connector "${connectorName}" context must not define ${clashes.join(', ')}`);
  }
}
