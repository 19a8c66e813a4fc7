import type { IncomingMessage } from 'node:http';
import type { Scope } from './scopes.js';

/**
 * Who is calling. `id` is unique across every way in: `apikey:<name>` for an API key,
 * `jwt:<issuer>#<sub>` for a JWT, `introspection:<sub>` for an introspected token, and `local`
 * (stdio) or `anonymous` (HTTP without authentication). Two issuers' `sub: admin`, and an API
 * key named `admin`, are therefore three principals. `subject` is the name the credential
 * itself states (the `sub`, the key's name), without where it came from.
 */
export interface Principal {
  readonly id: string;
  /** Absent from principals of custom authenticators, whose `id` is the name then. */
  readonly subject?: string;
  readonly kind: 'local' | 'anonymous' | 'token' | 'api-key';
  /** For a JWT: the issuer that signed it. */
  readonly issuer?: string;
  readonly scopes: readonly Scope[];
  readonly clientId?: string;
}

/** The user who started a stdio server holds every scope the connector's own credentials allow. */
export const LOCAL_PRINCIPAL: Principal = Object.freeze({ id: 'local', subject: 'local', kind: 'local', scopes: ['*'] });

/** A caller on a loopback HTTP bind with no authentication configured. */
export const ANONYMOUS_PRINCIPAL: Principal = Object.freeze({
  id: 'anonymous',
  subject: 'anonymous',
  kind: 'anonymous',
  scopes: ['*'],
});

/** Where a principal's credential came from, as its qualified id begins. */
export const PRINCIPAL_ID_PREFIXES = ['apikey:', 'jwt:', 'introspection:'] as const;

export function apiKeyPrincipalId(name: string): string {
  return `apikey:${name}`;
}

/** An issuer identifier has no fragment (RFC 8414), so the first `#` ends it. */
export function jwtPrincipalId(issuer: string, subject: string): string {
  return `jwt:${issuer}#${subject}`;
}

export function introspectedPrincipalId(subject: string): string {
  return `introspection:${subject}`;
}

/**
 * Why a request was turned away: 400 for a malformed credential, 401 for a missing or invalid one,
 * 403 for missing scopes, 503 when the credential could not be checked right now (never an allow).
 */
export interface AuthenticationRefusal {
  readonly ok: false;
  readonly status: 400 | 401 | 403 | 503;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export type AuthenticationResult = { readonly ok: true; readonly principal: Principal } | AuthenticationRefusal;

/** Runs in front of the MCP handler on every HTTP request; it decides before any tool runs. */
export interface HttpAuthenticator {
  readonly name: string;
  authenticate(request: IncomingMessage): Promise<AuthenticationResult>;
}
