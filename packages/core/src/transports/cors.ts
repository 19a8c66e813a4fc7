import type { IncomingMessage, ServerResponse } from 'node:http';

/** Request headers a browser MCP client sends, and response headers it must be able to read. */
const ALLOWED_HEADERS = 'authorization, content-type, accept, mcp-protocol-version, mcp-session-id, mcp-method, mcp-name, last-event-id';
const EXPOSED_HEADERS = 'mcp-session-id, mcp-protocol-version, www-authenticate, retry-after';

export interface CorsPolicy {
  /** Host names of the allowed origins, for the Origin check. */
  readonly hostnames: readonly string[];
  /** Adds the CORS headers for an allowed origin; answers a preflight itself (then false). */
  apply(request: IncomingMessage, response: ServerResponse): boolean;
}

/**
 * Cross-origin access for browser clients, off unless origins are configured. Origins are
 * compared whole (scheme, host and port), and only a configured origin is ever echoed back.
 */
export function corsPolicy(origins: readonly string[]): CorsPolicy {
  const allowed = new Set<string>();
  const hostnames: string[] = [];
  for (const origin of origins) {
    const url = new URL(origin);
    allowed.add(url.origin);
    hostnames.push(url.hostname);
  }
  return {
    hostnames,
    apply(request, response) {
      const origin = request.headers.origin;
      if (allowed.size === 0 || typeof origin !== 'string' || !allowed.has(origin)) return true;
      response.setHeader('access-control-allow-origin', origin);
      response.setHeader('vary', 'Origin');
      response.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
      if (request.method !== 'OPTIONS') return true;
      response.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': '600',
      });
      response.end();
      return false;
    },
  };
}
