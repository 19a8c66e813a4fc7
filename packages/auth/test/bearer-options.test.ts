import { describe, expect, it } from 'vitest';
import { createBearerAuthenticator } from '../src/index.js';
import type { BearerAuthenticatorOptions } from '../src/index.js';

const RESOURCE = 'https://mcp.example.com/mcp';
const ISSUER = { issuer: 'https://id.example.com', jwksUrl: 'https://id.example.com/jwks' };

function create(options: Partial<BearerAuthenticatorOptions>) {
  return () => createBearerAuthenticator({ resource: RESOURCE, issuers: [ISSUER], ...options });
}

describe('bearer authenticator options', () => {
  it('need at least one way to authenticate', () => {
    expect(() => createBearerAuthenticator({ resource: RESOURCE })).toThrow(/at least one of issuers, introspection or apiKeys/);
    expect(create({ issuers: [] })).toThrow(/at least one trusted issuer/);
  });

  it('fetch keys only over https (or http on loopback)', () => {
    expect(create({ issuers: [{ issuer: 'https://id.example.com', jwksUrl: 'http://id.example.com/jwks' }] })).toThrow(/must use https/);
    expect(create({ issuers: [{ issuer: 'https://id.example.com', jwksUrl: 'file:///etc/passwd' }] })).toThrow(/must use https/);
    expect(create({ issuers: [{ issuer: 'https://id.example.com', jwksUrl: 'http://127.0.0.1:9/jwks' }] })).not.toThrow();
    expect(create({ issuers: [ISSUER, ISSUER] })).toThrow(/configured twice/);
  });

  it('take a well-formed resource URL', () => {
    for (const resource of ['mcp.example.com', 'https://mcp.example.com/mcp#x', 'https://mcp.example.com/mcp?tenant=a', 'http://mcp.example.com/mcp']) {
      expect(create({ resource })).toThrow(/resource/);
    }
    expect(createBearerAuthenticator({ resource: 'https://MCP.example.com/mcp/', issuers: [ISSUER] }).resource).toBe(RESOURCE);
  });

  it('allow only asymmetric algorithms and sane clock settings', () => {
    expect(create({ algorithms: ['HS256'] })).toThrow(/"HS256" is not accepted/);
    expect(create({ algorithms: ['none'] })).toThrow(/"none" is not accepted/);
    expect(create({ algorithms: ['ES256', 'EdDSA', 'Ed25519'] })).not.toThrow();
    expect(create({ clockToleranceSeconds: -1 })).toThrow(/clockToleranceSeconds/);
    expect(create({ maxTokenAgeSeconds: 0 })).toThrow(/maxTokenAgeSeconds/);
  });

  it('check required scopes when they are configured, not on the first request', () => {
    expect(create({ requiredScopes: ['items:read"'] })).toThrow(/scope token/);
    expect(create({ challengeScopes: ['a b'] })).toThrow(/scope token/);
  });
});
