import { describe, expect, it } from 'vitest';
import { takeCallLimits } from '../src/limits/call-limits.js';
import { createConcurrencyLimiter, createRateLimiter, MemoryRateLimiter, parseRate, rateSpecSchema, RateSyntaxError } from '../src/limits/index.js';
import { PRINCIPAL_BUDGET_ONLY, rateLimits, refusal } from '../src/limits/rate-limits.js';
import { refill, waitMs } from '../src/limits/token-bucket.js';
import type { ConcurrencyLimiter } from '../src/limits/index.js';
import type { RateDecision, RateLimiter } from '../src/limits/types.js';

const rateAnswering = (decision: RateDecision): RateLimiter => ({
  kind: 'memory',
  take: () => Promise.resolve(decision),
  ready: () => Promise.resolve(),
  close: () => Promise.resolve(),
});
const ALLOW = rateAnswering({ allowed: true });

describe('takeCallLimits', () => {
  it('refuses by the rate budget that ran out, or as unavailable', async () => {
    const refused = { allowed: false, limit: 'tool', message: 'slow down', retryAfterSeconds: 3 } as const;
    expect(await takeCallLimits({ rateLimiter: rateAnswering(refused), concurrency: undefined }, 'p', 't')).toStrictEqual({
      allowed: false,
      rule: 'rate:tool',
      message: 'slow down',
      retryAfterSeconds: 3,
      unavailable: false,
    });
    const down = await takeCallLimits({ rateLimiter: rateAnswering({ ...refused, unavailable: true }), concurrency: undefined }, 'p', 't');
    expect(down).toMatchObject({ allowed: false, rule: 'rate:unavailable', unavailable: true });
  });

  it('refuses when no slot is free, or when slots cannot be counted', async () => {
    const concurrency = createConcurrencyLimiter({ maxInFlight: 1, retryAfterSeconds: 2 });
    const first = await takeCallLimits({ rateLimiter: ALLOW, concurrency }, 'p', 't');
    expect(first.allowed).toBe(true);
    expect(await takeCallLimits({ rateLimiter: ALLOW, concurrency }, 'p', 't')).toStrictEqual({
      allowed: false,
      rule: 'concurrency',
      message: 'too many calls in progress (at most 1 at once per caller); retry after 2 s',
      retryAfterSeconds: 2,
      unavailable: false,
    });
    if (first.allowed) first.release();
    expect(concurrency.inFlight('p')).toBe(0);
    const unreachable: ConcurrencyLimiter = {
      maxInFlight: 1,
      inFlight: () => 0,
      acquire: () => ({ acquired: false, limit: 1, retryAfterSeconds: 5, message: 'store down', unavailable: true }),
    };
    expect(await takeCallLimits({ rateLimiter: ALLOW, concurrency: unreachable }, 'p', 't')).toMatchObject({
      allowed: false,
      rule: 'concurrency:unavailable',
      unavailable: true,
    });
  });

  it('allows without a concurrency limit', async () => {
    const outcome = await takeCallLimits({ rateLimiter: ALLOW, concurrency: undefined }, 'p', 't');
    expect(outcome.allowed).toBe(true);
    if (outcome.allowed) expect(() => outcome.release()).not.toThrow();
  });
});

describe('createConcurrencyLimiter release', () => {
  it('frees exactly one slot per grant, however often it is called', () => {
    const limiter = createConcurrencyLimiter({ maxInFlight: 3 });
    const first = limiter.acquire('p');
    limiter.acquire('p');
    expect(limiter.inFlight('p')).toBe(2);
    if (first.acquired) {
      first.release();
      first.release();
    }
    expect(limiter.inFlight('p')).toBe(1);
  });
});

describe('parseRate bounds and units', () => {
  it.each([
    ['1/sec', '1/s', 1_000],
    ['1/second', '1/s', 1_000],
    ['1/minute', '1/min', 60_000],
    ['1/h', '1/hour', 3_600_000],
    ['1/d', '1/day', 86_400_000],
    ['1/day', '1/day', 86_400_000],
  ])('reads %s as %s', (text, canonical, periodMs) => {
    expect(parseRate(text)).toMatchObject({ text: canonical, periodMs });
  });

  it('accepts the largest count and burst, and refuses one more', () => {
    expect(parseRate('1000000000/s burst=1000000000')).toMatchObject({ count: 1_000_000_000, burst: 1_000_000_000 });
    expect(() => parseRate('1000000001/s')).toThrow('the count in "1000000001/s" must be between 1 and 1000000000');
    expect(() => parseRate('1/s burst=1000000001')).toThrow('the burst in "1/s burst=1000000001" must be between 1 and 1000000000');
  });

  it('reads at most 100 characters and quotes at most 60 back', () => {
    expect(parseRate(`1/s${' '.repeat(97)}`).text).toBe('1/s');
    expect(() => parseRate(`1/s${' '.repeat(98)}`)).toThrow(RateSyntaxError);
    let message = '';
    try {
      parseRate('x'.repeat(80));
    } catch (error) {
      message = (error as Error).message;
      expect((error as Error).name).toBe('RateSyntaxError');
    }
    expect(message.startsWith(`${JSON.stringify('x'.repeat(60))} is not a rate`)).toBe(true);
  });

  it('reports a bad rate in a schema as a custom issue', () => {
    const result = rateSpecSchema.safeParse('fast');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.code).toBe('custom');
  });
});

describe('token bucket arithmetic', () => {
  const spec = parseRate('10/s burst=5');

  it('takes nothing away when the clock goes backwards', () => {
    expect(refill({ tokens: 2, updatedAt: 1_000 }, spec, 500)).toEqual({ tokens: 2, updatedAt: 1_000 });
  });

  it('needs no wait while a whole token is there', () => {
    expect(waitMs({ tokens: 3, updatedAt: 0 }, spec)).toBe(0);
    expect(waitMs({ tokens: 0.5, updatedAt: 0 }, spec)).toBe(50);
  });
});

describe('rate limit refusals', () => {
  const principal = parseRate('1/s');
  const tool = parseRate('2/s');

  it('never applies a per-tool budget to the principal-only request', () => {
    expect(PRINCIPAL_BUDGET_ONLY).toBe('');
    const limits = rateLimits(principal, tool, { other: principal });
    expect(limits.forTool(PRINCIPAL_BUDGET_ONLY)).toBeUndefined();
    expect(limits.forTool('query')).toBe(tool);
    expect(limits.forTool('other')).toBe(principal);
  });

  it('reports the principal budget when both waits are equal', () => {
    expect(refusal(1_000, 1_000, rateLimits(principal, tool, {}), 'query')).toMatchObject({ limit: 'principal' });
  });
});

describe('MemoryRateLimiter bookkeeping', () => {
  // 10/s burst=1: a bucket is full again 100 ms after a take.
  const limits = rateLimits(parseRate('10/s burst=1'), undefined, {});

  it('sweeps full buckets once per interval, not on every take', async () => {
    let now = 0;
    const limiter = new MemoryRateLimiter(limits, { now: () => now, sweepIntervalMs: 1_000 });
    await limiter.take('a', 't');
    now = 500;
    await limiter.take('b', 't');
    expect(limiter.size).toBe(2);
    now = 1_000;
    await limiter.take('c', 't');
    expect(limiter.size).toBe(1);
    now = 1_500;
    await limiter.take('d', 't');
    expect(limiter.size).toBe(2);
  });

  it('forgets the least recently used bucket only when full', async () => {
    const limiter = new MemoryRateLimiter(limits, { now: () => 0, maxBuckets: 2 });
    await limiter.take('a', 't');
    await limiter.take('b', 't');
    expect(limiter.size).toBe(2);
    await limiter.take('c', 't');
    expect(limiter.size).toBe(2);
    expect((await limiter.take('a', 't')).allowed).toBe(true);
    expect((await limiter.take('c', 't')).allowed).toBe(false);
  });

  it('runs on the monotonic clock by default', async () => {
    const limiter = createRateLimiter({ perPrincipal: '1/min' });
    expect(await limiter.take('a', 't')).toEqual({ allowed: true });
    expect(await limiter.take('a', 't')).toMatchObject({ allowed: false, limit: 'principal' });
    await expect(limiter.ready()).resolves.toBeUndefined();
  });
});

describe('createRateLimiter settings', () => {
  it('takes parsed rates as they are', async () => {
    const limiter = createRateLimiter({ perPrincipal: parseRate('1/min') });
    expect(limiter.kind).toBe('memory');
    await limiter.take('a', 't');
    expect((await limiter.take('a', 't')).allowed).toBe(false);
  });

  it('limits when only per-tool overrides are set', () => {
    expect(createRateLimiter({ toolRates: { query: '1/s' } }).kind).toBe('memory');
  });

  it('is off, and settles at once, with no budget', async () => {
    const off = createRateLimiter();
    expect(off.kind).toBe('off');
    await expect(off.ready()).resolves.toBeUndefined();
    await expect(off.close()).resolves.toBeUndefined();
  });

  it('refuses a URL that is not redis:// or rediss://, also from a secret, without echoing it', () => {
    for (const redisUrl of ['http://cache:6379', 'http://redis://cache', { reveal: () => 'memcached://cache' }]) {
      expect(() => createRateLimiter({ perPrincipal: '1/s', redisUrl })).toThrow('BASTION_REDIS_URL: must be a redis:// or rediss:// URL');
    }
  });
});
