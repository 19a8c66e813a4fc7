import type { ConcurrencyLimiter } from './concurrency-limiter.js';
import type { RateLimiter } from './types.js';

/** The limits a call must pass before it runs. */
export interface CallLimits {
  readonly rateLimiter: RateLimiter;
  readonly concurrency: ConcurrencyLimiter | undefined;
}

export type LimitOutcome =
  | { readonly allowed: true; release(): void }
  | {
      readonly allowed: false;
      /** For the audit log: `rate:principal`, `rate:tool`, `concurrency`, `rate:unavailable`, `concurrency:unavailable`. */
      readonly rule: string;
      /** Safe to show the caller; says when to retry. */
      readonly message: string;
      readonly retryAfterSeconds: number;
      /** The limits could not be checked (shared store down): 503 rather than 429. */
      readonly unavailable: boolean;
    };

const NOTHING = () => undefined;

/**
 * Takes a token from the principal's budgets, then a slot of its in-flight calls. A call refused
 * for concurrency has spent its rate token, so a client retrying in a tight loop still runs out.
 */
export async function takeCallLimits(limits: CallLimits, principalId: string, tool: string): Promise<LimitOutcome> {
  const rate = await limits.rateLimiter.take(principalId, tool);
  if (!rate.allowed) {
    return {
      allowed: false,
      rule: rate.unavailable ? 'rate:unavailable' : `rate:${rate.limit}`,
      message: rate.message,
      retryAfterSeconds: rate.retryAfterSeconds,
      unavailable: rate.unavailable === true,
    };
  }
  if (!limits.concurrency) return { allowed: true, release: NOTHING };
  const slot = await limits.concurrency.acquire(principalId);
  if (!slot.acquired) {
    const unavailable = slot.unavailable === true;
    return { allowed: false, rule: unavailable ? 'concurrency:unavailable' : 'concurrency', message: slot.message, retryAfterSeconds: slot.retryAfterSeconds, unavailable };
  }
  return { allowed: true, release: slot.release };
}
