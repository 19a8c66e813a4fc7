import type { RenderedText, ToolContext } from '@bastion-mcp/core';
import { readOnly, ToolError } from '@bastion-mcp/core';
import { sanitizeText, untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import type { PostgresContext } from '../../context.js';
import { databaseFor, defineTool } from '../../context.js';
import type { Database } from '../../db/database.js';
import type { RowsRead } from '../../db/read-rows.js';
import type { Session } from '../../db/session.js';
import { rowBytesBudget, rowsResult } from '../../query/run-query.js';
import { loadQueryPolicy } from '../../query/load-policy.js';
import { databaseArg } from '../database-arg.js';
import type { Relation, RelationKind } from '../relation-arg.js';
import { relationArgs, resolveRelation } from '../relation-arg.js';
import { renderRows } from '../render-rows.js';
import { quoteIdent } from '../schema-arg.js';
import { thousands } from '../thousands.js';
import { rowsOutput } from '../rows-output.js';

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;
/** Up to this many rows (by the planner's estimate) a random sample sorts the whole relation. */
export const RANDOM_SORT_MAX_ROWS = 10_000;
/** Up to this many rows BERNOULLI (every row equally likely, reads every page); above it SYSTEM (reads only sampled pages). */
export const BERNOULLI_MAX_ROWS = 100_000;
/** Without a row estimate, a relation of at most this many pages (1 MB of 8 kB pages) is sorted. */
const RANDOM_SORT_MAX_PAGES = 128;
/** How many more rows (BERNOULLI) or pages (SYSTEM) than asked for a sample aims at, so it rarely comes up short. */
const OVERSAMPLE = 4;
const OVERSAMPLE_EXTRA = 20;

/** Sorted by random() as a whole: TABLESAMPLE works on neither. */
const UNSAMPLED_KINDS: readonly RelationKind[] = ['view', 'foreign table'];
const SAMPLINGS = ['first rows', 'order by random()', 'tablesample bernoulli', 'tablesample system'] as const;
type Sampling = (typeof SAMPLINGS)[number];

interface SizeRow {
  estimated_rows: number | null;
  pages: number;
}

const COLUMNS_SQL = `
select a.attname::text as name from pg_catalog.pg_attribute a
where a.attrelid = $1 and a.attnum > 0 and not a.attisdropped
order by a.attnum`;

// The planner's row estimate (reltuples, -1 before the first VACUUM or ANALYZE on PostgreSQL 14+)
// and the current size in pages; a partitioned table is the sum of its leaf partitions.
const SIZE_SQL = `
with parts as (
  select c.oid, c.reltuples from pg_catalog.pg_class c
  where c.oid = $1 and c.relkind in ('r', 'm')
  union all
  select c.oid, c.reltuples from pg_catalog.pg_partition_tree($1::regclass) t join pg_catalog.pg_class c on c.oid = t.relid
  where t.isleaf and (select relkind from pg_catalog.pg_class where oid = $1) = 'p'
)
select case when bool_and(reltuples >= 0) then sum(reltuples)::float8 end as estimated_rows,
       coalesce(sum(pg_catalog.pg_relation_size(oid)) / pg_catalog.current_setting('block_size')::int, 0)::float8 as pages
from parts`;

const output = rowsOutput.extend({
  table: untrustedText({ description: 'The relation sampled, as schema.name.', maxLength: 300 }),
  sampling: z.enum(SAMPLINGS).describe('How the rows were picked (see the `method` argument)'),
});

/** `columns` checked against the relation's: each must exist (exact name, or the only one equal ignoring case). */
function chooseColumns(requested: readonly string[] | undefined, actual: readonly string[], relation: Relation): string[] {
  if (requested === undefined) return [...actual];
  const chosen: string[] = [];
  for (const name of requested) {
    const exact = actual.find((column) => column === name);
    const folded = actual.filter((column) => column.toLowerCase() === name.toLowerCase());
    const column = exact ?? (folded.length === 1 ? folded[0] : undefined);
    if (column === undefined) {
      const listed = actual.slice(0, 60).map((column) => sanitizeText(column)).join(', ');
      const more = actual.length > 60 ? ` and ${actual.length - 60} more` : '';
      const table = sanitizeText(`${relation.schema}.${relation.name}`);
      const why = folded.length > 1 ? `"${sanitizeText(name)}" matches several columns of ${table} that differ only in case; pass the exact name` : `${table} has no column "${sanitizeText(name)}"`;
      throw new ToolError(`\`columns\`: ${why}. Its columns: ${listed}${more}.`);
    }
    if (chosen.includes(column)) throw new ToolError(`\`columns\` names "${sanitizeText(column)}" twice; name each column once.`);
    chosen.push(column);
  }
  return chosen;
}

interface Plan {
  readonly sampling: Sampling;
  /** TABLESAMPLE percentage. */
  readonly percent?: number;
}

/** How to pick `limit` random rows cheaply from a relation of this size. */
function randomPlan(relation: Relation, size: SizeRow | undefined, limit: number): Plan {
  if (UNSAMPLED_KINDS.includes(relation.kind) || !size) return { sampling: 'order by random()' };
  const wanted = OVERSAMPLE * limit + OVERSAMPLE_EXTRA;
  if (size.estimated_rows === null) return size.pages <= RANDOM_SORT_MAX_PAGES ? { sampling: 'order by random()' } : systemPlan(size.pages, wanted);
  if (size.estimated_rows <= RANDOM_SORT_MAX_ROWS) return { sampling: 'order by random()' };
  if (size.estimated_rows <= BERNOULLI_MAX_ROWS) return { sampling: 'tablesample bernoulli', percent: Math.min(100, (100 * wanted) / size.estimated_rows) };
  return systemPlan(size.pages, wanted);
}

const systemPlan = (pages: number, wanted: number): Plan => ({ sampling: 'tablesample system', percent: Math.min(100, (100 * wanted) / Math.max(1, pages)) });

/**
 * The statement: only catalog-checked identifiers, quoted, are spliced in; the sample percentage
 * and the row count are bound parameters. A TABLESAMPLE draws more rows than asked, and the sort by
 * random() picks among those, so the rows do not come in page order.
 */
function sampleSql(relation: Relation, columns: readonly string[], plan: Plan): string {
  const list = columns.map((column) => quoteIdent(column)).join(', ');
  switch (plan.sampling) {
    case 'first rows':
      return `SELECT ${list} FROM ${relation.quoted} LIMIT $1`;
    case 'order by random()':
      return `SELECT ${list} FROM ${relation.quoted} ORDER BY pg_catalog.random() LIMIT $1`;
    case 'tablesample bernoulli':
      return `SELECT ${list} FROM ${relation.quoted} TABLESAMPLE BERNOULLI ($2) ORDER BY pg_catalog.random() LIMIT $1`;
    case 'tablesample system':
      return `SELECT ${list} FROM ${relation.quoted} TABLESAMPLE SYSTEM ($2) ORDER BY pg_catalog.random() LIMIT $1`;
  }
}

async function readSample(session: Session, relation: Relation, columns: readonly string[], plan: Plan, limit: number, maxBytes: number): Promise<RowsRead> {
  const params = plan.percent === undefined ? [limit] : [limit, plan.percent];
  return session.rows(sampleSql(relation, columns, plan), params, { maxRows: limit, maxBytes });
}

function effectiveLimit(database: Database, requested: number | undefined): number {
  if (requested !== undefined && requested > database.limits.maxRows) {
    throw new ToolError(`\`limit\` ${requested} is over the row cap of database "${database.name}" (${database.limits.maxRows}); ask for at most that many.`);
  }
  return requested ?? Math.min(DEFAULT_LIMIT, database.limits.maxRows);
}

async function sampleRowsOf(ctx: ToolContext<PostgresContext>, args: SampleArgs) {
  const database = databaseFor(ctx, args.database);
  const limit = effectiveLimit(database, args.limit);
  const maxBytes = rowBytesBudget(ctx.budget);
  // Reading a view runs its definition: held to the query policy like the caller's own SQL.
  const policy = await loadQueryPolicy();
  await policy.ensureParser();
  return database.read(ctx.signal, async (session) => {
    const relation = await resolveRelation(session, args);
    await policy.checkReads(database, session, [{ schema: relation.schema, name: relation.name }], 'table');
    const actual = (await session.query<{ name: string }>(COLUMNS_SQL, [relation.oid])).map((row) => row.name);
    const columns = chooseColumns(args.columns, actual, relation);
    if (columns.length === 0) throw new ToolError(`\`table\` ${sanitizeText(`${relation.schema}.${relation.name}`)} has no columns to show.`);
    let plan: Plan = { sampling: 'first rows' };
    if (args.method === 'random') {
      const [size] = UNSAMPLED_KINDS.includes(relation.kind) ? [] : await session.query<SizeRow>(SIZE_SQL, [relation.oid]);
      plan = randomPlan(relation, size, limit);
    }
    let read = await readSample(session, relation, columns, plan, limit, maxBytes);
    // A sample drawn from stale statistics can come up short: draw once more from ten times as much.
    if (plan.percent !== undefined && plan.percent < 100 && read.rows.length < limit && read.truncated === undefined) {
      plan = { ...plan, percent: Math.min(100, plan.percent * 10) };
      read = await readSample(session, relation, columns, plan, limit, maxBytes);
    }
    return { ...(await rowsResult(database, session, read)), table: `${relation.schema}.${relation.name}`, sampling: plan.sampling };
  });
}

const input = z.object({
  ...relationArgs,
  columns: z
    .array(z.string().min(1).max(200))
    .min(1)
    .max(200)
    .optional()
    .describe('Only these columns, in this order (exact names; a name differing only in case is accepted when unambiguous); all columns by default'),
  limit: z
    .number()
    .int()
    .min(1)
    .max(MAX_LIMIT)
    .optional()
    .describe(`How many rows (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT} and at most the database's row cap from list_databases)`),
  method: z
    .enum(['first', 'random'])
    .default('first')
    .describe(
      'first: the first rows the scan meets (cheap, but not representative: often the oldest rows). ' +
        `random: a random sample, kept cheap by size: a table or materialized view of up to ${thousands(RANDOM_SORT_MAX_ROWS)} rows (by the planner's estimate) is sorted by random(); ` +
        `up to ${thousands(BERNOULLI_MAX_ROWS)} rows TABLESAMPLE BERNOULLI (any row equally likely); larger ones TABLESAMPLE SYSTEM, which reads only a few pages ` +
        '(less uniform: it picks pages, then rows among them). A view or foreign table is always sorted by random(), which reads all of it: use first on a large one.',
    ),
  database: databaseArg,
});

type SampleArgs = z.output<typeof input>;

export const sampleRows = defineTool({
  name: 'sample_rows',
  toolset: 'data',
  title: 'Sample rows of a table',
  description:
    'Show a few rows of one table, view, materialized view or foreign table to see what its data looks like: all columns or the ones in `columns`, the first rows or a random sample (`method`). ' +
    'Cheaper and safer than writing the SELECT yourself; use query to filter, join or aggregate. Needs SELECT on the table. ' +
    'Values are JSON as in query (bigint beyond 2^53 and numeric as strings, bytea as hex); rows stop at the response size budget, and `truncated` says so: then ask for fewer `columns` or a lower `limit`.',
  scopes: ['postgres:query'],
  annotations: readOnly({ openWorld: false }),
  input,
  output,
  text(result): RenderedText {
    const rows = renderRows(result);
    const cut = result.truncatedReason === 'max_bytes' ? ' To see more rows, ask for fewer `columns` or a lower `limit`.' : '';
    return { note: `Sampled by ${result.sampling}. ${rows.note}${cut}`, data: rows.data };
  },
  handler(args, ctx) {
    return sampleRowsOf(ctx, args);
  },
});
