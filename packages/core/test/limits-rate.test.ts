import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../src/errors.js';
import { createRateLimiter, MemoryRateLimiter, parseRate, rateSpecSchema } from '../src/limits/index.js';
import type { RateDecision, RateLimiter, RateLimiterOptions } from '../src/limits/index.js';

function clock(start = 1_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    set: (ms: number) => {
      now = ms;
    },
  };
}

async function takeMany(limiter: RateLimiter, count: number, principal = 'alice', tool = 'query'): Promise<RateDecision[]> {
  const decisions: RateDecision[] = [];
  for (let index = 0; index < count; index += 1) decisions.push(await limiter.take(principal, tool));
  return decisions;
}
const allowedCount = (decisions: RateDecision[]) => decisions.filter((decision) => decision.allowed).length;

function memory(options: RateLimiterOptions): { limiter: MemoryRateLimiter; time: ReturnType<typeof clock> } {
  const time = clock();
  const limiter = createRateLimiter({ ...options, now: time.now });
  expect(limiter).toBeInstanceOf(MemoryRateLimiter);
  return { limiter: limiter as MemoryRateLimiter, time };
}

describe('parseRate', () => {
  it('reads count per unit with an optional burst', () => {
    expect(parseRate('60/min')).toEqual({ count: 60, periodMs: 60_000, burst: 60, text: '60/min' });
    expect(parseRate('10/s')).toEqual({ count: 10, periodMs: 1_000, burst: 10, text: '10/s' });
    expect(parseRate('1000/hour')).toEqual({ count: 1000, periodMs: 3_600_000, burst: 1000, text: '1000/hour' });
    expect(parseRate('5/day')).toMatchObject({ periodMs: 86_400_000 });
    expect(parseRate('10/s burst=20')).toEqual({ count: 10, periodMs: 1_000, burst: 20, text: '10/s burst=20' });
    expect(parseRate(' 10 / seconds  burst 20 ')).toMatchObject({ count: 10, periodMs: 1_000, burst: 20 });
    expect(parseRate('2/Minutes')).toMatchObject({ periodMs: 60_000 });
    expect(parseRate('3/h')).toMatchObject({ periodMs: 3_600_000 });
  });

  it('refuses anything else with the syntax in the message', () => {
    for (const text of ['60/m', '60/ms', '60/fortnight', 'abc', '', '60', '/min', '1e3/s', '-1/s', '60/min burst=', `${'1'.repeat(200)}/s`]) {
      expect(() => parseRate(text)).toThrow(/is not a rate: write <count>\/<unit>/);
    }
    expect(() => parseRate('0/s')).toThrow(/count .* between 1 and/);
    expect(() => parseRate('5/s burst=0')).toThrow(/burst .* between 1 and/);
  });

  it('validates rates inside a settings schema', () => {
    const schema = z.object({ rate: rateSpecSchema });
    expect(schema.parse({ rate: '10/s' }).rate.count).toBe(10);
    const result = schema.safeParse({ rate: '10 per second' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/is not a rate/);
  });
});

describe('createRateLimiter', () => {
  it('allows everything and connects nowhere when no budget is set', async () => {
    const limiter = createRateLimiter({ redisUrl: 'redis://127.0.0.1:1' });
    expect(limiter.kind).toBe('off');
    expect(allowedCount(await takeMany(limiter, 1000))).toBe(1000);
    await limiter.ready();
    await limiter.close();
  });

  it('reports every bad setting at once and never echoes the Redis URL', () => {
    try {
      createRateLimiter({ perPrincipal: '60/m', perTool: 'lots', toolRates: { query: '0/s' }, redisUrl: 'http://user:hunter2@cache' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(ConfigError.isInstance(error)).toBe(true);
      const { problems, message } = error as ConfigError;
      expect(problems.map((problem) => problem.setting)).toEqual([
        'perPrincipal rate limit',
        'perTool rate limit',
        'rate limit for tool query',
        'BASTION_REDIS_URL',
      ]);
      expect(message).not.toContain('hunter2');
    }
  });
});

describe('MemoryRateLimiter: token bucket math with an injected clock', () => {
  it('allows a burst, then one call per refilled token, with the wait in whole seconds', async () => {
    const { limiter, time } = memory({ perPrincipal: '60/min' });
    expect(allowedCount(await takeMany(limiter, 60))).toBe(60);
    expect(await limiter.take('alice', 'query')).toEqual({
      allowed: false,
      retryAfterSeconds: 1,
      limit: 'principal',
      message: 'rate limit reached (60/min per caller); retry after 1 s',
    });
    time.advance(500);
    expect(await limiter.take('alice', 'query')).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    time.advance(500);
    expect(allowedCount(await takeMany(limiter, 5))).toBe(1);
    time.advance(10_000);
    expect(allowedCount(await takeMany(limiter, 20))).toBe(10);
  });

  it('never holds more than the burst, however long it idles', async () => {
    const { limiter, time } = memory({ perPrincipal: '10/s burst=20' });
    expect(allowedCount(await takeMany(limiter, 25))).toBe(20);
    time.advance(100);
    expect(allowedCount(await takeMany(limiter, 5))).toBe(1);
    time.advance(3_600_000);
    expect(allowedCount(await takeMany(limiter, 25))).toBe(20);
  });

  it('computes long waits for slow rates', async () => {
    const { limiter, time } = memory({ perPrincipal: '1000/hour burst=1' });
    await limiter.take('alice', 'query');
    expect(await limiter.take('alice', 'query')).toMatchObject({ allowed: false, retryAfterSeconds: 4 });
    time.advance(3_599);
    expect((await limiter.take('alice', 'query')).allowed).toBe(false);
    time.advance(1);
    expect((await limiter.take('alice', 'query')).allowed).toBe(true);
    const daily = memory({ perPrincipal: '2/day burst=1' });
    await daily.limiter.take('alice', 'query');
    expect(await daily.limiter.take('alice', 'query')).toMatchObject({ allowed: false, retryAfterSeconds: 43_200 });
  });

  it('gives a clock that goes backwards no tokens', async () => {
    const { limiter, time } = memory({ perPrincipal: '1/s' });
    await limiter.take('alice', 'query');
    time.advance(-10_000);
    expect((await limiter.take('alice', 'query')).allowed).toBe(false);
    time.set(1_000 + 999);
    expect((await limiter.take('alice', 'query')).allowed).toBe(false);
    time.set(1_000 + 1_000);
    expect((await limiter.take('alice', 'query')).allowed).toBe(true);
  });

  it('keeps one budget per principal', async () => {
    const { limiter } = memory({ perPrincipal: '2/min' });
    expect(allowedCount(await takeMany(limiter, 5, 'alice'))).toBe(2);
    expect(allowedCount(await takeMany(limiter, 5, 'bob'))).toBe(2);
  });

  it('limits each tool per principal, and a refused call takes from neither bucket', async () => {
    const { limiter, time } = memory({ perPrincipal: '3/min', perTool: '1/min' });
    expect((await limiter.take('alice', 'query')).allowed).toBe(true);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect(await limiter.take('alice', 'query')).toEqual({
        allowed: false,
        retryAfterSeconds: 60,
        limit: 'tool',
        message: 'rate limit reached for tool query (1/min per caller); retry after 60 s',
      });
    }
    expect((await limiter.take('bob', 'query')).allowed).toBe(true);
    expect((await limiter.take('alice', 'list_tables')).allowed).toBe(true);
    expect((await limiter.take('alice', 'describe_table')).allowed).toBe(true);
    // The principal's budget (3) is spent; this tool's own bucket is still full.
    expect(await limiter.take('alice', 'explain')).toMatchObject({ allowed: false, limit: 'principal', retryAfterSeconds: 20 });
    time.advance(20_000);
    expect((await limiter.take('alice', 'explain')).allowed).toBe(true);
  });

  it('reports the longer wait when both buckets are short', async () => {
    const { limiter, time } = memory({ perPrincipal: '1/min', perTool: '1/hour' });
    await limiter.take('alice', 'query');
    expect(await limiter.take('alice', 'query')).toMatchObject({ limit: 'tool', retryAfterSeconds: 3600 });
    time.advance(3_599_000);
    expect(await limiter.take('alice', 'query')).toMatchObject({ limit: 'tool', retryAfterSeconds: 1 });
  });

  it('applies per-tool overrides instead of the common tool budget', async () => {
    const { limiter } = memory({ perTool: '10/min', toolRates: { export_all: '1/hour' } });
    expect(allowedCount(await takeMany(limiter, 3, 'alice', 'export_all'))).toBe(1);
    expect(allowedCount(await takeMany(limiter, 12, 'alice', 'query'))).toBe(10);
  });
});

describe('MemoryRateLimiter: bounded memory', () => {
  it('forgets buckets once they are full again, which changes no decision', async () => {
    const { limiter, time } = memory({ perPrincipal: '10/s', perTool: '10/s' });
    for (let index = 0; index < 100; index += 1) await limiter.take(`p${index}`, 'query');
    expect(limiter.size).toBe(200);
    time.advance(50);
    limiter.sweep();
    expect(limiter.size).toBe(200);
    time.advance(50);
    limiter.sweep();
    expect(limiter.size).toBe(0);
    expect(allowedCount(await takeMany(limiter, 15, 'p1'))).toBe(10);
  });

  it('keeps a bucket that is still refilling', async () => {
    const { limiter, time } = memory({ perPrincipal: '1/min' });
    await limiter.take('alice', 'query');
    time.advance(59_000);
    limiter.sweep();
    expect(limiter.size).toBe(1);
    expect((await limiter.take('alice', 'query')).allowed).toBe(false);
  });

  it('sweeps by itself as time passes', async () => {
    const { limiter, time } = memory({ perPrincipal: '10/s' });
    for (let index = 0; index < 50; index += 1) await limiter.take(`p${index}`, 'query');
    time.advance(61_000);
    await limiter.take('fresh', 'query');
    expect(limiter.size).toBe(1);
  });

  it('never holds more than maxBuckets, dropping the least recently used', async () => {
    const { limiter } = memory({ perPrincipal: '1/hour', maxBuckets: 10 });
    for (let index = 0; index < 25; index += 1) await limiter.take(`p${index}`, 'query');
    expect(limiter.size).toBe(10);
    // The most recent callers are still limited.
    expect((await limiter.take('p24', 'query')).allowed).toBe(false);
    await limiter.close();
    expect(limiter.size).toBe(0);
  });
});
