import { ToolError } from '../errors.js';
import type { PolicyTool, PrincipalPolicy } from '../policy/types.js';

/**
 * How a resource or prompt answers to the policy file: as a call to `tool` with the arguments it
 * stands for. A file resource maps to read_text_file with `{ path }`, so `arguments.read_text_file.path`
 * bounds it as it bounds the tool.
 */
export interface PolicyMapping<Input> {
  /** The tool whose permission it follows: hidden where the tool is hidden. */
  readonly tool: string;
  /**
   * The tool arguments one request stands for (from a resource URI, or a prompt's arguments); the
   * policy's argument constraints for `tool` are checked on them. Throw a ToolError when the input
   * names no such arguments. Without it, the request carries no arguments, so any argument
   * constraint on the tool refuses it.
   */
  readonly arguments?: (input: Input) => Record<string, unknown>;
}

export type DataDecision =
  | { readonly allowed: true; readonly decision: string | undefined }
  | { readonly allowed: false; readonly decision: string; readonly reason: string; readonly hidden: boolean };

const NO_MAPPING = 'policy: not mapped to a tool';

/** The offered tools by name, as the policy judges them. */
export type PolicyTools = ReadonlyMap<string, PolicyTool>;

/**
 * Whether a resource or prompt is offered under the policy. With no restriction beyond scopes,
 * everything is; under any restriction, only what maps to a tool the policy lets the principal see
 * (fail closed: what the policy cannot judge is not offered).
 */
export function dataVisible(policy: PrincipalPolicy, tools: PolicyTools, mapping: PolicyMapping<never> | undefined): boolean {
  if (!policy.restricted) return true;
  const tool = mapping && tools.get(mapping.tool);
  return tool !== undefined && policy.toolVisible(tool);
}

/**
 * Whether completions may be offered: they reveal names (files, tables) without naming one, so
 * under a restriction they need a visible tool that no argument constraint applies to.
 */
export function completionAllowed(policy: PrincipalPolicy, tools: PolicyTools, mapping: PolicyMapping<never> | undefined): boolean {
  if (!policy.restricted) return true;
  const tool = mapping && tools.get(mapping.tool);
  return tool !== undefined && policy.checkCall(tool, {}).allowed;
}

/** The decision for one resource read, listing entry or prompt, as for a call to its tool. */
export function checkData<Input>(
  policy: PrincipalPolicy,
  tools: PolicyTools,
  mapping: PolicyMapping<Input> | undefined,
  input: Input,
  label: string,
): DataDecision {
  if (!policy.restricted) return { allowed: true, decision: undefined };
  if (!mapping) {
    return { allowed: false, decision: `denied by ${NO_MAPPING}`, reason: `${label} follows no tool, so the policy cannot allow it`, hidden: true };
  }
  const tool = tools.get(mapping.tool);
  if (!tool) {
    return { allowed: false, decision: `denied by ${NO_MAPPING}`, reason: `${label} follows tool ${mapping.tool}, which is not offered`, hidden: true };
  }
  let args: Record<string, unknown>;
  try {
    args = mapping.arguments ? mapping.arguments(input) : {};
  } catch (error) {
    if (!ToolError.isInstance(error)) throw error;
    return { allowed: false, decision: `denied by ${NO_MAPPING}`, reason: error.message, hidden: false };
  }
  const decision = policy.checkCall(tool, args);
  if (!decision.allowed) return { allowed: false, decision: `denied by ${decision.rule}`, reason: decision.reason, hidden: decision.hidden };
  return { allowed: true, decision: decision.rules.length > 0 ? `allowed by ${decision.rules.join(', ')}` : 'allowed' };
}
