import { createBearerAuthenticator, isValidScope } from '@bastion-mcp/auth';
import type { ApiKeyEntry, BearerAuthenticator, BearerAuthenticatorOptions, Scope } from '@bastion-mcp/auth';
import type { ConfigProblem } from '../errors.js';
import type { CoreSettings } from './core-settings.js';

/** Whether the settings configure any HTTP authentication method. */
export function authConfigured(settings: CoreSettings): boolean {
  return settings.authIssuers.length > 0 || settings.introspectionUrl !== undefined || settings.apiKeys.length > 0;
}

interface Built {
  readonly options: BearerAuthenticatorOptions | undefined;
  readonly problems: ConfigProblem[];
}

const API_KEY_ENTRY = /^([A-Za-z0-9_.@-]{1,64}):([0-9a-fA-F]{64}):(.*)$/;

function apiKeyEntries(entries: readonly string[], problems: ConfigProblem[]): ApiKeyEntry[] {
  const parsed: ApiKeyEntry[] = [];
  const names = new Set<string>();
  entries.forEach((entry, index) => {
    const match = API_KEY_ENTRY.exec(entry);
    // Never echo the entry: it holds a key hash.
    if (!match) {
      problems.push({ setting: 'BASTION_API_KEYS', message: `entry ${index + 1} is not name:sha256-hex:scopes (a name of letters, digits, ._@-, 64 hex digits, then space-separated scopes); make one with --generate-api-key` });
      return;
    }
    const [, name, hash, scopeText] = match as unknown as [string, string, string, string];
    const scopes = scopeText.split(/\s+/).filter(Boolean);
    const bad = scopes.filter((scope) => !isValidScope(scope));
    if (scopes.length === 0 || bad.length > 0) {
      problems.push({ setting: 'BASTION_API_KEYS', message: `key "${name}" needs scopes of the form resource:action (or *), space-separated${bad.length ? `; not valid: ${bad.join(' ')}` : ''}` });
      return;
    }
    if (names.has(name)) {
      problems.push({ setting: 'BASTION_API_KEYS', message: `two keys are named "${name}"; each key needs its own name (it is the principal in policies and the audit log)` });
      return;
    }
    names.add(name);
    parsed.push({ name, hash: hash.toLowerCase(), scopes });
  });
  return parsed;
}

/**
 * The bearer authenticator's options from the shared settings, or every problem at once: a
 * resource URL is required with any method, each issuer needs its JWKS URL, introspection needs
 * its client credentials, and API key entries must parse.
 */
export function authOptionsFrom(settings: CoreSettings): Built {
  const problems: ConfigProblem[] = [];
  if (!authConfigured(settings)) {
    const stray = settings.authJwksUrls.length > 0 || settings.resourceUrl !== undefined || settings.introspectionClientId !== undefined;
    if (stray) problems.push({ setting: 'BASTION_AUTH_ISSUERS', message: 'authentication settings are set but no method is: set BASTION_AUTH_ISSUERS (with BASTION_AUTH_JWKS_URLS), BASTION_INTROSPECTION_URL or BASTION_API_KEYS' });
    return { options: undefined, problems };
  }
  if (!settings.resourceUrl) {
    problems.push({ setting: '--resource-url / BASTION_RESOURCE_URL', message: "required with authentication: this server's URL as clients reach it, e.g. https://mcp.example.com/mcp (tokens must name it as audience)" });
  }
  if (settings.authIssuers.length !== settings.authJwksUrls.length) {
    problems.push({ setting: 'BASTION_AUTH_JWKS_URLS', message: `give one JWKS URL per issuer, in the same order (${settings.authIssuers.length} issuers, ${settings.authJwksUrls.length} JWKS URLs)` });
  }
  if (settings.introspectionUrl && (!settings.introspectionClientId || !settings.introspectionClientSecret)) {
    problems.push({ setting: 'BASTION_INTROSPECTION_CLIENT_ID / BASTION_INTROSPECTION_CLIENT_SECRET', message: 'required with BASTION_INTROSPECTION_URL: the client credentials this server introspects with' });
  }
  if (settings.introspectionUrl && settings.authIssuers.length === 0 && settings.authServers.length === 0) {
    problems.push({ setting: 'BASTION_AUTH_SERVERS', message: 'required with introspection alone: the authorization server clients get tokens from, for the protected resource metadata' });
  }
  const badScopes = settings.authRequiredScopes.filter((scope) => !isValidScope(scope));
  if (badScopes.length > 0) problems.push({ setting: 'BASTION_AUTH_REQUIRED_SCOPES', message: `not of the form resource:action: ${badScopes.join(', ')}` });
  const apiKeys = apiKeyEntries(settings.apiKeys, problems);
  if (problems.length > 0 || !settings.resourceUrl) return { options: undefined, problems };

  const options: BearerAuthenticatorOptions = {
    resource: settings.resourceUrl,
    ...(settings.authIssuers.length > 0
      ? {
          issuers: settings.authIssuers.map((issuer, index) => ({
            issuer,
            jwksUrl: settings.authJwksUrls[index] as string,
            ...(settings.authAudience ? { audience: settings.authAudience } : {}),
          })),
        }
      : {}),
    ...(settings.authAlgorithms ? { algorithms: settings.authAlgorithms } : {}),
    ...(settings.introspectionUrl && settings.introspectionClientId && settings.introspectionClientSecret
      ? {
          introspection: {
            url: settings.introspectionUrl,
            clientId: settings.introspectionClientId,
            clientSecret: settings.introspectionClientSecret,
            ...(settings.authAudience ? { audience: settings.authAudience } : {}),
          },
        }
      : {}),
    ...(apiKeys.length > 0 ? { apiKeys } : {}),
    apiKeyHeader: settings.apiKeyHeader,
    requiredScopes: settings.authRequiredScopes as Scope[],
  };
  // The authenticator validates what only it knows (URL schemes, algorithms); report that too.
  try {
    createBearerAuthenticator(options);
  } catch (error) {
    problems.push({ setting: 'authentication', message: error instanceof Error ? error.message : String(error) });
    return { options: undefined, problems };
  }
  return { options, problems };
}

/** The authenticator the settings configure, reporting JWKS and introspection failures to `onError`. */
export function authenticatorFrom(
  settings: CoreSettings,
  onError: BearerAuthenticatorOptions['onError'],
): BearerAuthenticator | undefined {
  const { options } = authOptionsFrom(settings);
  return options ? createBearerAuthenticator({ ...options, ...(onError ? { onError } : {}) }) : undefined;
}

/** The authorization servers the protected resource metadata names; none when only API keys are configured. */
export function authorizationServersOf(settings: CoreSettings): string[] {
  return settings.authServers.length > 0 ? [...settings.authServers] : [...settings.authIssuers];
}
