const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/** 127.0.0.0/8, ::1 and localhost: the only hosts where plain http is acceptable (tests, sidecars). */
export function isLoopbackHostname(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * The canonical form of a resource URL (MCP "Canonical Server URI", RFC 8707): lower-case scheme
 * and host (the URL parser does that), no default port, no trailing slash. Undefined for anything
 * that is not a plain absolute http(s) URL: a fragment, credentials, whitespace, a backslash or a
 * non-ASCII character never match, so lenient parsing cannot make two different strings equal.
 */
export function canonicalResource(value: string): string | undefined {
  if (!PRINTABLE_ASCII.test(value) || value.includes('#') || value.includes('\\')) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  const path = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
  return `${url.protocol}//${url.host}${path}${url.search}`;
}

/**
 * A URL from configuration that the server will call or publish (JWKS, introspection, an
 * authorization server, its own resource URL): https, or http on a loopback host only; no
 * credentials, no fragment. Throws a message naming the setting, never a secret.
 */
export function configuredUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${what} must be an absolute URL (got "${value}")`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHostname(url.hostname))) {
    throw new Error(`${what} must use https (plain http only on a loopback host); got "${url.origin}"`);
  }
  if (url.username !== '' || url.password !== '') throw new Error(`${what} must not carry credentials in the URL`);
  if (value.includes('#')) throw new Error(`${what} must not have a fragment`);
  return url;
}

/** This server's resource URL from configuration, canonicalised; no query, so the RFC 9728 well-known URL is unambiguous. */
export function configuredResource(value: string): string {
  const url = configuredUrl(value, 'resource');
  if (url.search !== '' || value.includes('?')) throw new Error('resource must not have a query component');
  const canonical = canonicalResource(value);
  if (!canonical) throw new Error(`resource must be a plain absolute URL (got "${value}")`);
  return canonical;
}

/**
 * Matches a token's `aud` (a string or an array, RFC 7519) against the accepted audiences: URLs
 * compare canonically (so `https://MCP.example.com/mcp/` names `https://mcp.example.com/mcp`),
 * anything else (an IdP's `api://...` identifier) must be equal.
 */
export function audienceMatcher(accepted: readonly string[]): (audience: unknown) => boolean {
  const exact = new Set(accepted);
  const canonical = new Set(accepted.map(canonicalResource).filter((value): value is string => value !== undefined));
  return (audience) => {
    const values: unknown[] = typeof audience === 'string' ? [audience] : Array.isArray(audience) ? audience : [];
    return values.some((value) => {
      if (typeof value !== 'string') return false;
      if (exact.has(value)) return true;
      const form = canonicalResource(value);
      return form !== undefined && canonical.has(form);
    });
  };
}
