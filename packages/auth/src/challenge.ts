import type { AuthenticationRefusal } from './principal.js';
import type { Scope } from './scopes.js';

/** RFC 6749 scope-token characters (no space, quote or backslash): safe inside a quoted value. */
const QUOTE_SAFE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
/** RFC 6750 error_description characters. */
const DESCRIPTION_CHARS = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;

export type BearerError = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

export interface BearerChallengeParams {
  /** The absolute RFC 9728 metadata URL; omitted when the server publishes none (API keys only). */
  readonly resourceMetadataUrl?: string;
  /** Absent on a request that carried no credential at all (RFC 6750 section 3.1). */
  readonly error?: BearerError;
  readonly description?: string;
  readonly scopes?: readonly Scope[];
}

function checkedScopes(scopes: readonly Scope[]): string {
  for (const scope of scopes) {
    if (!QUOTE_SAFE.test(scope)) throw new Error(`scope "${scope}" has characters a scope token cannot have`);
  }
  return scopes.join(' ');
}

/** A `WWW-Authenticate: Bearer ...` value (RFC 6750 section 3, RFC 9728 section 5.1). */
export function bearerChallenge(params: BearerChallengeParams): string {
  const parts: string[] = [];
  if (params.error) parts.push(`error="${params.error}"`);
  if (params.error && params.description) parts.push(`error_description="${params.description.replace(DESCRIPTION_CHARS, '?')}"`);
  if (params.scopes && params.scopes.length > 0) parts.push(`scope="${checkedScopes(params.scopes)}"`);
  if (params.resourceMetadataUrl) {
    if (!QUOTE_SAFE.test(params.resourceMetadataUrl)) throw new Error('resource_metadata must be a URL without quotes or spaces');
    parts.push(`resource_metadata="${params.resourceMetadataUrl}"`);
  }
  return parts.length === 0 ? 'Bearer' : `Bearer ${parts.join(', ')}`;
}

export interface ChallengeContext {
  readonly resourceMetadataUrl?: string;
  /** Scopes a client should ask for, sent with the 401 for a request without credentials. */
  readonly challengeScopes?: readonly Scope[];
}

function refusal(status: AuthenticationRefusal['status'], message: string, challenge: string): AuthenticationRefusal {
  return { ok: false, status, message, headers: { 'www-authenticate': challenge } };
}

/** 401 without an error code: the client did not try (or used a scheme this server does not take). */
export function missingCredentials(context: ChallengeContext, message: string): AuthenticationRefusal {
  return refusal(401, message, bearerChallenge({ resourceMetadataUrl: context.resourceMetadataUrl, scopes: context.challengeScopes }));
}

/** 400: the credential is malformed, sent twice or in the URL. */
export function invalidRequest(context: ChallengeContext, description: string): AuthenticationRefusal {
  return refusal(400, description, bearerChallenge({ resourceMetadataUrl: context.resourceMetadataUrl, error: 'invalid_request', description }));
}

/** 401: expired, revoked, for another audience, badly signed, unknown key... */
export function invalidToken(context: ChallengeContext, description: string): AuthenticationRefusal {
  return refusal(401, description, bearerChallenge({ resourceMetadataUrl: context.resourceMetadataUrl, error: 'invalid_token', description }));
}

/**
 * 403 naming every scope the operation needs (not only the missing ones), in one challenge, so a
 * client can step up once (MCP authorization, "Runtime Insufficient Scope Errors").
 */
export function insufficientScope(scopes: readonly Scope[], resourceMetadataUrl?: string): AuthenticationRefusal {
  const needed = checkedScopes(scopes);
  const description = 'the access token lacks the scopes this request needs';
  return refusal(
    403,
    `${description}: ${needed}`,
    bearerChallenge({ resourceMetadataUrl, error: 'insufficient_scope', description, scopes }),
  );
}

/** 503: the credential could not be checked right now; never an allow. */
export function temporarilyUnavailable(description: string, retryAfterSeconds = 5): AuthenticationRefusal {
  return { ok: false, status: 503, message: description, headers: { 'retry-after': String(retryAfterSeconds) } };
}
