import type { ResponseBudget, ToolContext } from '@bastion-mcp/core';
import { ToolError } from '@bastion-mcp/core';
import type { PostgresContext } from '../context.js';
import type { Database } from '../db/database.js';
import type { RowsRead } from '../db/read-rows.js';
import type { Session } from '../db/session.js';
import { loadQueryPolicy } from './load-policy.js';
import type { RowsResult } from '../tools/rows-output.js';

export const DEFAULT_MAX_ROWS = 100;
/** Room in the response for everything but the rows (columns, counts, the envelope). */
const RESPONSE_OVERHEAD_BYTES = 8 * 1024;

export interface QueryRequest {
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly maxRows: number | undefined;
  readonly database: string | undefined;
  /** The tool argument that holds the SQL, for messages. */
  readonly argument: string;
  readonly allowExplainAnalyze?: boolean;
}

/** Resolves column type names, from the built-in table or the catalog of this session. */
async function columnTypes(database: Database, session: Session, oids: readonly number[]): Promise<string[]> {
  return database.typeNames.names(oids, async (missing) => {
    const rows = await session.query<{ oid: number; name: string }>('select oid::int8 as oid, pg_catalog.format_type(oid, null) as name from pg_catalog.pg_type where oid = any($1::oid[])', [missing]);
    return new Map(rows.map((row) => [row.oid, row.name]));
  });
}

/** How many bytes of rows fit the call's response budget. */
export function rowBytesBudget(budget: ResponseBudget): number {
  return Math.max(1024, budget.maxBytes - RESPONSE_OVERHEAD_BYTES);
}

/** Rows as every row-returning tool gives them: named and typed columns, and why any are missing. */
export async function rowsResult(database: Database, session: Session, read: RowsRead): Promise<RowsResult> {
  const types = await columnTypes(database, session, read.fields.map((field) => field.dataTypeID));
  return {
    database: database.name,
    columns: read.fields.map((field, index) => ({ name: field.name, type: types[index] ?? 'unknown' })),
    rows: read.rows,
    rowCount: read.rows.length,
    truncated: read.truncated !== undefined,
    ...(read.truncated === undefined ? {} : { truncatedReason: read.truncated }),
  };
}

export function effectiveMaxRows(database: Database, requested: number | undefined): number {
  if (requested !== undefined && requested > database.limits.maxRows) {
    throw new ToolError(`\`max_rows\` ${requested} is over the cap of database "${database.name}" (${database.limits.maxRows}); ask for at most that many, or narrow the query.`);
  }
  return requested ?? Math.min(DEFAULT_MAX_ROWS, database.limits.maxRows);
}

/**
 * The path of every caller-written statement: parsed and held to the read-only policy, its
 * functions and operators checked against the catalog, then run in the read-only envelope with
 * the row and byte caps.
 */
export async function runQuery(ctx: ToolContext<PostgresContext>, request: QueryRequest): Promise<RowsResult> {
  const database = ctx.databases.get(request.database);
  const maxRows = effectiveMaxRows(database, request.maxRows);
  const { ensureParser, checkQuery, checkCalls } = await loadQueryPolicy();
  await ensureParser();
  const checked = checkQuery(request.sql, { allowExplainAnalyze: request.allowExplainAnalyze ?? true, argument: request.argument });
  const maxBytes = rowBytesBudget(ctx.budget);
  return database.read(
    ctx.signal,
    async (session) => {
      await checkCalls(database, session, checked, request.argument);
      return rowsResult(database, session, await session.rows(request.sql, request.params, { maxRows, maxBytes }));
    },
    request.sql,
  );
}
