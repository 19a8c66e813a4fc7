import { readOnly } from '@bastion-mcp/core';
import { z } from 'zod';
import { defineTool } from '../../context.js';
import { runQuery } from '../../query/run-query.js';
import { databaseArg } from '../database-arg.js';
import { renderRows } from '../render-rows.js';
import { rowsOutput } from '../rows-output.js';

const MAX_SQL_LENGTH = 100_000;

export const query = defineTool({
  name: 'query',
  toolset: 'data',
  title: 'Run a read-only SQL query',
  description:
    'Run ONE read-only SQL statement and return its rows: SELECT (with CTEs, joins, window functions, JSON), VALUES, TABLE, EXPLAIN of those, or SHOW. ' +
    'Writes, DDL, transaction control, SET, COPY, DO/CALL and side-effecting functions (file access, sleeps, locks, dblink...) are refused before anything runs. ' +
    'Pass values as params ($1, $2...) instead of splicing them into the SQL. Results are capped by max_rows and the response size; `truncated` says when rows were left out, ' +
    'so select only the columns you need and page with ORDER BY plus LIMIT/OFFSET or a keyset WHERE. Values are JSON: bigint beyond 2^53 and numeric as strings, dates and times as ISO text, bytea as hex text.',
  scopes: ['postgres:query'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({
    sql: z.string().max(MAX_SQL_LENGTH).describe('One read-only SQL statement; a trailing semicolon is fine'),
    params: z
      .array(z.union([z.string(), z.number(), z.boolean(), z.null()]))
      .max(100)
      .default([])
      .describe('Values for $1, $2, ... in order (strings for dates, numerics and other types)'),
    max_rows: z.number().int().min(1).optional().describe("Most rows to return (default 100, at most the database's cap from list_databases)"),
    database: databaseArg,
  }),
  output: rowsOutput,
  text: renderRows,
  handler(args, ctx) {
    return runQuery(ctx, { sql: args.sql, params: args.params, maxRows: args.max_rows, database: args.database, argument: 'sql' });
  },
});
