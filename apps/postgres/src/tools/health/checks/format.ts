// Numbers in the checks' summaries and descriptions, written the way PostgreSQL people read them.
import { thousands } from '../../thousands.js';

const SIZE_UNITS = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** A size like pg_size_pretty, but in the larger unit when exact: 8192 -> "8 kB", 12722176 -> "12 MB", 1048576 -> "1 MB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while ((Math.abs(value) >= 10 * 1024 || (value !== 0 && value % 1024 === 0)) && unit < SIZE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${Math.round(value)} ${SIZE_UNITS[unit]}`;
}

/** A ratio from 0 to 1 as a percentage with one decimal, none for a whole one: 0.9003 -> "90.0%", 0.75 -> "75%". */
export function formatPercent(ratio: number): string {
  const percent = ratio * 100;
  return Number.isInteger(percent) ? `${percent}%` : `${percent.toFixed(1)}%`;
}

/** An integer with thousands separators: 200000000 -> "200,000,000". */
export function formatCount(value: number): string {
  return thousands(Math.round(value));
}

/** "1 index" / "2 indexes". */
export function plural(count: number, one: string, many: string): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

/** A bigint from the database: a number when exact, else its text. */
export function exactInteger(value: number | string | null): number | string | null {
  if (value === null || typeof value === 'number') return value;
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : value;
}

/** A ratio rounded for the details of a finding (4 decimals are plenty for a threshold). */
export function roundRatio(ratio: number): number {
  return Math.round(ratio * 10_000) / 10_000;
}
