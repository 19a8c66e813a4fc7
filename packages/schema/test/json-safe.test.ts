import { describe, expect, it } from 'vitest';
import { toJsonSafe, type JsonValue } from '../src/index.js';

function roundTrip(value: JsonValue): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe('toJsonSafe', () => {
  it('passes plain JSON values through', () => {
    const value = { s: 'x', n: 1.5, b: false, z: null, list: [1, 'two', { three: 3 }] };
    expect(toJsonSafe(value)).toEqual(value);
    expect(toJsonSafe('text')).toBe('text');
    expect(toJsonSafe(null)).toBeNull();
  });

  it('turns bigint into a decimal string, also beyond 2^53', () => {
    expect(toJsonSafe(2n ** 64n + 1n)).toBe('18446744073709551617');
    expect(toJsonSafe({ id: -(2n ** 53n) - 1n })).toEqual({ id: '-9007199254740993' });
  });

  it('turns dates into ISO strings and invalid dates into null', () => {
    expect(toJsonSafe(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)))).toBe('2024-01-02T03:04:05.000Z');
    expect(toJsonSafe({ at: new Date('nonsense') })).toEqual({ at: null });
  });

  it('turns binary data into base64', () => {
    expect(toJsonSafe(Buffer.from('hi!'))).toEqual({ base64: 'aGkh' });
    expect(toJsonSafe(new Uint8Array([0, 255]))).toEqual({ base64: 'AP8=' });
    expect(toJsonSafe(new Uint8Array([1, 2, 3, 4]).subarray(1, 3))).toEqual({ base64: 'AgM=' });
    expect(toJsonSafe(new Uint8Array([104, 105]).buffer)).toEqual({ base64: 'aGk=' });
  });

  it('turns maps into objects and sets into arrays', () => {
    const map = new Map<unknown, unknown>([
      ['a', 1],
      [2, new Set(['x', 'y'])],
      [new Date(0), 'epoch'],
    ]);
    expect(toJsonSafe(map)).toEqual({ a: 1, '2': ['x', 'y'], '1970-01-01T00:00:00.000Z': 'epoch' });
    expect(toJsonSafe(new Set([1, undefined]))).toEqual([1, null]);
  });

  it('turns non-finite numbers into strings', () => {
    expect(toJsonSafe([NaN, Infinity, -Infinity, -0, 0.1])).toEqual([
      'NaN',
      'Infinity',
      '-Infinity',
      0,
      0.1,
    ]);
  });

  it('drops undefined, functions and symbols from objects and nulls them in arrays', () => {
    const value = { keep: 1, gone: undefined, fn: () => 1, sym: Symbol('s') };
    expect(toJsonSafe(value)).toEqual({ keep: 1 });
    expect(Object.keys(toJsonSafe(value) as object)).toEqual(['keep']);
    expect(toJsonSafe([undefined, () => 1, Symbol('s'), 2])).toEqual([null, null, null, 2]);
    expect(toJsonSafe(undefined)).toBeNull();
  });

  it('uses toJSON and converts its result', () => {
    const money = { toJSON: () => ({ amount: 10n, currency: 'EUR' }) };
    expect(toJsonSafe({ price: money })).toEqual({ price: { amount: '10', currency: 'EUR' } });
    class Point {
      constructor(readonly x: number, readonly y: number) {}
      toJSON(): string {
        return `${this.x},${this.y}`;
      }
    }
    expect(toJsonSafe([new Point(1, 2)])).toEqual(['1,2']);
    expect(toJsonSafe({ bad: { toJSON: () => { throw new Error('no'); } } })).toEqual({
      bad: '[toJSON failed]',
    });
  });

  it('replaces cycles with [Circular] but keeps shared references', () => {
    const node: Record<string, unknown> = { name: 'root' };
    node['self'] = node;
    node['children'] = [{ parent: node }];
    expect(toJsonSafe(node)).toEqual({
      name: 'root',
      self: '[Circular]',
      children: [{ parent: '[Circular]' }],
    });
    const shared = { v: 1 };
    expect(toJsonSafe([shared, shared])).toEqual([{ v: 1 }, { v: 1 }]);
  });

  it('replaces values nested deeper than 64 levels', () => {
    let deep: unknown = 'leaf';
    for (let level = 0; level < 100_000; level++) deep = { next: deep };
    let current = toJsonSafe(deep);
    let levels = 0;
    while (typeof current === 'object' && current !== null && !Array.isArray(current)) {
      current = current['next']!;
      levels++;
    }
    expect(levels).toBe(64);
    expect(current).toBe('[depth limit]');
  });

  it('keeps errors readable', () => {
    const error = Object.assign(new Error('boom'), { code: 'E_BOOM' });
    expect(toJsonSafe({ error })).toEqual({
      error: { code: 'E_BOOM', name: 'Error', message: 'boom' },
    });
  });

  it('keeps a __proto__ key as data', () => {
    const input = JSON.parse('{"__proto__": {"x": 1}}') as unknown;
    const output = toJsonSafe(input) as Record<string, JsonValue>;
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect(Object.keys(output)).toEqual(['__proto__']);
  });

  it('produces output that survives a JSON round trip unchanged', () => {
    const messy = {
      id: 2n ** 60n,
      at: new Date(0),
      bytes: Buffer.from([1, 2, 3]),
      tags: new Set(['a']),
      meta: new Map([['k', NaN]]),
      nested: [undefined, { f: () => 0 }],
    };
    const safe = toJsonSafe(messy);
    expect(roundTrip(safe)).toEqual(safe);
  });

  it('converts many flat rows quickly', () => {
    const rows = Array.from({ length: 200_000 }, (_, index) => ({
      id: index,
      name: `row ${index}`,
      active: index % 2 === 0,
      score: index / 3,
      note: null,
    }));
    const started = performance.now();
    const safe = toJsonSafe(rows) as JsonValue[];
    expect(performance.now() - started).toBeLessThan(1000);
    expect(safe).toHaveLength(200_000);
    expect(safe[123]).toEqual(rows[123]);
  });
});
