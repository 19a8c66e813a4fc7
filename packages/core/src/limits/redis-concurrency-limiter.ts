import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { closeRedis, connectLimitRedis, redisReady } from './redis-connection.js';
import type { ConcurrencyGrant, ConcurrencyLimiter } from './concurrency-limiter.js';
import { ACQUIRE_LEASE_SCRIPT, RENEW_LEASES_SCRIPT } from './redis-concurrency-script.js';

export interface RedisConcurrencyLimiterOptions {
  /** Calls one principal may have running at once across every replica sharing the Redis. */
  maxInFlight: number;
  /** Prepended to every key; the runtime passes `bastion:cc:<connector>:`. */
  keyPrefix?: string;
  /** How long a lease lives unless its replica renews it (every third of it). Default 30000. */
  leaseMs?: number;
  /** Suggested retry for a refused call. Default 1 s. */
  retryAfterSeconds?: number;
  /** Retry-After while Redis is unreachable. Default 5 s. */
  unavailableRetrySeconds?: number;
  onError?: (error: Error) => void;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

interface WithLeaseScripts {
  bastionAcquireLease(key: string, limit: number, member: string, leaseMs: number): Promise<number>;
  bastionRenewLeases(key: string, leaseMs: number, ...members: string[]): Promise<number>;
}

/**
 * In-flight calls per principal shared by every replica through Redis. Each running call holds a
 * lease that this replica renews while the call runs; release removes it. When Redis cannot be
 * reached, calls are refused with a retry (fail closed), as the rate limits are.
 */
export class RedisConcurrencyLimiter implements ConcurrencyLimiter {
  readonly maxInFlight: number;
  readonly #redis: Redis & WithLeaseScripts;
  readonly #prefix: string;
  readonly #leaseMs: number;
  readonly #retrySeconds: number;
  readonly #unavailableSeconds: number;
  readonly #onError: (error: Error) => void;
  /** Leases this replica holds, by principal key: renewed together, forgotten on release. */
  readonly #held = new Map<string, Set<string>>();
  readonly #replica = randomBytes(6).toString('base64url');
  #sequence = 0;
  #renewTimer: NodeJS.Timeout | undefined;

  constructor(url: string, options: RedisConcurrencyLimiterOptions) {
    const { maxInFlight } = options;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      throw new RangeError(`maxInFlight must be a whole number of at least 1, not ${maxInFlight}`);
    }
    this.maxInFlight = maxInFlight;
    this.#prefix = options.keyPrefix ?? 'bastion:cc:';
    this.#leaseMs = options.leaseMs ?? 30_000;
    if (!(this.#leaseMs >= 100)) throw new RangeError('leaseMs must be at least 100');
    this.#retrySeconds = options.retryAfterSeconds ?? 1;
    this.#unavailableSeconds = options.unavailableRetrySeconds ?? 5;
    this.#onError = options.onError ?? (() => undefined);
    const redis = connectLimitRedis(url, {
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      ...(options.commandTimeoutMs !== undefined ? { commandTimeoutMs: options.commandTimeoutMs } : {}),
      onError: (error) => this.#onError(error),
    });
    redis.defineCommand('bastionAcquireLease', { numberOfKeys: 1, lua: ACQUIRE_LEASE_SCRIPT });
    redis.defineCommand('bastionRenewLeases', { numberOfKeys: 1, lua: RENEW_LEASES_SCRIPT });
    this.#redis = redis as Redis & WithLeaseScripts;
  }

  #key(principalId: string): string {
    return `${this.#prefix}{${encodeURIComponent(principalId)}}`;
  }

  inFlight(principalId: string): number {
    return this.#held.get(this.#key(principalId))?.size ?? 0;
  }

  async acquire(principalId: string): Promise<ConcurrencyGrant> {
    const key = this.#key(principalId);
    const member = `${this.#replica}:${(this.#sequence += 1)}`;
    let taken: number;
    try {
      if (this.#redis.status !== 'ready') throw new Error('the in-flight limit Redis is not connected');
      taken = await this.#redis.bastionAcquireLease(key, this.maxInFlight, member, this.#leaseMs);
    } catch (error) {
      this.#onError(error instanceof Error ? error : new Error(String(error)));
      const seconds = this.#unavailableSeconds;
      return {
        acquired: false,
        limit: this.maxInFlight,
        retryAfterSeconds: seconds,
        unavailable: true,
        message: `the in-flight limit cannot be checked because the shared limit store is unreachable; retry after ${seconds} s`,
      };
    }
    if (taken !== 1) {
      const seconds = this.#retrySeconds;
      return {
        acquired: false,
        limit: this.maxInFlight,
        retryAfterSeconds: seconds,
        message: `too many calls in progress (at most ${this.maxInFlight} at once per caller); retry after ${seconds} s`,
      };
    }
    this.#hold(key, member);
    let released = false;
    return {
      acquired: true,
      release: () => {
        if (released) return;
        released = true;
        this.#forget(key, member);
        // A lease whose removal fails expires on its own within leaseMs.
        this.#redis.zrem(key, member).catch((error: unknown) => this.#onError(error instanceof Error ? error : new Error(String(error))));
      },
    };
  }

  #hold(key: string, member: string): void {
    let members = this.#held.get(key);
    if (!members) this.#held.set(key, (members = new Set()));
    members.add(member);
    if (!this.#renewTimer) {
      this.#renewTimer = setInterval(() => this.#renew(), Math.floor(this.#leaseMs / 3));
      this.#renewTimer.unref();
    }
  }

  #forget(key: string, member: string): void {
    const members = this.#held.get(key);
    members?.delete(member);
    if (members?.size === 0) this.#held.delete(key);
    if (this.#held.size === 0 && this.#renewTimer) {
      clearInterval(this.#renewTimer);
      this.#renewTimer = undefined;
    }
  }

  #renew(): void {
    for (const [key, members] of this.#held) {
      this.#redis
        .bastionRenewLeases(key, this.#leaseMs, ...members)
        .catch((error: unknown) => this.#onError(error instanceof Error ? error : new Error(String(error))));
    }
  }

  ready(timeoutMs = 5_000): Promise<void> {
    return redisReady(this.#redis, timeoutMs, 'in-flight limit');
  }

  async close(): Promise<void> {
    if (this.#renewTimer) clearInterval(this.#renewTimer);
    this.#renewTimer = undefined;
    await closeRedis(this.#redis);
  }
}
