import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TokenCache, Secret, createBearerAuthenticator, tokenCacheKey } from '../src/index.js';
import type { BearerAuthenticatorOptions, IntrospectionOptions } from '../src/index.js';
import { expectPrincipal, expectRefusal, startHarness } from './auth-harness.js';
import type { Harness } from './auth-harness.js';
import { RESOURCE, closedPortUrl, epochSeconds, sendJson, startLocalIssuer, startRecordingServer } from './local-issuer.js';
import type { LocalServer, RecordedCall } from './local-issuer.js';

/** What the fake authorization server answers for each opaque token it knows. */
const answers = new Map<string, { status?: number; body: unknown; delayMs?: number }>();
let as: LocalServer;
let harness: Harness | undefined;

beforeAll(async () => {
  as = await startRecordingServer(async (call, response) => {
    if (call.method !== 'POST' || call.path !== '/introspect') return sendJson(response, 404, {});
    const answer = answers.get(new URLSearchParams(call.body).get('token') ?? '') ?? { body: { active: false } };
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (typeof answer.body === 'string') {
      response.writeHead(answer.status ?? 200, { 'content-type': 'text/html' });
      response.end(answer.body);
      return;
    }
    sendJson(response, answer.status ?? 200, answer.body);
  });
});
afterAll(() => as.close());
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  answers.clear();
  as.calls.length = 0;
});

function active(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { active: true, sub: 'carol', aud: RESOURCE, scope: 'items:read', client_id: 'agent', exp: epochSeconds(300), ...overrides };
}

async function serve(
  introspection: Partial<IntrospectionOptions> = {},
  overrides: Partial<BearerAuthenticatorOptions> = {},
): Promise<Harness> {
  harness = await startHarness(
    createBearerAuthenticator({
      resource: RESOURCE,
      introspection: { url: `${as.url}/introspect`, clientId: 'bastion rs', clientSecret: new Secret('s3cr:t&x'), ...introspection },
      ...overrides,
    }),
  );
  return harness;
}

function introspections(): RecordedCall[] {
  return as.calls.filter((call) => call.path === '/introspect');
}

describe('opaque tokens by RFC 7662 introspection', () => {
  it('accepts an active token and asks with a form POST and HTTP Basic client authentication', async () => {
    answers.set('opaque-1', { body: active() });
    const auth = await serve();
    expect(expectPrincipal(await auth.bearer('opaque-1'))).toEqual({ id: 'introspection:carol', subject: 'carol', kind: 'token', scopes: ['items:read'], clientId: 'agent' });
    const [call] = introspections();
    expect(call!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    // RFC 6749 2.3.1: id and secret are form-encoded, then joined and base64-encoded.
    expect(call!.headers.authorization).toBe(`Basic ${Buffer.from('bastion+rs:s3cr%3At%26x').toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(call!.body))).toEqual({ token: 'opaque-1', token_type_hint: 'access_token' });
  });

  it('refuses inactive, expired, not-yet-valid, foreign-audience and subject-less tokens', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ active: false }, /not active/],
      [active({ active: 'true' }), /not active/],
      [active({ exp: epochSeconds(-3600) }), /expired/],
      [active({ exp: undefined }), /no expiry/],
      [active({ nbf: epochSeconds(3600) }), /not valid yet/],
      [active({ aud: 'https://other.example/mcp' }), /not meant for this server/],
      [active({ aud: undefined }), /not meant for this server/],
      [active({ sub: undefined }), /no subject/],
    ];
    const auth = await serve();
    for (const [index, [body, reason]] of cases.entries()) {
      const token = `opaque-bad-${index}`;
      answers.set(token, { body: JSON.parse(JSON.stringify(body)) });
      const result = expectRefusal(await auth.bearer(token), 401, token);
      expect(result.message).toMatch(reason);
      expect(result.headers?.['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    }
  });

  it('accepts an upper-case, trailing-slash audience and a configured one', async () => {
    answers.set('opaque-aud', { body: active({ aud: ['https://MCP.example.com/mcp/'] }) });
    answers.set('opaque-api', { body: active({ aud: 'api://bastion' }) });
    const auth = await serve();
    expectPrincipal(await auth.bearer('opaque-aud'));
    expectRefusal(await auth.bearer('opaque-api'), 401);
    await auth.close();
    const custom = await serve({ audience: ['api://bastion'] });
    expectPrincipal(await custom.bearer('opaque-api'));
  });

  it('answers 503 (never an allow) when the endpoint fails, times out, redirects or is down', async () => {
    const errors: string[] = [];
    const onError = ({ source }: { source: string }) => errors.push(source);
    const auth = await serve({ timeoutMs: 200 }, { onError });
    const elsewhere = await startRecordingServer((_call, response) => sendJson(response, 200, active()));
    try {
      answers.set('opaque-500', { status: 500, body: { error: 'boom' } });
      answers.set('opaque-html', { body: '<html>login</html>' });
      answers.set('opaque-array', { body: [active()] });
      answers.set('opaque-slow', { body: active(), delayMs: 2_000 });
      for (const token of ['opaque-500', 'opaque-html', 'opaque-array', 'opaque-slow']) {
        const result = expectRefusal(await auth.bearer(token), 503, token);
        expect(result.headers?.['retry-after']).toBe('5');
        expect(result.message).toMatch(/could not be checked right now/);
      }
      expect(errors).toEqual(['introspection', 'introspection', 'introspection', 'introspection']);
      await auth.close();

      const redirecting = await startRecordingServer((_call, response) => {
        response.writeHead(307, { location: `${elsewhere.url}/introspect` });
        response.end();
      });
      const moved = await serve({ url: `${redirecting.url}/introspect` });
      expectRefusal(await moved.bearer('opaque-moved'), 503, 'opaque-moved');
      expect(elsewhere.calls).toHaveLength(0);
      await moved.close();
      await redirecting.close();

      const down = await serve({ url: await closedPortUrl('/introspect') });
      expectRefusal(await down.bearer('opaque-down'), 503, 'opaque-down');
    } finally {
      await elsewhere.close();
    }
  });

  it('caches positive answers under a SHA-256 of the token, never the token, until min(exp, 60 s)', async () => {
    const cache = new TokenCache();
    const soon = epochSeconds(5);
    answers.set('opaque-cached', { body: active() });
    answers.set('opaque-short', { body: active({ exp: soon }) });
    const auth = await serve({ cache });
    expectPrincipal(await auth.bearer('opaque-cached'));
    expectPrincipal(await auth.bearer('opaque-cached'));
    expectPrincipal(await auth.bearer('opaque-short'));
    expect(introspections()).toHaveLength(2);

    const entries = [...cache.entries()];
    expect(entries.map(([key]) => key).sort()).toEqual([tokenCacheKey('opaque-cached'), tokenCacheKey('opaque-short')].sort());
    for (const [key] of entries) expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(entries)).not.toContain('opaque-');
    const expiry = Object.fromEntries(entries.map(([key, entry]) => [key, entry.expiresAt]));
    expect(expiry[tokenCacheKey('opaque-cached')]).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(expiry[tokenCacheKey('opaque-short')]).toBe(soon * 1000);
  });

  it('does not cache refusals, and shares one call among concurrent requests', async () => {
    answers.set('opaque-inactive', { body: { active: false } });
    answers.set('opaque-busy', { body: active(), delayMs: 100 });
    const cache = new TokenCache();
    const auth = await serve({ cache });
    expectRefusal(await auth.bearer('opaque-inactive'), 401);
    expectRefusal(await auth.bearer('opaque-inactive'), 401);
    expect(introspections()).toHaveLength(2);
    expect(cache.size).toBe(0);
    const results = await Promise.all(Array.from({ length: 5 }, () => auth.bearer('opaque-busy')));
    for (const result of results) expectPrincipal(result);
    expect(introspections()).toHaveLength(3);
  });

  it('keeps the cache bounded, dropping the oldest entry first', async () => {
    const cache = new TokenCache({ maxEntries: 2 });
    for (const token of ['opaque-a', 'opaque-b', 'opaque-c']) answers.set(token, { body: active() });
    const auth = await serve({ cache });
    for (const token of ['opaque-a', 'opaque-b', 'opaque-c']) expectPrincipal(await auth.bearer(token));
    expect([...cache.entries()].map(([key]) => key)).toEqual([tokenCacheKey('opaque-b'), tokenCacheKey('opaque-c')]);
  });

  it('introspects JWT-shaped tokens when no issuer is configured, and verifies them locally when one is', async () => {
    const issuer = await startLocalIssuer();
    try {
      const jwt = await issuer.mint();
      answers.set(jwt, { body: active({ sub: 'from-introspection' }) });
      answers.set('opaque-mixed', { body: active() });
      const introspectOnly = await serve();
      expect(expectPrincipal(await introspectOnly.bearer(jwt)).id).toBe('introspection:from-introspection');
      await introspectOnly.close();
      as.calls.length = 0;

      const both = await serve({}, { issuers: [{ issuer: issuer.issuer, jwksUrl: issuer.jwksUrl }] });
      expect(expectPrincipal(await both.bearer(jwt)).id).toBe(`jwt:${issuer.issuer}#alice`);
      expect(expectPrincipal(await both.bearer('opaque-mixed')).id).toBe('introspection:carol');
      expect(introspections().map((call) => new URLSearchParams(call.body).get('token'))).toEqual(['opaque-mixed']);
    } finally {
      await issuer.close();
    }
  });

  it('insists on a Secret for the client secret and a safe endpoint URL', () => {
    const base = { resource: RESOURCE };
    expect(() =>
      createBearerAuthenticator({
        ...base,
        introspection: { url: `${as.url}/introspect`, clientId: 'x', clientSecret: 'plain' as unknown as Secret },
      }),
    ).toThrow(/must be a Secret/);
    expect(() =>
      createBearerAuthenticator({ ...base, introspection: { url: 'http://idp.example.com/introspect', clientId: 'x', clientSecret: new Secret('y') } }),
    ).toThrow(/must use https/);
  });
});
