import { describe, expect, it, vi } from 'vitest';

// The first nonce drawn is 0123456789abcdef, the next ones fedcba9876543210 and so on.
vi.mock('node:crypto', async (original) => {
  const actual = await original<typeof import('node:crypto')>();
  const randomBytes = (size: number) => {
    const pool = Buffer.alloc(size);
    for (let offset = 0; offset < size; offset += 8) {
      Buffer.from(offset === 0 ? '0123456789abcdef' : 'fedcba9876543210', 'hex').copy(pool, offset);
    }
    return pool;
  };
  return { ...actual, randomBytes, default: { ...actual, randomBytes } };
});

const { fenceUntrusted } = await import('../src/untrusted.js');

describe('fenceUntrusted with a nonce that occurs in the text', () => {
  it('draws another nonce, also when the text holds it in capitals', () => {
    const fenced = fenceUntrusted('see 0123456789ABCDEF', 'test');
    expect(fenced).toContain('<untrusted-data id="fedcba9876543210">');
    expect(fenced).not.toContain('id="0123456789abcdef"');
  });
});
