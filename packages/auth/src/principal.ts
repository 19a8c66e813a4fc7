import type { IncomingMessage } from 'node:http';
import type { Scope } from './scopes.js';

/** Who is calling: the subject of a token, the name of an API key, or the local user on stdio. */
export interface Principal {
  readonly id: string;
  readonly kind: 'local' | 'anonymous' | 'token' | 'api-key';
  readonly scopes: readonly Scope[];
  readonly clientId?: string;
}

/** The user who started a stdio server holds every scope the connector's own credentials allow. */
export const LOCAL_PRINCIPAL: Principal = Object.freeze({ id: 'local', kind: 'local', scopes: ['*'] });

/** A caller on a loopback HTTP bind with no authentication configured. */
export const ANONYMOUS_PRINCIPAL: Principal = Object.freeze({
  id: 'anonymous',
  kind: 'anonymous',
  scopes: ['*'],
});

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
