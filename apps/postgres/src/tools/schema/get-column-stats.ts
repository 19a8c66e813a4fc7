import { ToolError, readOnly } from '@bastion-mcp/core';
import { cursorSchema, pageInfo, untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import { databaseFor, defineTool } from '../../context.js';
import type { Session } from '../../db/session.js';
import { databaseArg } from '../database-arg.js';
import { pageKey, pageOf, pageOffset } from '../paging.js';
import { relationArgs, resolveRelation } from '../relation-arg.js';
import type { Relation } from '../relation-arg.js';
import { readRelationFacts } from './describe/relation-facts.js';

const TOOL = 'get_column_stats';
/** Each sample value (a most common value or histogram bound) is cut to this many characters. */
const MAX_VALUE_LENGTH = 200;
const MAX_NAMES_IN_MESSAGE = 60;

const ATTRIBUTES_SQL = `
select a.attnum::int as attnum, a.attname as name, pg_catalog.format_type(a.atttypid, a.atttypmod) as type,
       pg_catalog.has_column_privilege(a.attrelid, a.attnum, 'SELECT') as can_select,
       coalesce(a.attstattarget, -1)::int as stats_target,
       pg_catalog.row_security_active(a.attrelid) as rls_active,
       exists (select from pg_catalog.pg_stats s where s.schemaname = $2 and s.tablename = $3) as any_stats
  from pg_catalog.pg_attribute a
 where a.attrelid = $1 and a.attnum > 0 and not a.attisdropped
 order by a.attnum`;

/**
 * pg_stats shows a row only for columns the role may SELECT and only while no row-level security
 * applies to it. A table with inheritance children (always, for a partitioned one) can have a
 * second row covering the whole tree: $4 says which to prefer. Sample values are cut here, so a
 * column of wide values does not travel in full.
 */
const STATS_SQL = `
select s.attname as name, s.inherited, s.null_frac as null_fraction, s.n_distinct, s.avg_width, s.correlation,
       array(select pg_catalog.left(v, $5) from pg_catalog.unnest(s.most_common_vals::text::text[]) v) as common_values,
       s.most_common_freqs as common_frequencies,
       array(select pg_catalog.left(v, $5) from pg_catalog.unnest(s.histogram_bounds::text::text[]) v) as histogram
  from pg_catalog.pg_stats s
 where s.schemaname = $1 and s.tablename = $2 and s.attname = any($3::pg_catalog.name[])
 order by s.attname, s.inherited = $4 desc`;

interface AttributeRow {
  attnum: number;
  name: string;
  type: string;
  can_select: boolean;
  stats_target: number;
  rls_active: boolean;
  /** Whether pg_stats shows this role statistics of any column of the table. */
  any_stats: boolean;
}

interface StatsRow {
  name: string;
  inherited: boolean;
  null_fraction: number;
  n_distinct: number;
  avg_width: number;
  correlation: number | null;
  common_values: (string | null)[];
  common_frequencies: number[] | null;
  histogram: (string | null)[];
}

const MISSING = ['no select privilege', 'row-level security', 'not analyzed', 'statistics disabled', 'not computed'] as const;
type Missing = (typeof MISSING)[number];

const sample = (description: string) => untrustedText({ description, maxLength: MAX_VALUE_LENGTH });

const columnStats = z.object({
  name: untrustedText({ description: 'Column name' }),
  type: untrustedText({ description: 'Column type' }),
  hasStats: z.boolean().describe('Whether pg_stats has statistics for it that this role may see'),
  missing: z
    .enum(MISSING)
    .optional()
    .describe(
      'Why there are none: no select privilege (pg_stats hides columns the role may not SELECT), row-level security (pg_stats hides tables whose policies apply to the role), ' +
        'not analyzed (the table never was), statistics disabled (SET STATISTICS 0), not computed (added since the last ANALYZE, the table was empty then, or the type has no statistics)',
    ),
  nullFraction: z.number().optional().describe('Fraction of rows where it is NULL (0 to 1)'),
  nDistinct: z
    .number()
    .optional()
    .describe('pg_stats.n_distinct as stored: a positive number is the estimated count of distinct values; a negative one is minus that count divided by the row count (-1 means every value is distinct), used when distinct values grow with the table'),
  distinctEstimate: z.number().nullable().optional().describe('Estimated count of distinct non-null values: n_distinct, or -n_distinct times the row estimate when negative; null when the row count is unknown'),
  averageWidth: z.number().optional().describe('Average stored width of its values in bytes'),
  mostCommonValues: z
    .array(z.object({ value: sample('The value, as PostgreSQL writes it as text'), frequency: z.number().describe('Fraction of all rows holding it') }))
    .optional()
    .describe('The most common values, most frequent first; empty when no value is notably more common than the others'),
  mostCommonValuesTotal: z.number().int().optional().describe('How many most common values pg_stats holds (more than listed when capped by max_values)'),
  histogramBounds: z
    .array(sample('A bound'))
    .optional()
    .describe('Bounds of equal-population buckets over the values not in mostCommonValues, in sort order; when capped, evenly spaced bounds including the first and the last'),
  histogramBoundsTotal: z.number().int().optional().describe('How many bounds pg_stats holds'),
  correlation: z
    .number()
    .nullable()
    .optional()
    .describe('Correlation between physical row order and value order (-1 to 1): near ±1 makes index range scans cheap; null when not computed'),
});

export type ColumnStats = z.input<typeof columnStats>;

/** `count` items out of `items`, evenly spaced, keeping the first and the last. */
export function evenlySpaced<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  if (count === 1) return [items[0]!];
  return Array.from({ length: count }, (_, index) => items[Math.round((index * (items.length - 1)) / (count - 1))]!);
}

function distinctEstimate(nDistinct: number, rows: number | null): number | null {
  if (nDistinct >= 0) return nDistinct;
  return rows === null ? null : Math.round(-nDistinct * rows);
}

/** The requested columns in table order, refusing a name the table does not have. */
function chooseColumns(attributes: AttributeRow[], requested: readonly string[] | undefined, relation: Relation): AttributeRow[] {
  if (requested === undefined) return attributes;
  const chosen = new Set<AttributeRow>();
  for (const name of requested) {
    const column = attributes.find((row) => row.name === name) ?? attributes.find((row) => row.name === name.toLowerCase());
    if (!column) {
      const names = attributes.slice(0, MAX_NAMES_IN_MESSAGE).map((row) => row.name);
      const more = attributes.length > names.length ? `, ... (${attributes.length} in all)` : '';
      throw new ToolError(
        `\`columns\`: ${relation.schema}.${relation.name} has no column "${name}". Its columns: ${names.join(', ')}${more}. Pass names as they are, or omit \`columns\` for all of them.`,
      );
    }
    chosen.add(column);
  }
  return attributes.filter((row) => chosen.has(row));
}

interface StatsOptions {
  readonly analyzed: boolean | null;
  readonly rowEstimate: number | null;
  readonly maxValues: number;
  readonly maxBounds: number;
}

function statsOf(column: AttributeRow, stats: StatsRow | undefined, options: StatsOptions): ColumnStats {
  const base = { name: column.name, type: column.type };
  if (!stats) {
    const missing: Missing = !column.can_select
      ? 'no select privilege'
      : column.rls_active
        ? 'row-level security'
        : options.analyzed === false
          ? 'not analyzed'
          : column.stats_target === 0
            ? 'statistics disabled'
            : 'not computed';
    return { ...base, hasStats: false, missing };
  }
  const values = stats.common_values;
  const frequencies = stats.common_frequencies ?? [];
  return {
    ...base,
    hasStats: true,
    nullFraction: stats.null_fraction,
    nDistinct: stats.n_distinct,
    distinctEstimate: distinctEstimate(stats.n_distinct, options.rowEstimate),
    averageWidth: stats.avg_width,
    mostCommonValues: values.slice(0, options.maxValues).map((value, index) => ({ value: value ?? 'NULL', frequency: frequencies[index] ?? 0 })),
    mostCommonValuesTotal: values.length,
    histogramBounds: evenlySpaced(stats.histogram, options.maxBounds).map((bound) => bound ?? 'NULL'),
    histogramBoundsTotal: stats.histogram.length,
    correlation: stats.correlation,
  };
}

function noteFor(analyzed: boolean | null, columns: readonly ColumnStats[]): string | undefined {
  const notes: string[] = [];
  if (analyzed === false) {
    notes.push('The table has never been analyzed, so PostgreSQL has no statistics for it and the planner guesses; its owner can run ANALYZE, or autovacuum will in time.');
  } else if (analyzed === null) {
    notes.push('Whether the table was analyzed cannot be told: pg_stats hides every statistic of it from this role.');
  }
  const count = (reason: Missing) => columns.filter((column) => column.missing === reason).length;
  const hidden = count('no select privilege');
  if (hidden > 0) notes.push(`${hidden} column(s) show no statistics because pg_stats shows only columns this role may SELECT; ask the operator to GRANT SELECT to see them.`);
  if (count('row-level security') > 0) notes.push('Row-level security applies to this role on this table, so pg_stats hides its statistics (they could reveal rows the policies hide).');
  const notComputed = count('not computed');
  if (notComputed > 0) notes.push(`${notComputed} column(s) have no statistics although the table was analyzed (added since, empty table, or a type without statistics).`);
  return notes.length > 0 ? notes.join(' ') : undefined;
}

/** maxLength: values are cut past it in SQL; one character more than kept, so the output schema marks the cut. */
async function readStats(session: Session, relation: Relation, names: string[], maxLength: number): Promise<Map<string, StatsRow>> {
  if (names.length === 0) return new Map();
  const rows = await session.query<StatsRow>(STATS_SQL, [relation.schema, relation.name, names, relation.kind === 'partitioned table', maxLength]);
  const byName = new Map<string, StatsRow>();
  for (const row of rows) if (!byName.has(row.name)) byName.set(row.name, row);
  return byName;
}

export const getColumnStats = defineTool({
  name: TOOL,
  toolset: 'schema',
  title: 'Get planner statistics of columns',
  description:
    "The planner's statistics of a table's columns, from pg_stats as of the last ANALYZE: fraction of NULLs, number of distinct values (n_distinct, and an estimated count), average width, " +
    'the most common values with their frequencies, histogram bounds and the physical-order correlation. Use it to learn how values are distributed (selectivity, skew, likely filter values) ' +
    'without scanning the table; for the exact values use query. Estimates, not counts: they are only as fresh as the last ANALYZE, and `analyzed: false` says the table never was. ' +
    'pg_stats hides columns this role may not SELECT and tables under row-level security; `missing` says why a column has none. ' +
    `Sample values are cut to ${MAX_VALUE_LENGTH} characters and capped by max_values and max_bounds. Pages over the columns with cursor and limit. Works on tables, partitioned tables, materialized views and foreign tables; views have no statistics.`,
  scopes: ['postgres:schema'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({
    ...relationArgs,
    columns: z
      .array(z.string().min(1).max(128))
      .min(1)
      .max(200)
      .optional()
      .describe('Only these columns (exact names; an unknown one is refused with the real ones); omit for all'),
    max_values: z.number().int().min(0).max(100).default(10).describe('Most common values to return per column (0-100, default 10)'),
    max_bounds: z.number().int().min(2).max(101).default(11).describe('Histogram bounds to return per column, evenly spaced (2-101, default 11)'),
    cursor: cursorSchema.optional(),
    limit: z.number().int().min(1).max(200).default(50).describe('Columns per page (1-200, default 50)'),
    database: databaseArg,
  }),
  output: z.object({
    database: z.string().describe('The database that answered'),
    schema: untrustedText({ description: 'Schema' }),
    name: untrustedText({ description: 'Table' }),
    kind: z.enum(['table', 'partitioned table', 'materialized view', 'foreign table']).describe('What it is'),
    analyzed: z
      .boolean()
      .nullable()
      .describe('Whether ANALYZE ever ran on it: false means no statistics exist at all; null when pg_stats hides them all from this role so it cannot be told'),
    lastAnalyzed: z.string().nullable().describe('Latest manual or automatic ANALYZE (ISO 8601, UTC); null when never or not tracked since the statistics reset'),
    rowEstimate: z.number().nullable().describe("The planner's row count (pg_class.reltuples, summed over partitions); null when unknown"),
    note: z.string().optional().describe('What the result means when statistics are missing'),
    columns: z.array(columnStats).describe('One entry per column, in table order'),
    ...pageInfo,
  }),
  list: 'columns',
  handler(args, ctx) {
    const database = databaseFor(ctx, args.database);
    return database.read(ctx.signal, async (session) => {
      const relation = await resolveRelation(session, args);
      if (relation.kind === 'view') {
        throw new ToolError(
          `\`table\`: ${relation.schema}.${relation.name} is a view, and views have no statistics of their own. Ask for the tables it reads (describe_table shows its definition).`,
        );
      }
      const kind = relation.kind;
      const key = pageKey(TOOL, [database.name, relation.oid, args.columns ?? null, args.max_values, args.max_bounds, args.limit]);
      const offset = pageOffset(args.cursor, key, TOOL);
      const facts = await readRelationFacts(session, relation.oid, kind);
      const attributes = await session.query<AttributeRow>(ATTRIBUTES_SQL, [relation.oid, relation.schema, relation.name]);
      const chosen = chooseColumns(attributes, args.columns, relation);
      const page = pageOf(chosen.slice(offset, offset + args.limit + 1), offset, args.limit, key);
      const stats = await readStats(session, relation, page.items.map((row) => row.name), MAX_VALUE_LENGTH + 1);
      const lastAnalyzed = [facts.maintenance?.lastAnalyze, facts.maintenance?.lastAutoanalyze].filter((time): time is string => typeof time === 'string').sort().at(-1) ?? null;
      const allHidden = attributes.length > 0 && attributes.every((row) => !row.can_select || row.rls_active);
      // Visible statistics prove an ANALYZE even when the activity counters were reset since.
      const analyzed = attributes[0]?.any_stats === true || lastAnalyzed !== null ? true : allHidden ? null : false;
      const options = { analyzed, rowEstimate: facts.rowEstimate, maxValues: args.max_values, maxBounds: args.max_bounds };
      const columns = page.items.map((column) => statsOf(column, stats.get(column.name), options));
      const note = noteFor(analyzed, columns);
      return {
        database: database.name,
        schema: relation.schema,
        name: relation.name,
        kind,
        analyzed,
        lastAnalyzed,
        rowEstimate: facts.rowEstimate,
        ...(note === undefined ? {} : { note }),
        columns,
        ...(page.truncated ? { truncated: true, nextCursor: page.nextCursor } : {}),
      };
    });
  },
});
