// Token payloads are JSON from outside: a JWT's header and claims (read before the signature is
// checked) and an introspection endpoint's answer are refused when they nest deeper than the
// shared bound, whoever signed or sent them.
import { base64url } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Secret, createBearerAuthenticator } from '../src/index.js';
import { challengeOf, expectPrincipal, expectRefusal, startHarness } from './auth-harness.js';
import type { Harness } from './auth-harness.js';
import { RESOURCE, epochSeconds, sendJson, startLocalIssuer, startRecordingServer } from './local-issuer.js';
import type { LocalIssuer, LocalServer } from './local-issuer.js';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level += 1) value = [value];
  return value;
}

let issuer: LocalIssuer;
let introspectionServer: LocalServer;
let harness: Harness | undefined;
const answers = new Map<string, unknown>();

beforeAll(async () => {
  issuer = await startLocalIssuer();
  introspectionServer = await startRecordingServer((call, response) =>
    sendJson(response, 200, answers.get(new URLSearchParams(call.body).get('token') ?? '') ?? { active: false }),
  );
});
afterAll(async () => {
  await issuer.close();
  await introspectionServer.close();
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  answers.clear();
});

describe('JWT header and claims', () => {
  const serve = async () =>
    (harness = await startHarness(createBearerAuthenticator({ resource: RESOURCE, issuers: [{ issuer: issuer.issuer, jwksUrl: issuer.jwksUrl }] })));

  it('refuses a validly signed token whose claims nest deeper than 64 levels, and takes one within the bound', async () => {
    const auth = await serve();
    const deep = await issuer.mint({ claims: { scope: 'items:read', extra: nested(100) } });
    const result = expectRefusal(await auth.bearer(deep), 401, deep);
    expect(challengeOf(result)).toMatch(/^Bearer error="invalid_token"/);
    expect(result.message).toBe('the token is not a well-formed JWT: its header or claims nest deeper than 64 levels');
    expectPrincipal(await auth.bearer(await issuer.mint({ claims: { scope: 'items:read', extra: nested(60) } })));
  });

  it('refuses an unsigned token whose header nests deeply before fetching any key', async () => {
    const auth = await serve();
    const header = base64url.encode(`{"alg":"RS256","kid":"rsa-1","x":${'['.repeat(5_000)}${']'.repeat(5_000)}}`);
    const claims = base64url.encode(JSON.stringify({ iss: issuer.issuer, sub: 'mallory', aud: RESOURCE, exp: epochSeconds(300) }));
    const token = `${header}.${claims}.c2ln`;
    const result = expectRefusal(await auth.bearer(token), 401, token);
    expect(result.message).toMatch(/nest deeper than 64 levels/);
  });
});

describe('introspection answers', () => {
  it('treats an answer nested deeper than 64 levels as a failed endpoint (503, never an allow)', async () => {
    const errors: unknown[] = [];
    harness = await startHarness(
      createBearerAuthenticator({
        resource: RESOURCE,
        introspection: { url: `${introspectionServer.url}/introspect`, clientId: 'bastion', clientSecret: new Secret('s3cret') },
        onError: ({ error }) => errors.push(error),
      }),
    );
    const active = { active: true, sub: 'carol', aud: RESOURCE, scope: 'items:read', exp: epochSeconds(300) };
    answers.set('opaque-deep', { ...active, extra: nested(1_000) });
    answers.set('opaque-fine', { ...active, extra: nested(10) });
    const result = expectRefusal(await harness.bearer('opaque-deep'), 503, 'opaque-deep');
    expect(result.message).toMatch(/could not be checked right now/);
    expect(String(errors[0])).toMatch(/deeper than 64 levels/);
    expectPrincipal(await harness.bearer('opaque-fine'));
  });
});
