import type { z } from 'zod';

function pathLabel(path: readonly PropertyKey[]): string {
  let label = '';
  for (const segment of path) {
    if (typeof segment === 'number') label += `[${segment}]`;
    else label += label ? `.${String(segment)}` : String(segment);
  }
  return label;
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return `required argument is missing (expected ${issue.expected})`;
  }
  if (issue.code === 'unrecognized_keys') {
    return `unknown argument${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `\`${key}\``).join(', ')}; remove ${issue.keys.length > 1 ? 'them' : 'it'}`;
  }
  return issue.message;
}

/** One line per problem, each naming the argument, so the caller can fix them all at once. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], validArguments: readonly string[]): string[] {
  return issues.slice(0, 20).map((issue) => {
    const where = pathLabel(issue.path);
    const line = `${where ? `\`${where}\`` : 'arguments'}: ${describe(issue)}`;
    return issue.code === 'unrecognized_keys' && validArguments.length > 0
      ? `${line} (valid arguments: ${validArguments.join(', ')})`
      : line;
  });
}

export function formatStandardIssues(
  issues: readonly { message: string; path?: readonly (PropertyKey | { key: PropertyKey })[] }[],
): string[] {
  return issues.slice(0, 20).map((issue) => {
    const where = pathLabel((issue.path ?? []).map((part) => (typeof part === 'object' ? part.key : part)));
    return `${where ? `\`${where}\`` : 'arguments'}: ${issue.message}`;
  });
}
