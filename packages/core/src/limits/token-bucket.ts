import type { RateSpec } from './rate.js';

/**
 * Token bucket arithmetic, shared by the in-memory limiter; the Redis script does the same in Lua.
 * A bucket starts full (`burst` tokens), refills continuously at count/period, and a call takes one.
 * Products are formed before dividing, so whole periods give whole tokens without float noise.
 */
export interface BucketState {
  readonly tokens: number;
  readonly updatedAt: number;
}

/** The bucket at `now`. A clock that went backwards adds nothing rather than taking tokens away. */
export function refill(state: BucketState | undefined, spec: RateSpec, now: number): BucketState {
  if (state === undefined) return { tokens: spec.burst, updatedAt: now };
  // Stryker disable next-line EqualityOperator: refilling over no time gives an equal state
  if (now <= state.updatedAt) return state;
  const tokens = Math.min(spec.burst, state.tokens + ((now - state.updatedAt) * spec.count) / spec.periodMs);
  return { tokens, updatedAt: now };
}

/** Milliseconds until the bucket holds a whole token again; 0 when it already does. */
export function waitMs(state: BucketState, spec: RateSpec): number {
  // Stryker disable next-line EqualityOperator: at exactly one token the formula gives 0 as well
  return state.tokens >= 1 ? 0 : ((1 - state.tokens) * spec.periodMs) / spec.count;
}

/** When an untouched bucket is full again, and so can be forgotten without changing any decision. */
export function fullAt(state: BucketState, spec: RateSpec): number {
  return state.updatedAt + ((spec.burst - state.tokens) * spec.periodMs) / spec.count;
}

/** Whole seconds, at least 1; the epsilon keeps float noise (3600000.0000000005 ms) from adding a second. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000 - 1e-6));
}
