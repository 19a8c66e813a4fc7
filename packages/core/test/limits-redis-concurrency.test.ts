import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisConcurrencyLimiter } from '../src/limits/index.js';
import type { ConcurrencyGrant, RedisConcurrencyLimiterOptions } from '../src/limits/index.js';
// From source: @bastion-mcp/testing depends on this package.
import { TEST_REDIS_PASSWORD, findRedisServer, freePort, startRedis } from '../../testing/src/local-redis.js';
import type { RedisProcess } from '../../testing/src/local-redis.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const release = (grant: ConcurrencyGrant) => {
  if (!grant.acquired) throw new Error(`expected a slot, got: ${grant.message}`);
  grant.release();
};

describe('RedisConcurrencyLimiter against a real redis-server', () => {
  let dir: string;
  let redis: RedisProcess;
  let url: string;
  let admin: Redis;
  const opened: RedisConcurrencyLimiter[] = [];
  const errors: Error[] = [];
  let prefixCounter = 0;
  const freshPrefix = () => `cc-test${(prefixCounter += 1)}:`;

  async function replica(options: Partial<RedisConcurrencyLimiterOptions> & { keyPrefix: string }): Promise<RedisConcurrencyLimiter> {
    const limiter = new RedisConcurrencyLimiter(url, { maxInFlight: 1, onError: (error) => errors.push(error), ...options });
    opened.push(limiter);
    await limiter.ready();
    return limiter;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bastion-redis-cc-'));
    redis = await startRedis(findRedisServer(), await freePort(), dir);
    url = `redis://:${TEST_REDIS_PASSWORD}@127.0.0.1:${redis.port}`;
    admin = new Redis(url);
    admin.on('error', () => undefined);
  }, 30_000);
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((limiter) => limiter.close()));
  });
  afterAll(async () => {
    admin?.disconnect();
    await redis?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('gives replicas sharing one Redis one limit per principal, freed on release', async () => {
    const keyPrefix = freshPrefix();
    const [first, second] = [await replica({ keyPrefix, maxInFlight: 2 }), await replica({ keyPrefix, maxInFlight: 2 })];
    const a = await first.acquire('alice');
    const b = await second.acquire('alice');
    expect([a.acquired, b.acquired]).toEqual([true, true]);
    expect(await first.acquire('alice')).toEqual({
      acquired: false,
      limit: 2,
      retryAfterSeconds: 1,
      message: 'too many calls in progress (at most 2 at once per caller); retry after 1 s',
    });
    expect((await second.acquire('alice')).acquired).toBe(false);
    expect((await second.acquire('bob')).acquired).toBe(true);
    expect(first.inFlight('alice')).toBe(1);
    release(a);
    release(a);
    await sleep(50);
    expect((await second.acquire('alice')).acquired).toBe(true);
    expect((await first.acquire('alice')).acquired).toBe(false);
  });

  it('decides simultaneous acquisitions from several replicas atomically', async () => {
    const keyPrefix = freshPrefix();
    const replicas = await Promise.all(Array.from({ length: 4 }, () => replica({ keyPrefix, maxInFlight: 3 })));
    const grants = await Promise.all(Array.from({ length: 40 }, (_, index) => replicas[index % 4]!.acquire('carol')));
    expect(grants.filter((grant) => grant.acquired)).toHaveLength(3);
  });

  it('renews the leases of running calls, and frees the slot of a replica that died within one lease', async () => {
    const keyPrefix = freshPrefix();
    const survivor = await replica({ keyPrefix, leaseMs: 300 });
    const doomed = await replica({ keyPrefix, leaseMs: 300 });
    const running = await survivor.acquire('dave');
    expect(running.acquired).toBe(true);
    await sleep(900);
    // Renewed every 100 ms: three lease lengths later the call still holds its slot.
    expect((await doomed.acquire('dave')).acquired).toBe(false);
    release(running);
    await sleep(50);

    const held = await doomed.acquire('dave');
    expect(held.acquired).toBe(true);
    // The replica dies with the call running: no release, no renewal.
    await doomed.close();
    expect((await survivor.acquire('dave')).acquired).toBe(false);
    await sleep(450);
    expect((await survivor.acquire('dave')).acquired).toBe(true);
  });

  it('keeps its leases in one expiring key per principal under the prefix', async () => {
    const keyPrefix = freshPrefix();
    const limiter = await replica({ keyPrefix, leaseMs: 5_000 });
    const grant = await limiter.acquire('eve/with:odd{chars}');
    expect(grant.acquired).toBe(true);
    const keys = await admin.keys(`${keyPrefix}*`);
    expect(keys).toEqual([`${keyPrefix}{${encodeURIComponent('eve/with:odd{chars}')}}`]);
    const ttl = await admin.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
    release(grant);
    await sleep(50);
    expect(await admin.zcard(keys[0]!)).toBe(0);
  });

  it('refuses with a retry (unavailable) while Redis cannot be reached, never letting a call through', async () => {
    const reported: Error[] = [];
    const unreachable = new RedisConcurrencyLimiter(`redis://:${TEST_REDIS_PASSWORD}@127.0.0.1:${await freePort()}`, {
      maxInFlight: 5,
      onError: (error) => reported.push(error),
    });
    opened.push(unreachable);
    const started = Date.now();
    expect(await unreachable.acquire('frank')).toEqual({
      acquired: false,
      limit: 5,
      retryAfterSeconds: 5,
      unavailable: true,
      message: 'the in-flight limit cannot be checked because the shared limit store is unreachable; retry after 5 s',
    });
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(unreachable.ready(300)).rejects.toThrow(/did not become ready within 300 ms/);
    expect(reported.length).toBeGreaterThan(0);
    for (const error of [...reported, ...errors]) expect(`${error.message} ${error.stack}`).not.toContain(TEST_REDIS_PASSWORD);
  });

  it('refuses a limit below one', () => {
    expect(() => new RedisConcurrencyLimiter(url, { maxInFlight: 0 })).toThrow(/maxInFlight must be a whole number of at least 1/);
  });
});
