import { compileGlobs } from './glob.js';
import type { GlobKind, Matcher } from './glob.js';
import { listPatterns } from './restriction.js';
import type { PolicyTool } from './types.js';

/** Longer values are refused rather than matched: no real name or path is this long. */
export const MAX_CHECKED_LENGTH = 4096;
const MAX_CHECKED_ITEMS = 1000;

export interface ArgumentConstraint {
  /** The tool key as written in the file (a name or glob). */
  readonly toolPattern: string;
  readonly matchesTool: Matcher;
  readonly argument: string;
  readonly kind: GlobKind;
  readonly patterns: readonly string[];
  readonly matchesValue: Matcher;
}

export function compileConstraint(
  toolPattern: string,
  argument: string,
  kind: GlobKind,
  patterns: readonly string[],
): ArgumentConstraint {
  return {
    toolPattern,
    matchesTool: compileGlobs([toolPattern], 'name'),
    argument,
    kind,
    patterns,
    matchesValue: compileGlobs(patterns, kind),
  };
}

/** Whether the constraint concerns this tool at all. */
export function constraintApplies(constraint: ArgumentConstraint, tool: PolicyTool): boolean {
  if (!constraint.matchesTool(tool.name)) return false;
  return tool.inputProperties === undefined || tool.inputProperties.includes(constraint.argument);
}

function allowedText(constraint: ArgumentConstraint): string {
  const noun = constraint.kind === 'path' ? 'paths' : 'values';
  return `allowed ${noun}: ${listPatterns(constraint.patterns)}`;
}

/** A scalar's problem, or undefined when it matches. Values themselves are never echoed. */
function scalarProblem(value: unknown, constraint: ArgumentConstraint): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    return 'holds a value that cannot be checked (only strings, numbers and booleans can)';
  }
  const text = String(value);
  if (text.length > MAX_CHECKED_LENGTH) return `is longer than the ${MAX_CHECKED_LENGTH} characters that can be checked`;
  return constraint.matchesValue(text) ? undefined : 'is not allowed';
}

/**
 * Checks one call's argument against one constraint. An absent argument is refused: the tool's own
 * default might lie outside what the policy allows. A list must match element by element.
 */
export function argumentProblem(constraint: ArgumentConstraint, args: unknown, label: string): string | undefined {
  const { argument } = constraint;
  const allowed = allowedText(constraint);
  if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) {
    return `the arguments must be an object to check argument ${argument} (${label})`;
  }
  const record = (args ?? {}) as Record<string, unknown>;
  const value = Object.hasOwn(record, argument) ? record[argument] : undefined;
  if (value === undefined) return `argument ${argument} is required (${label}); ${allowed}`;
  if (Array.isArray(value)) {
    if (value.length > MAX_CHECKED_ITEMS) return `argument ${argument} has more than the ${MAX_CHECKED_ITEMS} items that can be checked (${label})`;
    for (const [index, item] of value.entries()) {
      const problem = scalarProblem(item, constraint);
      if (problem) return `argument ${argument}[${index}] ${problem} (${label}); ${allowed}`;
    }
    return undefined;
  }
  const problem = scalarProblem(value, constraint);
  return problem ? `argument ${argument} ${problem} (${label}); ${allowed}` : undefined;
}
