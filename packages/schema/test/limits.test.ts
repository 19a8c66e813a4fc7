import { describe, expect, it } from 'vitest';
import { checkInputHygiene, DEFAULT_INPUT_LIMITS, type InputLimits } from '../src/index.js';

const small: InputLimits = { maxDepth: 4, maxStringLength: 10, maxArrayLength: 3, maxKeys: 2 };

function nestedArrays(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level++) value = [value];
  return value;
}

describe('checkInputHygiene', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_INPUT_LIMITS).toEqual({
      maxDepth: 32,
      maxStringLength: 1_000_000,
      maxArrayLength: 10_000,
      maxKeys: 1_000,
    });
  });

  it('accepts ordinary arguments', () => {
    const args = { query: 'hello', filters: [{ name: 'x', value: 1 }], flag: true, none: null };
    expect(checkInputHygiene(args)).toEqual([]);
  });

  it('finds a NUL character in a nested value and reports its path', () => {
    const args = { filters: [{ name: 'a' }, { name: 'b' }, { name: 'bad\u0000name' }] };
    expect(checkInputHygiene(args)).toEqual([
      { path: 'filters[2].name', message: 'string contains a NUL character (\\u0000); remove it' },
    ]);
  });

  it('uses an empty path for the root and brackets for awkward keys', () => {
    expect(checkInputHygiene('a\u0000')[0]?.path).toBe('');
    expect(checkInputHygiene([['\u0000']])[0]?.path).toBe('[0][0]');
    expect(checkInputHygiene({ 'my key': { 'a.b': '\u0000' } })[0]?.path).toBe(
      '["my key"]["a.b"]',
    );
  });

  it('finds lone surrogates but accepts valid surrogate pairs', () => {
    expect(checkInputHygiene({ emoji: '🙂 ok' })).toEqual([]);
    const problems = checkInputHygiene({ text: 'broken \uD83D here', low: '\uDE42' });
    expect(problems.map((problem) => problem.path)).toEqual(['text', 'low']);
    expect(problems[0]?.message).toMatch(/lone UTF-16 surrogate.*valid UTF-8/);
  });

  it('reports nesting beyond maxDepth once and does not descend further', () => {
    const problems = checkInputHygiene({ a: nestedArrays(10), b: nestedArrays(10) }, small);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('a[0][0][0]');
    expect(problems[0]?.message).toMatch(/nested more than 4 levels deep/);
    expect(checkInputHygiene(nestedArrays(4), small)).toEqual([]);
    expect(checkInputHygiene(nestedArrays(5), small)).toHaveLength(1);
  });

  it('copes with a 100,000-deep nested array', () => {
    const deep = nestedArrays(100_000);
    let problems: ReturnType<typeof checkInputHygiene> = [];
    expect(() => {
      problems = checkInputHygiene(deep);
    }).not.toThrow();
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(/nested more than 32 levels deep/);
  });

  it('reports over-long strings, arrays and objects', () => {
    const problems = checkInputHygiene(
      { text: 'x'.repeat(11), list: [1, 2, 3, 4] },
      { ...small, maxKeys: 5 },
    );
    expect(problems).toEqual([
      {
        path: 'text',
        message: 'string is 11 characters long, more than the limit of 10; send a shorter value',
      },
      {
        path: 'list',
        message:
          'array has 4 items, more than the limit of 3; send fewer items or split the request',
      },
    ]);
    const wide = checkInputHygiene({ a: 1, b: 2, c: 3 }, small);
    expect(wide).toEqual([
      {
        path: '',
        message: 'object has 3 keys, more than the limit of 2; send fewer properties',
      },
    ]);
  });

  it('checks object keys for NUL characters and lone surrogates', () => {
    const problems = checkInputHygiene({ outer: { 'bad\u0000key': 1, ['x\uD800']: 2 } });
    expect(problems).toEqual([
      {
        path: 'outer["bad\\u0000key"]',
        message: 'key contains a NUL character (\\u0000); remove it',
      },
      expect.objectContaining({
        path: 'outer["x\\ud800"]',
        message: expect.stringMatching(/^key contains invalid Unicode/),
      }),
    ]);
  });

  it('reports several problems at once, in document order', () => {
    const problems = checkInputHygiene({
      first: '\u0000',
      second: ['ok', 'x\uDC00'],
      third: { deeper: 'y'.repeat(20) },
    }, { ...small, maxKeys: 5 });
    expect(problems.map((problem) => problem.path)).toEqual(['first', 'second[1]', 'third.deeper']);
  });

  it('returns at most 20 problems', () => {
    const many = Array.from({ length: 100 }, () => '\u0000');
    expect(checkInputHygiene(many)).toHaveLength(20);
  });
});
