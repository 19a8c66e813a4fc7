import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter, RedisRateLimiter } from '../src/limits/index.js';
import type { RateDecision, RateLimiter, RateLimiterOptions } from '../src/limits/index.js';
// From source: @bastion-mcp/testing depends on this package.
import { TEST_REDIS_PASSWORD, findRedisServer, freePort, startRedis } from '../../testing/src/local-redis.js';
import type { RedisProcess } from '../../testing/src/local-redis.js';

const PASSWORD = TEST_REDIS_PASSWORD;
async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

const allowed = (decisions: RateDecision[]) => decisions.filter((decision) => decision.allowed).length;

describe('RedisRateLimiter against a real redis-server', () => {
  let binary: string;
  let dir: string;
  let redis: RedisProcess;
  let url: string;
  let admin: Redis;
  const opened: RateLimiter[] = [];
  const errors: Error[] = [];
  let prefixCounter = 0;

  function limiter(options: RateLimiterOptions & { keyPrefix?: string } = {}): RedisRateLimiter {
    const created = createRateLimiter({ redisUrl: url, onError: (error) => errors.push(error), ...options });
    expect(created).toBeInstanceOf(RedisRateLimiter);
    opened.push(created);
    return created as RedisRateLimiter;
  }
  /** Each test gets its own keys, as two deployments sharing one Redis would. */
  const freshPrefix = () => `test${(prefixCounter += 1)}:`;

  beforeAll(async () => {
    binary = findRedisServer();
    dir = await mkdtemp(join(tmpdir(), 'bastion-redis-'));
    redis = await startRedis(binary, await freePort(), dir);
    url = `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;
    admin = new Redis(url);
    admin.on('error', () => undefined);
  }, 30_000);

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((entry) => entry.close()));
  });

  afterAll(async () => {
    admin?.disconnect();
    await redis?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('gives two limiter instances sharing one Redis a single budget', async () => {
    const keyPrefix = freshPrefix();
    const first = limiter({ perPrincipal: '5/min', keyPrefix });
    const second = limiter({ perPrincipal: '5/min', keyPrefix });
    await Promise.all([first.ready(), second.ready()]);
    const decisions = [
      ...(await Promise.all([1, 2, 3].map(() => first.take('alice', 'query')))),
      ...(await Promise.all([1, 2, 3].map(() => second.take('alice', 'query')))),
    ];
    expect(allowed(decisions)).toBe(5);
    expect(await second.take('alice', 'other')).toMatchObject({ allowed: false, limit: 'principal', retryAfterSeconds: 12 });
    expect((await first.take('bob', 'query')).allowed).toBe(true);
    // Another prefix is another deployment, with its own budget.
    const other = limiter({ perPrincipal: '5/min', keyPrefix: freshPrefix() });
    await other.ready();
    expect((await other.take('alice', 'query')).allowed).toBe(true);
  });

  it('decides concurrent calls from several instances atomically', async () => {
    const keyPrefix = freshPrefix();
    const instances = [1, 2, 3].map(() => limiter({ perPrincipal: '100/min', perTool: '20/hour', keyPrefix }));
    await Promise.all(instances.map((instance) => instance.ready()));
    const decisions = await Promise.all(Array.from({ length: 60 }, (_, index) => instances[index % 3]!.take('alice', 'query')));
    expect(allowed(decisions)).toBe(20);
    expect(decisions.find((decision) => !decision.allowed)).toMatchObject({ limit: 'tool' });
    // The 40 refused calls took nothing from the principal's budget: 80 of 100 remain.
    const others = await Promise.all(Array.from({ length: 90 }, (_, index) => instances[index % 3]!.take('alice', `tool_${index}`)));
    expect(allowed(others)).toBe(80);
  });

  it('follows the same bucket math as memory, with an injected clock', async () => {
    let now = 1_000_000;
    const shared = { keyPrefix: freshPrefix(), perPrincipal: '10/s burst=2', perTool: '1/min', now: () => now };
    const first = limiter(shared);
    const second = limiter(shared);
    await Promise.all([first.ready(), second.ready()]);
    expect((await first.take('alice', 'a')).allowed).toBe(true);
    expect((await second.take('alice', 'b')).allowed).toBe(true);
    expect(await first.take('alice', 'c')).toMatchObject({ allowed: false, limit: 'principal', retryAfterSeconds: 1 });
    now += 100;
    expect((await second.take('alice', 'c')).allowed).toBe(true);
    now += 1_000;
    expect(await first.take('alice', 'a')).toEqual({
      allowed: false,
      retryAfterSeconds: 59,
      limit: 'tool',
      message: 'rate limit reached for tool a (1/min per caller); retry after 59 s',
    });
    now += 59_000;
    expect((await second.take('alice', 'a')).allowed).toBe(true);
  });

  it('stores buckets under the key prefix with a TTL of one refill', async () => {
    const keyPrefix = freshPrefix();
    const instance = limiter({ perPrincipal: '60/min', perTool: '10/min', keyPrefix });
    await instance.ready();
    await instance.take('svc:a/b', 'query');
    const keys = (await admin.keys(`${keyPrefix}*`)).sort();
    expect(keys).toEqual([`${keyPrefix}{svc%3Aa%2Fb}:p`, `${keyPrefix}{svc%3Aa%2Fb}:t:query`]);
    for (const key of keys) {
      const ttl = await admin.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(61_000);
    }
  });

  it('uses the Redis server clock by default', async () => {
    const instance = limiter({ perPrincipal: '3/hour', keyPrefix: freshPrefix() });
    await instance.ready();
    const decisions = await Promise.all([1, 2, 3, 4].map(() => instance.take('alice', 'query')));
    expect(allowed(decisions)).toBe(3);
    expect(decisions[3]).toMatchObject({ allowed: false, retryAfterSeconds: 1200 });
  });

  it('refuses with a retry while Redis is down, and recovers by itself when it is back', async () => {
    const instance = limiter({ perPrincipal: '100/min', keyPrefix: freshPrefix(), unavailableRetrySeconds: 3 });
    await instance.ready();
    expect((await instance.take('alice', 'query')).allowed).toBe(true);
    await redis.stop();
    await waitFor(async () => !(await instance.take('alice', 'query')).allowed, 10_000);
    const started = Date.now();
    const refused = await instance.take('alice', 'query');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(refused).toEqual({
      allowed: false,
      retryAfterSeconds: 3,
      limit: 'principal',
      unavailable: true,
      message: 'rate limits cannot be checked because the shared limit store is unreachable; retry after 3 s',
    });
    redis = await startRedis(binary, redis.port, dir);
    await instance.ready(15_000);
    expect((await instance.take('alice', 'query')).allowed).toBe(true);
    for (const error of errors) expect(`${error.message} ${error.stack}`).not.toContain(PASSWORD);
  }, 40_000);

  it('refuses at once, without hanging, when Redis was never reachable', async () => {
    const reported: Error[] = [];
    const unreachable = createRateLimiter({
      perPrincipal: '10/s',
      redisUrl: `redis://:${PASSWORD}@127.0.0.1:${await freePort()}`,
      onError: (error) => reported.push(error),
    });
    opened.push(unreachable);
    const started = Date.now();
    expect(await unreachable.take('alice', 'query')).toMatchObject({ allowed: false, unavailable: true, retryAfterSeconds: 5 });
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(unreachable.ready(300)).rejects.toThrow(/did not become ready within 300 ms; calls are refused until it does/);
    expect(reported.length).toBeGreaterThan(0);
    for (const error of reported) expect(`${error.message} ${error.stack}`).not.toContain(PASSWORD);
  });
});
