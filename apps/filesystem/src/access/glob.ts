import { ToolError } from '@bastion-mcp/core';
import { show } from './messages.js';

/**
 * Glob patterns from tool arguments, matched in time linear in the path for each pattern.
 *
 * The syntax and meaning are picomatch's with `dot: true` (`*` and `?` also match names that start
 * with a dot): `*` any run of characters within a name, `?` one character, `[abc]`, `[a-z]`,
 * `[^x]` or `[!x]` (negated, as in shells and .gitignore; picomatch 4 reads `[!` as a literal
 * '!') and POSIX classes like `[[:digit:]]`, `**` as a whole segment any number of directories
 * (including none), `{a,b}` alternatives and `{1..5}` ranges, `\` to escape, a leading `!` to
 * negate. Extglobs (`+(a|b)`, `@(…)`) are not supported: parentheses and `|` are ordinary
 * characters. A pattern (or alternative) without `/` matches the name at any depth.
 *
 * Why not picomatch's regular expressions: a pattern with several `*` or `**` compiles to nested
 * lazy quantifiers, and against a long name that almost matches, backtracking takes seconds to
 * minutes (`*a*a*a*a*b` against a 250-character name: about a minute). Patterns come from the
 * model and names from whoever writes files, so a walk must not depend on that. Here a segment is
 * matched by the classic wildcard algorithm that only ever backtracks to the last `*` (O(name x
 * segment) at worst), and segments against `**` the same way.
 */
export interface Glob {
  /** `path` relative to the start directory ('/' separated); `name` its last component. */
  matches(path: string, name: string): boolean;
}

const MAX_PATTERN_LENGTH = 1000;
const MAX_ALTERNATIVES = 256;
const MAX_RANGE = 1000;

type NameTest = (name: string) => boolean;

interface Token {
  readonly kind: 'literal' | 'any' | 'star' | 'class';
  readonly code?: number;
  readonly test?: (code: number) => boolean;
}

const GLOBSTAR = Symbol('globstar');
type Segment = NameTest | typeof GLOBSTAR;

// ---- brace expansion ----

function classEnd(pattern: string, open: number): number {
  let index = open + 1;
  if (pattern[index] === '!' || pattern[index] === '^') index += 1;
  if (pattern[index] === ']') index += 1;
  while (index < pattern.length) {
    const char = pattern[index];
    if (char === '\\') index += 2;
    else if (char === '[' && pattern[index + 1] === ':') {
      const close = pattern.indexOf(':]', index + 2);
      index = close === -1 ? index + 1 : close + 2;
    } else if (char === ']') return index;
    else index += 1;
  }
  return -1;
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < body.length; index += 1) {
    const char = body[index];
    if (char === '\\') index += 1;
    else if (char === '[') {
      const end = classEnd(body, index);
      if (end !== -1) index = end;
    } else if (char === '{') depth += 1;
    else if (char === '}') depth -= 1;
    else if (char === ',' && depth === 0) {
      parts.push(body.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

function range(body: string): string[] | undefined {
  const numeric = /^(-?\d+)\.\.(-?\d+)$/.exec(body);
  const letters = /^([A-Za-z])\.\.([A-Za-z])$/.exec(body);
  let from: number;
  let to: number;
  let format: (value: number) => string;
  if (numeric) {
    from = Number(numeric[1]);
    to = Number(numeric[2]);
    const width = [numeric[1] ?? '', numeric[2] ?? ''].some((bound) => /^-?0\d/.test(bound))
      ? Math.max((numeric[1] ?? '').length, (numeric[2] ?? '').length)
      : 0;
    format = (value) => (width > 0 ? String(value).padStart(width, '0') : String(value));
  } else if (letters) {
    from = (letters[1] ?? 'a').charCodeAt(0);
    to = (letters[2] ?? 'a').charCodeAt(0);
    format = (value) => String.fromCharCode(value);
  } else return undefined;
  if (Math.abs(to - from) >= MAX_RANGE) return undefined;
  const step = from <= to ? 1 : -1;
  const values: string[] = [];
  for (let value = from; value !== to + step; value += step) values.push(format(value));
  return values;
}

function expandBraces(pattern: string, out: string[], fail: () => never): void {
  let depth = 0;
  let open = -1;
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index];
    if (char === '\\') {
      index += 1;
    } else if (char === '[' && depth === 0) {
      const end = classEnd(pattern, index);
      if (end !== -1) index = end;
    } else if (char === '{') {
      if (depth === 0) open = index;
      depth += 1;
    } else if (char === '}' && depth > 0) {
      depth -= 1;
      if (depth > 0) continue;
      const body = pattern.slice(open + 1, index);
      const alternatives = splitTopLevel(body);
      const expanded = alternatives.length > 1 ? alternatives : range(body);
      if (!expanded) continue; // `{a}` and `{}` are literal text
      const prefix = pattern.slice(0, open);
      const suffix = pattern.slice(index + 1);
      for (const alternative of expanded) {
        expandBraces(prefix + alternative + suffix, out, fail);
        if (out.length > MAX_ALTERNATIVES) fail();
      }
      return;
    }
  }
  out.push(pattern);
}

// ---- segments ----

const POSIX: Record<string, (code: number) => boolean> = {
  alpha: (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  digit: (c) => c >= 48 && c <= 57,
  alnum: (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  upper: (c) => c >= 65 && c <= 90,
  lower: (c) => c >= 97 && c <= 122,
  space: (c) => c === 32 || (c >= 9 && c <= 13),
  xdigit: (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102),
  word: (c) => c === 95 || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  punct: (c) => (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126),
};

function parseClass(text: string, open: number, end: number): Token {
  let index = open + 1;
  let negated = false;
  if (text[index] === '!' || text[index] === '^') {
    negated = true;
    index += 1;
  }
  const tests: ((code: number) => boolean)[] = [];
  let first = true;
  while (index < end) {
    let char = text[index] ?? '';
    if (char === '[' && text[index + 1] === ':') {
      const close = text.indexOf(':]', index + 2);
      const posix = close === -1 ? undefined : POSIX[text.slice(index + 2, close)];
      if (posix && close < end) {
        tests.push(posix);
        index = close + 2;
        first = false;
        continue;
      }
    }
    if (char === '\\' && index + 1 < end) {
      index += 1;
      char = text[index] ?? '';
    } else if (char === ']' && !first) break;
    first = false;
    const low = char.charCodeAt(0);
    if (text[index + 1] === '-' && index + 2 < end && text[index + 2] !== ']') {
      let highChar = text[index + 2] ?? '';
      let skip = 3;
      if (highChar === '\\' && index + 3 < end) {
        highChar = text[index + 3] ?? '';
        skip = 4;
      }
      const high = highChar.charCodeAt(0);
      tests.push((code) => code >= low && code <= high);
      index += skip;
    } else {
      tests.push((code) => code === low);
      index += 1;
    }
  }
  const member = (code: number) => tests.some((test) => test(code));
  return { kind: 'class', test: negated ? (code) => code !== 47 && !member(code) : member };
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '\\' && index + 1 < text.length) {
      index += 1;
      tokens.push({ kind: 'literal', code: text.charCodeAt(index) });
    } else if (char === '*') {
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (char === '?') {
      tokens.push({ kind: 'any' });
    } else if (char === '[') {
      const end = classEnd(text, index);
      if (end === -1) tokens.push({ kind: 'literal', code: 91 });
      else {
        tokens.push(parseClass(text, index, end));
        index = end;
      }
    } else {
      tokens.push({ kind: 'literal', code: text.charCodeAt(index) });
    }
  }
  return tokens;
}

function matchOne(token: Token, code: number): boolean {
  if (token.kind === 'literal') return token.code === code;
  if (token.kind === 'any') return true;
  return token.test?.(code) ?? false;
}

/** Wildcard matching that only backtracks to the most recent `*`: O(name x tokens) at worst. */
function matchTokens(tokens: readonly Token[], name: string): boolean {
  let t = 0;
  let n = 0;
  let starToken = -1;
  let starName = 0;
  while (n < name.length) {
    const token = tokens[t];
    if (token !== undefined) {
      if (token.kind === 'star') {
        starToken = t;
        t += 1;
        starName = n;
        continue;
      }
      if (matchOne(token, name.charCodeAt(n))) {
        t += 1;
        n += 1;
        continue;
      }
    }
    if (starToken === -1) return false;
    t = starToken + 1;
    starName += 1;
    n = starName;
  }
  while (tokens[t]?.kind === 'star') t += 1;
  return t === tokens.length;
}

function literalText(tokens: readonly Token[]): string | undefined {
  if (!tokens.every((token) => token.kind === 'literal')) return undefined;
  return String.fromCharCode(...tokens.map((token) => token.code ?? 0));
}

function segmentTest(text: string): NameTest {
  const tokens = tokenize(text);
  const literal = literalText(tokens);
  if (literal !== undefined) return (name) => name === literal;
  const stars = tokens.filter((token) => token.kind === 'star').length;
  if (stars === 1 && tokens.length === 1) return (name) => name.length > 0;
  if (stars === 1) {
    const at = tokens.findIndex((token) => token.kind === 'star');
    const prefix = literalText(tokens.slice(0, at));
    const suffix = literalText(tokens.slice(at + 1));
    if (prefix !== undefined && suffix !== undefined) {
      const length = prefix.length + suffix.length;
      return (name) => name.length >= length && name.startsWith(prefix) && name.endsWith(suffix);
    }
  }
  if (stars === 2 && tokens.length > 2 && tokens[0]?.kind === 'star' && tokens[tokens.length - 1]?.kind === 'star') {
    const middle = literalText(tokens.slice(1, -1));
    if (middle !== undefined) return (name) => name.includes(middle);
  }
  return (name) => matchTokens(tokens, name);
}

/** Segments against path components, `**` matching any run of components (the same algorithm). */
function matchSegments(segments: readonly Segment[], parts: readonly string[]): boolean {
  let s = 0;
  let p = 0;
  let starSegment = -1;
  let starPart = 0;
  while (p < parts.length) {
    const segment = segments[s];
    if (segment !== undefined) {
      if (segment === GLOBSTAR) {
        starSegment = s;
        s += 1;
        starPart = p;
        continue;
      }
      if (segment(parts[p] ?? '')) {
        s += 1;
        p += 1;
        continue;
      }
    }
    if (starSegment === -1) return false;
    s = starSegment + 1;
    starPart += 1;
    p = starPart;
  }
  while (segments[s] === GLOBSTAR) s += 1;
  return s === segments.length;
}

function splitSegments(text: string): string[] {
  const segments: string[] = [];
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '\\') index += 1;
    else if (char === '[') {
      const end = classEnd(text, index);
      if (end !== -1 && !text.slice(index, end).includes('/')) index = end;
    } else if (char === '/') {
      segments.push(text.slice(start, index));
      start = index + 1;
    }
  }
  segments.push(text.slice(start));
  return segments.filter((segment) => segment !== '' && segment !== '.');
}

type PathTest = (path: string, name: string) => boolean;

function alternativeTest(text: string): PathTest {
  const parts = splitSegments(text);
  const segments: Segment[] = parts.map((part) => (/^\*{2,}$/.test(part) ? GLOBSTAR : segmentTest(part)));
  if (segments.length === 0) return () => false;
  const [first, second] = segments;
  if (segments.length === 1) {
    // No '/': the name at any depth (a lone `**` matches everything).
    return first === GLOBSTAR || first === undefined ? () => true : (_path, name) => first(name);
  }
  if (segments.length === 2 && first === GLOBSTAR && second !== undefined && second !== GLOBSTAR) {
    return (_path, name) => second(name);
  }
  return (path) => matchSegments(segments, path.split('/'));
}

function refuse(argument: string, pattern: string, why: string): never {
  throw new ToolError(`\`${argument}\` ${show(pattern)} ${why}`);
}

/** Compiles one glob; problems are reported naming `argument`. */
export function compileGlob(argument: string, pattern: string): Glob {
  if (pattern.length === 0) refuse(argument, pattern, 'is empty; give a glob such as "*.ts" or "src/**/*.md".');
  if (pattern.length > MAX_PATTERN_LENGTH) {
    refuse(argument, pattern.slice(0, 40), `is ${pattern.length} characters long; the limit is ${MAX_PATTERN_LENGTH}.`);
  }
  let body = pattern;
  let negated = false;
  if (body.startsWith('!') && body.length > 1) {
    negated = true;
    body = body.slice(1);
  }
  while (body.startsWith('./')) body = body.slice(2);
  if (body.startsWith('/')) {
    refuse(argument, pattern, 'starts with "/", but globs are matched against paths relative to `path`; remove the leading "/" (or start the search in that directory).');
  }
  const alternatives: string[] = [];
  expandBraces(body, alternatives, () =>
    refuse(argument, pattern, `expands to more than ${MAX_ALTERNATIVES} alternatives; use fewer {a,b} groups.`),
  );
  for (const alternative of alternatives) {
    if (splitSegments(alternative).includes('..')) {
      refuse(argument, pattern, 'contains "..", which never matches: paths are relative to `path` and stay below it.');
    }
  }
  const tests = alternatives.map(alternativeTest);
  const [single] = tests;
  const any: PathTest =
    tests.length === 1 && single ? single : (path, name) => tests.some((test) => test(path, name));
  return { matches: negated ? (path, name) => !any(path, name) : any };
}

/** Compiles a list of globs into one that matches when any does; undefined for an empty list. */
export function compileGlobs(argument: string, patterns: readonly string[]): Glob | undefined {
  if (patterns.length === 0) return undefined;
  const globs = patterns.map((pattern, index) => compileGlob(`${argument}[${index}]`, pattern));
  const [single] = globs;
  if (globs.length === 1 && single) return single;
  return { matches: (path, name) => globs.some((glob) => glob.matches(path, name)) };
}
