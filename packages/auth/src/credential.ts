import type { IncomingMessage } from 'node:http';
import { API_KEY_PREFIX } from './api-keys.js';

/** RFC 6750 section 2.1 `b64token`. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const AUTH_SCHEME = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?: +(.*))?$/;
const VISIBLE_ASCII = /^[\x20-\x7e]*$/;
const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;
/** Query parameters clients and libraries use for credentials (RFC 6750 section 2.3 names `access_token`). */
const CREDENTIAL_PARAMETERS = new Set([
  'access_token',
  'token',
  'id_token',
  'refresh_token',
  'bearer',
  'auth',
  'authorization',
  'jwt',
  'key',
  'api_key',
  'apikey',
  'api-key',
  'x-api-key',
]);

export type PresentedCredential =
  | { readonly kind: 'none' }
  | { readonly kind: 'other-scheme' }
  | { readonly kind: 'malformed'; readonly description: string }
  | { readonly kind: 'bearer'; readonly token: string; readonly via: 'authorization' | 'x-api-key' };

/**
 * True when the URL's query carries something that is or names a credential. Such a request is
 * refused outright (MCP authorization: tokens MUST NOT be in the query string): the URL may
 * already be in a proxy's access log, and accepting it would teach clients to keep doing it.
 */
export function queryCarriesCredential(rawUrl: string | undefined): boolean {
  const start = rawUrl?.indexOf('?') ?? -1;
  if (!rawUrl || start < 0) return false;
  for (const [name, value] of new URLSearchParams(rawUrl.slice(start + 1))) {
    if (CREDENTIAL_PARAMETERS.has(name.toLowerCase())) return true;
    if (JWT_SHAPE.test(value) || value.startsWith(API_KEY_PREFIX) || /^bearer\s/i.test(value)) return true;
  }
  return false;
}

function malformed(description: string): PresentedCredential {
  return { kind: 'malformed', description };
}

function fromAuthorization(value: string): PresentedCredential {
  if (!VISIBLE_ASCII.test(value)) return malformed('the Authorization header must be printable ASCII');
  const match = AUTH_SCHEME.exec(value);
  if (!match) return malformed('the Authorization header must look like "Bearer <token>"');
  if (match[1]!.toLowerCase() !== 'bearer') return { kind: 'other-scheme' };
  const token = match[2] ?? '';
  if (token === '') return malformed('the Authorization header has no token after "Bearer"');
  if (token.includes(' ')) return malformed('the Authorization header must carry exactly one token');
  if (!B64TOKEN.test(token)) return malformed('the bearer token has characters a token cannot have');
  return { kind: 'bearer', token, via: 'authorization' };
}

function fromApiKeyHeader(value: string): PresentedCredential {
  if (value === '' || !VISIBLE_ASCII.test(value) || value.includes(' ')) return malformed('the X-API-Key header must be one API key');
  return { kind: 'bearer', token: value, via: 'x-api-key' };
}

/**
 * The one credential a request carries. Node keeps only the first of repeated Authorization
 * headers in `headers`, so the distinct values are read: two credentials are refused, never
 * resolved by picking one (a proxy and the server could pick differently).
 */
export function readCredential(request: IncomingMessage, options: { readonly apiKeyHeader: boolean }): PresentedCredential {
  const authorization = request.headersDistinct.authorization ?? [];
  const apiKey = options.apiKeyHeader ? (request.headersDistinct['x-api-key'] ?? []) : [];
  if (authorization.length + apiKey.length === 0) return { kind: 'none' };
  if (authorization.length + apiKey.length > 1) {
    return malformed(options.apiKeyHeader ? 'send one credential: one Authorization header or one X-API-Key header' : 'send one Authorization header');
  }
  return authorization.length === 1 ? fromAuthorization(authorization[0]!) : fromApiKeyHeader(apiKey[0]!);
}

/** A compact JWS: three base64url segments, so it is verified locally rather than introspected. */
export function looksLikeJwt(token: string): boolean {
  return JWT_SHAPE.test(token);
}
