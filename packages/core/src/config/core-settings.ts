import { secret } from '@bastion-mcp/auth';
import { LOG_LEVELS } from '@bastion-mcp/logging';
import { rateSpecSchema } from '../limits/rate.js';
import { z } from 'zod';
import type { Setting, SettingKind } from './setting.js';

const port = z.number().int().min(0).max(65_535);

/**
 * Parses as a URL with a host and at most a database number for a path: a bad port, or an '@' or
 * '/' left unencoded in the password, fails here rather than in the Redis client.
 */
function isUsableRedisUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.hostname !== '' && /^(\/\d*)?$/.test(url.pathname);
}

/** Settings every connector shares; the connector's own settings come from its config schema. */
export const coreSettingsSchema = z.object({
  transport: z.enum(['stdio', 'http']).default('stdio'),
  host: z.string().min(1).default('127.0.0.1'),
  port: port.default(8080),
  readOnly: z.boolean().default(false),
  toolsets: z.array(z.string().min(1)).optional(),
  tools: z.array(z.string().min(1)).optional(),
  excludeTools: z.array(z.string().min(1)).default([]),
  maxResultBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  maxResultItems: z.number().int().min(1).max(100_000).default(500),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  auditLog: z.string().min(1).optional(),
  allowedHosts: z.array(z.string().min(1)).default([]),
  allowedOrigins: z.array(z.string().min(1)).default([]),
  maxBodyBytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(4 * 1024 * 1024),
  requestTimeoutSeconds: z.number().int().min(1).max(3_600).default(60),
  shutdownTimeoutMs: z.number().int().min(0).max(600_000).default(10_000),
  maxSessions: z.number().int().min(1).max(100_000).default(1_000),
  maxSessionsPerPrincipal: z.number().int().min(1).max(100_000).default(16),
  maxConnections: z.number().int().min(1).max(1_000_000).default(900),
  maxConnectionsPerPeer: z.number().int().min(1).max(1_000_000).default(64),
  sessionIdleSeconds: z.number().int().min(10).max(86_400).default(1_800),
  insecureNoAuth: z.boolean().default(false),
  stateKey: secret({ minLength: 32 }).optional(),
  corsOrigins: z
    .array(
      z.string().refine((value) => URL.canParse(value) && new URL(value).origin === value.replace(/\/$/, ''), {
        error: 'each origin is scheme://host[:port], e.g. https://app.example.com, with no path',
      }),
    )
    .default([]),
  resourceUrl: z.string().min(1).optional(),
  authIssuers: z.array(z.string().min(1)).default([]),
  authJwksUrls: z.array(z.string().min(1)).default([]),
  authAudience: z.string().min(1).optional(),
  authServers: z.array(z.string().min(1)).default([]),
  authAlgorithms: z.array(z.string().min(1)).optional(),
  authRequiredScopes: z.array(z.string().min(1)).default([]),
  introspectionUrl: z.string().min(1).optional(),
  introspectionClientId: z.string().min(1).optional(),
  introspectionClientSecret: secret().optional(),
  apiKeys: z.array(z.string().min(1)).default([]),
  apiKeyHeader: z.boolean().default(false),
  policy: z.string().min(1).optional(),
  redisUrl: secret({ prefixes: ['redis://', 'rediss://'] })
    .refine((url) => isUsableRedisUrl(url.reveal()), {
      error: 'is not a valid URL: check the host, the port (1-65535) and that special characters in the password are percent-encoded, e.g. redis://:p%40ss@redis.internal:6379/0',
    })
    .optional(),
  rateLimit: rateSpecSchema.optional(),
  toolRateLimit: rateSpecSchema.optional(),
  maxInFlight: z.number().int().min(1).max(100_000).optional(),
});

export type CoreSettings = z.output<typeof coreSettingsSchema>;

interface CoreSettingInfo {
  flag?: string;
  env: string;
  kind: SettingKind;
  group: string;
  description: string;
  placeholder?: string;
  secret?: boolean;
}

const TRANSPORT = 'Transport';
const TOOLS = 'Tools';
const LIMITS = 'Limits';
const LOGGING = 'Logging and audit';
const AUTH = 'Authentication (HTTP)';
const POLICY = 'Policy and limits';

const INFO: Record<keyof CoreSettings, CoreSettingInfo> = {
  transport: { flag: 'transport', env: 'BASTION_TRANSPORT', kind: 'string', group: TRANSPORT, placeholder: 'stdio|http', description: 'stdio for a desktop host; http to serve Streamable HTTP' },
  host: { flag: 'host', env: 'BASTION_HOST', kind: 'string', group: TRANSPORT, placeholder: 'address', description: 'HTTP bind address; a non-loopback address requires authentication' },
  port: { flag: 'port', env: 'BASTION_PORT', kind: 'number', group: TRANSPORT, placeholder: 'n', description: 'HTTP port (0 picks a free port)' },
  allowedHosts: { flag: 'allowed-hosts', env: 'BASTION_ALLOWED_HOSTS', kind: 'list', group: TRANSPORT, placeholder: 'a,b', description: 'Host header names accepted besides the loopback names' },
  allowedOrigins: { flag: 'allowed-origins', env: 'BASTION_ALLOWED_ORIGINS', kind: 'list', group: TRANSPORT, placeholder: 'a,b', description: 'Origin host names accepted from browsers besides loopback' },
  maxBodyBytes: { flag: 'max-body-bytes', env: 'BASTION_MAX_BODY_BYTES', kind: 'number', group: TRANSPORT, placeholder: 'n', description: 'Largest HTTP request body accepted (413 above it)' },
  requestTimeoutSeconds: { flag: 'request-timeout-seconds', env: 'BASTION_REQUEST_TIMEOUT_SECONDS', kind: 'number', group: TRANSPORT, placeholder: 's', description: 'Longest a client may take to send a whole HTTP request, headers and body (408 and the connection closed after it)' },
  shutdownTimeoutMs: { flag: 'shutdown-timeout-ms', env: 'BASTION_SHUTDOWN_TIMEOUT_MS', kind: 'number', group: TRANSPORT, placeholder: 'ms', description: 'On SIGTERM/SIGINT, how long in-flight calls may finish' },
  maxSessions: { flag: 'max-sessions', env: 'BASTION_MAX_SESSIONS', kind: 'number', group: TRANSPORT, placeholder: 'n', description: 'Most concurrent HTTP sessions of 2025-11-25 clients' },
  maxSessionsPerPrincipal: { flag: 'max-sessions-per-principal', env: 'BASTION_MAX_SESSIONS_PER_PRINCIPAL', kind: 'number', group: TRANSPORT, placeholder: 'n', description: 'Most concurrent 2025-11-25 HTTP sessions of one principal; at the cap its least recently used idle session is closed for a new one' },
  maxConnections: { flag: 'max-connections', env: 'BASTION_MAX_CONNECTIONS', kind: 'number', group: TRANSPORT, placeholder: 'n', description: 'Most open HTTP connections; keep it below the file descriptor limit (ulimit -n). Unauthenticated connections make way first' },
  maxConnectionsPerPeer: { flag: 'max-connections-per-peer', env: 'BASTION_MAX_CONNECTIONS_PER_PEER', kind: 'number', group: TRANSPORT, placeholder: 'n', description: 'Most open HTTP connections from one peer address (behind a reverse proxy, the proxy\'s)' },
  sessionIdleSeconds: { flag: 'session-idle-seconds', env: 'BASTION_SESSION_IDLE_SECONDS', kind: 'number', group: TRANSPORT, placeholder: 's', description: 'Close a 2025-11-25 HTTP session after this long without requests' },
  insecureNoAuth: { flag: 'insecure-no-auth', env: 'BASTION_INSECURE_NO_AUTH', kind: 'boolean', group: TRANSPORT, description: 'Serve HTTP on a non-loopback address without authentication (unsafe)' },
  stateKey: { env: 'BASTION_STATE_KEY', kind: 'string', group: TRANSPORT, secret: true, description: 'Key (32+ chars) sealing multi-round-trip state; set the same key on every replica' },
  corsOrigins: { flag: 'cors-origins', env: 'BASTION_CORS_ORIGINS', kind: 'list', group: TRANSPORT, placeholder: 'a,b', description: 'Browser origins (https://app.example.com) allowed cross-origin requests; CORS is off without it' },
  resourceUrl: { flag: 'resource-url', env: 'BASTION_RESOURCE_URL', kind: 'string', group: AUTH, placeholder: 'url', description: "This server's canonical URL as clients reach it (https://mcp.example.com/mcp); tokens must name it as their audience" },
  authIssuers: { flag: 'auth-issuers', env: 'BASTION_AUTH_ISSUERS', kind: 'list', group: AUTH, placeholder: 'a,b', description: 'Issuers (iss) whose bearer JWTs are accepted' },
  authJwksUrls: { flag: 'auth-jwks-urls', env: 'BASTION_AUTH_JWKS_URLS', kind: 'list', group: AUTH, placeholder: 'a,b', description: 'The JWKS URL of each issuer, in the same order; keys are fetched from these only' },
  authAudience: { flag: 'auth-audience', env: 'BASTION_AUTH_AUDIENCE', kind: 'string', group: AUTH, placeholder: 'aud', description: 'The audience tokens must carry, when the identity provider cannot use the resource URL' },
  authServers: { flag: 'auth-servers', env: 'BASTION_AUTH_SERVERS', kind: 'list', group: AUTH, placeholder: 'a,b', description: 'Authorization servers named in the protected resource metadata (default: the issuers)' },
  authAlgorithms: { flag: 'auth-algorithms', env: 'BASTION_AUTH_ALGORITHMS', kind: 'list', group: AUTH, placeholder: 'a,b', description: 'JWS algorithms accepted (default RS*, PS*, ES*, EdDSA; never none or HS*)' },
  authRequiredScopes: { flag: 'auth-required-scopes', env: 'BASTION_AUTH_REQUIRED_SCOPES', kind: 'list', group: AUTH, placeholder: 'a,b', description: 'Scopes every request needs, besides those of the tool it calls' },
  introspectionUrl: { flag: 'introspection-url', env: 'BASTION_INTROSPECTION_URL', kind: 'string', group: AUTH, placeholder: 'url', description: 'RFC 7662 introspection endpoint for opaque tokens' },
  introspectionClientId: { flag: 'introspection-client-id', env: 'BASTION_INTROSPECTION_CLIENT_ID', kind: 'string', group: AUTH, placeholder: 'id', description: 'Client id this server authenticates to the introspection endpoint with' },
  introspectionClientSecret: { env: 'BASTION_INTROSPECTION_CLIENT_SECRET', kind: 'string', group: AUTH, secret: true, description: 'Its client secret' },
  apiKeys: { env: 'BASTION_API_KEYS', kind: 'list', group: AUTH, placeholder: 'name:sha256:scopes,...', description: 'Static API keys as name:sha256-hex:space-separated-scopes entries (--generate-api-key makes one)' },
  apiKeyHeader: { flag: 'api-key-header', env: 'BASTION_API_KEY_HEADER', kind: 'boolean', group: AUTH, description: 'Also accept an API key in X-API-Key' },
  policy: { flag: 'policy', env: 'BASTION_POLICY', kind: 'string', group: POLICY, placeholder: 'file', description: 'Policy file (YAML or JSON): per principal or scope, allowed and denied tools, read-only, argument constraints (docs/policy-format.md)' },
  rateLimit: { flag: 'rate-limit', env: 'BASTION_RATE_LIMIT', kind: 'string', group: POLICY, placeholder: 'n/unit', description: 'Calls per principal, e.g. 600/min or "10/s burst=20" (429 with Retry-After above it)' },
  toolRateLimit: { flag: 'tool-rate-limit', env: 'BASTION_TOOL_RATE_LIMIT', kind: 'string', group: POLICY, placeholder: 'n/unit', description: 'Calls per principal to any one tool, e.g. 60/min' },
  maxInFlight: { flag: 'max-in-flight', env: 'BASTION_MAX_IN_FLIGHT', kind: 'number', group: POLICY, placeholder: 'n', description: 'Most calls one principal may have running at once (shared by replicas through BASTION_REDIS_URL, else per replica)' },
  redisUrl: { env: 'BASTION_REDIS_URL', kind: 'string', group: POLICY, secret: true, description: 'redis:// URL shared by replicas for the rate and in-flight limits (memory, per replica, without it)' },
  readOnly: { flag: 'read-only', env: 'BASTION_READ_ONLY', kind: 'boolean', group: TOOLS, description: 'Offer only tools whose annotations say they are read-only' },
  toolsets: { flag: 'toolsets', env: 'BASTION_TOOLSETS', kind: 'list', group: TOOLS, placeholder: 'a,b|all', description: 'Toolsets to enable (default: the connector\'s default toolsets)' },
  tools: { flag: 'tools', env: 'BASTION_TOOLS', kind: 'list', group: TOOLS, placeholder: 'a,b', description: 'Offer exactly these tools (overrides --toolsets)' },
  excludeTools: { flag: 'exclude-tools', env: 'BASTION_EXCLUDE_TOOLS', kind: 'list', group: TOOLS, placeholder: 'a,b', description: 'Never offer these tools' },
  maxResultBytes: { flag: 'max-result-bytes', env: 'BASTION_MAX_RESULT_BYTES', kind: 'number', group: LIMITS, placeholder: 'n', description: 'Largest structured result of one call; longer lists continue by cursor' },
  maxResultItems: { flag: 'max-result-items', env: 'BASTION_MAX_RESULT_ITEMS', kind: 'number', group: LIMITS, placeholder: 'n', description: 'Most list items in one result; more continue by cursor' },
  logLevel: { flag: 'log-level', env: 'LOG_LEVEL', kind: 'string', group: LOGGING, placeholder: 'level', description: `Log level on stderr: ${LOG_LEVELS.join(', ')}` },
  auditLog: { flag: 'audit-log', env: 'BASTION_AUDIT_LOG', kind: 'string', group: LOGGING, placeholder: 'path', description: 'Append audit events (JSON lines) to this file instead of stderr' },
};

export const CORE_SETTINGS: readonly Setting[] = Object.entries(INFO).map(([key, info]) => {
  const schema = coreSettingsSchema.shape[key as keyof CoreSettings];
  const parsedDefault = schema.safeParse(undefined);
  const value = parsedDefault.success ? parsedDefault.data : undefined;
  return {
    key,
    flag: info.flag,
    env: info.env,
    kind: info.kind,
    description: info.description,
    group: info.group,
    secret: info.secret === true,
    defaultLabel:
      value === undefined || (Array.isArray(value) && value.length === 0)
        ? undefined
        : Array.isArray(value)
          ? value.join(',')
          : String(value),
    placeholder: info.placeholder ?? '',
  };
});
