// A principal's id says where its credential came from, so the same name from two trusted
// issuers, from introspection and as an API key are different principals: policy rules, limits,
// sessions and the audit log written for one never apply to another.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Secret, createBearerAuthenticator, generateApiKey, hashApiKey } from '../src/index.js';
import { expectPrincipal, startHarness } from './auth-harness.js';
import type { Harness } from './auth-harness.js';
import { RESOURCE, sendJson, startLocalIssuer, startRecordingServer } from './local-issuer.js';
import type { LocalIssuer, LocalServer } from './local-issuer.js';

let first: LocalIssuer;
let second: LocalIssuer;
let introspection: LocalServer;
let harness: Harness | undefined;
const KEY = generateApiKey();

beforeAll(async () => {
  first = await startLocalIssuer();
  second = await startLocalIssuer();
  introspection = await startRecordingServer((_call, response) => sendJson(response, 200, { active: true, sub: 'admin', scope: 'items:read', aud: RESOURCE, exp: Math.floor(Date.now() / 1000) + 600 }));
});
afterAll(async () => {
  await Promise.all([first.close(), second.close(), introspection.close()]);
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('principal ids', () => {
  it('keep the same name apart across issuers, introspection and API keys', async () => {
    harness = await startHarness(
      createBearerAuthenticator({
        resource: RESOURCE,
        issuers: [
          { issuer: first.issuer, jwksUrl: first.jwksUrl },
          { issuer: second.issuer, jwksUrl: second.jwksUrl },
        ],
        introspection: { url: introspection.url, clientId: 'rs', clientSecret: new Secret('rs-secret') },
        apiKeys: [{ name: 'admin', hash: hashApiKey(KEY), scopes: ['*'] }],
      }),
    );
    const fromFirst = expectPrincipal(await harness.bearer(await first.mint({ claims: { sub: 'admin' } })));
    const fromSecond = expectPrincipal(await harness.bearer(await second.mint({ claims: { sub: 'admin' } })));
    const introspected = expectPrincipal(await harness.bearer('opaque-token'));
    const key = expectPrincipal(await harness.bearer(KEY));
    expect([fromFirst.id, fromSecond.id, introspected.id, key.id]).toEqual([
      `jwt:${first.issuer}#admin`,
      `jwt:${second.issuer}#admin`,
      'introspection:admin',
      'apikey:admin',
    ]);
    expect([fromFirst, fromSecond, introspected, key].map((principal) => principal.subject)).toEqual(['admin', 'admin', 'admin', 'admin']);
    expect([fromFirst.issuer, fromSecond.issuer]).toEqual([first.issuer, second.issuer]);
  });
});
