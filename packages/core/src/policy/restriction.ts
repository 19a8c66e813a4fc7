import type { PolicyTool } from './types.js';

/**
 * One narrowing step: a policy rule, the default, or a request header. Each returns the reason it
 * refuses, or undefined; a principal's policy is the conjunction of its restrictions.
 */
export interface Restriction {
  readonly id: string;
  /** Refusals here hide the tool from tools/list. */
  refuseTool(tool: PolicyTool): string | undefined;
  /** Refusals here concern one call's arguments; the tool stays listed. */
  refuseCall(tool: PolicyTool, args: unknown): string | undefined;
}

const LISTED = 10;

/** A short, readable list of what is allowed, for refusal messages. */
export function listPatterns(patterns: readonly string[]): string {
  if (patterns.length === 0) return 'none';
  const shown = patterns.slice(0, LISTED).join(', ');
  return patterns.length > LISTED ? `${shown} and ${patterns.length - LISTED} more` : shown;
}
