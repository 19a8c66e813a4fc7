import { findExcessJsonNesting, MAX_JSON_DEPTH } from '@bastion-mcp/schema';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { audienceMatcher, configuredUrl } from './resource-url.js';
import { principalFromClaims, refused } from './token-claims.js';
import type { TokenCheck } from './token-claims.js';
import { TokenCache, tokenCacheKey } from './token-cache.js';

type Jose = typeof import('jose');
let jose: Promise<Jose> | undefined;
/** jose costs ~80 ms to load: servers load it with the first token, not at start (stdio never does). */
const loadJose = (): Promise<Jose> => (jose ??= import('jose'));

/** Asymmetric JWS algorithms; a server holding only public keys can verify nothing else. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

export const DEFAULT_ALGORITHMS: readonly string[] = ASYMMETRIC_ALGORITHMS.filter((alg) => alg !== 'Ed25519');

/** An authorization server whose tokens this server accepts. */
export interface TrustedIssuer {
  /** Its issuer identifier, compared exactly with the token's `iss`. */
  readonly issuer: string;
  /** Where its signing keys are published; the only place keys are ever fetched from for it. */
  readonly jwksUrl: string;
  /** Accepted `aud` values when the IdP cannot put the resource URL there (e.g. `api://bastion`); default: the resource. */
  readonly audience?: string | readonly string[];
}

export interface JwksOptions {
  /** Abort a JWKS fetch after this long. Default 5000. */
  readonly timeoutMs?: number;
  /** After a fetch, an unknown `kid` triggers another one only once this has passed. Default 30000. */
  readonly cooldownMs?: number;
  /** Refetch keys at least this often, so removed keys stop working. Default 600000. */
  readonly cacheMaxAgeMs?: number;
}

export interface JwtVerifierOptions {
  /** Canonical resource URL of this server. */
  readonly resource: string;
  readonly issuers: readonly TrustedIssuer[];
  readonly algorithms: readonly string[];
  readonly clockToleranceSeconds: number;
  readonly maxTokenAgeSeconds?: number;
  readonly jwks?: JwksOptions;
  /**
   * Tokens already verified, so a client sending the same token with every request pays for one
   * signature check per token and TTL, not per request. Default: a TokenCache (60 s, 10,000 tokens).
   */
  readonly cache?: TokenCache;
  readonly onError?: (error: unknown) => void;
}

interface IssuerVerifier {
  readonly issuer: string;
  /** The issuer's key set, made on first use (jose's cache lives in it). */
  keys(): Promise<JWTVerifyGetKey>;
  readonly audience: (aud: unknown) => boolean;
  readonly audienceHint: string;
}

/** `typ` values accepted: RFC 9068 access tokens, and plain JWTs from IdPs that do not set at+jwt. */
const ACCEPTED_TYPES = new Set(['at+jwt', 'jwt']);

function acceptedType(typ: unknown): boolean {
  if (typ === undefined) return true;
  if (typeof typ !== 'string') return false;
  const lower = typ.toLowerCase();
  return ACCEPTED_TYPES.has(lower.startsWith('application/') ? lower.slice('application/'.length) : lower);
}

export function checkedAlgorithms(algorithms: readonly string[]): readonly string[] {
  if (algorithms.length === 0) throw new Error('algorithms must allow at least one algorithm');
  const allowed = new Set<string>(ASYMMETRIC_ALGORITHMS);
  const refusedAlgs = algorithms.filter((alg) => !allowed.has(alg));
  if (refusedAlgs.length > 0) {
    throw new Error(
      `algorithms may only name asymmetric signatures (${ASYMMETRIC_ALGORITHMS.join(', ')}); ` +
        `"${refusedAlgs.join('", "')}" is not accepted (none and HS* can be forged by anyone who knows the public key)`,
    );
  }
  return [...new Set(algorithms)];
}

function issuerVerifier(entry: TrustedIssuer, resource: string, jwks: JwksOptions): IssuerVerifier {
  if (typeof entry.issuer !== 'string' || entry.issuer === '') throw new Error('every issuer needs an issuer identifier');
  const url = configuredUrl(entry.jwksUrl, `jwksUrl of issuer ${entry.issuer}`);
  const accepted = entry.audience === undefined ? [resource] : typeof entry.audience === 'string' ? [entry.audience] : [...entry.audience];
  if (accepted.length === 0 || accepted.some((aud) => aud === '')) throw new Error(`audience of issuer ${entry.issuer} must not be empty`);
  let keys: Promise<JWTVerifyGetKey> | undefined;
  return {
    issuer: entry.issuer,
    // jose caches the set, refetches on an unknown kid after the cooldown (key rotation) and
    // never follows redirects; it ignores jku, x5u and embedded jwk headers.
    keys: () =>
      (keys ??= loadJose().then(({ createRemoteJWKSet }) =>
        createRemoteJWKSet(url, {
          // Stryker disable next-line LogicalOperator: jose's own default is the same 5 s
          timeoutDuration: jwks.timeoutMs ?? 5_000,
          // Stryker disable next-line LogicalOperator: jose's own default is the same 30 s
          cooldownDuration: jwks.cooldownMs ?? 30_000,
          cacheMaxAge: jwks.cacheMaxAgeMs ?? 600_000,
        }),
      )),
    audience: audienceMatcher(accepted),
    audienceHint: accepted.join(' or '),
  };
}

/** Refusal text for a jose error: fixed sentences, never jose's own message or any claim value. */
function describe({ errors }: Jose, error: unknown, onError: ((error: unknown) => void) | undefined): TokenCheck {
  if (error instanceof errors.JWTExpired) {
    return refused(error.claim === 'iat' ? 'the token is older than this server accepts' : 'the token has expired');
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return refused(`the token lacks the required ${error.claim} claim`);
    if (error.claim === 'nbf') return refused('the token is not valid yet');
    if (error.claim === 'iat') return refused('the token was issued in the future');
    // Stryker disable next-line all: unreachable while the verifier is picked by the token's own iss; kept so a change there cannot yield the generic message
    if (error.claim === 'iss') return refused('the token was issued by an issuer this server does not trust');
    return refused(`the token's ${error.claim} claim is not acceptable`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return refused('the token is signed with an algorithm this server does not accept');
  if (error instanceof errors.JWSSignatureVerificationFailed) return refused('the token signature is invalid');
  if (error instanceof errors.JWKSNoMatchingKey) return refused('the token is signed with a key its issuer does not publish');
  if (error instanceof errors.JWKSMultipleMatchingKeys) return refused('the token does not say which of its issuer\'s keys signed it (kid)');
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) {
    return refused('the token is not a well-formed JWT');
  }
  // Anything else means the keys could not be fetched or parsed (timeout, refused, not 200,
  // not a JWKS): the token cannot be verified, so it is refused.
  onError?.(error);
  return refused('the token could not be verified: its issuer\'s signing keys are unavailable right now');
}

/**
 * Whether the JWT's header or claims nest deeper than MAX_JSON_DEPTH. Checked on the decoded text
 * before jose parses anything: until the signature is checked, the claims are anyone's.
 */
function nestsTooDeeply(token: string): boolean {
  // Stryker disable next-line StringLiteral: split always yields the header, and a missing claims part decodes to text without brackets either way
  const [header = '', claims = ''] = token.split('.', 2);
  return [header, claims].some((segment) => findExcessJsonNesting(Buffer.from(segment, 'base64url').toString('utf8'), MAX_JSON_DEPTH) !== undefined);
}

/** Verifies a JWT access token against the trusted issuer its `iss` names. */
export function jwtVerifier(options: JwtVerifierOptions): (token: string) => Promise<TokenCheck> {
  if (options.issuers.length === 0) throw new Error('issuers must name at least one trusted issuer');
  const byIssuer = new Map<string, IssuerVerifier>();
  for (const entry of options.issuers) {
    if (byIssuer.has(entry.issuer)) throw new Error(`issuer ${entry.issuer} is configured twice`);
    byIssuer.set(entry.issuer, issuerVerifier(entry, options.resource, options.jwks ?? {}));
  }
  const algorithms = [...options.algorithms];
  const tolerance = options.clockToleranceSeconds;
  const cache = options.cache ?? new TokenCache();

  const verify = async (token: string): Promise<{ check: TokenCheck; trustedUntilSeconds?: number }> => {
    if (nestsTooDeeply(token)) return { check: refused(`the token is not a well-formed JWT: its header or claims nest deeper than ${MAX_JSON_DEPTH} levels`) };
    const library = await loadJose();
    let unverified: JWTPayload;
    try {
      unverified = library.decodeJwt(token);
    } catch {
      return { check: refused('the token is not a well-formed JWT') };
    }
    // Stryker disable next-line ConditionalExpression: a map keyed by strings finds nothing for another type either
    const verifier = typeof unverified.iss === 'string' ? byIssuer.get(unverified.iss) : undefined;
    if (!verifier) return { check: refused('the token was issued by an issuer this server does not trust') };
    try {
      const { payload, protectedHeader } = await library.jwtVerify(token, await verifier.keys(), {
        issuer: verifier.issuer,
        algorithms,
        clockTolerance: tolerance,
        requiredClaims: ['exp', 'sub'],
        // Stryker disable next-line ConditionalExpression: jose treats an undefined maxTokenAge as absent
        ...(options.maxTokenAgeSeconds !== undefined ? { maxTokenAge: options.maxTokenAgeSeconds } : {}),
      });
      if (!acceptedType(protectedHeader.typ)) return { check: refused('the token is not an access token (its typ header)') };
      // jose checks iat only together with maxTokenAge; a token from the future is refused anyway.
      // Stryker disable next-line ConditionalExpression,EqualityOperator: jose has checked iat is a number; equality to a fractional clock never happens
      if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + tolerance) {
        return { check: refused('the token was issued in the future') };
      }
      if (!verifier.audience(payload.aud)) {
        return { check: refused(`the token is not meant for this server: its audience must be ${verifier.audienceHint}`) };
      }
      return { check: principalFromClaims(payload, { kind: 'jwt', issuer: verifier.issuer }), trustedUntilSeconds: trustedUntil(payload, options.maxTokenAgeSeconds) };
    } catch (error) {
      return { check: describe(library, error, options.onError) };
    }
  };

  return async (token) => {
    // Only successes are remembered, under the token's hash; a refusal is checked again each time.
    const key = tokenCacheKey(token);
    const principal = cache.get(key);
    if (principal) return { ok: true, principal };
    const { check, trustedUntilSeconds } = await verify(token);
    // Stryker disable next-line LogicalOperator,ConditionalExpression: trustedUntilSeconds is set exactly when the check succeeded
    if (check.ok && trustedUntilSeconds !== undefined) cache.set(key, check.principal, trustedUntilSeconds);
    return check;
  };
}

/** When a verified token stops being acceptable: its exp, or sooner when maxTokenAgeSeconds caps its age. */
function trustedUntil(payload: JWTPayload, maxTokenAgeSeconds: number | undefined): number {
  const exp = payload.exp as number;
  // Stryker disable next-line ConditionalExpression: with maxTokenAge jose requires a numeric iat
  if (maxTokenAgeSeconds === undefined || typeof payload.iat !== 'number') return exp;
  return Math.min(exp, payload.iat + maxTokenAgeSeconds);
}
