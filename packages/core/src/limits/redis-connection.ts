import { Redis } from 'ioredis';

export interface LimitRedisOptions {
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  onError: (error: Error) => void;
}

/**
 * A connection for the shared limits. Commands are not queued while disconnected and never
 * retried, so a decision comes at once (a refusal while Redis is away) instead of a stalled call;
 * ioredis reconnects on its own with backoff.
 */
export function connectLimitRedis(url: string, options: LimitRedisOptions): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: options.connectTimeoutMs ?? 2_000,
    commandTimeout: options.commandTimeoutMs ?? 1_000,
    retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
  });
  redis.on('error', (error: Error) => options.onError(error));
  return redis;
}

/** Resolves once the connection is ready; rejects after `timeoutMs`, naming `what` it is for. */
export function redisReady(redis: Redis, timeoutMs: number, what: string): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`the ${what} Redis did not become ready within ${timeoutMs} ms; calls are refused until it does`));
    }, timeoutMs);
    redis.once('ready', onReady);
  });
}

/** Ends the connection politely, or drops it when that fails. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
