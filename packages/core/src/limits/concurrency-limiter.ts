export type ConcurrencyGrant =
  | { readonly acquired: true; /** Idempotent: a second call does nothing. */ readonly release: () => void }
  | {
      readonly acquired: false;
      readonly limit: number;
      readonly retryAfterSeconds: number;
      readonly message: string;
      /** The shared store could not be asked: answer 503 rather than 429. */
      readonly unavailable?: true;
    };

export interface ConcurrencyLimiter {
  readonly maxInFlight: number;
  acquire(principalId: string): ConcurrencyGrant | Promise<ConcurrencyGrant>;
  /** Calls of this principal holding a slot of this process. */
  inFlight(principalId: string): number;
  close?(): Promise<void>;
}

/** The in-process limiter decides at once. */
export interface MemoryConcurrencyLimiter extends ConcurrencyLimiter {
  acquire(principalId: string): ConcurrencyGrant;
}

export interface ConcurrencyLimiterOptions {
  /** Calls one principal may have running at once on this replica. */
  maxInFlight: number;
  /** Suggested retry for a refused call. Default 1 s. */
  retryAfterSeconds?: number;
}

/**
 * In-flight calls per principal, counted in this process only: behind a load balancer with N
 * replicas a principal can have up to N x maxInFlight calls running. Counters are deleted at zero,
 * so memory follows the callers that are busy right now.
 */
export function createConcurrencyLimiter(options: ConcurrencyLimiterOptions): MemoryConcurrencyLimiter {
  const { maxInFlight } = options;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new RangeError(`maxInFlight must be a whole number of at least 1, not ${maxInFlight}`);
  }
  const retryAfterSeconds = options.retryAfterSeconds ?? 1;
  const running = new Map<string, number>();
  return {
    maxInFlight,
    inFlight: (principalId) => running.get(principalId) ?? 0,
    acquire(principalId) {
      const current = running.get(principalId) ?? 0;
      if (current >= maxInFlight) {
        return {
          acquired: false,
          limit: maxInFlight,
          retryAfterSeconds,
          message: `too many calls in progress (at most ${maxInFlight} at once per caller); retry after ${retryAfterSeconds} s`,
        };
      }
      running.set(principalId, current + 1);
      let released = false;
      return {
        acquired: true,
        release() {
          if (released) return;
          released = true;
          const left = (running.get(principalId) ?? 1) - 1;
          if (left <= 0) running.delete(principalId);
          else running.set(principalId, left);
        },
      };
    },
  };
}
