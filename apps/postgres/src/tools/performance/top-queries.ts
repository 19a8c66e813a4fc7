import { readOnly } from '@bastion-mcp/core';
import type { RenderedText } from '@bastion-mcp/core';
import { cursorSchema, limitSchema, pageInfo, untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import { databaseFor, defineTool } from '../../context.js';
import { databaseArg } from '../database-arg.js';
import { pageKey, pageOf, pageOffset } from '../paging.js';
import { quoteIdent } from '../schema-arg.js';
import { duration, MAX_QUERY_TEXT, oneLine } from './query-text.js';
import { findStatementsView, notPreloaded } from './statements-view.js';
import type { StatementsView } from './statements-view.js';

const SORTS = ['total_time', 'mean_time', 'calls', 'rows', 'io', 'temp'] as const;
type SortBy = (typeof SORTS)[number];

interface StatementRow {
  queryid: string | null;
  query: string | null;
  calls: number;
  total_ms: number;
  mean_ms: number;
  min_ms: number | null;
  max_ms: number | null;
  stddev_ms: number | null;
  plan_ms: number | null;
  rows: number;
  shared_hit: number;
  shared_read: number;
  temp_read: number;
  temp_written: number;
  read_ms: number | null;
  write_ms: number | null;
  toplevel: boolean | null;
  user: string | null;
  database: string | null;
  share: number | null;
  matching: number;
}

interface InfoRow {
  stats_reset: string | null;
  dealloc: number | null;
}

/**
 * The ranking query. Only the column names found in the catalog are spliced in (quoted), and the
 * sort is one of those, picked by the enum; every caller value is a bound parameter.
 */
function rankingSql(source: StatementsView, sortBy: SortBy): string {
  const column = (name: string | undefined, type: string) => (name === undefined ? `null::${type}` : `s.${quoteIdent(name)}::${type}`);
  const { columns } = source;
  const sortColumn: Record<SortBy, string> = {
    total_time: column(columns.total, 'float8'),
    mean_time: column(columns.mean, 'float8'),
    calls: 's.calls',
    rows: 's.rows',
    io: 's.shared_blks_read',
    temp: 's.temp_blks_written',
  };
  return `
select s.queryid::text as queryid, pg_catalog.left(s.query, $5) as query, s.calls,
       ${column(columns.total, 'float8')} as total_ms, ${column(columns.mean, 'float8')} as mean_ms,
       ${column(columns.min, 'float8')} as min_ms, ${column(columns.max, 'float8')} as max_ms, ${column(columns.stddev, 'float8')} as stddev_ms,
       ${column(columns.planTotal, 'float8')} as plan_ms, s.rows,
       s.shared_blks_hit as shared_hit, s.shared_blks_read as shared_read, s.temp_blks_read as temp_read, s.temp_blks_written as temp_written,
       ${column(columns.readTime, 'float8')} as read_ms, ${column(columns.writeTime, 'float8')} as write_ms, ${column(columns.toplevel, 'boolean')} as toplevel,
       r.rolname as "user", d.datname as database,
       100 * ${column(columns.total, 'float8')} / nullif(sum(${column(columns.total, 'float8')}) over (), 0) as share,
       count(*) over ()::int as matching
from ${source.view} s
left join pg_catalog.pg_roles r on r.oid = s.userid
left join pg_catalog.pg_database d on d.oid = s.dbid
where ($1::boolean or s.dbid = (select oid from pg_catalog.pg_database where datname = pg_catalog.current_database()))
  and s.calls >= $2
order by ${sortColumn[sortBy]} desc nulls last, s.queryid, s.userid, s.dbid
limit $3 offset $4`;
}

const round = (value: number | null, digits = 3) => (value === null ? null : Number(value.toFixed(digits)));

const entrySchema = z.object({
  queryid: z.string().nullable().describe('pg_stat_statements queryid (as text: it is a 64-bit number); null when the role may not see it'),
  query: untrustedText({
    description: `The normalized statement text, constants as $n (cut at ${MAX_QUERY_TEXT} characters); "<insufficient privilege>" for other users' statements without pg_read_all_stats.`,
    maxLength: MAX_QUERY_TEXT,
  }).nullable(),
  calls: z.number().describe('Times it ran'),
  totalTimeMs: z.number().describe('Total execution time, ms'),
  shareOfTotalTimePercent: z.number().nullable().describe('Its share of the execution time of all statements listed by this filter, percent'),
  meanTimeMs: z.number().describe('Mean execution time, ms'),
  minTimeMs: z.number().nullable().describe('Fastest run, ms'),
  maxTimeMs: z.number().nullable().describe('Slowest run, ms'),
  stddevTimeMs: z.number().nullable().describe('Standard deviation of the run time, ms'),
  planTimeMs: z.number().nullable().describe('Total planning time, ms (0 unless pg_stat_statements.track_planning is on; null on old versions)'),
  rows: z.number().describe('Rows returned or affected in all'),
  sharedBlocksHit: z.number().describe('Shared buffer hits (8 kB blocks found in cache)'),
  sharedBlocksRead: z.number().describe('Shared blocks read from disk or the OS cache'),
  cacheHitRatio: z.number().nullable().describe('sharedBlocksHit / (hit + read), 0..1; null when it touched no blocks'),
  tempBlocksRead: z.number().describe('Temp blocks read (sorts, hashes spilled past work_mem)'),
  tempBlocksWritten: z.number().describe('Temp blocks written'),
  blockReadTimeMs: z.number().nullable().describe('Time reading blocks, ms (0 unless track_io_timing is on)'),
  blockWriteTimeMs: z.number().nullable().describe('Time writing blocks, ms (0 unless track_io_timing is on)'),
  toplevel: z.boolean().nullable().describe('False for a statement run inside a function (pg_stat_statements.track = all); null before PostgreSQL 14'),
  user: untrustedText({ description: 'The role that ran it.', maxLength: 200 }).nullable(),
  database: untrustedText({ description: 'The database it ran in.', maxLength: 200 }).nullable(),
});

const topQueriesOutput = z.object({
  database: z.string().describe('The configured database that answered'),
  sortBy: z.enum(SORTS).describe('What the list is ranked by, highest first'),
  extensionVersion: z.string().describe('The installed pg_stat_statements version'),
  statsSince: z.string().nullable().describe('When the statistics were last reset (ISO 8601); null when the version does not say'),
  deallocations: z.number().nullable().describe('Statements evicted because pg_stat_statements.max was reached; a high number means rankings miss some'),
  matching: z.number().int().describe('Statements matching the filters, on all pages'),
  queries: z.array(entrySchema).describe('The statements, ranked'),
  ...pageInfo,
});

type TopQueriesResult = z.output<typeof topQueriesOutput>;

export const topQueries = defineTool({
  name: 'top_queries',
  toolset: 'performance',
  title: 'Rank the most expensive statements',
  description:
    'Rank the statements this database has run, from pg_stat_statements, by total_time (default: where the server spends its time), mean_time (slowest per call), ' +
    'calls, rows, io (shared blocks read from disk) or temp (temp blocks written: sorts and hashes past work_mem). Each entry: queryid, the normalized text, calls, ' +
    'total/mean/min/max/stddev time in ms, rows, cache hits and reads, hit ratio, temp blocks, user and database. Statistics accumulate since the last reset (statsSince). ' +
    "Only this database's statements unless all_databases. Without pg_read_all_stats PostgreSQL hides other users' statement texts. " +
    'Needs the pg_stat_statements extension; the error says how to enable it. Next: explain a statement (fill in its $n parameters) to see why it is slow; active_queries for what runs now.',
  scopes: ['postgres:performance'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({
    sort_by: z.enum(SORTS).default('total_time').describe('Rank by: total_time (default), mean_time, calls, rows, io (shared blocks read) or temp (temp blocks written)'),
    min_calls: z.number().int().min(1).optional().describe('Only statements run at least this many times (skips one-off queries when ranking by mean_time)'),
    all_databases: z.boolean().default(false).describe("Rank statements of every database in the cluster, not only this one's"),
    cursor: cursorSchema.optional(),
    limit: limitSchema({ default: 10, max: 100 }),
    database: databaseArg,
  }),
  output: topQueriesOutput,
  list: 'queries',
  text: renderTopQueries,
  handler(args, ctx) {
    const database = databaseFor(ctx, args.database);
    const key = pageKey('top_queries', [args.sort_by, args.min_calls ?? null, args.all_databases, database.name]);
    const offset = pageOffset(args.cursor, key, 'top_queries');
    return database.read(ctx.signal, async (session): Promise<TopQueriesResult> => {
      const source = await findStatementsView(session, database.name);
      let fetched: StatementRow[];
      let info: InfoRow | undefined;
      try {
        fetched = await session.query<StatementRow>(rankingSql(source, args.sort_by), [
          args.all_databases,
          args.min_calls ?? 0,
          args.limit + 1,
          offset,
          MAX_QUERY_TEXT + 1,
        ]);
        if (source.info) {
          [info] = await session.query<InfoRow>(`select pg_catalog.to_json(stats_reset) #>> '{}' as stats_reset, dealloc from ${source.info}`);
        }
      } catch (error) {
        throw notPreloaded(error, database.name);
      }
      const { items, ...more } = pageOf(fetched, offset, args.limit, key);
      return {
        database: database.name,
        sortBy: args.sort_by,
        extensionVersion: source.version,
        statsSince: info?.stats_reset ?? null,
        deallocations: info?.dealloc ?? null,
        matching: fetched[0]?.matching ?? 0,
        queries: items.map((row) => ({
          queryid: row.queryid,
          query: row.query,
          calls: row.calls,
          totalTimeMs: round(row.total_ms)!,
          shareOfTotalTimePercent: round(row.share, 2),
          meanTimeMs: round(row.mean_ms)!,
          minTimeMs: round(row.min_ms),
          maxTimeMs: round(row.max_ms),
          stddevTimeMs: round(row.stddev_ms),
          planTimeMs: round(row.plan_ms),
          rows: row.rows,
          sharedBlocksHit: row.shared_hit,
          sharedBlocksRead: row.shared_read,
          cacheHitRatio: row.shared_hit + row.shared_read === 0 ? null : round(row.shared_hit / (row.shared_hit + row.shared_read), 4),
          tempBlocksRead: row.temp_read,
          tempBlocksWritten: row.temp_written,
          blockReadTimeMs: round(row.read_ms),
          blockWriteTimeMs: round(row.write_ms),
          toplevel: row.toplevel,
          user: row.user,
          database: row.database,
        })),
        ...more,
      };
    });
  },
});

function renderTopQueries(result: TopQueriesResult): RenderedText {
  const shown = result.queries.length;
  const more = result.nextCursor ? ' More follow: pass nextCursor as cursor.' : '';
  const since = result.statsSince ? ` since ${result.statsSince}` : '';
  const note =
    `${shown} of ${result.matching} statement${result.matching === 1 ? '' : 's'} from pg_stat_statements ${result.extensionVersion} in database "${result.database}"${since}, ` +
    `ranked by ${result.sortBy}.${more} Each entry: a line of numbers, then the statement text.`;
  const data = result.queries.flatMap((entry) => {
    const facts = [
      `queryid ${entry.queryid ?? '?'}`,
      `calls ${entry.calls}`,
      `total ${duration(entry.totalTimeMs)}${entry.shareOfTotalTimePercent === null ? '' : ` (${entry.shareOfTotalTimePercent}%)`}`,
      `mean ${entry.meanTimeMs} ms`,
      `max ${entry.maxTimeMs ?? '-'} ms`,
      `rows ${entry.rows}`,
      `hit ratio ${entry.cacheHitRatio ?? '-'}`,
      `read ${entry.sharedBlocksRead}`,
      `temp written ${entry.tempBlocksWritten}`,
      ...(entry.user === null ? [] : [`user ${entry.user}`]),
      ...(entry.database === null ? [] : [`db ${entry.database}`]),
    ];
    return [facts.join(', '), `  ${oneLine(entry.query, 500)}`];
  });
  return { note, data: data.join('\n') };
}
