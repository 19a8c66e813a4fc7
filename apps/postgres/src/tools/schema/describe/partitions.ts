import type { Session } from '../../../db/session.js';
import type { TablePartition } from './schema.js';

/** The direct partitions of a partitioned table; the DEFAULT partition sorts last. */
const PARTITIONS_SQL = `
select n.nspname as schema, c.relname as name, c.relkind = 'p' as partitioned,
       pg_catalog.pg_get_expr(c.relpartbound, c.oid) as bound,
       pg_catalog.count(*) over () as total
  from pg_catalog.pg_inherits i
  join pg_catalog.pg_class c on c.oid = i.inhrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
 where i.inhparent = $1
 order by pg_catalog.pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT', n.nspname, c.relname
 limit $2`;

interface PartitionRow {
  schema: string;
  name: string;
  partitioned: boolean;
  bound: string | null;
  total: number;
}

export async function readPartitions(session: Session, oid: number, limit: number): Promise<{ items: TablePartition[]; total: number }> {
  const rows = await session.query<PartitionRow>(PARTITIONS_SQL, [oid, limit]);
  return {
    total: rows[0]?.total ?? 0,
    items: rows.map((row) => ({ schema: row.schema, name: row.name, bound: row.bound ?? '', partitioned: row.partitioned })),
  };
}
