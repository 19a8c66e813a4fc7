import type { Redis } from 'ioredis';
import { closeRedis, connectLimitRedis, redisReady } from './redis-connection.js';
import type { RateLimits } from './rate-limits.js';
import { refusal } from './rate-limits.js';
import type { RateSpec } from './rate.js';
import { TAKE_TOKENS_SCRIPT } from './redis-script.js';
import type { RateDecision, RateLimiter } from './types.js';

export interface RedisRateLimiterOptions {
  /** Prepended to every key, so several deployments can share one Redis. Default `bastion:rl:`. */
  keyPrefix?: string;
  /** Milliseconds; by default the Redis server's clock, which every replica shares. */
  now?: () => number;
  /** Retry-After while Redis is unreachable. Default 5 s. */
  unavailableRetrySeconds?: number;
  /** Connection and command failures; messages hold no credentials. */
  onError?: (error: Error) => void;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

type ScriptReply = [number, string, string];

interface WithTakeTokens {
  bastionTakeTokens(...args: (string | number)[]): Promise<ScriptReply>;
}

function bucketArgs(spec: RateSpec | undefined): [number, number, number, number] {
  if (!spec) return [0, 1, 1, 0];
  // Once a key would be full again it equals a missing key, so it may expire then.
  const ttl = Math.ceil((spec.burst * spec.periodMs) / spec.count) + 1_000;
  return [spec.burst, spec.count, spec.periodMs, ttl];
}

/**
 * Token buckets in Redis, shared by every replica. When Redis cannot be reached, calls are refused
 * with a retry (fail closed): falling back to per-replica memory would silently multiply every
 * budget by the replica count, and failing open would let an outage, or anyone able to cause one,
 * switch the limits off. ioredis reconnects on its own with backoff; commands are not queued while
 * disconnected, so a refusal comes at once instead of a stalled call.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly kind = 'redis' as const;
  readonly #limits: RateLimits;
  readonly #redis: Redis & WithTakeTokens;
  readonly #prefix: string;
  readonly #now: (() => number) | undefined;
  readonly #retrySeconds: number;
  readonly #onError: (error: Error) => void;

  constructor(url: string, limits: RateLimits, options: RedisRateLimiterOptions = {}) {
    this.#limits = limits;
    this.#prefix = options.keyPrefix ?? 'bastion:rl:';
    this.#now = options.now;
    this.#retrySeconds = options.unavailableRetrySeconds ?? 5;
    this.#onError = options.onError ?? (() => undefined);
    const redis = connectLimitRedis(url, {
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      ...(options.commandTimeoutMs !== undefined ? { commandTimeoutMs: options.commandTimeoutMs } : {}),
      onError: (error) => this.#onError(error),
    });
    redis.defineCommand('bastionTakeTokens', { numberOfKeys: 2, lua: TAKE_TOKENS_SCRIPT });
    this.#redis = redis as Redis & WithTakeTokens;
  }

  #unavailable(): RateDecision {
    const seconds = this.#retrySeconds;
    return {
      allowed: false,
      retryAfterSeconds: seconds,
      limit: 'principal',
      unavailable: true,
      message: `rate limits cannot be checked because the shared limit store is unreachable; retry after ${seconds} s`,
    };
  }

  /** The hash tag keeps both keys of a principal in one Redis Cluster slot, as a script needs. */
  #keys(principalId: string, tool: string): [string, string] {
    const tag = `{${encodeURIComponent(principalId)}}`;
    return [`${this.#prefix}${tag}:p`, `${this.#prefix}${tag}:t:${encodeURIComponent(tool)}`];
  }

  async take(principalId: string, tool: string): Promise<RateDecision> {
    if (this.#redis.status !== 'ready') return this.#unavailable();
    const principalSpec = this.#limits.perPrincipal;
    const toolSpec = this.#limits.forTool(tool);
    if (!principalSpec && !toolSpec) return { allowed: true };
    let reply: ScriptReply;
    try {
      reply = await this.#redis.bastionTakeTokens(
        ...this.#keys(principalId, tool),
        this.#now ? this.#now() : -1,
        ...bucketArgs(principalSpec),
        ...bucketArgs(toolSpec),
      );
    } catch (error) {
      this.#onError(error instanceof Error ? error : new Error(String(error)));
      return this.#unavailable();
    }
    const [allowed, principalWait, toolWait] = reply;
    if (allowed === 1) return { allowed: true };
    return refusal(Number(principalWait), Number(toolWait), this.#limits, tool) ?? this.#unavailable();
  }

  ready(timeoutMs = 5_000): Promise<void> {
    return redisReady(this.#redis, timeoutMs, 'rate-limit');
  }

  async close(): Promise<void> {
    await closeRedis(this.#redis);
  }
}
