import { ConfigError } from '../errors.js';
import type { ConfigProblem } from '../errors.js';
import { MemoryRateLimiter } from './memory-rate-limiter.js';
import { parseRate } from './rate.js';
import type { RateSpec } from './rate.js';
import { rateLimits } from './rate-limits.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';
import type { RateLimiter } from './types.js';

export interface RateLimiterOptions {
  /** Every call of one principal, e.g. `600/min`. */
  perPrincipal?: RateSpec | string;
  /** Calls of one principal to one tool, e.g. `60/min`. */
  perTool?: RateSpec | string;
  /** Per-tool budgets that replace `perTool` for those tools. */
  toolRates?: Readonly<Record<string, RateSpec | string>>;
  /** `redis://` or `rediss://` (a Secret works too); absent means in-memory, per replica. */
  redisUrl?: string | { reveal(): string };
  keyPrefix?: string;
  /** Milliseconds, for tests. Memory default: monotonic; Redis default: the server's clock. */
  now?: () => number;
  maxBuckets?: number;
  unavailableRetrySeconds?: number;
  onError?: (error: Error) => void;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

const OFF: RateLimiter = Object.freeze({
  kind: 'off' as const,
  take: () => Promise.resolve({ allowed: true as const }),
  ready: () => Promise.resolve(),
  close: () => Promise.resolve(),
});

function spec(value: RateSpec | string | undefined, setting: string, problems: ConfigProblem[]): RateSpec | undefined {
  if (value === undefined || typeof value !== 'string') return value;
  try {
    return parseRate(value);
  } catch (error) {
    problems.push({ setting, message: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}

/**
 * The limiter for the configured budgets: Redis when `redisUrl` is set (replicas share one budget),
 * otherwise memory. Call `take` only for tools that exist and the caller may use, so unknown names
 * cannot mint buckets. With no budget configured, every call is allowed and nothing connects.
 */
export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  const problems: ConfigProblem[] = [];
  const perPrincipal = spec(options.perPrincipal, 'perPrincipal rate limit', problems);
  const perTool = spec(options.perTool, 'perTool rate limit', problems);
  const toolRates: Record<string, RateSpec> = {};
  for (const [tool, value] of Object.entries(options.toolRates ?? {})) {
    const parsed = spec(value, `rate limit for tool ${tool}`, problems);
    // Stryker disable next-line ConditionalExpression: a rate that failed to parse is a problem, thrown below before toolRates is used
    if (parsed) toolRates[tool] = parsed;
  }
  const url = typeof options.redisUrl === 'object' ? options.redisUrl.reveal() : options.redisUrl;
  if (url !== undefined && !/^rediss?:\/\//i.test(url)) {
    // The value is not echoed: it may hold a password.
    problems.push({ setting: 'BASTION_REDIS_URL', message: 'must be a redis:// or rediss:// URL' });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (!perPrincipal && !perTool && Object.keys(toolRates).length === 0) return OFF;
  const limits = rateLimits(perPrincipal, perTool, toolRates);
  if (url === undefined) {
    return new MemoryRateLimiter(limits, {
      ...(options.now ? { now: options.now } : {}),
      ...(options.maxBuckets ? { maxBuckets: options.maxBuckets } : {}),
    });
  }
  return new RedisRateLimiter(url, limits, {
    ...(options.keyPrefix !== undefined ? { keyPrefix: options.keyPrefix } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.unavailableRetrySeconds !== undefined ? { unavailableRetrySeconds: options.unavailableRetrySeconds } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
    ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    ...(options.commandTimeoutMs !== undefined ? { commandTimeoutMs: options.commandTimeoutMs } : {}),
  });
}
