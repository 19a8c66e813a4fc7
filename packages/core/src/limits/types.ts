export type RateDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      /** Whole seconds, at least 1: send as `Retry-After` and in the JSON-RPC error. */
      readonly retryAfterSeconds: number;
      /** Which budget ran out; `principal` also when the shared store is unreachable. */
      readonly limit: 'principal' | 'tool';
      /** Safe to show the caller. */
      readonly message: string;
      /** True when the limits could not be checked (Redis unreachable): answer 503 rather than 429. */
      readonly unavailable?: true;
    };

export interface RateLimiter {
  readonly kind: 'off' | 'memory' | 'redis';
  /** Takes one token from the principal's bucket and from its bucket for this tool, or neither. */
  take(principalId: string, tool: string): Promise<RateDecision>;
  /** Resolves once the limiter can decide (Redis connected); rejects after the timeout otherwise. */
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}
