/** The 1-based line number of the character at `index`. */
export function lineAt(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < index; at = text.indexOf('\n', at + 1)) line += 1;
  return line;
}

/** 1-based line numbers of ascending character indexes, in one pass. */
export function linesAt(text: string, indexes: readonly number[]): number[] {
  const lines: number[] = [];
  let line = 1;
  let at = text.indexOf('\n');
  for (const index of indexes) {
    while (at !== -1 && at < index) {
      line += 1;
      at = text.indexOf('\n', at + 1);
    }
    lines.push(line);
  }
  return lines;
}

export interface Occurrences {
  /** Every occurrence, overlapping ones included ("aa" occurs twice in "aaa"). */
  readonly count: number;
  /** The indexes of the first `keep` occurrences. */
  readonly first: readonly number[];
}

export function occurrences(text: string, needle: string, keep = 10): Occurrences {
  const first: number[] = [];
  let count = 0;
  for (let index = text.indexOf(needle); index !== -1; index = text.indexOf(needle, index + 1)) {
    count += 1;
    if (first.length < keep) first.push(index);
  }
  return { count, first };
}

/** "line 4" or "lines 4-6". */
export function span(startLine: number, endLine: number): string {
  return startLine === endLine ? `line ${startLine}` : `lines ${startLine}-${endLine}`;
}
