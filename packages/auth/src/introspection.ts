import { MAX_JSON_DEPTH, parseJsonWithinDepth } from '@bastion-mcp/schema';
import { TokenCache, tokenCacheKey } from './token-cache.js';
import { audienceMatcher, configuredUrl } from './resource-url.js';
import type { Secret } from './secret.js';
import { principalFromClaims, refused } from './token-claims.js';
import type { TokenCheck } from './token-claims.js';

/** RFC 7662 token introspection, for opaque (non-JWT) access tokens. */
export interface IntrospectionOptions {
  /** The authorization server's introspection endpoint; the only URL a token is ever sent to. */
  readonly url: string;
  /** This resource server's client credentials at the authorization server (HTTP Basic). */
  readonly clientId: string;
  readonly clientSecret: Secret;
  /** Accepted `aud` values when the AS does not use the resource URL; default: the resource. */
  readonly audience?: string | readonly string[];
  /** Abort the call after this long. Default 5000. */
  readonly timeoutMs?: number;
  /** Pass one to size it or to look inside; by default each authenticator has its own. */
  readonly cache?: TokenCache;
}

export interface IntrospectorOptions extends IntrospectionOptions {
  readonly resource: string;
  readonly clockToleranceSeconds: number;
  readonly onError?: (error: unknown) => void;
}

const UNAVAILABLE: TokenCheck = {
  ok: false,
  unavailable: true,
  description: 'the access token could not be checked right now; retry shortly',
};

/** RFC 6749 section 2.3.1: client id and secret are form-encoded before Basic encoding. */
function basicCredentials(clientId: string, clientSecret: string): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function introspector(options: IntrospectorOptions): (token: string) => Promise<TokenCheck> {
  const endpoint = configuredUrl(options.url, 'introspection url').href;
  if (typeof options.clientId !== 'string' || options.clientId === '') throw new Error('introspection clientId is required');
  if (typeof options.clientSecret?.reveal !== 'function') throw new Error('introspection clientSecret must be a Secret (use secret() in config)');
  const accepted = options.audience === undefined ? [options.resource] : typeof options.audience === 'string' ? [options.audience] : [...options.audience];
  const audience = audienceMatcher(accepted);
  const audienceHint = accepted.join(' or ');
  const timeoutMs = options.timeoutMs ?? 5_000;
  const tolerance = options.clockToleranceSeconds;
  const cache = options.cache ?? new TokenCache();
  const pending = new Map<string, Promise<TokenCheck>>();

  async function ask(token: string): Promise<unknown> {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        authorization: basicCredentials(options.clientId, options.clientSecret.reveal()),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      // A redirect would send the token and the client secret somewhere not configured.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`introspection endpoint answered HTTP ${response.status}`);
    }
    return parseJsonWithinDepth(await response.text(), MAX_JSON_DEPTH);
  }

  function judge(answer: Record<string, unknown>): TokenCheck {
    if (answer.active !== true) return refused('the access token is not active (expired, revoked or unknown)');
    const now = Date.now() / 1000;
    if (typeof answer.exp !== 'number' || !Number.isFinite(answer.exp)) return refused('the access token has no expiry');
    if (answer.exp <= now - tolerance) return refused('the token has expired');
    if (typeof answer.nbf === 'number' && answer.nbf > now + tolerance) return refused('the token is not valid yet');
    if (!audience(answer.aud)) return refused(`the token is not meant for this server: its audience must be ${audienceHint}`);
    return principalFromClaims(answer, { kind: 'introspection' });
  }

  async function introspect(token: string, key: string): Promise<TokenCheck> {
    let answer: unknown;
    try {
      answer = await ask(token);
    } catch (error) {
      options.onError?.(error);
      return UNAVAILABLE;
    }
    if (!isObject(answer)) {
      options.onError?.(new Error('introspection endpoint answered something other than a JSON object'));
      return UNAVAILABLE;
    }
    const verdict = judge(answer);
    if (verdict.ok) cache.set(key, verdict.principal, answer.exp as number);
    return verdict;
  }

  return async (token) => {
    const key = tokenCacheKey(token);
    const cached = cache.get(key);
    if (cached) return { ok: true, principal: cached };
    // Concurrent requests with one token share one call to the endpoint.
    let running = pending.get(key);
    if (!running) {
      running = introspect(token, key).finally(() => pending.delete(key));
      pending.set(key, running);
    }
    return running;
  };
}
