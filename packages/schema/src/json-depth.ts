/**
 * How deeply untrusted JSON may nest arrays and objects: request bodies, token payloads,
 * introspection answers, policy files, upstream responses. A real MCP message or claim set stays
 * far below it (tool inputs themselves are capped at 32 levels by checkInputHygiene); a document
 * nested thousands of levels deep only exists to overflow a recursive consumer (JSON.stringify,
 * schema validators, YAML parsers), so it is refused before anything parses it.
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

function checkedLimit(maxDepth: number): number {
  if (!Number.isInteger(maxDepth) || maxDepth < 1) throw new RangeError(`maxDepth must be a whole number of at least 1, not ${maxDepth}`);
  return maxDepth;
}

/**
 * The offset of the first `[` or `{` in JSON `text` that opens level `maxDepth + 1`, or undefined
 * when the text stays within `maxDepth`. One pass, no recursion, nothing allocated; brackets inside
 * strings (escaped quotes included) do not count. It does not validate: JSON.parse still does.
 */
export function findExcessJsonNesting(text: string, maxDepth: number = MAX_JSON_DEPTH): number | undefined {
  const limit = checkedLimit(maxDepth);
  let depth = 0;
  let inString = false;
  // Stryker disable next-line EqualityOperator: charCodeAt past the end is NaN, which matches no branch
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === BACKSLASH) index += 1;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      depth += 1;
      if (depth > limit) return index;
    } else if ((code === CLOSE_BRACKET || code === CLOSE_BRACE) && depth > 0) {
      depth -= 1;
    }
  }
  return undefined;
}

/** JSON that nests deeper than the bound it was parsed with. */
export class JsonTooDeepError extends Error {
  override readonly name = 'JsonTooDeepError';
  readonly maxDepth: number;
  /** Where the first level past the bound opens (a UTF-16 offset into the text). */
  readonly offset: number;

  constructor(maxDepth: number, offset: number) {
    super(`JSON nests arrays and objects deeper than ${maxDepth} levels (level ${maxDepth + 1} opens at offset ${offset})`);
    this.maxDepth = maxDepth;
    this.offset = offset;
  }

  static isInstance(error: unknown): error is JsonTooDeepError {
    return error instanceof JsonTooDeepError || (error instanceof Error && error.name === 'JsonTooDeepError');
  }
}

/**
 * JSON.parse for untrusted text: throws JsonTooDeepError when it nests deeper than `maxDepth`
 * (checked first, on the raw text), else whatever JSON.parse throws (SyntaxError).
 */
export function parseJsonWithinDepth(text: string, maxDepth: number = MAX_JSON_DEPTH): unknown {
  const offset = findExcessJsonNesting(text, maxDepth);
  if (offset !== undefined) throw new JsonTooDeepError(maxDepth, offset);
  return JSON.parse(text) as unknown;
}

/**
 * Whether an already-built value (from YAML, say) nests arrays and plain objects deeper than
 * `maxDepth`. Iterative; a cycle counts as too deep. A value shared between places is walked again
 * only when reached at a greater depth, so shared subtrees (YAML aliases) cost at most `maxDepth`
 * walks each, never an exponential number.
 */
export function valueExceedsDepth(value: unknown, maxDepth: number = MAX_JSON_DEPTH): boolean {
  const limit = checkedLimit(maxDepth);
  const deepestVisit = new Map<object, number>();
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    if (typeof item !== 'object' || item === null) continue;
    if (depth > limit) return true;
    const seen = deepestVisit.get(item);
    // Stryker disable next-line ConditionalExpression: undefined >= depth is false, so the first operand only documents intent
    if (seen !== undefined && seen >= depth) continue;
    deepestVisit.set(item, depth);
    const children = Array.isArray(item) ? item : Object.values(item);
    for (const child of children) pending.push([child, depth + 1]);
  }
  return false;
}
