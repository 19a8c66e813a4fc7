import { describe, expect, it } from 'vitest';
import { principalFromClaims } from '../src/token-claims.js';

const JWT = { kind: 'jwt', issuer: 'https://idp.example.com' } as const;

describe('principalFromClaims', () => {
  it('needs a non-empty subject', () => {
    expect(principalFromClaims({ sub: '' }, JWT)).toEqual({ ok: false, description: 'the token names no subject (sub)' });
  });

  it.each([
    ['an empty scope', ['items:read', '']],
    ['a scope with a space', ['items:read items:write']],
    ['a scope that is not a string', ['items:read', 42]],
  ])('refuses scp holding %s', (_name, scp) => {
    expect(principalFromClaims({ sub: 'alice', scp }, JWT)).toEqual({ ok: false, description: "the token's scope claim is malformed" });
  });

  it('takes the client from azp when client_id is empty, and from neither when both are', () => {
    const check = (claims: Record<string, unknown>) => principalFromClaims({ sub: 'alice', ...claims }, JWT);
    expect(check({ client_id: '', azp: 'client-2' })).toMatchObject({ ok: true, principal: { clientId: 'client-2' } });
    const none = check({ client_id: '', azp: '' });
    expect(none.ok && 'clientId' in none.principal).toBe(false);
    const notText = check({ azp: 42 });
    expect(notText.ok && 'clientId' in notText.principal).toBe(false);
  });

  it('names no issuer for an introspected token', () => {
    expect(principalFromClaims({ sub: 'alice', scope: 'a b' }, { kind: 'introspection' })).toStrictEqual({
      ok: true,
      principal: { id: 'introspection:alice', subject: 'alice', kind: 'token', scopes: ['a', 'b'] },
    });
  });
});
