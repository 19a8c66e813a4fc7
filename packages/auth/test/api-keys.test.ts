import { afterEach, describe, expect, it } from 'vitest';
import { API_KEY_PREFIX, createBearerAuthenticator, generateApiKey, hashApiKey } from '../src/index.js';
import type { BearerAuthenticatorOptions } from '../src/index.js';
import { challengeOf, expectPrincipal, expectRefusal, startHarness } from './auth-harness.js';
import type { Harness } from './auth-harness.js';
import { RESOURCE } from './local-issuer.js';

const READER = generateApiKey();
const WRITER = generateApiKey();
const KEYS = [
  { name: 'reader', hash: hashApiKey(READER), scopes: ['items:read'] },
  { name: 'writer', hash: hashApiKey(WRITER).toUpperCase(), scopes: ['items:*'] },
];

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function serve(overrides: Partial<BearerAuthenticatorOptions> = {}): Promise<Harness> {
  harness = await startHarness(createBearerAuthenticator({ resource: RESOURCE, apiKeys: KEYS, ...overrides }));
  return harness;
}

describe('API keys', () => {
  it('are bsk_ plus 32 random bytes in base64url', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateApiKey()));
    expect(keys.size).toBe(200);
    for (const key of keys) {
      expect(key).toMatch(/^bsk_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(key.slice(API_KEY_PREFIX.length), 'base64url')).toHaveLength(32);
    }
  });

  it('hash to hex SHA-256', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashApiKey(READER)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(READER)).not.toBe(hashApiKey(WRITER));
  });

  it('let the right key in as its named principal with its scopes', async () => {
    const auth = await serve();
    expect(expectPrincipal(await auth.bearer(READER))).toEqual({ id: 'apikey:reader', subject: 'reader', kind: 'api-key', scopes: ['items:read'] });
    expect(expectPrincipal(await auth.bearer(WRITER))).toEqual({ id: 'apikey:writer', subject: 'writer', kind: 'api-key', scopes: ['items:*'] });
  });

  it('refuse a wrong key, a key of another length and a near miss, without echoing them', async () => {
    const auth = await serve();
    const nearMiss = `${READER.slice(0, -1)}${READER.endsWith('A') ? 'B' : 'A'}`;
    for (const key of [generateApiKey(), nearMiss, `${READER}x`, READER.slice(0, 20), 'bsk_', `bsk_${'a'.repeat(4000)}`]) {
      const result = expectRefusal(await auth.bearer(key), 401, key);
      expect(result.message).toBe('the API key is not valid');
      // No authorization server is configured, so there is no metadata to point at.
      expect(challengeOf(result)).toBe('Bearer error="invalid_token", error_description="the API key is not valid"');
    }
  });

  it('are read from X-API-Key only when that is switched on', async () => {
    const off = await serve();
    const missing = expectRefusal(await off.send({ headers: [['X-API-Key', READER]] }), 401, READER);
    expect(challengeOf(missing)).toBe('Bearer');
    await off.close();
    const on = await serve({ apiKeyHeader: true });
    expect(expectPrincipal(await on.send({ headers: [['x-api-key', READER]] })).id).toBe('apikey:reader');
    expectRefusal(await on.send({ headers: [['X-API-Key', 'not a key']] }), 400, 'not a key');
  });

  it('meet requiredScopes like tokens do', async () => {
    const auth = await serve({ requiredScopes: ['items:write'] });
    expectPrincipal(await auth.bearer(WRITER));
    const result = expectRefusal(await auth.bearer(READER), 403, READER);
    expect(challengeOf(result)).toBe(
      'Bearer error="insufficient_scope", error_description="the access token lacks the scopes this request needs", scope="items:write"',
    );
  });

  it('are refused where none are configured', async () => {
    harness = await startHarness(
      createBearerAuthenticator({ resource: RESOURCE, issuers: [{ issuer: 'https://id.example.com', jwksUrl: 'https://id.example.com/jwks' }] }),
    );
    expect(expectRefusal(await harness.bearer(READER), 401, READER).message).toBe('this server does not accept API keys');
  });

  it('reject bad configuration with messages that never contain a key', () => {
    const attempt = (apiKeys: BearerAuthenticatorOptions['apiKeys']) => () => createBearerAuthenticator({ resource: RESOURCE, apiKeys });
    let message = '';
    try {
      attempt([{ name: 'oops', hash: READER, scopes: [] }])();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/hash must be the 64-character hex SHA-256/);
    expect(message).not.toContain(READER.slice(4));
    expect(attempt([{ name: 'a', hash: 'ab'.repeat(31), scopes: [] }])).toThrow(/hash must be/);
    expect(attempt([KEYS[0]!, { ...KEYS[1]!, name: 'reader' }])).toThrow(/"reader" is used twice/);
    expect(attempt([KEYS[0]!, { ...KEYS[0]!, name: 'copy' }])).toThrow(/same key is configured twice/);
    expect(attempt([{ ...KEYS[0]!, scopes: ['Items read'] }])).toThrow(/invalid scopes "Items read"/);
    expect(attempt([{ ...KEYS[0]!, name: ' ' }])).toThrow(/name is required/);
  });
});
