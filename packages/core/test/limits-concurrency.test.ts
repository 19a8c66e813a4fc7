import { describe, expect, it } from 'vitest';
import { createConcurrencyLimiter } from '../src/limits/index.js';

describe('createConcurrencyLimiter', () => {
  it('admits up to maxInFlight calls per principal and refuses the next with a retry', () => {
    const limiter = createConcurrencyLimiter({ maxInFlight: 2 });
    const first = limiter.acquire('alice');
    const second = limiter.acquire('alice');
    expect(first.acquired && second.acquired).toBe(true);
    expect(limiter.acquire('alice')).toEqual({
      acquired: false,
      limit: 2,
      retryAfterSeconds: 1,
      message: 'too many calls in progress (at most 2 at once per caller); retry after 1 s',
    });
    expect(limiter.acquire('bob').acquired).toBe(true);
    expect(limiter.inFlight('alice')).toBe(2);
  });

  it('frees a slot on release, once per grant', () => {
    const limiter = createConcurrencyLimiter({ maxInFlight: 1, retryAfterSeconds: 3 });
    const grant = limiter.acquire('alice');
    if (!grant.acquired) throw new Error('expected a grant');
    expect(limiter.acquire('alice')).toMatchObject({ acquired: false, retryAfterSeconds: 3 });
    grant.release();
    grant.release();
    expect(limiter.inFlight('alice')).toBe(0);
    const again = limiter.acquire('alice');
    expect(again.acquired).toBe(true);
    // The double release above must not have opened a second slot.
    expect(limiter.acquire('alice').acquired).toBe(false);
  });

  it('holds no counter for idle principals', () => {
    const limiter = createConcurrencyLimiter({ maxInFlight: 5 });
    const grants = Array.from({ length: 1000 }, (_, index) => limiter.acquire(`p${index}`));
    for (const grant of grants) if (grant.acquired) grant.release();
    expect(Array.from({ length: 1000 }, (_, index) => limiter.inFlight(`p${index}`)).every((count) => count === 0)).toBe(true);
  });

  it('refuses a nonsensical limit at creation', () => {
    for (const maxInFlight of [0, -1, 1.5, Number.NaN]) {
      expect(() => createConcurrencyLimiter({ maxInFlight })).toThrow(/whole number of at least 1/);
    }
  });
});
