// Positions in the caller's SQL, for messages: PostgreSQL reports syntax errors in characters
// (code points) and node locations in bytes of UTF-8; JavaScript strings count UTF-16 units.

/** The string index of the `codePoints`-th code point (clamped to the end). */
export function indexFromCodePoints(sql: string, codePoints: number): number {
  let index = 0;
  for (let seen = 0; seen < codePoints && index < sql.length; seen++) {
    index += (sql.codePointAt(index) ?? 0) > 0xffff ? 2 : 1;
  }
  return index;
}

/** The string index of a UTF-8 byte offset (clamped to the end). */
export function indexFromBytes(sql: string, byteOffset: number): number {
  return Buffer.from(sql, 'utf8').subarray(0, Math.max(0, byteOffset)).toString('utf8').length;
}

/** `line 3, column 7` (both from 1) of a string index. */
export function lineAndColumn(sql: string, index: number): { line: number; column: number } {
  const before = sql.slice(0, index);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: [...before.slice(lineStart)].length + 1 };
}

const EXCERPT_WIDTH = 72;

/** The line holding `index`, cut to a window around it, with a caret under the position. */
export function excerptAt(sql: string, index: number): string {
  const lineStart = sql.lastIndexOf('\n', index - 1) + 1;
  const lineEndRaw = sql.indexOf('\n', index);
  const line = [...sql.slice(lineStart, lineEndRaw === -1 ? sql.length : lineEndRaw).replace(/\r$/, '')].map((c) =>
    c === '\t' || c < ' ' ? ' ' : c,
  );
  const caret = [...sql.slice(lineStart, index)].length;
  const from = Math.max(0, Math.min(caret - Math.floor(EXCERPT_WIDTH / 2), line.length - EXCERPT_WIDTH));
  const to = Math.min(line.length, from + EXCERPT_WIDTH);
  const prefix = from > 0 ? '…' : '';
  const shown = prefix + line.slice(from, to).join('') + (to < line.length ? '…' : '');
  return `    ${shown}\n    ${' '.repeat(prefix.length + caret - from)}^`;
}

/** `at line 2, column 5` for a node's byte location, or '' when the parser gave none. */
export function atLocation(sql: string, byteLocation: unknown): string {
  if (typeof byteLocation !== 'number' || byteLocation < 0) return '';
  const { line, column } = lineAndColumn(sql, indexFromBytes(sql, byteLocation));
  return ` at line ${line}, column ${column}`;
}
