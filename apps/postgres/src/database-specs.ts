import type { Secret } from '@bastion-mcp/auth';
import type { PostgresConfig } from './config.js';
import { DEFAULT_DATABASE } from './db/databases.js';
import type { DatabaseSpec } from './db/databases.js';

/** The databases the settings name: POSTGRES_URL as "default", each POSTGRES_URL_<NAME> as "<name>". */
export function databaseSpecs(settings: PostgresConfig, demoUrl?: Secret): DatabaseSpec[] {
  const specFor = (name: string, variable: string, url: Secret, suffix: string | undefined): DatabaseSpec => {
    const pick = <T>(family: Record<string, T>, fallback: T): T => (suffix === undefined ? fallback : family[suffix] ?? fallback);
    return {
      name,
      variable,
      url,
      description: suffix === undefined ? settings.POSTGRES_DESCRIPTION : settings['POSTGRES_DESCRIPTION_<NAME>'][suffix],
      limits: {
        statementTimeoutMs: pick(settings['POSTGRES_STATEMENT_TIMEOUT_MS_<NAME>'], settings.POSTGRES_STATEMENT_TIMEOUT_MS),
        lockTimeoutMs: settings.POSTGRES_LOCK_TIMEOUT_MS,
        idleInTransactionTimeoutMs: settings.POSTGRES_IDLE_IN_TRANSACTION_TIMEOUT_MS,
        maxRows: pick(settings['POSTGRES_MAX_ROWS_<NAME>'], settings.POSTGRES_MAX_ROWS),
      },
      poolSize: pick(settings['POSTGRES_POOL_SIZE_<NAME>'], settings.POSTGRES_POOL_SIZE),
      connectTimeoutMs: settings.POSTGRES_CONNECT_TIMEOUT_MS,
    };
  };
  const specs: DatabaseSpec[] = [];
  const defaultUrl = settings.POSTGRES_URL ?? demoUrl;
  if (defaultUrl) specs.push(specFor(DEFAULT_DATABASE, settings.POSTGRES_URL ? 'POSTGRES_URL' : '--demo', defaultUrl, undefined));
  for (const [suffix, url] of Object.entries(settings['POSTGRES_URL_<NAME>'])) {
    specs.push(specFor(suffix.toLowerCase(), `POSTGRES_URL_${suffix}`, url, suffix));
  }
  return specs;
}
