import type { Session } from '../../../db/session.js';
import type { RelationKind } from '../../relation-arg.js';
import { MAX_VIEW_DEFINITION } from './schema.js';
import type { TableDescription } from './schema.js';

/**
 * One row about the relation itself. Sizes and the row estimate of a partitioned table are summed
 * over its partition tree, since PostgreSQL keeps them on the leaves only. Times are formatted in
 * UTC here so they do not depend on the session's time zone.
 */
const FACTS_SQL = `
select pg_catalog.pg_get_userbyid(c.relowner) as owner,
       pg_catalog.obj_description(c.oid, 'pg_class') as comment,
       pg_catalog.current_setting('server_version_num')::int as version,
       c.reltuples::float8 as reltuples, c.relpages::float8 as relpages,
       c.relrowsecurity as rls_enabled, c.relforcerowsecurity as rls_forced,
       c.relispopulated as populated,
       pg_catalog.has_schema_privilege(c.relnamespace, 'USAGE') and pg_catalog.has_table_privilege(c.oid, 'SELECT') as can_select,
       s.table_bytes, s.index_bytes, s.toast_bytes, s.total_bytes, s.leaf_reltuples,
       pg_catalog.to_char(st.last_vacuum at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as last_vacuum,
       pg_catalog.to_char(st.last_autovacuum at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as last_autovacuum,
       pg_catalog.to_char(st.last_analyze at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as last_analyze,
       pg_catalog.to_char(st.last_autoanalyze at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as last_autoanalyze,
       pg_catalog.left(v.definition, $2) as view_definition, pg_catalog.char_length(v.definition) as view_length,
       case when c.relkind = 'p' then pg_catalog.pg_get_partkeydef(c.oid) end as partition_key,
       pn.nspname as parent_schema, pc.relname as parent_name,
       case when c.relispartition then pg_catalog.pg_get_expr(c.relpartbound, c.oid) end as partition_bound,
       fs.srvname as foreign_server
  from pg_catalog.pg_class c
  left join lateral (
        select sum(pg_catalog.pg_table_size(r.oid))::float8 as table_bytes,
               sum(pg_catalog.pg_indexes_size(r.oid))::float8 as index_bytes,
               sum(case when r.reltoastrelid <> 0 then pg_catalog.pg_total_relation_size(r.reltoastrelid) else 0 end)::float8 as toast_bytes,
               sum(pg_catalog.pg_total_relation_size(r.oid))::float8 as total_bytes,
               sum(r.reltuples) filter (where r.relkind <> 'p' and r.reltuples >= 0)::float8 as leaf_reltuples
          from pg_catalog.pg_class r
         where r.oid = c.oid
            or (c.relkind = 'p' and r.oid in (select t.relid from pg_catalog.pg_partition_tree(c.oid) t))
       ) s on c.relkind in ('r', 'm', 'p')
  left join pg_catalog.pg_stat_all_tables st on st.relid = c.oid
  left join lateral (select pg_catalog.pg_get_viewdef(c.oid, true) as definition) v on c.relkind in ('v', 'm')
  left join pg_catalog.pg_inherits i on c.relispartition and i.inhrelid = c.oid
  left join pg_catalog.pg_class pc on pc.oid = i.inhparent
  left join pg_catalog.pg_namespace pn on pn.oid = pc.relnamespace
  left join pg_catalog.pg_foreign_table ft on ft.ftrelid = c.oid
  left join pg_catalog.pg_foreign_server fs on fs.oid = ft.ftserver
 where c.oid = $1`;

interface FactsRow {
  owner: string;
  comment: string | null;
  version: number;
  reltuples: number;
  relpages: number;
  rls_enabled: boolean;
  rls_forced: boolean;
  populated: boolean;
  can_select: boolean;
  table_bytes: number | null;
  index_bytes: number | null;
  toast_bytes: number | null;
  total_bytes: number | null;
  leaf_reltuples: number | null;
  last_vacuum: string | null;
  last_autovacuum: string | null;
  last_analyze: string | null;
  last_autoanalyze: string | null;
  view_definition: string | null;
  view_length: number | null;
  partition_key: string | null;
  parent_schema: string | null;
  parent_name: string | null;
  partition_bound: string | null;
  foreign_server: string | null;
}

export type RelationFacts = Pick<
  TableDescription,
  'owner' | 'comment' | 'rowEstimate' | 'sizes' | 'maintenance' | 'view' | 'foreignServer' | 'privileges'
> & {
  readonly version: number;
  readonly rowSecurity: { enabled: boolean; forced: boolean };
  readonly partitionKey: string | undefined;
  readonly parent: { schema: string; name: string; bound: string } | undefined;
};

/**
 * reltuples is -1 from PostgreSQL 14 on until the first VACUUM or ANALYZE; before 14 it is 0 then,
 * as for an empty table, so an empty estimate counts as unknown only when nothing ever ran.
 */
function rowEstimate(row: FactsRow, kind: RelationKind, neverMaintained: boolean): number | null {
  if (kind === 'partitioned table') return row.leaf_reltuples;
  if (kind !== 'table' && kind !== 'materialized view') return null;
  if (row.reltuples < 0) return null;
  if (row.version < 140000 && row.reltuples === 0 && row.relpages === 0 && neverMaintained) return null;
  return row.reltuples;
}

/** The facts about the relation itself, as opposed to its columns, constraints, indexes... */
export async function readRelationFacts(session: Session, oid: number, kind: RelationKind): Promise<RelationFacts> {
  const [row] = await session.query<FactsRow>(FACTS_SQL, [oid, MAX_VIEW_DEFINITION + 1]);
  if (!row) throw new Error(`relation ${oid} vanished while it was described`);
  const hasStorage = kind === 'table' || kind === 'materialized view' || kind === 'partitioned table';
  const maintenance = {
    lastVacuum: row.last_vacuum,
    lastAutovacuum: row.last_autovacuum,
    lastAnalyze: row.last_analyze,
    lastAutoanalyze: row.last_autoanalyze,
  };
  const neverMaintained = Object.values(maintenance).every((value) => value === null);
  const toast = row.toast_bytes ?? 0;
  return {
    version: row.version,
    owner: row.owner,
    comment: row.comment,
    rowEstimate: rowEstimate(row, kind, neverMaintained),
    sizes:
      hasStorage && row.total_bytes !== null
        ? {
            tableBytes: (row.table_bytes ?? 0) - toast,
            indexesBytes: row.index_bytes ?? 0,
            toastBytes: toast,
            totalBytes: row.total_bytes,
          }
        : null,
    maintenance: kind === 'view' || kind === 'foreign table' ? null : maintenance,
    ...(row.view_definition === null
      ? {}
      : {
          view: {
            definition: row.view_definition,
            length: row.view_length ?? row.view_definition.length,
            ...(kind === 'materialized view' ? { populated: row.populated } : {}),
          },
        }),
    ...(row.foreign_server === null ? {} : { foreignServer: row.foreign_server }),
    privileges: { select: row.can_select },
    rowSecurity: { enabled: row.rls_enabled, forced: row.rls_forced },
    partitionKey: row.partition_key ?? undefined,
    parent:
      row.parent_schema !== null && row.parent_name !== null
        ? { schema: row.parent_schema, name: row.parent_name, bound: row.partition_bound ?? '' }
        : undefined,
  };
}
