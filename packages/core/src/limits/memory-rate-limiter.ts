import type { RateLimits } from './rate-limits.js';
import { refusal } from './rate-limits.js';
import type { RateSpec } from './rate.js';
import { fullAt, refill, waitMs } from './token-bucket.js';
import type { BucketState } from './token-bucket.js';
import type { RateDecision, RateLimiter } from './types.js';

export interface MemoryRateLimiterOptions {
  /** Milliseconds; monotonic by default, so a wall-clock jump neither refills nor drains buckets. */
  now?: () => number;
  /** Most buckets kept; past it the least recently used one is dropped. Default 100 000. */
  maxBuckets?: number;
  /** How often idle buckets are swept, in the limiter's milliseconds. Default 60 000. */
  sweepIntervalMs?: number;
}

interface Entry {
  state: BucketState;
  /** When this bucket is full again; past that it equals a fresh bucket and can go. */
  idleAt: number;
}

/**
 * Buckets live in one Map in least-recently-used order (a take re-inserts them). A bucket that has
 * refilled completely decides exactly like a missing one, so sweeping those loses nothing; the hard
 * cap only matters with more live callers than `maxBuckets`, where the oldest is forgotten.
 */
export class MemoryRateLimiter implements RateLimiter {
  readonly kind = 'memory' as const;
  readonly #limits: RateLimits;
  readonly #now: () => number;
  readonly #maxBuckets: number;
  readonly #sweepIntervalMs: number;
  readonly #buckets = new Map<string, Entry>();
  #lastSweep: number;

  constructor(limits: RateLimits, options: MemoryRateLimiterOptions = {}) {
    this.#limits = limits;
    this.#now = options.now ?? (() => performance.now());
    this.#maxBuckets = options.maxBuckets ?? 100_000;
    this.#sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    this.#lastSweep = this.#now();
  }

  /** Buckets currently held (for tests and metrics). */
  get size(): number {
    return this.#buckets.size;
  }

  take(principalId: string, tool: string): Promise<RateDecision> {
    return Promise.resolve(this.takeNow(principalId, tool));
  }

  takeNow(principalId: string, tool: string): RateDecision {
    const now = this.#now();
    if (now - this.#lastSweep >= this.#sweepIntervalMs) this.sweep();
    const principalSpec = this.#limits.perPrincipal;
    const toolSpec = this.#limits.forTool(tool);
    // NUL cannot occur in a tool name, so the two key spaces never collide.
    const principalKey = `p\0${principalId}`;
    const toolKey = `t\0${tool}\0${principalId}`;
    const principal = principalSpec && refill(this.#buckets.get(principalKey)?.state, principalSpec, now);
    const perTool = toolSpec && refill(this.#buckets.get(toolKey)?.state, toolSpec, now);
    const denied = refusal(
      // Stryker disable next-line LogicalOperator: the bucket is set exactly when its spec is; the spec is named for the type checker
      principal && principalSpec ? waitMs(principal, principalSpec) : 0,
      // Stryker disable next-line LogicalOperator: the bucket is set exactly when its spec is; the spec is named for the type checker
      perTool && toolSpec ? waitMs(perTool, toolSpec) : 0,
      this.#limits,
      tool,
    );
    if (denied) return denied;
    // Stryker disable next-line LogicalOperator: the bucket is set exactly when its spec is; the spec is named for the type checker
    if (principal && principalSpec) this.#store(principalKey, principal, principalSpec);
    // Stryker disable next-line LogicalOperator: the bucket is set exactly when its spec is; the spec is named for the type checker
    if (perTool && toolSpec) this.#store(toolKey, perTool, toolSpec);
    return { allowed: true };
  }

  #store(key: string, state: BucketState, spec: RateSpec): void {
    const taken = { tokens: state.tokens - 1, updatedAt: state.updatedAt };
    this.#buckets.delete(key);
    if (this.#buckets.size >= this.#maxBuckets) {
      this.sweep();
      if (this.#buckets.size >= this.#maxBuckets) this.#buckets.delete(this.#buckets.keys().next().value!);
    }
    this.#buckets.set(key, { state: taken, idleAt: fullAt(taken, spec) });
  }

  /** Drops every bucket that has refilled completely. */
  sweep(): void {
    const now = this.#now();
    this.#lastSweep = now;
    for (const [key, entry] of this.#buckets) {
      if (entry.idleAt <= now) this.#buckets.delete(key);
    }
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#buckets.clear();
    return Promise.resolve();
  }
}
