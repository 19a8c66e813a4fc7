import { describe, expect, it } from 'vitest';
import {
  bearerChallenge,
  canonicalResource,
  createBearerAuthenticator,
  insufficientScope,
  metadataUrlsFor,
  protectedResourceMetadata,
} from '../src/index.js';

describe('protected resource metadata (RFC 9728)', () => {
  it('describes the resource, its authorization servers and header-only bearer tokens, without offline_access', () => {
    expect(
      protectedResourceMetadata({
        resource: 'https://MCP.example.com/mcp/',
        authorizationServers: ['https://id.example.com', 'https://id.example.com', 'https://login.example.org/tenant/v2.0'],
        scopesSupported: ['items:read', 'offline_access', 'items:write', 'items:read'],
        resourceName: 'Bastion items',
        documentation: 'https://docs.example.com/bastion',
      }),
    ).toEqual({
      resource: 'https://mcp.example.com/mcp',
      authorization_servers: ['https://id.example.com', 'https://login.example.org/tenant/v2.0'],
      scopes_supported: ['items:read', 'items:write'],
      bearer_methods_supported: ['header'],
      resource_name: 'Bastion items',
      resource_documentation: 'https://docs.example.com/bastion',
    });
    const minimal = protectedResourceMetadata({ resource: 'https://mcp.example.com/mcp', authorizationServers: ['https://id.example.com'], scopesSupported: ['offline_access'] });
    expect(minimal).toEqual({ resource: 'https://mcp.example.com/mcp', authorization_servers: ['https://id.example.com'], bearer_methods_supported: ['header'] });
  });

  it('refuses documents that would mislead clients', () => {
    const base = { resource: 'https://mcp.example.com/mcp', authorizationServers: ['https://id.example.com'], scopesSupported: [] };
    expect(() => protectedResourceMetadata({ ...base, authorizationServers: [] })).toThrow(/at least one/);
    expect(() => protectedResourceMetadata({ ...base, authorizationServers: ['http://id.example.com'] })).toThrow(/https/);
    expect(() => protectedResourceMetadata({ ...base, authorizationServers: ['https://id.example.com?tenant=1'] })).toThrow(/query/);
    expect(() => protectedResourceMetadata({ ...base, resource: 'https://mcp.example.com/mcp#top' })).toThrow(/fragment/);
    expect(() => protectedResourceMetadata({ ...base, resource: 'https://mcp.example.com/mcp?x=1' })).toThrow(/query/);
    expect(() => protectedResourceMetadata({ ...base, resource: 'http://mcp.example.com/mcp' })).toThrow(/https/);
    expect(() => protectedResourceMetadata({ ...base, resource: 'https://user:pw@mcp.example.com/mcp' })).toThrow(/credentials/);
    expect(protectedResourceMetadata({ ...base, resource: 'http://127.0.0.1:8080/mcp' }).resource).toBe('http://127.0.0.1:8080/mcp');
  });

  it('gives the path-inserted and root well-known paths, and an absolute metadata URL', () => {
    expect(metadataUrlsFor('https://mcp.example.com/mcp')).toEqual({
      paths: ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource'],
      resourceMetadataUrl: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
    });
    expect(metadataUrlsFor('https://MCP.example.com:8443/tenants/acme/mcp/')).toEqual({
      paths: ['/.well-known/oauth-protected-resource/tenants/acme/mcp', '/.well-known/oauth-protected-resource'],
      resourceMetadataUrl: 'https://mcp.example.com:8443/.well-known/oauth-protected-resource/tenants/acme/mcp',
    });
    expect(metadataUrlsFor('https://mcp.example.com/')).toEqual({
      paths: ['/.well-known/oauth-protected-resource'],
      resourceMetadataUrl: 'https://mcp.example.com/.well-known/oauth-protected-resource',
    });
  });

  it('canonicalises resource URLs as the MCP spec says', () => {
    expect(canonicalResource('HTTPS://MCP.Example.com:443/mcp/')).toBe('https://mcp.example.com/mcp');
    expect(canonicalResource('https://mcp.example.com')).toBe('https://mcp.example.com');
    expect(canonicalResource('https://mcp.example.com/Mcp')).toBe('https://mcp.example.com/Mcp');
    for (const bad of ['https://mcp.example.com/mcp#', 'mcp.example.com/mcp', 'ftp://mcp.example.com', 'https://a@mcp.example.com', 'https://mcp.example.com\\mcp', 'https://mcp.exämple.com']) {
      expect(canonicalResource(bad)).toBeUndefined();
    }
  });
});

describe('challenges', () => {
  it('builds the 403 insufficient_scope challenge for a scope list', () => {
    const metadata = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';
    expect(insufficientScope(['files:read', 'files:write'], metadata)).toEqual({
      ok: false,
      status: 403,
      message: 'the access token lacks the scopes this request needs: files:read files:write',
      headers: {
        'www-authenticate': `Bearer error="insufficient_scope", error_description="the access token lacks the scopes this request needs", scope="files:read files:write", resource_metadata="${metadata}"`,
      },
    });
    const auth = createBearerAuthenticator({ resource: 'https://mcp.example.com/mcp', issuers: [{ issuer: 'https://id.example.com', jwksUrl: 'https://id.example.com/jwks' }] });
    expect(auth.insufficientScope(['files:read', 'files:write'])).toEqual(insufficientScope(['files:read', 'files:write'], metadata));
    expect(auth.metadataUrls).toEqual(metadataUrlsFor('https://mcp.example.com/mcp'));
    expect(auth.resource).toBe('https://mcp.example.com/mcp');
  });

  it('cannot be broken out of by a scope or a description', () => {
    expect(() => bearerChallenge({ scopes: ['a:read", error="x'] })).toThrow(/scope token/);
    expect(() => insufficientScope(['a\\b'])).toThrow(/scope token/);
    expect(() => bearerChallenge({ resourceMetadataUrl: 'https://x/"y' })).toThrow(/quotes/);
    expect(bearerChallenge({ error: 'invalid_token', description: 'say "hi"\n\\ ok' })).toBe(
      'Bearer error="invalid_token", error_description="say ?hi??? ok"',
    );
  });
});
