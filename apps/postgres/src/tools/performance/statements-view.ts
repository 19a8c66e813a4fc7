// Where pg_stat_statements lives in this database and which of its columns exist: they changed
// names over the extension's versions (total_time became total_exec_time in 1.8 / PostgreSQL 13,
// blk_read_time became shared_blk_read_time in 1.11 / PostgreSQL 17), and an extension not updated
// after a server upgrade keeps its old ones.
import { ToolError } from '@bastion-mcp/core';
import { isDatabaseError } from '../../db/pg-errors.js';
import type { Session } from '../../db/session.js';
import { quoteIdent } from '../schema-arg.js';

const EXTENSION_SQL = `
select n.nspname as schema, e.extversion as version
from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace
where e.extname = 'pg_stat_statements'`;

const LOADED_SQL = `select exists (select 1 from pg_catalog.pg_settings where name = 'pg_stat_statements.max') as loaded`;

const COLUMNS_SQL = `
select c.relname as relation, a.attname as name
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where n.nspname = $1 and c.relname in ('pg_stat_statements', 'pg_stat_statements_info')`;

/** Columns every version this server supports has; without them the view is not usable. */
const REQUIRED = ['userid', 'dbid', 'queryid', 'query', 'calls', 'rows', 'shared_blks_hit', 'shared_blks_read', 'temp_blks_read', 'temp_blks_written'];

/** Each measure, by the names it has had, newest first. */
const RENAMED = {
  total: ['total_exec_time', 'total_time'],
  mean: ['mean_exec_time', 'mean_time'],
  min: ['min_exec_time', 'min_time'],
  max: ['max_exec_time', 'max_time'],
  stddev: ['stddev_exec_time', 'stddev_time'],
  planTotal: ['total_plan_time'],
  readTime: ['shared_blk_read_time', 'blk_read_time'],
  writeTime: ['shared_blk_write_time', 'blk_write_time'],
  toplevel: ['toplevel'],
} as const;

export type Measure = keyof typeof RENAMED;

export interface StatementsView {
  /** `"schema"."pg_stat_statements"`, quoted from the catalog. */
  readonly view: string;
  /** `"schema"."pg_stat_statements_info"` (extension 1.9+), when it exists. */
  readonly info: string | undefined;
  readonly version: string;
  /** The column holding each measure in this version, when it has one. */
  readonly columns: Readonly<Partial<Record<Measure, string>>>;
}

const ENABLE_STEPS =
  "add pg_stat_statements to shared_preload_libraries in postgresql.conf (shared_preload_libraries = 'pg_stat_statements'), restart PostgreSQL, then run CREATE EXTENSION pg_stat_statements; in this database";

/** Finds the view, or refuses saying how the operator enables it. */
export async function findStatementsView(session: Session, database: string): Promise<StatementsView> {
  const [extension] = await session.query<{ schema: string; version: string }>(EXTENSION_SQL);
  if (!extension) {
    const [state] = await session.query<{ loaded: boolean }>(LOADED_SQL);
    const steps = state?.loaded
      ? 'The library is already loaded (shared_preload_libraries), so the operator only needs to run CREATE EXTENSION pg_stat_statements; in this database.'
      : `To enable it, the operator must ${ENABLE_STEPS}.`;
    throw new ToolError(
      `top_queries needs the pg_stat_statements extension, which is not installed in database "${database}". ${steps} ` +
        'Until then, use active_queries for what runs now and explain for the plan of one query.',
    );
  }
  const rows = await session.query<{ relation: string; name: string }>(COLUMNS_SQL, [extension.schema]);
  const names = new Set(rows.filter((row) => row.relation === 'pg_stat_statements').map((row) => row.name));
  const missing = REQUIRED.filter((name) => !names.has(name));
  if (missing.length > 0) {
    throw new ToolError(
      `pg_stat_statements ${extension.version} in database "${database}" lacks the columns ${missing.join(', ')}, or the server's role cannot see them. ` +
        'Ask the operator to run ALTER EXTENSION pg_stat_statements UPDATE; in this database.',
    );
  }
  const columns: Partial<Record<Measure, string>> = {};
  for (const [measure, candidates] of Object.entries(RENAMED) as [Measure, readonly string[]][]) {
    const found = candidates.find((name) => names.has(name));
    if (found) columns[measure] = found;
  }
  if (!columns.total || !columns.mean) {
    throw new ToolError(`pg_stat_statements ${extension.version} in database "${database}" has no execution time columns; ask the operator to run ALTER EXTENSION pg_stat_statements UPDATE;.`);
  }
  const schema = quoteIdent(extension.schema);
  const hasInfo = rows.some((row) => row.relation === 'pg_stat_statements_info' && row.name === 'stats_reset');
  return { view: `${schema}."pg_stat_statements"`, info: hasInfo ? `${schema}."pg_stat_statements_info"` : undefined, version: extension.version, columns };
}

/** PostgreSQL refuses to read the view when the library was not preloaded; say so in the operator's terms. */
export function notPreloaded(error: unknown, database: string): unknown {
  if (isDatabaseError(error) && error.code === '55000' && /shared_preload_libraries/.test(error.message)) {
    return new ToolError(
      `pg_stat_statements is installed in database "${database}" but its library is not loaded, so PostgreSQL collects no statistics (${error.message}). ` +
        "The operator must add it to shared_preload_libraries in postgresql.conf (shared_preload_libraries = 'pg_stat_statements') and restart PostgreSQL.",
      { cause: error },
    );
  }
  return error;
}
