import { z } from 'zod';

/** A token bucket's shape: `count` tokens per `periodMs`, holding at most `burst`. */
export interface RateSpec {
  readonly count: number;
  readonly periodMs: number;
  readonly burst: number;
  /** As the operator wrote it, normalised: `60/min`, `10/s burst=20`. */
  readonly text: string;
}

const UNITS: Readonly<Record<string, { ms: number; name: string }>> = {
  s: { ms: 1_000, name: 's' },
  sec: { ms: 1_000, name: 's' },
  second: { ms: 1_000, name: 's' },
  min: { ms: 60_000, name: 'min' },
  minute: { ms: 60_000, name: 'min' },
  h: { ms: 3_600_000, name: 'hour' },
  hour: { ms: 3_600_000, name: 'hour' },
  d: { ms: 86_400_000, name: 'day' },
  day: { ms: 86_400_000, name: 'day' },
};

const MAX_COUNT = 1_000_000_000;
const RATE = /^\s*(\d{1,10})\s*\/\s*([a-z]+?)s?\s*(?:\s(?:burst\s*=?\s*(\d{1,10})))?\s*$/i;
const USAGE = 'write <count>/<unit> with unit s, min, hour or day, optionally followed by burst=<n>: 60/min, 10/s burst=20, 1000/hour';

export class RateSyntaxError extends Error {
  override readonly name = 'RateSyntaxError';
}

/**
 * Parses `60/min`, `10/s`, `1000/hour`, `5/day`, with an optional `burst=<n>` (default: the count,
 * so a fresh bucket allows one period's worth at once). `m` is refused: minute or month?
 */
export function parseRate(text: string): RateSpec {
  const match = text.length <= 100 ? RATE.exec(text) : null;
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || !unit) throw new RateSyntaxError(`${JSON.stringify(text.slice(0, 60))} is not a rate: ${USAGE}`);
  const count = Number(match[1]);
  const burst = match[3] === undefined ? count : Number(match[3]);
  if (count < 1 || count > MAX_COUNT) throw new RateSyntaxError(`the count in ${JSON.stringify(text)} must be between 1 and ${MAX_COUNT}`);
  if (burst < 1 || burst > MAX_COUNT) throw new RateSyntaxError(`the burst in ${JSON.stringify(text)} must be between 1 and ${MAX_COUNT}`);
  const canonical = `${count}/${unit.name}${burst === count ? '' : ` burst=${burst}`}`;
  return Object.freeze({ count, periodMs: unit.ms, burst, text: canonical });
}

/** For settings: a rate string validated at load time. */
export const rateSpecSchema = z.string().transform((text, context) => {
  try {
    return parseRate(text);
  } catch (error) {
    context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : USAGE });
    return z.NEVER;
  }
});
