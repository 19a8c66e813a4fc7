/** Longest query text returned; longer ones end with a truncation marker. */
export const MAX_QUERY_TEXT = 2000;

/** One line of a query for a text listing: whitespace runs folded, cut at `length`. */
export function oneLine(text: string | null | undefined, length = 300): string {
  if (text === null || text === undefined) return '(no query text)';
  const folded = text.replace(/\s+/g, ' ').trim();
  return folded.length > length ? `${folded.slice(0, length - 1)}…` : folded;
}

/** An age in whole ms from a difference of timestamps; 0 for what began after this statement did, not a negative age. */
export function ageMs(value: number | null | undefined): number | null {
  return value === null || value === undefined ? null : Math.max(0, Math.round(value));
}

/** Milliseconds for people: `0.42 ms`, `850 ms`, `12.3 s`, `4.2 min`, `3.1 h`. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  if (ms < 10) return `${Number(ms.toFixed(2))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
