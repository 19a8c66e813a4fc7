import { SignJWT, UnsecuredJWT, base64url, exportJWK, exportSPKI, generateKeyPair, importJWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TokenCache, createBearerAuthenticator, tokenCacheKey } from '../src/index.js';
import type { BearerAuthenticatorOptions } from '../src/index.js';
import { challengeOf, expectPrincipal, expectRefusal, startHarness } from './auth-harness.js';
import type { Harness } from './auth-harness.js';
import { RESOURCE, closedPortUrl, epochSeconds, sendJson, startLocalIssuer, startRecordingServer } from './local-issuer.js';
import type { LocalIssuer, LocalServer } from './local-issuer.js';

const METADATA_URL = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';

let issuer: LocalIssuer;
let harness: Harness | undefined;

beforeAll(async () => {
  issuer = await startLocalIssuer();
});
afterAll(async () => {
  await issuer.close();
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function serve(overrides: Partial<BearerAuthenticatorOptions> = {}): Promise<Harness> {
  harness = await startHarness(
    createBearerAuthenticator({ resource: RESOURCE, issuers: [{ issuer: issuer.issuer, jwksUrl: issuer.jwksUrl }], ...overrides }),
  );
  return harness;
}

/** Sends a token that must be refused with 401 invalid_token, and returns the error_description. */
async function refusedToken(auth: Harness, token: string): Promise<string> {
  const result = expectRefusal(await auth.bearer(token), 401, token);
  const challenge = challengeOf(result);
  expect(challenge).toMatch(/^Bearer error="invalid_token", error_description="[^"]+", resource_metadata="/);
  expect(challenge).toContain(`resource_metadata="${METADATA_URL}"`);
  return /error_description="([^"]+)"/.exec(challenge)![1]!;
}

describe('bearer JWTs from a local issuer', () => {
  it('accepts valid RS256 and ES256 access tokens and builds the principal from their claims', async () => {
    const auth = await serve();
    const rsa = expectPrincipal(await auth.bearer(await issuer.mint({ kid: 'rsa-1' })));
    expect(rsa).toEqual({
      id: `jwt:${issuer.issuer}#alice`,
      subject: 'alice',
      kind: 'token',
      issuer: issuer.issuer,
      scopes: ['items:read', 'items:write'],
      clientId: 'client-1',
    });
    const ec = expectPrincipal(await auth.bearer(await issuer.mint({ kid: 'ec-1', claims: { sub: 'bob' } })));
    expect(ec.id).toBe(`jwt:${issuer.issuer}#bob`);
  });

  it('reads scopes from scp (array or string) and the client from azp', async () => {
    const auth = await serve();
    const array = expectPrincipal(
      await auth.bearer(await issuer.mint({ claims: { scope: undefined, scp: ['a:read', 'b:write'], client_id: undefined, azp: 'spa' } })),
    );
    expect(array).toMatchObject({ scopes: ['a:read', 'b:write'], clientId: 'spa' });
    const string = expectPrincipal(await auth.bearer(await issuer.mint({ claims: { scope: undefined, scp: 'a:read  b:write' } })));
    expect(string.scopes).toEqual(['a:read', 'b:write']);
    const none = expectPrincipal(await auth.bearer(await issuer.mint({ claims: { scope: undefined } })));
    expect(none.scopes).toEqual([]);
    expect(await refusedToken(auth, await issuer.mint({ claims: { scope: ['a:read'] } }))).toMatch(/scope claim is malformed/);
  });

  it('refuses expired and not-yet-valid tokens, within a clock tolerance', async () => {
    const auth = await serve();
    expect(await refusedToken(auth, await issuer.mint({ claims: { exp: epochSeconds(-3600) } }))).toBe('the token has expired');
    expect(await refusedToken(auth, await issuer.mint({ claims: { nbf: epochSeconds(3600) } }))).toBe('the token is not valid yet');
    expect(await refusedToken(auth, await issuer.mint({ claims: { iat: epochSeconds(3600) } }))).toBe('the token was issued in the future');
    expectPrincipal(await auth.bearer(await issuer.mint({ claims: { exp: epochSeconds(-10), nbf: epochSeconds(10) } })));
    const strict = await startHarness(
      createBearerAuthenticator({ resource: RESOURCE, issuers: [{ issuer: issuer.issuer, jwksUrl: issuer.jwksUrl }], clockToleranceSeconds: 0 }),
    );
    expectRefusal(await strict.bearer(await issuer.mint({ claims: { exp: epochSeconds(-10) } })), 401);
    await strict.close();
  });

  it('requires exp and sub, and honours maxTokenAgeSeconds', async () => {
    const auth = await serve({ maxTokenAgeSeconds: 300 });
    expect(await refusedToken(auth, await issuer.mint({ claims: { exp: undefined } }))).toBe('the token lacks the required exp claim');
    expect(await refusedToken(auth, await issuer.mint({ claims: { sub: undefined } }))).toBe('the token lacks the required sub claim');
    expect(await refusedToken(auth, await issuer.mint({ claims: { iat: epochSeconds(-3600) } }))).toBe('the token is older than this server accepts');
    expect(await refusedToken(auth, await issuer.mint({ claims: { iat: undefined } }))).toBe('the token lacks the required iat claim');
    expectPrincipal(await auth.bearer(await issuer.mint({ claims: { iat: epochSeconds(-60) } })));
  });

  it('checks the audience against the canonical resource URL', async () => {
    const auth = await serve();
    for (const aud of ['https://mcp.example.com/mcp/', 'https://MCP.Example.COM/mcp', 'HTTPS://mcp.example.com:443/mcp', ['https://other.example', RESOURCE]]) {
      expectPrincipal(await auth.bearer(await issuer.mint({ claims: { aud } })));
    }
    for (const aud of [
      'https://other.example.com/mcp',
      'https://mcp.example.com/MCP',
      'https://mcp.example.com/mcp//',
      'https://mcp.example.com/mcp#x',
      'https://mcp.example.com/mcp/sub',
      'http://mcp.example.com/mcp',
      ' https://mcp.example.com/mcp',
      ['https://other.example'],
      [],
    ]) {
      const description = await refusedToken(auth, await issuer.mint({ claims: { aud } }));
      expect(description).toBe(`the token is not meant for this server: its audience must be ${RESOURCE}`);
    }
    expect(await refusedToken(auth, await issuer.mint({ claims: { aud: undefined } }))).toMatch(/not meant for this server/);
  });

  it('takes a configured audience instead of the resource for IdPs that cannot use it', async () => {
    const auth = await serve({ issuers: [{ issuer: issuer.issuer, jwksUrl: issuer.jwksUrl, audience: 'api://bastion' }] });
    expectPrincipal(await auth.bearer(await issuer.mint({ claims: { aud: 'api://bastion' } })));
    expect(await refusedToken(auth, await issuer.mint())).toMatch(/audience must be api:\/\/bastion/);
  });

  it('refuses tokens from issuers it does not trust, and does not fetch anything named in them', async () => {
    const attacker = await startRecordingServer((_call, response) => sendJson(response, 200, { keys: [] }));
    const other = await startLocalIssuer();
    try {
      const auth = await serve({
        issuers: [
          { issuer: issuer.issuer, jwksUrl: issuer.jwksUrl },
          { issuer: other.issuer, jwksUrl: other.jwksUrl },
        ],
      });
      expectPrincipal(await auth.bearer(await other.mint()));
      expect(await refusedToken(auth, await issuer.mint({ claims: { iss: attacker.url } }))).toBe(
        'the token was issued by an issuer this server does not trust',
      );
      expect(await refusedToken(auth, await issuer.mint({ claims: { iss: undefined } }))).toMatch(/does not trust/);
      // Claims the other trusted issuer but is signed with this one's key: that issuer's JWKS decides.
      expect(await refusedToken(auth, await issuer.mint({ claims: { iss: other.issuer }, kid: 'rsa-1' }))).toMatch(
        /signature is invalid|key its issuer does not publish/,
      );
      expect(attacker.calls).toHaveLength(0);
    } finally {
      await Promise.all([attacker.close(), other.close()]);
    }
  });

  it('ignores jku, x5u and embedded jwk headers: keys come only from the configured JWKS', async () => {
    const attacker = await startRecordingServer((_call, response) => sendJson(response, 200, { keys: [] }));
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const attackerJwk = { ...(await exportJWK(publicKey)), kid: 'rsa-1', alg: 'RS256' };
    try {
      const auth = await serve();
      const forge = (header: Record<string, unknown>) =>
        new SignJWT({ iss: issuer.issuer, aud: RESOURCE, sub: 'mallory', exp: epochSeconds(300), scope: '*' })
          .setProtectedHeader({ alg: 'RS256', ...header })
          .sign(privateKey);
      for (const header of [
        { kid: 'attacker', jku: `${attacker.url}/jwks` },
        { kid: 'rsa-1', jku: `${attacker.url}/jwks` },
        { kid: 'rsa-1', x5u: `${attacker.url}/cert.pem` },
        { kid: 'rsa-1', jwk: attackerJwk },
      ]) {
        await refusedToken(auth, await forge(header));
      }
      expect(attacker.calls).toEqual([]);
    } finally {
      await attacker.close();
    }
  });

  it('refuses alg none, and HS256 signed with the public key as the HMAC secret', async () => {
    const auth = await serve();
    const claims = { iss: issuer.issuer, aud: RESOURCE, sub: 'mallory', exp: epochSeconds(300), scope: '*' };
    const unsecured = new UnsecuredJWT(claims).encode();
    expect(await refusedToken(auth, unsecured)).toBe('the token is signed with an algorithm this server does not accept');
    const withKid = `${base64url.encode(JSON.stringify({ alg: 'none', kid: 'rsa-1' }))}.${unsecured.split('.')[1]}.`;
    expect(await refusedToken(auth, withKid)).toMatch(/algorithm this server does not accept/);

    const publicKey = await importJWK(issuer.publicJwk('rsa-1'), 'RS256', { extractable: true });
    const pem = await exportSPKI(publicKey as Parameters<typeof exportSPKI>[0]);
    for (const secret of [pem, JSON.stringify(issuer.publicJwk('rsa-1'))]) {
      const confused = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).sign(new TextEncoder().encode(secret));
      expect(await refusedToken(auth, confused)).toBe('the token is signed with an algorithm this server does not accept');
    }
  });

  it('refuses a tampered payload and a tampered header', async () => {
    const auth = await serve();
    const [header, payload, signature] = (await issuer.mint({ claims: { scope: 'items:read' } })).split('.');
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload!))) as Record<string, unknown>;
    const elevated = base64url.encode(JSON.stringify({ ...claims, scope: '*', sub: 'admin' }));
    expect(await refusedToken(auth, `${header}.${elevated}.${signature}`)).toBe('the token signature is invalid');
    const otherKid = base64url.encode(JSON.stringify({ alg: 'RS256', kid: 'rsa-1', typ: 'JWT' }));
    expect(await refusedToken(auth, `${otherKid}.${payload}.${signature}`)).toBe('the token signature is invalid');
    expect(await refusedToken(auth, `${header}.${payload}.${signature!.slice(0, -4)}AAAA`)).toBe('the token signature is invalid');
  });

  it('accepts typ at+jwt and plain JWT, and refuses any other typ', async () => {
    const auth = await serve();
    for (const typ of ['at+jwt', 'application/at+jwt', 'AT+JWT', 'JWT', undefined]) {
      expectPrincipal(await auth.bearer(await issuer.mint({ header: { typ } })));
    }
    for (const typ of ['dpop+jwt', 'logout+jwt', 'secevent+jwt', 'JOSE']) {
      expect(await refusedToken(auth, await issuer.mint({ header: { typ } }))).toBe('the token is not an access token (its typ header)');
    }
  });

  it('honours an algorithm allowlist and refuses symmetric or none algorithms in it', async () => {
    const auth = await serve({ algorithms: ['ES256'] });
    expectPrincipal(await auth.bearer(await issuer.mint({ kid: 'ec-1' })));
    expect(await refusedToken(auth, await issuer.mint({ kid: 'rsa-1' }))).toMatch(/algorithm this server does not accept/);
    for (const algorithms of [['HS256'], ['RS256', 'none'], ['HS512'], []]) {
      expect(() => createBearerAuthenticator({ resource: RESOURCE, issuers: [{ issuer: issuer.issuer, jwksUrl: issuer.jwksUrl }], algorithms })).toThrow(
        /algorithms/,
      );
    }
  });

  /** Key rotation changes the issuer's keys, so each of these tests has an issuer of its own. */
  async function withRotatingIssuer(test: (rotating: LocalIssuer) => Promise<void>): Promise<void> {
    const rotating = await startLocalIssuer();
    try {
      await test(rotating);
    } finally {
      await rotating.close();
    }
  }

  it('refuses an unknown kid, picks up a rotated-in key and drops a rotated-out one', () =>
    withRotatingIssuer(async (rotating) => {
      const auth = await serve({ issuers: [{ issuer: rotating.issuer, jwksUrl: rotating.jwksUrl }], jwks: { cooldownMs: 0 } });
      expectPrincipal(await auth.bearer(await rotating.mint({ kid: 'rsa-1' })));
      await rotating.addKey('unpublished', 'RS256');
      rotating.unpublish('unpublished');
      expect(await refusedToken(auth, await rotating.mint({ kid: 'unpublished' }))).toBe(
        'the token is signed with a key its issuer does not publish',
      );

      const before = rotating.jwksFetches();
      await rotating.addKey('rsa-2', 'RS256');
      expectPrincipal(await auth.bearer(await rotating.mint({ kid: 'rsa-2' })));
      expect(rotating.jwksFetches()).toBe(before + 1);

      // rsa-1 leaves the set; the next refresh (here forced by an unknown kid) forgets it.
      rotating.unpublish('rsa-1');
      await refusedToken(auth, await rotating.mint({ kid: 'unpublished' }));
      expect(await refusedToken(auth, await rotating.mint({ kid: 'rsa-1' }))).toBe('the token is signed with a key its issuer does not publish');
      expectPrincipal(await auth.bearer(await rotating.mint({ kid: 'rsa-2' })));
    }));

  it('checks a token\'s signature once, then trusts it by hash until min(exp, 60 s); refusals are not remembered', () =>
    withRotatingIssuer(async (rotating) => {
      const jwtCache = new TokenCache();
      const auth = await serve({ issuers: [{ issuer: rotating.issuer, jwksUrl: rotating.jwksUrl }], jwks: { cooldownMs: 0 }, jwtCache });
      const token = await rotating.mint({ kid: 'rsa-1' });
      const before = Date.now();
      expectPrincipal(await auth.bearer(token));
      const [[key, entry] = []] = [...jwtCache.entries()];
      expect(key).toBe(tokenCacheKey(token));
      expect(JSON.stringify([...jwtCache.entries()])).not.toContain(token.split('.')[2]);
      expect(entry!.expiresAt).toBeGreaterThanOrEqual(before + 60_000);
      expect(entry!.expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);

      // Once rsa-1 is gone, the remembered token still passes (for at most the TTL), a new one does not...
      await rotating.addKey('unpublished', 'RS256');
      rotating.unpublish('unpublished');
      rotating.unpublish('rsa-1');
      await refusedToken(auth, await rotating.mint({ kid: 'unpublished' }));
      expectPrincipal(await auth.bearer(token));
      expect(await refusedToken(auth, await rotating.mint({ kid: 'rsa-1' }))).toMatch(/does not publish/);
      // ... and when its entry lapses, the token is checked again and refused.
      jwtCache.clear();
      expect(await refusedToken(auth, token)).toMatch(/does not publish/);
      expect(jwtCache.size).toBe(0);

      // A token about to expire is trusted until its exp, and maxTokenAgeSeconds caps it further.
      const soon = epochSeconds(20);
      const shortLived = await rotating.mint({ kid: 'ec-1', claims: { exp: soon } });
      expectPrincipal(await auth.bearer(shortLived));
      expect(jwtCache.entries().next().value![1].expiresAt).toBe(soon * 1000);
    }));

  it('trusts a remembered token no longer than maxTokenAgeSeconds allows', async () => {
    const jwtCache = new TokenCache();
    const auth = await serve({ maxTokenAgeSeconds: 30, jwtCache });
    const issuedAt = epochSeconds(-25);
    expectPrincipal(await auth.bearer(await issuer.mint({ claims: { iat: issuedAt } })));
    expect(jwtCache.entries().next().value![1].expiresAt).toBe((issuedAt + 30) * 1000);
  });

  it('forgets a removed key once the cached set is older than cacheMaxAgeMs', () =>
    withRotatingIssuer(async (rotating) => {
      const auth = await serve({ issuers: [{ issuer: rotating.issuer, jwksUrl: rotating.jwksUrl }], jwks: { cacheMaxAgeMs: 50 } });
      expectPrincipal(await auth.bearer(await rotating.mint({ kid: 'ec-1' })));
      rotating.unpublish('ec-1');
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await refusedToken(auth, await rotating.mint({ kid: 'ec-1' }))).toMatch(/does not publish/);
    }));

  it('does not refetch the JWKS for every unknown kid within the cooldown', () =>
    withRotatingIssuer(async (rotating) => {
      const auth = await serve({ issuers: [{ issuer: rotating.issuer, jwksUrl: rotating.jwksUrl }] });
      expectPrincipal(await auth.bearer(await rotating.mint()));
      const before = rotating.jwksFetches();
      await rotating.addKey('ghost', 'ES256');
      rotating.unpublish('ghost');
      for (let attempt = 0; attempt < 5; attempt += 1) await refusedToken(auth, await rotating.mint({ kid: 'ghost' }));
      expect(rotating.jwksFetches()).toBe(before);
    }));

  it('refuses (401, no crash) while the JWKS endpoint is down, and recovers', async () => {
    const errors: string[] = [];
    const down = await startHarness(
      createBearerAuthenticator({
        resource: RESOURCE,
        issuers: [{ issuer: issuer.issuer, jwksUrl: await closedPortUrl('/jwks') }],
        onError: ({ source }) => errors.push(source),
      }),
    );
    const token = await issuer.mint();
    expect(/error_description="([^"]+)"/.exec(challengeOf(expectRefusal(await down.bearer(token), 401, token)))![1]).toBe(
      'the token could not be verified: its issuer\'s signing keys are unavailable right now',
    );
    expect(errors).toEqual(['jwks']);
    await down.close();

    issuer.failJwks(true);
    try {
      const auth = await serve();
      expectRefusal(await auth.bearer(token), 401, token);
      issuer.failJwks(false);
      expectPrincipal(await auth.bearer(token));
    } finally {
      issuer.failJwks(false);
    }
  });

  it('answers 403 insufficient_scope naming every required scope, and honours scope hierarchy', async () => {
    const auth = await serve({ requiredScopes: ['items:read', 'reports:read'] });
    const token = await issuer.mint({ claims: { scope: 'items:read' } });
    const result = expectRefusal(await auth.bearer(token), 403, token);
    expect(challengeOf(result)).toBe(
      `Bearer error="insufficient_scope", error_description="the access token lacks the scopes this request needs", scope="items:read reports:read", resource_metadata="${METADATA_URL}"`,
    );
    expect(result.message).toContain('items:read reports:read');
    expectPrincipal(await auth.bearer(await issuer.mint({ claims: { scope: 'items:read reports:*' } })));
  });

  it('never puts the token into a refusal', async () => {
    const auth = await serve({ requiredScopes: ['admin:write'] });
    const tokens = [
      await issuer.mint(),
      await issuer.mint({ claims: { exp: epochSeconds(-100) } }),
      await issuer.mint({ claims: { aud: 'https://evil.example' } }),
      `${(await issuer.mint()).slice(0, -3)}abc`,
      'eyJhbGciOiJSUzI1NiJ9.not-json.c2ln',
      'eyJ.eyJ.',
    ];
    for (const token of tokens) {
      const result = await auth.bearer(token);
      expect(result.ok).toBe(false);
      expectRefusal(result, result.ok ? 0 : result.status, token);
    }
  });
});

describe('a JWKS that is not where the config says', () => {
  let elsewhere: LocalServer;
  beforeAll(async () => {
    elsewhere = await startRecordingServer((_call, response) => {
      response.writeHead(302, { location: `${issuer.jwksUrl}` });
      response.end();
    });
  });
  afterAll(() => elsewhere.close());

  it('does not follow a redirect from the configured JWKS URL', async () => {
    const auth = await serve({ issuers: [{ issuer: issuer.issuer, jwksUrl: `${elsewhere.url}/jwks` }] });
    const before = issuer.jwksFetches();
    await refusedToken(auth, await issuer.mint());
    expect(elsewhere.calls).toHaveLength(1);
    expect(issuer.jwksFetches()).toBe(before);
  });
});
