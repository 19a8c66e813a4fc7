import { isReadOnlyTool } from './annotations.js';
import { ConfigError } from './errors.js';
import type { ConfigProblem } from './errors.js';
import type { Tool } from './tools/define-tool.js';

export interface ToolsetInfo {
  readonly description: string;
  /** Enabled when the user names no toolsets. */
  readonly default?: boolean;
}

export interface ToolSelection {
  readOnly: boolean;
  /** Toolset names, or `['all']`; undefined means the connector's defaults. */
  toolsets: readonly string[] | undefined;
  /** An explicit allow-list; overrides toolsets. */
  tools: readonly string[] | undefined;
  excludeTools: readonly string[];
  /** Why the connector's configuration makes a tool unavailable (e.g. writes without --write). */
  unavailable?: (tool: Tool<never>) => string | undefined;
}

function unknownNames(names: readonly string[], known: ReadonlySet<string>): string[] {
  return names.filter((name) => !known.has(name));
}

function listOf(names: Iterable<string>): string {
  return [...names].sort().join(', ');
}

/**
 * The tools to serve: toolsets (or an explicit allow-list), minus exclusions, minus tools the
 * connector's configuration makes unavailable, minus every non-read-only tool in read-only mode.
 * A name that matches nothing is a config error, because a typo in a deny-list must never
 * silently leave a tool enabled.
 */
export function selectTools<Ctx>(
  tools: readonly Tool<Ctx>[],
  toolsets: Readonly<Record<string, ToolsetInfo>>,
  selection: ToolSelection,
): Tool<Ctx>[] {
  const problems: ConfigProblem[] = [];
  const toolNames = new Set(tools.map((tool) => tool.name));
  const toolsetNames = new Set([...Object.keys(toolsets), ...tools.map((tool) => tool.toolset)]);

  const requestedToolsets = selection.toolsets?.filter((name) => name !== 'all');
  const badToolsets = unknownNames(requestedToolsets ?? [], toolsetNames);
  if (badToolsets.length > 0) {
    problems.push({
      setting: '--toolsets / BASTION_TOOLSETS',
      message: `unknown toolset ${listOf(badToolsets)}; known toolsets: ${listOf(toolsetNames)}, or all`,
    });
  }
  for (const [label, names] of [
    ['--tools / BASTION_TOOLS', selection.tools ?? []],
    ['--exclude-tools / BASTION_EXCLUDE_TOOLS', selection.excludeTools],
  ] as const) {
    const bad = unknownNames(names, toolNames);
    if (bad.length > 0) {
      problems.push({ setting: label, message: `unknown tool ${listOf(bad)}; known tools: ${listOf(toolNames)}` });
    }
  }
  for (const tool of tools) {
    if (!selection.tools?.includes(tool.name)) continue;
    const reason = selection.unavailable?.(tool as Tool<never>);
    if (reason) problems.push({ setting: '--tools / BASTION_TOOLS', message: `${tool.name} is unavailable: ${reason}` });
  }
  if (selection.readOnly && selection.tools) {
    const writers = tools.filter((tool) => selection.tools?.includes(tool.name) && !isReadOnlyTool(tool.annotations));
    if (writers.length > 0) {
      problems.push({
        setting: '--tools / BASTION_TOOLS',
        message: `${listOf(writers.map((tool) => tool.name))} can write, which --read-only forbids; remove them or drop --read-only`,
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const enabledToolsets = selection.toolsets?.includes('all')
    ? toolsetNames
    : new Set(
        requestedToolsets ??
          tools
            .map((tool) => tool.toolset)
            .filter((name) => toolsets[name]?.default ?? !(name in toolsets)),
      );
  const excluded = new Set(selection.excludeTools);
  return tools.filter((tool) => {
    const chosen = selection.tools ? selection.tools.includes(tool.name) : enabledToolsets.has(tool.toolset);
    if (!chosen || excluded.has(tool.name)) return false;
    if (selection.unavailable?.(tool as Tool<never>) !== undefined) return false;
    return !selection.readOnly || isReadOnlyTool(tool.annotations);
  });
}
