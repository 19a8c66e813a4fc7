import { configuredResource, configuredUrl } from './resource-url.js';
import type { Scope } from './scopes.js';

export const PROTECTED_RESOURCE_WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** RFC 9728 section 2, the fields Bearer-only MCP servers use. */
export interface ProtectedResourceMetadata {
  readonly resource: string;
  readonly authorization_servers: readonly string[];
  readonly scopes_supported?: readonly Scope[];
  readonly bearer_methods_supported: readonly ['header'];
  readonly resource_name?: string;
  readonly resource_documentation?: string;
}

export interface ProtectedResourceMetadataOptions {
  /** This server's canonical resource URL, e.g. `https://mcp.example.com/mcp`. */
  readonly resource: string;
  /** Issuer identifiers of the authorization servers clients should get tokens from (at least one). */
  readonly authorizationServers: readonly string[];
  readonly scopesSupported: readonly Scope[];
  readonly resourceName?: string;
  /** A page describing how to use this server. */
  readonly documentation?: string;
}

/**
 * The RFC 9728 document served at the well-known URLs. `offline_access` is left out of the scopes
 * (MCP authorization, "Refresh Tokens"): a resource server has no use for it and advertising it
 * makes clients ask for long-lived grants.
 */
export function protectedResourceMetadata(options: ProtectedResourceMetadataOptions): ProtectedResourceMetadata {
  const resource = configuredResource(options.resource);
  if (options.authorizationServers.length === 0) throw new Error('authorizationServers must name at least one authorization server');
  const authorizationServers = options.authorizationServers.map((issuer) => {
    const url = configuredUrl(issuer, 'authorization server');
    if (url.search !== '') throw new Error('an authorization server issuer identifier must not have a query');
    return issuer;
  });
  const scopes = [...new Set(options.scopesSupported.filter((scope) => scope !== 'offline_access'))];
  return {
    resource,
    authorization_servers: [...new Set(authorizationServers)],
    ...(scopes.length > 0 ? { scopes_supported: scopes } : {}),
    bearer_methods_supported: ['header'],
    ...(options.resourceName ? { resource_name: options.resourceName } : {}),
    ...(options.documentation ? { resource_documentation: configuredUrl(options.documentation, 'documentation').href } : {}),
  };
}

export interface MetadataUrls {
  /** Paths to serve the document on: the path-inserted form first (RFC 9728 section 3.1), then the root one. */
  readonly paths: readonly string[];
  /** The absolute URL for `resource_metadata` in challenges, built from the configured resource, never from a request's Host. */
  readonly resourceMetadataUrl: string;
}

export function metadataUrlsFor(resource: string): MetadataUrls {
  const url = new URL(configuredResource(resource));
  const path = url.pathname === '/' ? '' : url.pathname;
  const inserted = `${PROTECTED_RESOURCE_WELL_KNOWN}${path}`;
  return {
    paths: [...new Set([inserted, PROTECTED_RESOURCE_WELL_KNOWN])],
    resourceMetadataUrl: `${url.origin}${inserted}`,
  };
}
