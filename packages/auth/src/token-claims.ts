import { introspectedPrincipalId, jwtPrincipalId } from './principal.js';
import type { Principal } from './principal.js';

/** What an OAuth token tells about its holder, from JWT claims or an RFC 7662 introspection response. */
export interface TokenClaims {
  readonly sub?: unknown;
  readonly scope?: unknown;
  readonly scp?: unknown;
  readonly client_id?: unknown;
  readonly azp?: unknown;
}

export type TokenCheck =
  | { readonly ok: true; readonly principal: Principal }
  /** `unavailable`: the token could not be checked right now (the endpoint failed), not that it is bad. */
  | { readonly ok: false; readonly unavailable?: boolean; readonly description: string };

export function refused(description: string): TokenCheck {
  return { ok: false, description };
}

function splitScopes(value: string): string[] {
  return value.split(' ').filter((scope) => scope !== '');
}

/** `scope` (RFC 8693 / 9068: space separated) or `scp` (Entra, Okta: an array or a string); undefined when malformed. */
function scopesOf(claims: TokenClaims): string[] | undefined {
  if (claims.scope !== undefined) return typeof claims.scope === 'string' ? splitScopes(claims.scope) : undefined;
  if (claims.scp === undefined) return [];
  if (typeof claims.scp === 'string') return splitScopes(claims.scp);
  if (Array.isArray(claims.scp) && claims.scp.every((scope) => typeof scope === 'string' && scope !== '' && !scope.includes(' '))) {
    return [...(claims.scp as string[])];
  }
  return undefined;
}

function clientIdOf(claims: TokenClaims): string | undefined {
  if (typeof claims.client_id === 'string' && claims.client_id !== '') return claims.client_id;
  if (typeof claims.azp === 'string' && claims.azp !== '') return claims.azp;
  return undefined;
}

/** Where a token was checked: the trusted issuer that signed a JWT, or the introspection endpoint. */
export type TokenSource = { readonly kind: 'jwt'; readonly issuer: string } | { readonly kind: 'introspection' };

/** The principal a checked token stands for; its id says where the token came from. */
export function principalFromClaims(claims: TokenClaims, source: TokenSource): TokenCheck {
  if (typeof claims.sub !== 'string' || claims.sub === '') return refused('the token names no subject (sub)');
  const scopes = scopesOf(claims);
  if (!scopes) return refused('the token\'s scope claim is malformed');
  const clientId = clientIdOf(claims);
  const principal: Principal = {
    id: source.kind === 'jwt' ? jwtPrincipalId(source.issuer, claims.sub) : introspectedPrincipalId(claims.sub),
    subject: claims.sub,
    kind: 'token',
    ...(source.kind === 'jwt' ? { issuer: source.issuer } : {}),
    scopes,
    ...(clientId ? { clientId } : {}),
  };
  return { ok: true, principal: Object.freeze(principal) };
}
