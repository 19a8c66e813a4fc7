import { describe, expect, it } from 'vitest';
import { redact } from '../src/index.js';

describe('redact, unusual values', () => {
  it('summarises raw and shared buffers', () => {
    expect(redact(new ArrayBuffer(8))).toBe('[binary 8 bytes]');
    expect(redact({ shared: new SharedArrayBuffer(4) })).toEqual({ shared: '[binary 4 bytes]' });
  });

  it('writes a value whose toJSON throws as unreadable', () => {
    const broken = {
      toJSON() {
        throw new Error('no');
      },
    };
    expect(redact({ broken, kept: 1 })).toEqual({ broken: '[Unreadable]', kept: 1 });
  });

  it('treats a value whose marker lookup throws as a secret', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
      },
    );
    expect(redact({ hostile })).toEqual({ hostile: '[REDACTED]' });
  });

  it('keeps a __proto__ key as an ordinary own field', () => {
    const copy = redact(JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(copy, '__proto__')).toEqual({
      value: { polluted: true },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  });
});

describe('redact, errors', () => {
  const withCode = (code: unknown) => Object.assign(new Error('failed'), { code });

  it('keeps string and numeric codes only', () => {
    expect(redact(withCode('ENOENT'))).toStrictEqual({ name: 'Error', message: 'failed', code: 'ENOENT' });
    expect(redact(withCode(42))).toStrictEqual({ name: 'Error', message: 'failed', code: 42 });
    expect(redact(withCode({ nested: true }))).toStrictEqual({ name: 'Error', message: 'failed' });
  });

  it('adds a cause only when there is one', () => {
    expect(redact(new Error('plain'))).toStrictEqual({ name: 'Error', message: 'plain' });
    expect(redact(new Error('outer', { cause: new Error('inner') }))).toStrictEqual({
      name: 'Error',
      message: 'outer',
      cause: { name: 'Error', message: 'inner' },
    });
  });
});
