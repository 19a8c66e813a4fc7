import type { HealthCheck } from './health-check.js';
import { notSystemSchema, totalOf } from './health-check.js';
import { formatBytes, formatPercent, plural, roundRatio } from './format.js';

/** Less estimated waste than this is not worth a rewrite, whatever the ratio. */
export const BLOAT_MIN_WASTED_BYTES = 10 * 1024 * 1024;
/** The share of a relation that must be waste; the estimate is rough, so only a large share counts. */
export const BLOAT_MIN_RATIO = 0.5;

interface Row {
  object: string | null;
  kind: string;
  size_bytes: number;
  expected_bytes: number;
  wasted_bytes: number;
  wasted_ratio: number;
  live_rows: number;
  total: number;
  not_estimated: number;
}

/*
 * The estimate (after the ioguix/PgHero bloat queries): a relation's pages (relpages, from the last
 * VACUUM or ANALYZE) against the pages its live rows (reltuples) need at their average width from
 * pg_stats, with a 64-bit server's alignment and the fillfactor. Tables and materialized views:
 * a 23-byte row header plus the NULL bitmap, the data, a 4-byte line pointer, 24 bytes of page
 * header. B-tree indexes: an 8-byte entry header, the key data, a line pointer, 40 bytes of page
 * header and special space, plus the metapage. TOAST is left out; deduplicated B-tree indexes
 * (PostgreSQL 13+) come out smaller than estimated, which only hides bloat. A relation whose columns
 * lack statistics (never analyzed, or not readable by this role, as pg_stats shows only those) is
 * not estimated and only counted; one with no rows needs no widths.
 */
const SQL = `
with relation as (
  select c.oid, n.nspname as schema, c.relname as name, c.relkind, c.reltuples, c.relpages, c.reloptions
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'm') and c.relpages > 0
    and ${notSystemSchema('n.nspname')}
),
table_width as (
  select r.oid, count(*) as columns, count(s.attname) as with_stats,
         sum((1 - coalesce(s.null_frac, 0)) * coalesce(s.avg_width, 0)) as data_width,
         bool_or(coalesce(s.null_frac, 0) > 0) as has_nulls
  from relation r
  join pg_catalog.pg_attribute a on a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped
  left join pg_catalog.pg_stats s on s.schemaname = r.schema and s.tablename = r.name and s.attname = a.attname and not s.inherited
  group by r.oid
),
index_relation as (
  select i.indexrelid as oid, n.nspname as schema, ci.relname as name, ct.relname as table_name, ct.oid as table_oid,
         ci.reltuples, ci.relpages, ci.reloptions, i.indkey, i.indnatts
  from pg_catalog.pg_index i
  join pg_catalog.pg_class ci on ci.oid = i.indexrelid
  join pg_catalog.pg_class ct on ct.oid = i.indrelid
  join pg_catalog.pg_namespace n on n.oid = ci.relnamespace
  join pg_catalog.pg_am am on am.oid = ci.relam
  where am.amname = 'btree' and i.indisvalid and ci.relpages > 0
    and ${notSystemSchema('n.nspname')}
),
index_width as (
  select r.oid, count(*) as columns, count(s.attname) as with_stats,
         sum((1 - coalesce(s.null_frac, 0)) * coalesce(s.avg_width, 0)) as data_width,
         bool_or(coalesce(s.null_frac, 0) > 0) as has_nulls
  from index_relation r
  cross join lateral generate_series(1, r.indnatts) as k(position)
  -- a column's statistics are the table's; an expression's are filed under the index
  left join pg_catalog.pg_attribute ta on r.indkey[k.position - 1] <> 0 and ta.attrelid = r.table_oid and ta.attnum = r.indkey[k.position - 1]
  left join pg_catalog.pg_attribute ia on r.indkey[k.position - 1] = 0 and ia.attrelid = r.oid and ia.attnum = k.position
  left join pg_catalog.pg_stats s on s.schemaname = r.schema and not s.inherited
    and ((s.tablename = r.table_name and s.attname = ta.attname) or (s.tablename = r.name and s.attname = ia.attname))
  group by r.oid
),
estimate as (
  select r.schema, r.name, case r.relkind when 'm' then 'materialized view' else 'table' end as kind, r.relpages, r.reltuples,
         (r.reltuples = 0 or (w.columns = w.with_stats and r.reltuples > 0)) as estimable,
         ceil((23 + case when w.has_nulls then ceil(w.columns / 8.0) else 0 end) / 8.0) * 8 + ceil(w.data_width / 8.0) * 8 + 4 as entry_bytes,
         (pg_catalog.current_setting('block_size')::int - 24)
           * coalesce((select substring(o from '^fillfactor=([0-9]+)$')::int from unnest(r.reloptions) as o where o like 'fillfactor=%' limit 1), 100) / 100.0 as page_room,
         0 as fixed_pages
  from relation r join table_width w on w.oid = r.oid
  union all
  select r.schema, r.name, 'index', r.relpages, r.reltuples,
         r.reltuples = 0 or (w.columns = w.with_stats and r.reltuples > 0),
         8 + case when w.has_nulls then 8 else 0 end + ceil(w.data_width / 8.0) * 8 + 4,
         (pg_catalog.current_setting('block_size')::int - 40)
           * coalesce((select substring(o from '^fillfactor=([0-9]+)$')::int from unnest(r.reloptions) as o where o like 'fillfactor=%' limit 1), 90) / 100.0,
         1
  from index_relation r join index_width w on w.oid = r.oid
),
judged as (
  select e.*, pg_catalog.current_setting('block_size')::bigint as block_size,
         (e.fixed_pages + ceil(e.reltuples * e.entry_bytes / e.page_room))::bigint as expected_pages
  from estimate e
  where e.estimable
),
bloated as (
  select format('%I.%I', schema, name) as object, kind, relpages::bigint * block_size as size_bytes,
         expected_pages * block_size as expected_bytes, (relpages - expected_pages) * block_size as wasted_bytes,
         (relpages - expected_pages)::float8 / relpages as wasted_ratio, reltuples::bigint as live_rows
  from judged
  where (relpages - expected_pages) * block_size >= $1 and (relpages - expected_pages)::float8 / relpages >= $2
)
-- one row even when nothing is bloated, to carry the count of relations not estimated
select b.*, x.not_estimated
from (select count(*)::int as not_estimated from estimate where not estimable) as x
left join lateral (select *, count(*) over () as total from bloated order by wasted_bytes desc, object limit $3) as b on true`;

export const bloat: HealthCheck = {
  name: 'bloat',
  description:
    `bloat: estimated wasted space in tables, materialized views and B-tree indexes (from relpages, reltuples and pg_stats row widths, as PgHero does; rough, and stale until the next ANALYZE), ` +
    `reported when at least ${formatBytes(BLOAT_MIN_WASTED_BYTES)} and ${formatPercent(BLOAT_MIN_RATIO)} of the relation look wasted. Each is a warning, most waste first; ` +
    'pgstattuple measures exactly. VACUUM FULL, pg_repack or REINDEX CONCURRENTLY give the space back.',
  async run(session, { limit }) {
    const result = await session.query<Row>(SQL, [BLOAT_MIN_WASTED_BYTES, BLOAT_MIN_RATIO, limit]);
    const notEstimated = result[0]?.not_estimated ?? 0;
    const rows = result.filter((row): row is Row & { object: string } => row.object !== null);
    const total = totalOf(rows);
    const unknown =
      notEstimated > 0 ? `; ${plural(notEstimated, 'relation', 'relations')} not estimated (no statistics this role can read: never analyzed, or no SELECT on it)` : '';
    const wasted = rows.reduce((sum, row) => sum + row.wasted_bytes, 0);
    return {
      summary:
        total === 0
          ? `No relation looks bloated${unknown}.`
          : `${plural(total, 'relation looks', 'relations look')} bloated (${formatBytes(wasted)} estimated waste${total > rows.length ? ' in those listed' : ''})${unknown}.`,
      findings: rows.map((row) => ({
        severity: 'warning' as const,
        object: row.object,
        issue: row.kind === 'index' ? 'bloated index: REINDEX INDEX CONCURRENTLY would shrink it' : `bloated ${row.kind}: VACUUM FULL or pg_repack would shrink it`,
        details: {
          kind: row.kind,
          sizeBytes: row.size_bytes,
          expectedBytes: row.expected_bytes,
          wastedBytes: row.wasted_bytes,
          wastedRatio: roundRatio(row.wasted_ratio),
          liveRows: row.live_rows,
        },
      })),
      total,
      metrics: { bloatedRelations: total, notEstimated, minWastedBytes: BLOAT_MIN_WASTED_BYTES, minRatio: BLOAT_MIN_RATIO },
    };
  },
};
