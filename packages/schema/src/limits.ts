import { formatJsonPath, type PathSegment } from './json-path.js';

export interface InputLimits {
  readonly maxDepth: number;
  readonly maxStringLength: number;
  readonly maxArrayLength: number;
  readonly maxKeys: number;
}

export const DEFAULT_INPUT_LIMITS = {
  maxDepth: 32,
  maxStringLength: 1_000_000,
  maxArrayLength: 10_000,
  maxKeys: 1_000,
} as const satisfies InputLimits;

export interface InputProblem {
  /** Where the problem is, e.g. `filters[2].name`; empty for the root value. */
  path: string;
  /** What is wrong and how to fix it. */
  message: string;
}

const MAX_PROBLEMS = 20;
const LONE_SURROGATE = /\p{Surrogate}/u;

/** One value waiting to be checked; paths are only built when a problem is reported. */
interface Pending {
  value: unknown;
  parent: Pending | undefined;
  segment: PathSegment | undefined;
  /** Set when `segment` is an object key that still needs checking. */
  isKey: boolean;
  depth: number;
}

function pathOf(node: Pending): string {
  const segments: PathSegment[] = [];
  for (let at: Pending | undefined = node; at?.segment !== undefined; at = at.parent) {
    segments.push(at.segment);
  }
  return formatJsonPath(segments.reverse());
}

function stringProblems(text: string, what: string, maxLength: number): string[] {
  const messages: string[] = [];
  if (text.includes('\u0000')) {
    messages.push(`${what} contains a NUL character (\\u0000); remove it`);
  }
  if (LONE_SURROGATE.test(text)) {
    messages.push(
      `${what} contains invalid Unicode (a lone UTF-16 surrogate, often from invalid UTF-8); ` +
        'send valid UTF-8 text',
    );
  }
  if (text.length > maxLength) {
    messages.push(
      `${what} is ${text.length} characters long, more than the limit of ${maxLength}; ` +
        'send a shorter value',
    );
  }
  return messages;
}

/**
 * Checks tool arguments (a parsed JSON value) for values that are hostile or unusable:
 * excessive nesting or size, NUL characters and invalid Unicode. Returns up to 20 problems.
 */
export function checkInputHygiene(
  value: unknown,
  limits: InputLimits = DEFAULT_INPUT_LIMITS,
): InputProblem[] {
  const problems: InputProblem[] = [];
  const report = (node: Pending, message: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push({ path: pathOf(node), message });
  };
  let reportedDepth = false;
  // Explicit stack instead of recursion so hostile nesting cannot overflow the call stack.
  const root: Pending = { value, parent: undefined, segment: undefined, isKey: false, depth: 0 };
  const stack: Pending[] = [root];

  while (stack.length > 0 && problems.length < MAX_PROBLEMS) {
    const node = stack.pop()!;
    if (node.isKey) {
      for (const message of stringProblems(node.segment as string, 'key', limits.maxStringLength)) {
        report(node, message);
      }
    }
    const current = node.value;
    if (typeof current === 'string') {
      for (const message of stringProblems(current, 'string', limits.maxStringLength)) {
        report(node, message);
      }
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;

    if (node.depth >= limits.maxDepth) {
      if (!reportedDepth) {
        reportedDepth = true;
        report(
          node,
          `value is nested more than ${limits.maxDepth} levels deep; ` +
            'flatten the structure or send fewer nested levels',
        );
      }
      continue;
    }

    const depth = node.depth + 1;
    if (Array.isArray(current)) {
      if (current.length > limits.maxArrayLength) {
        report(
          node,
          `array has ${current.length} items, more than the limit of ${limits.maxArrayLength}; ` +
            'send fewer items or split the request',
        );
      }
      // Only the items within the limit are inspected, which keeps the work bounded.
      const checked = Math.min(current.length, limits.maxArrayLength);
      for (let index = checked - 1; index >= 0; index--) {
        stack.push({ value: current[index], parent: node, segment: index, isKey: false, depth });
      }
      continue;
    }

    const keys = Object.keys(current);
    if (keys.length > limits.maxKeys) {
      report(
        node,
        `object has ${keys.length} keys, more than the limit of ${limits.maxKeys}; ` +
          'send fewer properties',
      );
    }
    const record = current as Record<string, unknown>;
    const checked = Math.min(keys.length, limits.maxKeys);
    for (let index = checked - 1; index >= 0; index--) {
      const key = keys[index]!;
      stack.push({ value: record[key], parent: node, segment: key, isKey: true, depth });
    }
  }
  return problems;
}
