import { API_KEY_PREFIX, apiKeyVerifier } from './api-keys.js';
import type { ApiKeyEntry } from './api-keys.js';
import { bearerChallenge, insufficientScope, invalidRequest, invalidToken, missingCredentials, temporarilyUnavailable } from './challenge.js';
import type { ChallengeContext } from './challenge.js';
import { looksLikeJwt, queryCarriesCredential, readCredential } from './credential.js';
import { introspector } from './introspection.js';
import type { IntrospectionOptions } from './introspection.js';
import { checkedAlgorithms, DEFAULT_ALGORITHMS, jwtVerifier } from './jwt-verifier.js';
import type { JwksOptions, TrustedIssuer } from './jwt-verifier.js';
import type { AuthenticationRefusal, AuthenticationResult, HttpAuthenticator } from './principal.js';
import { metadataUrlsFor } from './resource-metadata.js';
import type { MetadataUrls } from './resource-metadata.js';
import { configuredResource } from './resource-url.js';
import { hasScopes } from './scopes.js';
import type { Scope } from './scopes.js';
import { refused } from './token-claims.js';
import type { TokenCache } from './token-cache.js';
import type { TokenCheck } from './token-claims.js';

export interface BearerAuthenticatorOptions {
  /** This server's canonical resource URL (e.g. `https://mcp.example.com/mcp`); tokens must name it as audience. */
  readonly resource: string;
  /** Authorization servers whose JWTs are accepted; a token's `iss` picks one, any other issuer is refused. */
  readonly issuers?: readonly TrustedIssuer[];
  /** JWS algorithms accepted; asymmetric only. Default RS*, PS*, ES*, EdDSA. */
  readonly algorithms?: readonly string[];
  /** Allowed clock skew for exp, nbf and iat. Default 30. */
  readonly clockToleranceSeconds?: number;
  /** Refuse JWTs whose `iat` is older than this (they then need `iat`). */
  readonly maxTokenAgeSeconds?: number;
  readonly jwks?: JwksOptions;
  /** Where verified JWTs are remembered (by hash) so each is signature-checked once per TTL; default 60 s, 10,000 tokens. */
  readonly jwtCache?: TokenCache;
  /** RFC 7662 introspection for opaque tokens. */
  readonly introspection?: IntrospectionOptions;
  /** Static API keys (`bsk_...`), stored as hashes. */
  readonly apiKeys?: readonly ApiKeyEntry[];
  /** Also take an API key from `X-API-Key` (some clients cannot set Authorization). Default false. */
  readonly apiKeyHeader?: boolean;
  /** Scopes every request needs; per-tool scopes are checked later by the core. */
  readonly requiredScopes?: readonly Scope[];
  /** Scopes named in the 401 challenge to a request without credentials. Default: requiredScopes. */
  readonly challengeScopes?: readonly Scope[];
  /** Told when a JWKS or introspection endpoint fails (for logging); the request is refused either way. */
  readonly onError?: (event: { readonly source: 'jwks' | 'introspection'; readonly error: unknown }) => void;
}

export interface BearerAuthenticator extends HttpAuthenticator {
  /** The canonical resource URL. */
  readonly resource: string;
  /** Where to serve the RFC 9728 document; `resource_metadata` in every challenge (when OAuth is configured). */
  readonly metadataUrls: MetadataUrls;
  /** The 403 for a request whose principal lacks `scopes` (name every scope the operation needs). */
  insufficientScope(scopes: readonly Scope[]): AuthenticationRefusal;
}

type Verify = (token: string) => Promise<TokenCheck>;

/**
 * The HTTP authenticator for a remote deployment: OAuth 2.1 bearer JWTs (jose + configured JWKS),
 * opaque tokens by introspection, and static API keys. Every refusal carries an RFC 6750 / RFC 9728
 * challenge and a short reason that never contains the credential.
 */
export function createBearerAuthenticator(options: BearerAuthenticatorOptions): BearerAuthenticator {
  const resource = configuredResource(options.resource);
  const metadataUrls = metadataUrlsFor(resource);
  const tolerance = options.clockToleranceSeconds ?? 30;
  if (!(tolerance >= 0 && tolerance <= 600)) throw new Error('clockToleranceSeconds must be between 0 and 600');
  if (options.maxTokenAgeSeconds !== undefined && !(options.maxTokenAgeSeconds > 0)) throw new Error('maxTokenAgeSeconds must be positive');
  const usesOAuth = options.issuers !== undefined || options.introspection !== undefined;
  if (!usesOAuth && options.apiKeys === undefined) {
    throw new Error('bearer authentication needs at least one of issuers, introspection or apiKeys');
  }
  const requiredScopes = [...(options.requiredScopes ?? [])];
  const context: ChallengeContext = {
    // Without an authorization server there is no metadata to point clients at.
    ...(usesOAuth ? { resourceMetadataUrl: metadataUrls.resourceMetadataUrl } : {}),
    challengeScopes: [...(options.challengeScopes ?? requiredScopes)],
  };
  const onError = options.onError;

  const verifyJwt: Verify | undefined = options.issuers
    ? jwtVerifier({
        resource,
        issuers: options.issuers,
        algorithms: checkedAlgorithms(options.algorithms ?? DEFAULT_ALGORITHMS),
        clockToleranceSeconds: tolerance,
        ...(options.maxTokenAgeSeconds !== undefined ? { maxTokenAgeSeconds: options.maxTokenAgeSeconds } : {}),
        ...(options.jwks ? { jwks: options.jwks } : {}),
        ...(options.jwtCache ? { cache: options.jwtCache } : {}),
        ...(onError ? { onError: (error: unknown) => onError({ source: 'jwks', error }) } : {}),
      })
    : undefined;
  const introspect: Verify | undefined = options.introspection
    ? introspector({
        ...options.introspection,
        resource,
        clockToleranceSeconds: tolerance,
        ...(onError ? { onError: (error: unknown) => onError({ source: 'introspection', error }) } : {}),
      })
    : undefined;
  const findKey = options.apiKeys ? apiKeyVerifier(options.apiKeys) : undefined;
  // Built now so a bad scope in config fails at start, not on the first refusal.
  insufficientScope(requiredScopes, context.resourceMetadataUrl);
  bearerChallenge({ resourceMetadataUrl: context.resourceMetadataUrl, scopes: context.challengeScopes });

  async function check(token: string, viaApiKeyHeader: boolean): Promise<TokenCheck> {
    if (viaApiKeyHeader || token.startsWith(API_KEY_PREFIX)) {
      if (!findKey) return refused('this server does not accept API keys');
      const principal = findKey(token);
      return principal ? { ok: true, principal } : refused('the API key is not valid');
    }
    if (looksLikeJwt(token) && verifyJwt) return verifyJwt(token);
    if (introspect) return introspect(token);
    return refused(verifyJwt ? 'the token is not a JWT' : 'this server accepts only API keys');
  }

  return {
    name: 'bearer',
    resource,
    metadataUrls,
    insufficientScope: (scopes) => insufficientScope(scopes, context.resourceMetadataUrl),
    async authenticate(request): Promise<AuthenticationResult> {
      if (queryCarriesCredential(request.url)) {
        return invalidRequest(context, 'credentials are not accepted in the URL query; send them in the Authorization header');
      }
      const credential = readCredential(request, { apiKeyHeader: options.apiKeyHeader === true });
      if (credential.kind === 'none') return missingCredentials(context, 'authentication required: send Authorization: Bearer <token>');
      if (credential.kind === 'other-scheme') {
        return missingCredentials(context, 'this server takes only Bearer credentials: send Authorization: Bearer <token>');
      }
      if (credential.kind === 'malformed') return invalidRequest(context, credential.description);
      const result = await check(credential.token, credential.via === 'x-api-key');
      if (!result.ok) {
        return result.unavailable ? temporarilyUnavailable(result.description) : invalidToken(context, result.description);
      }
      if (!hasScopes(result.principal.scopes, requiredScopes)) return insufficientScope(requiredScopes, context.resourceMetadataUrl);
      return { ok: true, principal: result.principal };
    },
  };
}
