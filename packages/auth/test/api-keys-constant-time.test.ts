import { timingSafeEqual } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { apiKeyVerifier } from '../src/api-keys.js';
import { generateApiKey, hashApiKey } from '../src/index.js';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const keys = Array.from({ length: 5 }, () => generateApiKey());
const verify = apiKeyVerifier(keys.map((key, index) => ({ name: `key-${index}`, hash: hashApiKey(key), scopes: [] })));
const spy = vi.mocked(timingSafeEqual);

beforeEach(() => {
  spy.mockClear();
});

describe('API key comparison', () => {
  it.each([
    ['the first key', keys[0]!, 'apikey:key-0'],
    ['the last key', keys[4]!, 'apikey:key-4'],
    ['an unknown key', generateApiKey(), undefined],
    ['a short key', 'bsk_x', undefined],
    ['a long key', `bsk_${'y'.repeat(500)}`, undefined],
  ])('compares %s with every entry in constant time, over 32-byte digests', (_label, key, expected) => {
    expect(verify(key)?.id).toBe(expected);
    expect(spy).toHaveBeenCalledTimes(keys.length);
    for (const [presented, stored] of spy.mock.calls) {
      expect(presented).toHaveLength(32);
      expect(stored).toHaveLength(32);
    }
    expect(spy.mock.results.filter((result) => result.value === true)).toHaveLength(expected ? 1 : 0);
  });
});
