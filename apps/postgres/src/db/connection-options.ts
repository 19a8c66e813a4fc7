import type { Secret } from '@bastion-mcp/auth';
import { parseIntoClientConfig } from 'pg-connection-string';
import type { PoolConfig } from 'pg';

export interface PoolLimits {
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
}

/**
 * The pool settings for one database URL. The URL's own options (sslmode, host lists,
 * application_name...) are kept; the server adds its pool size, timeouts and name. No startup
 * `options` are sent, so connection poolers such as PgBouncer accept the connections.
 */
export function poolConfig(url: Secret, limits: PoolLimits): PoolConfig {
  const parsed = parseIntoClientConfig(url.reveal());
  return {
    ...parsed,
    application_name: parsed.application_name ?? 'bastion-postgres',
    max: limits.poolSize,
    connectionTimeoutMillis: limits.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  };
}

/** Where a URL points, for messages: never the password, and never the user. */
export function describeTarget(config: PoolConfig): string {
  const host = config.host ?? 'localhost';
  const where = host.startsWith('/') ? `socket ${host}` : `${host}:${config.port ?? 5432}`;
  return `${config.database ?? '(default database)'} on ${where}`;
}
