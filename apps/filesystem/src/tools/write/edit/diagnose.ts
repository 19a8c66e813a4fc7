import { sanitizeText } from '@bastion-mcp/schema';
import { lineAt, span } from './locate.js';

/**
 * Why `oldText` was not found in `text`, for the caller to fix it in one go: where the closest
 * text is (line numbers) and, when it differs only in whitespace, exactly how (tabs against
 * spaces, indentation width, trailing whitespace, line endings, line breaks). Otherwise the
 * first line that differs, quoted from both sides.
 */
export function diagnose(text: string, oldText: string): string {
  if (oldText.trim() === '') return 'old_text is only whitespace; include a line of text next to where the change goes.';
  return whitespaceOnly(text, oldText) ?? nearest(text, oldText);
}

const LEAD = /^[ \t]*/;
const TRAIL = /[ \t]*$/;
const MAX_QUOTED = 100;
const MAX_CANDIDATES = 4;

/** `text` with every run of whitespace replaced by one space (for short strings: single lines, old_text). */
function collapse(text: string): string {
  return text.replace(/\s+/g, ' ');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface OldLines {
  /** The lines of old_text without blank lines at either end, each without its '\n' ('\r' kept). */
  readonly lines: string[];
  /** The last line is followed by a line break in old_text. */
  readonly lastTerminated: boolean;
}

function oldLinesOf(oldText: string): OldLines {
  const lines = oldText.split('\n');
  while (lines.length > 1 && (lines[0] ?? '').trim() === '') lines.shift();
  let lastTerminated = false;
  while (lines.length > 1 && (lines[lines.length - 1] ?? '').trim() === '') {
    lines.pop();
    lastTerminated = true;
  }
  return { lines, lastTerminated };
}

/** "8 spaces", "1 tab", "2 tabs and 1 space", "none". */
function describeWhitespace(whitespace: string): string {
  if (whitespace === '') return 'none';
  const tabs = [...whitespace].filter((character) => character === '\t').length;
  const spaces = whitespace.length - tabs;
  const parts: string[] = [];
  if (tabs > 0) parts.push(`${tabs} tab${tabs === 1 ? '' : 's'}`);
  if (spaces > 0) parts.push(`${spaces} space${spaces === 1 ? '' : 's'}`);
  return parts.join(' and ');
}

function withoutCr(line: string): { line: string; cr: boolean } {
  return line.endsWith('\r') ? { line: line.slice(0, -1), cr: true } : { line, cr: false };
}

interface Region {
  /** File lines covered, each without its '\n' ('\r' kept). */
  readonly lines: string[];
  readonly startLine: number;
  /** Column where the match starts on the first line, and ends on the last (exclusive). */
  readonly startColumn: number;
  readonly endColumn: number;
  /** The last line covered is the file's last line and has no line break. */
  readonly lastUnterminated: boolean;
}

function regionOf(text: string, start: number, end: number): Region {
  const firstLineStart = text.lastIndexOf('\n', start - 1) + 1;
  const lastLineStart = text.lastIndexOf('\n', end - 1) + 1;
  const newlineAfter = text.indexOf('\n', end);
  const lastLineEnd = newlineAfter === -1 ? text.length : newlineAfter;
  return {
    lines: text.slice(firstLineStart, lastLineEnd).split('\n'),
    startLine: lineAt(text, start),
    startColumn: start - firstLineStart,
    endColumn: end - lastLineStart,
    lastUnterminated: newlineAfter === -1,
  };
}

/** The whitespace differences between matching lines, one phrase per kind, at its first line. */
function classify(region: Region, old: OldLines): string[] {
  const kinds = new Map<string, string>();
  const note = (kind: string, phrase: string) => {
    if (!kinds.has(kind)) kinds.set(kind, phrase);
  };
  const count = old.lines.length;
  if (region.lines.length !== count) {
    note(
      'breaks',
      `line breaks differ (old_text has ${count} line${count === 1 ? '' : 's'} where the file has ${region.lines.length}, at ${span(region.startLine, region.startLine + region.lines.length - 1)})`,
    );
    return [...kinds.values()];
  }
  for (let index = 0; index < count; index += 1) {
    const lineNumber = region.startLine + index;
    const first = index === 0;
    const last = index === count - 1;
    const file = withoutCr(region.lines[index] ?? '');
    const given = withoutCr(old.lines[index] ?? '');

    const oldTerminated = !last || old.lastTerminated;
    if (oldTerminated) {
      if (last && region.lastUnterminated) {
        note('final', `old_text ends with a line break but line ${lineNumber}, the last line of the file, has none`);
      } else if (file.cr !== given.cr) {
        note(
          'endings',
          file.cr
            ? `line endings differ (CRLF in the file at line ${lineNumber}, LF in old_text)`
            : `line endings differ (LF in the file at line ${lineNumber}, CRLF in old_text)`,
        );
      }
    }

    const fileLead = LEAD.exec(file.line)?.[0] ?? '';
    const oldLead = LEAD.exec(given.line)?.[0] ?? '';
    // On the first line old_text may start in the middle of a line: compare indentation only when it has some.
    const compareLead = !first || (oldLead !== '' && region.startColumn <= fileLead.length);
    if (compareLead && fileLead !== oldLead) {
      const fileTabs = fileLead.includes('\t');
      const oldTabs = oldLead.includes('\t');
      if (fileTabs && !oldTabs && oldLead !== '') {
        note('indent', `the file indents with tabs where old_text uses spaces (line ${lineNumber})`);
      } else if (!fileTabs && oldTabs && fileLead !== '') {
        note('indent', `the file indents with spaces where old_text uses tabs (line ${lineNumber})`);
      } else {
        note(
          'indent-width',
          `indentation differs (line ${lineNumber} of the file has ${describeWhitespace(fileLead)}, old_text ${describeWhitespace(oldLead)})`,
        );
      }
    }

    const fileTrail = TRAIL.exec(file.line)?.[0] ?? '';
    const oldTrail = TRAIL.exec(given.line)?.[0] ?? '';
    const compareTrail = !last || old.lastTerminated || oldTrail !== '';
    if (compareTrail && fileTrail !== oldTrail) {
      note(
        'trailing',
        `trailing whitespace differs (line ${lineNumber} of the file ends with ${describeWhitespace(fileTrail)}, old_text with ${describeWhitespace(oldTrail)})`,
      );
    }

    let segment = file.line;
    if (last && !old.lastTerminated) segment = segment.slice(0, region.endColumn);
    if (first) segment = segment.slice(region.startColumn);
    if (segment.trim() !== given.line.trim()) note('inner', `whitespace inside the line differs (line ${lineNumber})`);
  }
  return [...kinds.values()];
}

function whitespaceOnly(text: string, oldText: string): string | undefined {
  // The words of old_text with any run of whitespace between them: literal tokens separated by
  // \s+ cannot backtrack into each other, so the search stays linear, and it runs on the file as
  // it is, giving positions in it directly.
  const words = oldText.split(/\s+/).filter((word) => word !== '');
  const pattern = new RegExp(words.map(escapeRegExp).join('\\s+'), 'g');
  const found: { start: number; end: number }[] = [];
  for (let match = pattern.exec(text); match && found.length < MAX_CANDIDATES; match = pattern.exec(text)) {
    found.push({ start: match.index, end: match.index + match[0].length });
    pattern.lastIndex = match.index + 1;
  }
  const [first, ...others] = found;
  if (!first) return undefined;
  const region = regionOf(text, first.start, first.end);
  const phrases = classify(region, oldLinesOf(oldText));
  const where = span(region.startLine, region.startLine + region.lines.length - 1);
  let message = `The closest text is at ${where} and differs only in whitespace: ${phrases.length > 0 ? phrases.join('; ') : 'whitespace differs'}.`;
  if (others.length > 0) {
    const lines = others.map((other) => lineAt(text, other.start));
    message += ` Text that differs only in whitespace is also at line${lines.length === 1 ? '' : 's'} ${lines.join(', ')}.`;
  }
  return message;
}

/** Character pairs of `text` (as one number each) and how often each occurs. */
function bigrams(text: string): Map<number, number> {
  const grams = new Map<number, number>();
  for (let index = 0; index < text.length - 1; index += 1) {
    const gram = text.charCodeAt(index) * 0x10000 + text.charCodeAt(index + 1);
    grams.set(gram, (grams.get(gram) ?? 0) + 1);
  }
  return grams;
}

/** Dice similarity of two strings by character pairs, 0..1. */
function similarity(a: string, b: string, aGrams = bigrams(a)): number {
  if (a === b) return 1;
  if (a.length < 2 || b.length < 2) return 0;
  const used = new Map<number, number>();
  let shared = 0;
  for (let index = 0; index < b.length - 1; index += 1) {
    const gram = b.charCodeAt(index) * 0x10000 + b.charCodeAt(index + 1);
    const available = aGrams.get(gram);
    if (available === undefined) continue;
    const taken = used.get(gram) ?? 0;
    if (taken < available) {
      shared += 1;
      used.set(gram, taken + 1);
    }
  }
  return (2 * shared) / (a.length - 1 + b.length - 1);
}

function quote(line: string): string {
  const trimmed = sanitizeText(line.trim());
  return JSON.stringify(trimmed.length > MAX_QUOTED ? `${trimmed.slice(0, MAX_QUOTED)}…` : trimmed);
}

const FIX = 'Read those lines again (read_text_file with offset) and copy old_text from them exactly.';

function nearest(text: string, oldText: string): string {
  const old = oldLinesOf(oldText);
  const oldTrimmed = old.lines.map((line) => withoutCr(line).line.trim());
  let anchor = 0;
  oldTrimmed.forEach((line, index) => {
    if (line.length > (oldTrimmed[anchor] ?? '').length) anchor = index;
  });
  const anchorText = oldTrimmed[anchor] ?? '';
  const anchorGrams = bigrams(anchorText);
  const fileLines = text.split('\n');
  // A final line break ends the last line; it does not start another.
  if (text.endsWith('\n')) fileLines.pop();
  let best = -1;
  let bestScore = 0;
  for (let index = 0; index < fileLines.length; index += 1) {
    const line = (fileLines[index] ?? '').trim();
    if (line === '') continue;
    // Dice can be at most this high for lines of these lengths.
    const bound = (2 * Math.min(line.length, anchorText.length)) / (line.length + anchorText.length);
    if (bound <= bestScore) continue;
    const score = similarity(anchorText, line, anchorGrams);
    if (score > bestScore) {
      bestScore = score;
      best = index;
    }
  }
  if (best === -1 || bestScore < 0.5) {
    return 'No similar text was found; the file may have changed. Read it again with read_text_file and copy old_text from it exactly.';
  }
  const startIndex = Math.max(0, best - anchor);
  const window = oldTrimmed.map((_, offset) => fileLines[startIndex + offset]);
  const scores = oldTrimmed.map((line, offset) => {
    const fileLine = window[offset];
    return fileLine === undefined ? 0 : similarity(line, withoutCr(fileLine).line.trim());
  });
  const percent = Math.round((100 * scores.reduce((sum, score) => sum + score, 0)) / Math.max(1, scores.length));
  const lastIndex = Math.min(fileLines.length, startIndex + oldTrimmed.length) - 1;
  let message = `The closest text is at ${span(startIndex + 1, lastIndex + 1)} (about ${percent}% similar)`;
  const differing = oldTrimmed.findIndex((line, offset) => {
    const fileLine = window[offset];
    return fileLine === undefined || collapse(fileLine).trim() !== collapse(line).trim();
  });
  if (differing !== -1) {
    const fileLine = window[differing];
    const lineNumber = startIndex + differing + 1;
    message +=
      fileLine === undefined
        ? `; old_text goes on past the end of the file, which ends at line ${fileLines.length}.`
        : `; the first difference is on line ${lineNumber}: the file has ${quote(fileLine)} where old_text has ${quote(old.lines[differing] ?? '')}.`;
  } else {
    message += '.';
  }
  return `${message} ${FIX}`;
}
