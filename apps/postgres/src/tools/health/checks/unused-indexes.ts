import type { HealthCheck } from './health-check.js';
import { totalOf } from './health-check.js';
import { formatBytes, plural } from './format.js';

/** Smaller unused indexes cost too little to report. */
export const UNUSED_INDEX_MIN_BYTES = 1024 * 1024;

interface Row {
  object: string;
  table_name: string;
  size_bytes: number;
  table_scans: number | string | null;
  definition: string;
  total: number;
  total_bytes: number;
}

// Indexes that enforce something (primary key, unique, exclusion) or that a constraint uses are
// kept whatever their scans; so are invalid ones (invalid_indexes reports those).
const SQL = `
select format('%I.%I', s.schemaname, s.indexrelname) as object, format('%I.%I', s.schemaname, s.relname) as table_name,
       pg_catalog.pg_relation_size(s.indexrelid)::bigint as size_bytes,
       t.seq_scan as table_scans, pg_catalog.pg_get_indexdef(s.indexrelid) as definition,
       count(*) over () as total, (sum(pg_catalog.pg_relation_size(s.indexrelid)) over ())::bigint as total_bytes
from pg_catalog.pg_stat_user_indexes s
join pg_catalog.pg_index i on i.indexrelid = s.indexrelid
left join pg_catalog.pg_stat_user_tables t on t.relid = s.relid
where s.idx_scan = 0 and i.indisvalid and not i.indisunique and not i.indisprimary and not i.indisexclusion
  and not exists (select 1 from pg_catalog.pg_constraint c where c.conindid = s.indexrelid)
  and pg_catalog.pg_relation_size(s.indexrelid) >= $1
order by size_bytes desc, object
limit $2`;

const STATS_SINCE_SQL = `
select stats_reset::text as stats_reset from pg_catalog.pg_stat_database where datname = pg_catalog.current_database()`;

export const unusedIndexes: HealthCheck = {
  name: 'unused_indexes',
  description:
    `unused_indexes: indexes of at least ${formatBytes(UNUSED_INDEX_MIN_BYTES)} that no query has scanned (idx_scan = 0) since the statistics were last reset, ` +
    'leaving out primary key, unique and exclusion indexes and those a constraint uses. Each is a warning, largest first. ' +
    'Counts are this server\'s only: an index used on a replica or only by rare jobs (month-end reports) looks unused here.',
  async run(session, { limit }) {
    const rows = await session.query<Row>(SQL, [UNUSED_INDEX_MIN_BYTES, limit]);
    const [since] = await session.query<{ stats_reset: string | null }>(STATS_SINCE_SQL);
    const statsReset = since?.stats_reset ?? null;
    const total = totalOf(rows);
    const bytes = rows[0]?.total_bytes ?? 0;
    const period = statsReset === null ? 'since statistics began for this database' : `since the statistics were reset at ${statsReset}`;
    return {
      summary:
        total === 0
          ? `No index of ${formatBytes(UNUSED_INDEX_MIN_BYTES)} or more has gone unscanned ${period}.`
          : `${plural(total, 'index', 'indexes')} (${formatBytes(bytes)}) not scanned ${period}: drop each one only if no replica or periodic job uses it.`,
      findings: rows.map((row) => ({
        severity: 'warning' as const,
        object: row.object,
        issue: 'unused index: never scanned, yet updated on every write and taking space',
        details: { table: row.table_name, sizeBytes: row.size_bytes, indexScans: 0, tableSeqScans: row.table_scans, definition: row.definition },
      })),
      total,
      metrics: { unusedIndexes: total, unusedBytes: bytes, minBytes: UNUSED_INDEX_MIN_BYTES, statsReset },
    };
  },
};
