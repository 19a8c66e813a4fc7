import type { Session } from '../../../db/session.js';
import type { TableIndex } from './schema.js';

/** A partitioned index has no storage of its own: its size is that of its partitions' indexes. */
const INDEXES_SQL = `
select ic.relname as name, pg_catalog.pg_get_indexdef(i.indexrelid) as definition, am.amname as method,
       i.indisunique as unique, i.indisprimary as primary, i.indisvalid as valid,
       pg_catalog.pg_get_expr(i.indpred, i.indrelid, true) as predicate,
       con.conname as constraint,
       case when ic.relkind = 'I'
            then (select pg_catalog.sum(pg_catalog.pg_relation_size(t.relid)) from pg_catalog.pg_partition_tree(i.indexrelid) t)
            else pg_catalog.pg_relation_size(i.indexrelid) end::float8 as size_bytes,
       s.idx_scan::float8 as scans,
       pg_catalog.count(*) over () as total
  from pg_catalog.pg_index i
  join pg_catalog.pg_class ic on ic.oid = i.indexrelid
  join pg_catalog.pg_am am on am.oid = ic.relam
  left join pg_catalog.pg_stat_all_indexes s on s.indexrelid = i.indexrelid
  left join pg_catalog.pg_constraint con
    on con.conindid = i.indexrelid and con.conrelid = i.indrelid and con.contype in ('p', 'u', 'x')
 where i.indrelid = $1
 order by i.indisprimary desc, ic.relname
 limit $2`;

interface IndexRow {
  name: string;
  definition: string;
  method: string;
  unique: boolean;
  primary: boolean;
  valid: boolean;
  predicate: string | null;
  constraint: string | null;
  size_bytes: number | null;
  scans: number | null;
  total: number;
}

export async function readIndexes(session: Session, oid: number, limit: number): Promise<{ items: TableIndex[]; total: number }> {
  const rows = await session.query<IndexRow>(INDEXES_SQL, [oid, limit]);
  return {
    total: rows[0]?.total ?? 0,
    items: rows.map((row) => ({
      name: row.name,
      definition: row.definition,
      method: row.method,
      unique: row.unique,
      primary: row.primary,
      valid: row.valid,
      ...(row.predicate === null ? {} : { predicate: row.predicate }),
      ...(row.constraint === null ? {} : { constraint: row.constraint }),
      sizeBytes: row.size_bytes ?? 0,
      scans: row.scans,
    })),
  };
}
