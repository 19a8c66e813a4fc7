import { setOwnProperty } from './own-property.js';

/**
 * Single characters that are removed: C0 controls except tab/LF/CR, DEL and C1 controls,
 * invisible and zero-width characters, bidi controls, tag characters and supplementary
 * variation selectors. ZWJ (U+200D) and VS1-VS16 (U+FE00-U+FE0F) are kept for emoji.
 */
const REMOVED_CHARACTER =
  '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u00AD\\u034F\\u061C' +
  '\\u115F\\u1160\\u180E\\u200B\\u200C\\u200E\\u200F\\u202A-\\u202E\\u2060-\\u2064' +
  '\\u2066-\\u2069\\u3164\\uFEFF\\uFFA0\\u{E0000}-\\u{E007F}\\u{E0100}-\\u{E01EF}]';

/**
 * Terminal escape sequences, removed whole so their parameters do not remain as stray text.
 * String bodies exclude ESC and all C1 characters, which include every introducer, so a failed
 * match never scans past the next possible start and matching stays linear.
 */
const ESCAPE_SEQUENCE = [
  // CSI: ESC [ or 8-bit U+009B, parameters, intermediates, final byte.
  '(?:\\u001B\\[|\\u009B)[\\u0030-\\u003F]*[\\u0020-\\u002F]*[\\u0040-\\u007E]',
  // OSC (e.g. OSC 8 hyperlinks), terminated by BEL or ST.
  '(?:\\u001B\\]|\\u009D)[^\\u0007\\u001B\\u0080-\\u009F]*(?:\\u0007|\\u001B\\\\|\\u009C)',
  // DCS, SOS, PM and APC strings, terminated by ST.
  '(?:\\u001B[PX^_]|[\\u0090\\u0098\\u009E\\u009F])' +
    '[^\\u001B\\u0080-\\u009F]*(?:\\u001B\\\\|\\u009C)',
  // Other escapes: ESC, optional intermediates, final byte (e.g. ESC 7, ESC ( B).
  '\\u001B[\\u0020-\\u002F]*[\\u0030-\\u007E]',
].join('|');

// Stryker disable next-line StringLiteral: a pattern that matches more only skips the fast path; the result is the same
const NEEDS_SANITIZING = new RegExp(`${REMOVED_CHARACTER}|\\p{Surrogate}`, 'u');
const REMOVE = new RegExp(`${ESCAPE_SEQUENCE}|${REMOVED_CHARACTER}`, 'gu');
const LONE_SURROGATE = /\p{Surrogate}/gu;

/**
 * Removes terminal escapes, control characters and invisible Unicode from external text, and
 * replaces lone surrogates with U+FFFD. Returns the same string when nothing needs removing.
 */
export function sanitizeText(text: string): string {
  // Every escape sequence starts with a removed character, so one test covers all cases.
  // Stryker disable next-line ConditionalExpression: the fast path; without it replace() returns an equal string
  if (!NEEDS_SANITIZING.test(text)) return text;
  // Surrogates first: removing a character between two lone halves must not join them into a
  // code point (such as a tag character) that the removal pass has already gone past.
  return text.replace(LONE_SURROGATE, '\uFFFD').replace(REMOVE, '');
}

const MAX_DEPTH = 64;
const DEPTH_LIMIT_MARKER = '[depth limit]';

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function sanitizeValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return sanitizeText(value);
  if (typeof value !== 'object' || value === null) return value;
  const isArray = Array.isArray(value);
  if (!isArray && !isPlainObject(value)) return value;
  if (depth >= MAX_DEPTH) return DEPTH_LIMIT_MARKER;

  if (isArray) {
    // Stryker disable next-line ArrayDeclaration: presizing only; every index is assigned below
    const copy: unknown[] = new Array(value.length);
    for (let index = 0; index < value.length; index++) {
      copy[index] = sanitizeValue(value[index], depth + 1);
    }
    return copy;
  }
  const copy: Record<string, unknown> = {};
  const keys = Object.keys(value);
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    // When two keys sanitize to the same text the later one wins, as in JSON.parse.
    setOwnProperty(copy, sanitizeText(key), sanitizeValue(value[key], depth + 1));
  }
  return copy;
}

/**
 * Returns a copy of a JSON-like value with every string, including object keys, sanitized.
 * Arrays and plain objects are copied; other objects are returned as they are. Values nested
 * more than 64 levels deep are replaced with '[depth limit]'.
 */
export function sanitizeDeep<T>(value: T): T {
  return sanitizeValue(value, 0) as T;
}
