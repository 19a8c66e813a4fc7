import type { HealthCheck } from './health-check.js';
import { totalOf } from './health-check.js';
import { plural } from './format.js';

interface Row {
  object: string;
  table_name: string;
  ready: boolean;
  size_bytes: number;
  definition: string;
  total: number;
}

// An index being built by CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY is invalid until
// the build ends: those are counted apart, not reported.
const SQL = `
with invalid as (
  select i.indexrelid, i.indrelid, i.indisready,
         exists (select 1 from pg_catalog.pg_stat_progress_create_index p where p.index_relid = i.indexrelid) as building
  from pg_catalog.pg_index i
  join pg_catalog.pg_class c on c.oid = i.indexrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where not i.indisvalid and n.nspname !~ '^pg_(toast_)?temp_'
)
select format('%I.%I', n.nspname, ci.relname) as object, format('%I.%I', tn.nspname, ct.relname) as table_name,
       v.indisready as ready, pg_catalog.pg_relation_size(v.indexrelid)::bigint as size_bytes,
       pg_catalog.pg_get_indexdef(v.indexrelid) as definition,
       count(*) over () as total
from invalid v
join pg_catalog.pg_class ci on ci.oid = v.indexrelid
join pg_catalog.pg_namespace n on n.oid = ci.relnamespace
join pg_catalog.pg_class ct on ct.oid = v.indrelid
join pg_catalog.pg_namespace tn on tn.oid = ct.relnamespace
where not v.building
order by size_bytes desc, object
limit $1`;

const BUILDING_SQL = `
select count(*)::int as building from pg_catalog.pg_index i
where not i.indisvalid and exists (select 1 from pg_catalog.pg_stat_progress_create_index p where p.index_relid = i.indexrelid)`;

export const invalidIndexes: HealthCheck = {
  name: 'invalid_indexes',
  description:
    'invalid_indexes: indexes marked INVALID (left by a failed CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY): queries never use them, yet most are still updated on every write. Each is a warning; one being built right now is not counted.',
  async run(session, { limit }) {
    const rows = await session.query<Row>(SQL, [limit]);
    const [{ building = 0 } = {}] = await session.query<{ building: number }>(BUILDING_SQL);
    const total = totalOf(rows);
    const inProgress = building > 0 ? `; ${plural(building, 'index is', 'indexes are')} being built concurrently right now` : '';
    return {
      summary: total === 0 ? `No invalid indexes${inProgress}.` : `${plural(total, 'index is', 'indexes are')} INVALID: queries never use them; drop or rebuild each${inProgress}.`,
      findings: rows.map((row) => ({
        severity: 'warning' as const,
        object: row.object,
        issue: row.ready
          ? 'invalid index: never used by queries, yet updated on every write; DROP INDEX CONCURRENTLY it, or REINDEX INDEX CONCURRENTLY it'
          : 'invalid index: not used by queries; drop it, or rebuild it with REINDEX INDEX CONCURRENTLY',
        details: { table: row.table_name, sizeBytes: row.size_bytes, updatedOnWrites: row.ready, definition: row.definition },
      })),
      total,
      metrics: { invalidIndexes: total, beingBuilt: building },
    };
  },
};
