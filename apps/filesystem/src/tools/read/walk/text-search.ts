import { ToolError } from '@bastion-mcp/core';
import { sanitizeText } from '@bastion-mcp/schema';
import { createRequire } from 'node:module';
import type { RE2JS as RE2JSClass } from 're2js';

// Regular expressions run on RE2 (linear time in the text, whatever the pattern): patterns come
// from the model and text from whoever wrote the files, and a backtracking engine can take
// exponential time on a line of a few dozen characters, stalling every other call. Loaded on first
// use (a regular-expression grep); start-up time is a user-visible cost.
const load = createRequire(import.meta.url);
let engine: typeof RE2JSClass | undefined;
const re2 = () => (engine ??= (load('re2js') as { RE2JS: typeof RE2JSClass }).RE2JS);
type Pattern = RE2JSClass;

/** Longest line text returned, in UTF-16 code units (a longer line is cut around the match). */
export const MAX_LINE_TEXT = 500;
export const MAX_PATTERN_LENGTH = 1000;
/** Bytes of a long line decoded around a match; the rest of the line is never decoded. */
const WINDOW_BEFORE = 200;
const WINDOW_AFTER = 2 * MAX_LINE_TEXT;
const NEWLINE = 0x0a;

export interface LineHit {
  /** 1-based. */
  readonly line: number;
  /** Sanitized, at most MAX_LINE_TEXT characters; '…' marks a cut. */
  readonly text: string;
  readonly before?: string[];
  readonly after?: string[];
}

export interface TextSearch {
  /**
   * Calls `onHit` for every line of `data` after line `afterLine` that matches, in order (one
   * hit per line, like grep); stops when `onHit` returns false.
   */
  search(data: Buffer, afterLine: number, onHit: (hit: LineHit) => boolean): void;
}

export interface TextSearchOptions {
  readonly pattern: string;
  readonly literal: boolean;
  readonly caseSensitive: boolean;
  readonly contextLines: number;
}

/** A text to search: a Buffer (literal search, never decoded whole) or a decoded string. */
interface Source {
  readonly length: number;
  /** Index of the next newline at or after `from`, or -1. */
  next(from: number): number;
  /** Index of the last newline before `before`, or -1. */
  previous(before: number): number;
  /** The line [start, end) as text, cut to a window around `focus` when it is long. */
  line(start: number, end: number, focus: number): string;
}

function trimCarriageReturn(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

/**
 * Sanitizes a line and cuts it to MAX_LINE_TEXT around `focus` (an index into `text`).
 * `cutBefore`/`cutAfter` say that `text` is already a window of a longer line.
 */
function excerpt(text: string, focus: number, cutBefore: boolean, cutAfter: boolean): string {
  const clean = cutAfter ? text : trimCarriageReturn(text);
  if (clean.length <= MAX_LINE_TEXT && !cutBefore && !cutAfter) {
    const safe = sanitizeText(clean);
    if (safe.length <= MAX_LINE_TEXT) return safe;
  }
  const start = Math.max(0, Math.min(focus - WINDOW_BEFORE / 2, clean.length - MAX_LINE_TEXT));
  const lead = cutBefore || start > 0 ? '…' : '';
  const end = start + MAX_LINE_TEXT * 2;
  const safe = sanitizeText(clean.slice(start, end));
  const room = MAX_LINE_TEXT - lead.length;
  if (safe.length <= room - (cutAfter ? 1 : 0) && end >= clean.length) return `${lead}${safe}${cutAfter ? '…' : ''}`;
  return `${lead}${safe.slice(0, room - 1)}…`;
}

function bufferSource(data: Buffer): Source {
  return {
    length: data.length,
    next: (from) => data.indexOf(NEWLINE, from),
    previous: (before) => (before <= 0 ? -1 : data.lastIndexOf(NEWLINE, before - 1)),
    line(start, end, focus) {
      if (end - start <= WINDOW_BEFORE + WINDOW_AFTER) {
        const focusAt = focus === start ? 0 : data.toString('utf8', start, focus).length;
        return excerpt(data.toString('utf8', start, end), focusAt, false, false);
      }
      let from = Math.max(start, focus - WINDOW_BEFORE);
      // Start on a character boundary (not on a UTF-8 continuation byte).
      while (from > start && ((data[from] ?? 0) & 0xc0) === 0x80) from -= 1;
      const to = Math.min(end, focus + WINDOW_AFTER);
      return excerpt(data.toString('utf8', from, to), data.toString('utf8', from, focus).length, from > start, to < end);
    },
  };
}

function stringSource(text: string): Source {
  return {
    length: text.length,
    next: (from) => text.indexOf('\n', from),
    previous: (before) => (before <= 0 ? -1 : text.lastIndexOf('\n', before - 1)),
    line(start, end, focus) {
      if (end - start <= WINDOW_BEFORE + WINDOW_AFTER) return excerpt(text.slice(start, end), focus - start, false, false);
      const from = Math.max(start, focus - WINDOW_BEFORE);
      const to = Math.min(end, focus + WINDOW_AFTER);
      return excerpt(text.slice(from, to), focus - from, from > start, to < end);
    },
  };
}

function context(source: Source, lineStart: number, lineEnd: number, count: number): { before?: string[]; after?: string[] } {
  if (count === 0) return {};
  const before: string[] = [];
  let end = lineStart - 1; // the newline ending the previous line
  while (before.length < count && end >= 0) {
    const start = source.previous(end) + 1;
    before.unshift(source.line(start, end, start));
    end = start - 1;
  }
  const after: string[] = [];
  let start = lineEnd + 1;
  while (after.length < count && start < source.length) {
    const newline = source.next(start);
    const stop = newline === -1 ? source.length : newline;
    after.push(source.line(start, stop, start));
    start = stop + 1;
  }
  return { before, after };
}

/**
 * JavaScript's `\uXXXX` and `\u{X…}` escapes in RE2's spelling, `\x{…}`; every other escape is
 * kept as written (an escaped backslash stays one, so `\\u` is not an escape).
 */
function fromJavaScriptEscapes(pattern: string): string {
  let out = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index];
    if (char !== '\\') {
      out += char;
      continue;
    }
    const rest = pattern.slice(index + 1);
    const fixed = /^u([0-9a-fA-F]{4})/.exec(rest) ?? /^u\{([0-9a-fA-F]{1,6})\}/.exec(rest);
    if (fixed) {
      out += `\\x{${fixed[1]}}`;
      index += fixed[0].length;
    } else {
      out += char + (pattern[index + 1] ?? '');
      index += 1;
    }
  }
  return out;
}

/** Why RE2 refused a pattern, said in terms of what the caller wrote. */
function describeSyntaxError(message: string): string {
  const detail = message.replace(/^error parsing regexp: /, '');
  if (/`\(\?[=!]/.test(detail)) return 'lookahead ((?= or (?!) is not supported';
  if (/capture in lookbehind/.test(detail)) return 'a lookbehind may not contain a capturing group; use (?: ) inside it';
  if (/escape sequence: `\\[1-9k]/.test(detail)) return 'backreferences (\\1, \\k<name>) are not supported';
  return detail;
}

/**
 * Checks and compiles a search pattern: RE2 syntax, which is JavaScript's without lookahead and
 * backreferences (the features that need backtracking); lookbehind without captures is kept.
 */
export function compileTextSearch(options: TextSearchOptions): TextSearch {
  const { pattern, literal, caseSensitive, contextLines } = options;
  if (pattern.length === 0) throw new ToolError('`pattern` is empty; give the text or regular expression to search for.');
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new ToolError(`\`pattern\` is ${pattern.length} characters long; the limit is ${MAX_PATTERN_LENGTH}. Search for a shorter, distinctive part.`);
  }
  if (literal && /[\r\n]/.test(pattern)) {
    throw new ToolError('`pattern` contains a line break, but lines are searched one at a time; search for one line of the text.');
  }
  if (literal && caseSensitive) return literalSearch(pattern, contextLines);
  const RE2JS = re2();
  const source = literal ? RE2JS.quote(pattern) : fromJavaScriptEscapes(pattern);
  const flags = RE2JS.LOOKBEHINDS | (caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
  let whole: Pattern;
  let single: Pattern;
  try {
    whole = RE2JS.compile(source, flags | RE2JS.MULTILINE);
    single = RE2JS.compile(source, flags);
  } catch (error) {
    throw new ToolError(
      `\`pattern\` is not a regular expression this server can run: ${describeSyntaxError((error as Error).message)}. Searches use RE2 syntax (JavaScript's without lookahead or backreferences) so that they take time linear in the text; rewrite the pattern, or pass literal: true to search for the text as it is.`,
    );
  }
  return regexSearch(whole, single, contextLines);
}

function literalSearch(pattern: string, contextLines: number): TextSearch {
  const needle = Buffer.from(pattern, 'utf8');
  return {
    search(data, afterLine, onHit) {
      if (data.length === 0) return;
      let source: Source | undefined;
      let line = 1;
      let lineStart = 0;
      let from = 0;
      for (;;) {
        const hit = data.indexOf(needle, from);
        if (hit === -1) return;
        let newline = data.indexOf(NEWLINE, lineStart);
        while (newline !== -1 && newline < hit) {
          line += 1;
          lineStart = newline + 1;
          newline = data.indexOf(NEWLINE, lineStart);
        }
        const lineEnd = newline === -1 ? data.length : newline;
        if (line > afterLine) {
          source ??= bufferSource(data);
          const found: LineHit = { line, text: source.line(lineStart, lineEnd, hit), ...context(source, lineStart, lineEnd, contextLines) };
          if (!onHit(found)) return;
        }
        if (newline === -1) return;
        line += 1;
        lineStart = newline + 1;
        from = lineStart;
      }
    },
  };
}

function regexSearch(whole: Pattern, single: Pattern, contextLines: number): TextSearch {
  return {
    search(data, afterLine, onHit) {
      if (data.length === 0) return;
      const text = data.toString('utf8');
      // Most files do not match: the DFA answers that in one pass without tracking positions.
      if (!whole.test(text)) return;
      const source = stringSource(text);
      const matcher = whole.matcher(text);
      let line = 1;
      let lineStart = 0;
      let from = 0;
      for (;;) {
        if (!matcher.find(from)) return;
        const at = matcher.start();
        let newline = text.indexOf('\n', lineStart);
        while (newline !== -1 && newline < at) {
          line += 1;
          lineStart = newline + 1;
          newline = text.indexOf('\n', lineStart);
        }
        // Past the final newline there is no line.
        if (lineStart === text.length && lineStart > 0) return;
        const lineEnd = newline === -1 ? text.length : newline;
        // The whole-text scan finds candidates fast; grep's rule is per line, so the line is
        // checked alone (a match that ran across lines does not count, but the line may match).
        const lineText = trimCarriageReturn(text.slice(lineStart, lineEnd));
        const own = line > afterLine ? single.matcher(lineText) : undefined;
        if (own?.find()) {
          const found: LineHit = {
            line,
            text: source.line(lineStart, lineEnd, lineStart + own.start()),
            ...context(source, lineStart, lineEnd, contextLines),
          };
          if (!onHit(found)) return;
        }
        if (newline === -1) return;
        line += 1;
        lineStart = newline + 1;
        from = lineStart;
      }
    },
  };
}
