import { describe, expect, it } from 'vitest';
import { REDACTED, SECRET_MARKER, redact } from '../src/index.js';
import { FAKE } from './support/fake-secrets.js';

describe('redact: secret-named fields', () => {
  it.each([
    'password',
    'Password',
    'DB_PASSWORD',
    'passwd',
    'pwd',
    'secret',
    'clientSecret',
    'client_secret',
    'token',
    'accessToken',
    'refresh_token',
    'apiKey',
    'api_key',
    'api-key',
    'x-api-key',
    'authorization',
    'Authorization',
    'cookie',
    'set-cookie',
    'privateKey',
    'private_key',
    'credential',
    'credentials',
    'dsn',
    'sentryDsn',
    'connectionString',
  ])('masks %s at any depth', (key) => {
    const input = { level1: { level2: [{ level3: { [key]: 'plain-value' } }] } };
    expect(redact(input)).toEqual({ level1: { level2: [{ level3: { [key]: REDACTED } }] } });
  });

  it('masks whole subtrees under secret names', () => {
    expect(redact({ credentials: { user: 'u', pass: 'p' }, password: 1234 })).toEqual({
      credentials: REDACTED,
      password: REDACTED,
    });
  });

  it('keeps token counts and other innocent fields', () => {
    const input = {
      tokens_used: 5,
      maxTokens: 100,
      tokenized: true,
      fieldsNames: 'a,b',
      user: 'bob',
    };
    expect(redact(input)).toEqual(input);
  });

  it('runs every other string through redactString', () => {
    expect(
      redact({ url: 'postgres://app:pw@db/prod', notes: [`key ${FAKE.stripeLive}`], n: 3 }),
    ).toEqual({ url: `postgres://app:${REDACTED}@db/prod`, notes: [`key ${REDACTED}`], n: 3 });
    expect(redact('Bearer abc123')).toBe(`Bearer ${REDACTED}`);
  });

  it('handles an own "__proto__" key as data, not as a prototype', () => {
    const input = JSON.parse('{"__proto__": {"password": "x", "ok": 1}}') as object;
    const result = redact(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(result, '__proto__')?.value).toEqual({
      password: REDACTED,
      ok: 1,
    });
  });
});

describe('redact: marked secrets', () => {
  class ApiCredential {
    constructor(readonly value: string) {}
  }
  Object.defineProperty(ApiCredential.prototype, SECRET_MARKER, { value: true });

  it('replaces an object carrying the marker as an own property', () => {
    const secret = { [Symbol.for('bastion.secret')]: true, value: 'x' };
    expect(redact({ config: { upstream: secret } })).toEqual({ config: { upstream: REDACTED } });
    expect(redact(secret)).toBe(REDACTED);
  });

  it('replaces a class instance whose prototype carries the marker', () => {
    const credential = new ApiCredential('very-secret');
    expect(redact({ list: [credential, 'ok'] })).toEqual({ list: [REDACTED, 'ok'] });
  });

  it('only honours the marker when it is exactly true', () => {
    expect(redact({ thing: { [SECRET_MARKER]: 'yes', value: 'x' } })).toEqual({
      thing: { value: 'x' },
    });
  });
});

describe('redact: special values', () => {
  it('reduces errors to name, message and code, without the stack', () => {
    const error = Object.assign(new TypeError('cannot reach postgres://u:pw@db/x'), {
      code: 'ECONNREFUSED',
      config: { headers: { authorization: 'Bearer abc123' } },
    });
    const result = redact({ error });
    expect(result).toEqual({
      error: {
        name: 'TypeError',
        message: `cannot reach postgres://u:${REDACTED}@db/x`,
        code: 'ECONNREFUSED',
      },
    });
    expect(JSON.stringify(result)).not.toContain('at ');
  });

  it('keeps a redacted cause chain', () => {
    const error = new Error('outer', { cause: new Error('inner password=pw1') });
    expect(redact(error)).toEqual({
      name: 'Error',
      message: 'outer',
      cause: { name: 'Error', message: `inner password=${REDACTED}` },
    });
  });

  it('summarises binary data', () => {
    expect(redact({ body: Buffer.from('secret!'), raw: new Uint8Array(3) })).toEqual({
      body: '[binary 7 bytes]',
      raw: '[binary 3 bytes]',
    });
  });

  it('renders URLs and dates as their JSON form', () => {
    expect(redact({ at: new Date(0), url: new URL('https://u:pw@example.com/x') })).toEqual({
      at: '1970-01-01T00:00:00.000Z',
      url: `https://u:${REDACTED}@example.com/x`,
    });
  });

  it('copies Maps and Sets', () => {
    const input = { map: new Map([['password', 'x'], ['mode', 'y']]), set: new Set(['a']) };
    expect(redact(input)).toEqual({ map: { password: REDACTED, mode: 'y' }, set: ['a'] });
  });

  it('passes other primitives through', () => {
    expect(redact(null)).toBeNull();
    expect(redact(undefined)).toBeUndefined();
    expect(redact(42)).toBe(42);
    expect(redact(10n)).toBe(10n);
    expect(redact(false)).toBe(false);
  });

  it('survives getters that throw', () => {
    const input = {
      ok: 1,
      get broken(): never {
        throw new Error('nope');
      },
    };
    expect(redact(input)).toEqual({ ok: 1, broken: '[Unreadable]' });
  });
});

describe('redact: shape limits', () => {
  it('marks cycles instead of recursing forever', () => {
    const node: Record<string, unknown> = { name: 'root' };
    node.self = node;
    node.children = [{ parent: node }];
    expect(redact(node)).toEqual({
      name: 'root',
      self: '[Circular]',
      children: [{ parent: '[Circular]' }],
    });
  });

  it('copies shared, non-cyclic references in full', () => {
    const shared = { value: 1 };
    expect(redact({ a: shared, b: shared })).toEqual({ a: { value: 1 }, b: { value: 1 } });
  });

  it('stops at depth 32', () => {
    let deep: Record<string, unknown> = { bottom: true };
    for (let level = 0; level < 40; level += 1) deep = { next: deep };
    let cursor = redact(deep);
    let depth = 0;
    while (typeof cursor === 'object' && cursor !== null) {
      cursor = (cursor as Record<string, unknown>).next;
      depth += 1;
    }
    expect(depth).toBe(32);
    expect(cursor).toBe('[MaxDepth]');
  });
});

describe('redact: input safety', () => {
  it('never mutates its input', () => {
    const input = {
      password: 'pw',
      nested: { url: 'postgres://u:pw@h/d', list: [{ token: 't' }] },
      error: new Error('x'),
    };
    const snapshot = structuredClone(input);
    const result = redact(input);
    expect(input).toEqual(snapshot);
    expect(result).not.toBe(input);
    expect((result as { nested: unknown }).nested).not.toBe(input.nested);
  });

  it('works on frozen input', () => {
    const input = Object.freeze({ password: 'pw', inner: Object.freeze({ token: 't' }) });
    expect(redact(input)).toEqual({ password: REDACTED, inner: { token: REDACTED } });
  });
});
