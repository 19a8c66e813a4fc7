import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBearerAuthenticator, generateApiKey, hashApiKey } from '../src/index.js';
import { challengeOf, expectPrincipal, expectRefusal, startHarness } from './auth-harness.js';
import type { Harness } from './auth-harness.js';
import { RESOURCE, startLocalIssuer } from './local-issuer.js';
import type { LocalIssuer } from './local-issuer.js';

const METADATA_URL = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';
const KEY = generateApiKey();

let issuer: LocalIssuer;
let auth: Harness;
let token: string;

beforeAll(async () => {
  issuer = await startLocalIssuer();
  auth = await startHarness(
    createBearerAuthenticator({
      resource: RESOURCE,
      issuers: [{ issuer: issuer.issuer, jwksUrl: issuer.jwksUrl }],
      apiKeys: [{ name: 'ci', hash: hashApiKey(KEY), scopes: ['items:read'] }],
      apiKeyHeader: true,
      challengeScopes: ['items:read', 'items:write'],
    }),
  );
  token = await issuer.mint();
});
afterAll(async () => {
  await auth.close();
  await issuer.close();
});

function invalidRequest(challenge: string): void {
  expect(challenge).toMatch(/^Bearer error="invalid_request", error_description="[^"]+", resource_metadata="/);
}

describe('requests to the bearer authenticator', () => {
  it('challenges a request without credentials with the metadata URL and scopes, and no error code', async () => {
    const result = expectRefusal(await auth.send(), 401);
    expect(challengeOf(result)).toBe(`Bearer scope="items:read items:write", resource_metadata="${METADATA_URL}"`);
    expect(result.message).toMatch(/Authorization: Bearer/);
  });

  it('builds resource_metadata from the configured resource, not from the Host header', async () => {
    const result = expectRefusal(await auth.send({ host: 'evil.example' }), 401);
    expect(challengeOf(result)).toContain(`resource_metadata="${METADATA_URL}"`);
    expect(challengeOf(result)).not.toContain('evil');
  });

  it('treats another scheme as no credential (RFC 6750 3.1)', async () => {
    for (const value of ['Basic dXNlcjpwYXNz', 'Key reader', 'Token abc']) {
      const result = expectRefusal(await auth.send({ headers: [['Authorization', value]] }), 401, 'dXNlcjpwYXNz');
      expect(challengeOf(result)).not.toContain('error=');
      expect(result.message).toMatch(/only Bearer/);
    }
  });

  it('accepts the Bearer scheme in any case and several spaces before the token', async () => {
    expectPrincipal(await auth.send({ headers: [['Authorization', `bearer ${token}`]] }));
    expectPrincipal(await auth.send({ headers: [['Authorization', `BEARER   ${token}`]] }));
  });

  it('answers 400 invalid_request to a malformed Authorization header', async () => {
    const cases: [string, RegExp][] = [
      ['Bearer', /no token/],
      ['Bearer ', /no token/],
      [`Bearer ${token} ${token}`, /exactly one token/],
      [`Bearer ${token},${token}`, /characters a token cannot have/],
      ['Bearer "quoted"', /characters a token cannot have/],
      ['Bearer tökén', /printable ASCII/],
      ['Bearer a\tb', /printable ASCII/],
      ['', /look like "Bearer <token>"/],
      ['=Bearer x', /look like/],
    ];
    for (const [value, reason] of cases) {
      const result = expectRefusal(await auth.send({ headers: [['Authorization', value]] }), 400, token);
      invalidRequest(challengeOf(result));
      expect(result.message).toMatch(reason);
    }
  });

  it('refuses two credentials instead of picking one', async () => {
    const twoHeaders = expectRefusal(
      await auth.send({ headers: [['Authorization', `Bearer ${token}`], ['Authorization', 'Bearer other']] }),
      400,
      token,
    );
    invalidRequest(challengeOf(twoHeaders));
    const both = expectRefusal(await auth.send({ headers: [['Authorization', `Bearer ${token}`], ['X-API-Key', KEY]] }), 400, KEY);
    expect(both.message).toMatch(/send one credential/);
    expectRefusal(await auth.send({ headers: [['X-API-Key', KEY], ['X-API-Key', KEY]] }), 400, KEY);
  });

  it('refuses credentials in the query string before looking at anything else', async () => {
    const before = issuer.jwksFetches();
    for (const query of [
      `access_token=${token}`,
      'access_token=',
      `ACCESS_TOKEN=x`,
      `token=${token}`,
      `api_key=${KEY}`,
      `x=${token}`,
      `cursor=${KEY}`,
      'auth=Bearer%20abc',
    ]) {
      const result = await auth.send({ path: `/mcp?${query}`, headers: [['Authorization', `Bearer ${token}`]] });
      const refusal = expectRefusal(result, 400, token);
      expectRefusal(result, 400, KEY);
      invalidRequest(challengeOf(refusal));
      expect(refusal.message).toMatch(/not accepted in the URL query/);
    }
    expect(issuer.jwksFetches()).toBe(before);
    expectPrincipal(await auth.send({ path: '/mcp?page=2&sort=name', headers: [['Authorization', `Bearer ${token}`]] }));
  });

  it('routes bsk_ keys to the API keys and everything else to the JWT verifier', async () => {
    expect(expectPrincipal(await auth.bearer(KEY))).toEqual({ id: 'apikey:ci', subject: 'ci', kind: 'api-key', scopes: ['items:read'] });
    expect(expectPrincipal(await auth.send({ headers: [['X-API-Key', KEY]] })).kind).toBe('api-key');
    expect(expectPrincipal(await auth.bearer(token)).kind).toBe('token');
    const opaque = expectRefusal(await auth.bearer('opaque-token-value'), 401, 'opaque-token-value');
    expect(opaque.message).toBe('the token is not a JWT');
    // A JWT in X-API-Key is checked as a key, never as a token.
    expectRefusal(await auth.send({ headers: [['X-API-Key', token]] }), 401, token);
  });
});
