import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/errors.js';
import { loadPolicy } from '../src/policy/index.js';
import type { IdentitySources, PolicyPrincipal } from '../src/policy/index.js';

const ISSUER = 'https://idp.example.com';
const OTHER = 'https://other.example.com';
const jwt = (issuer: string, sub: string): PolicyPrincipal => ({ id: `jwt:${issuer}#${sub}`, subject: sub, scopes: [] });
const key = (name: string): PolicyPrincipal => ({ id: `apikey:${name}`, subject: name, scopes: [] });
const introspected = (sub: string): PolicyPrincipal => ({ id: `introspection:${sub}`, subject: sub, scopes: [] });

const policy = (principal: string) => loadPolicy(`version: 1\nrules:\n  - name: chosen\n    match:\n      principal: ${JSON.stringify(principal)}\n`, { source: 'policy.yaml' });
const selected = (pattern: string, principal: PolicyPrincipal) => policy(pattern).forPrincipal(principal).rules.includes('chosen');

describe('policy principal patterns', () => {
  it('match a qualified pattern against the whole id only: never another source with the same name', () => {
    const everyone = [jwt(ISSUER, 'admin'), jwt(OTHER, 'admin'), key('admin'), introspected('admin')];
    expect(everyone.map((principal) => selected('apikey:admin', principal))).toEqual([false, false, true, false]);
    expect(everyone.map((principal) => selected(`jwt:${ISSUER}#admin`, principal))).toEqual([true, false, false, false]);
    expect(everyone.map((principal) => selected('introspection:admin', principal))).toEqual([false, false, false, true]);
    expect(everyone.map((principal) => selected(`jwt:${OTHER}#*`, principal))).toEqual([false, true, false, false]);
    expect(everyone.map((principal) => selected('apikey:*', principal))).toEqual([false, false, true, false]);
  });

  it('match a bare pattern against the name the credential states', () => {
    expect(selected('svc-*', jwt(ISSUER, 'svc-billing'))).toBe(true);
    expect(selected('svc-*', key('svc-billing'))).toBe(true);
    expect(selected('local', { id: 'local', subject: 'local', scopes: ['*'] })).toBe(true);
    // A custom authenticator's principal without a subject is matched by its id.
    expect(selected('reader', { id: 'reader', scopes: [] })).toBe(true);
  });

  const sources = (overrides: Partial<IdentitySources>): IdentitySources => ({ jwtIssuers: [], introspection: false, apiKeys: false, ...overrides });

  it.each([
    ['one issuer', sources({ jwtIssuers: [ISSUER] })],
    ['API keys only', sources({ apiKeys: true })],
    ['introspection only', sources({ introspection: true })],
    ['no authentication', sources({})],
  ])('accept bare patterns with a single identity source (%s)', (_what, configured) => {
    expect(() => policy('admin').verifyPrincipals(configured)).not.toThrow();
  });

  it.each([
    ['two issuers', sources({ jwtIssuers: [ISSUER, OTHER] }), /2 JWT issuers\), .*write jwt:https:\/\/idp\.example\.com#admin$/],
    ['an issuer and API keys', sources({ jwtIssuers: [ISSUER], apiKeys: true }), /1 JWT issuer, API keys\), .*write apikey:admin or jwt:/],
    ['introspection and API keys', sources({ introspection: true, apiKeys: true }), /token introspection, API keys\), .*write apikey:admin or introspection:admin$/],
  ])('refuse a bare pattern with several identity sources (%s), naming the rule and the forms to write', (_what, configured, message) => {
    let thrown: unknown;
    try {
      policy('admin').verifyPrincipals(configured);
    } catch (error) {
      thrown = error;
    }
    expect(ConfigError.isInstance(thrown)).toBe(true);
    const [problem] = (thrown as ConfigError).problems;
    expect(problem!.setting).toBe('BASTION_POLICY (policy.yaml) rules[0].match.principal[0]');
    expect(problem!.message).toMatch(/^rule chosen names principal admin without its source/);
    expect(problem!.message).toMatch(message);
    expect(() => policy('apikey:admin').verifyPrincipals(configured)).not.toThrow();
  });
});
