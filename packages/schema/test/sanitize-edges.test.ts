import { describe, expect, it } from 'vitest';

// Imported inside each test, so that patterns which fail to compile fail the tests here rather than
// only the loading of this file.
const load = () => import('../src/sanitize.js');

const ESC = '\u001B';

describe('sanitize, loaded on demand', () => {
  it('compiles its patterns and removes every match, not only the first', async () => {
    const { sanitizeText } = await load();
    expect(sanitizeText(`a\u200Bb\u200Bc${ESC}[1md${ESC}[0m\u{E0041}`)).toBe('abcd');
  });

  it('sanitizes objects without a prototype like plain ones', async () => {
    const { sanitizeDeep } = await load();
    const bare = Object.create(null) as Record<string, unknown>;
    bare['k\u200B'] = `v${ESC}[31m`;
    const copy = sanitizeDeep(bare);
    expect(copy).not.toBe(bare);
    expect(Object.keys(copy)).toEqual(['k']);
    expect(copy['k']).toBe('v');
  });

  it('passes null, undefined and other primitives through, at the top and inside', async () => {
    const { sanitizeDeep } = await load();
    expect(sanitizeDeep(null)).toBeNull();
    expect(sanitizeDeep(undefined)).toBeUndefined();
    expect(sanitizeDeep({ a: null, b: [null, undefined, 1, true] })).toStrictEqual({ a: null, b: [null, undefined, 1, true] });
  });

  it('replaces objects nested deeper than 64 levels', async () => {
    const { sanitizeDeep } = await load();
    let value: unknown = 'leaf';
    for (let level = 0; level < 70; level++) value = { next: value };
    let copy = sanitizeDeep(value) as { next: unknown };
    let levels = 0;
    while (typeof copy === 'object') {
      copy = copy.next as { next: unknown };
      levels++;
    }
    expect(levels).toBe(64);
    expect(copy).toBe('[depth limit]');
  });
});
