import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkedAlgorithms, DEFAULT_ALGORITHMS, jwtVerifier } from '../src/jwt-verifier.js';
import type { TrustedIssuer } from '../src/jwt-verifier.js';
import { RESOURCE, startLocalIssuer } from './local-issuer.js';
import type { LocalIssuer } from './local-issuer.js';

let issuer: LocalIssuer;
beforeAll(async () => {
  issuer = await startLocalIssuer();
});
afterAll(async () => {
  await issuer.close();
});

function verifier(entry: Partial<TrustedIssuer> = {}) {
  return jwtVerifier({
    resource: RESOURCE,
    issuers: [{ issuer: issuer.issuer, jwksUrl: issuer.jwksUrl, ...entry }],
    algorithms: DEFAULT_ALGORITHMS,
    clockToleranceSeconds: 0,
  });
}

async function refusal(verify: (token: string) => Promise<unknown>, token: string): Promise<string> {
  const check = (await verify(token)) as { ok: boolean; description?: string };
  expect(check.ok).toBe(false);
  return check.description!;
}

/** A token with its header replaced; the signature no longer matters, the header is refused first. */
function withHeader(token: string, header: Record<string, unknown>): string {
  const [, payload, signature] = token.split('.');
  return `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${payload}.${signature}`;
}

describe('jwtVerifier settings', () => {
  it('defaults to every asymmetric algorithm but Ed25519', () => {
    expect(DEFAULT_ALGORITHMS).toEqual(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']);
  });

  it('names what is refused and what is accepted in an algorithm list', () => {
    expect(() => checkedAlgorithms(['RS256', 'HS256', 'none'])).toThrow(
      'algorithms may only name asymmetric signatures (RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519); ' +
        '"HS256", "none" is not accepted (none and HS* can be forged by anyone who knows the public key)',
    );
  });

  it('needs an issuer identifier', () => {
    expect(() => verifier({ issuer: '' })).toThrow('every issuer needs an issuer identifier');
    expect(() => verifier({ issuer: 42 as unknown as string })).toThrow('every issuer needs an issuer identifier');
  });

  it('names the issuer whose key URL is malformed', () => {
    expect(() => verifier({ jwksUrl: 'not a url' })).toThrow(`jwksUrl of issuer ${issuer.issuer} must be an absolute URL`);
  });

  it('refuses an empty audience, alone or in a list', () => {
    const message = `audience of issuer ${issuer.issuer} must not be empty`;
    expect(() => verifier({ audience: '' })).toThrow(message);
    expect(() => verifier({ audience: [] })).toThrow(message);
    expect(() => verifier({ audience: ['api://bastion', ''] })).toThrow(message);
    expect(() => verifier({ audience: ['api://bastion', 'api://other'] })).not.toThrow();
  });
});

describe('jwtVerifier audiences', () => {
  it('accepts the configured audience instead of the resource, and names the accepted ones', async () => {
    const verify = verifier({ audience: ['api://bastion', 'api://other'] });
    expect(await verify(await issuer.mint({ claims: { aud: 'api://other' } }))).toMatchObject({ ok: true });
    expect(await refusal(verify, await issuer.mint())).toBe(
      'the token is not meant for this server: its audience must be api://bastion or api://other',
    );
    const single = verifier({ audience: 'api://bastion' });
    expect(await single(await issuer.mint({ claims: { aud: 'api://bastion' } }))).toMatchObject({ ok: true });
  });
});

describe('jwtVerifier refusals', () => {
  it('refuses text that is not a JWT', async () => {
    expect(await refusal(verifier(), 'abc')).toBe('the token is not a well-formed JWT');
  });

  it('refuses a typ header that is not a string', async () => {
    expect(await refusal(verifier(), await issuer.mint({ header: { typ: 42 as unknown as string } }))).toBe(
      'the token is not an access token (its typ header)',
    );
  });

  it('names the claim that is not acceptable', async () => {
    const verify = verifier();
    expect(await refusal(verify, await issuer.mint({ claims: { exp: 'soon' } }))).toBe("the token's exp claim is not acceptable");
    expect(await refusal(verify, await issuer.mint({ claims: { nbf: 'later' } }))).toBe('the token is not valid yet');
    expect(await refusal(verify, await issuer.mint({ claims: { iat: 'today' } }))).toBe('the token was issued in the future');
  });

  it('calls a header without an algorithm, or with an unknown critical extension, malformed', async () => {
    const verify = verifier();
    const token = await issuer.mint();
    expect(await refusal(verify, withHeader(token, { kid: 'rsa-1', typ: 'at+jwt' }))).toBe('the token is not a well-formed JWT');
    expect(await refusal(verify, withHeader(token, { alg: 'RS256', kid: 'rsa-1', crit: ['x-custom'], 'x-custom': 1 }))).toBe(
      'the token is not a well-formed JWT',
    );
  });
});
