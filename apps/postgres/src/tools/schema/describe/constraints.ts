import type { Session } from '../../../db/session.js';
import type { ForeignKeyAction, IncomingForeignKey, TableConstraint } from './schema.js';

/** Names of the columns numbered in `keys` of relation `rel`, in key order. */
const columnNames = (keys: string, rel: string) => `array(
         select a.attname from pg_catalog.unnest(${keys}) with ordinality k(attnum, ord)
           join pg_catalog.pg_attribute a on a.attrelid = ${rel} and a.attnum = k.attnum
          order by k.ord)`;

/**
 * Constraints on the table. A foreign key to a partitioned table is also recorded once per
 * partition of the referenced side, with the main constraint as its conparentid and the same
 * conrelid: those copies are left out. NOT NULL constraints (contype n, PostgreSQL 18) are on the
 * columns already.
 */
const CONSTRAINTS_SQL = `
select c.conname as name, c.contype::text as type, c.convalidated as validated,
       c.condeferrable as deferrable, c.condeferred as deferred,
       pg_catalog.pg_get_constraintdef(c.oid, true) as definition,
       ${columnNames('c.conkey', 'c.conrelid')} as columns,
       rn.nspname as ref_schema, rc.relname as ref_table,
       ${columnNames('c.confkey', 'c.confrelid')} as ref_columns,
       c.confupdtype::text as on_update, c.confdeltype::text as on_delete
  from pg_catalog.pg_constraint c
  left join pg_catalog.pg_class rc on rc.oid = c.confrelid
  left join pg_catalog.pg_namespace rn on rn.oid = rc.relnamespace
  left join pg_catalog.pg_constraint p on p.oid = c.conparentid
 where c.conrelid = $1 and c.contype in ('p', 'u', 'f', 'c', 'x')
   and not (c.contype = 'f' and p.oid is not null and p.conrelid = c.conrelid)
 order by pg_catalog.strpos('pufcx', c.contype::text), c.conname`;

/**
 * Foreign keys pointing at the table. The partitions of a partitioned referencing table carry
 * copies of its foreign key (same confrelid, the parent's constraint as conparentid): left out,
 * the partitioned table's own constraint stands for them.
 */
const INCOMING_SQL = `
select c.conname as name, sn.nspname as schema, sc.relname as table, c.convalidated as validated,
       ${columnNames('c.conkey', 'c.conrelid')} as columns,
       ${columnNames('c.confkey', 'c.confrelid')} as ref_columns,
       c.confupdtype::text as on_update, c.confdeltype::text as on_delete,
       pg_catalog.count(*) over () as total
  from pg_catalog.pg_constraint c
  join pg_catalog.pg_class sc on sc.oid = c.conrelid
  join pg_catalog.pg_namespace sn on sn.oid = sc.relnamespace
  left join pg_catalog.pg_constraint p on p.oid = c.conparentid
 where c.confrelid = $1 and c.contype = 'f'
   and not (p.oid is not null and p.confrelid = c.confrelid)
 order by sn.nspname, sc.relname, c.conname
 limit $2`;

const CONSTRAINT_TYPES: Record<string, TableConstraint['type']> = {
  p: 'primary key',
  u: 'unique',
  f: 'foreign key',
  c: 'check',
  x: 'exclusion',
};

const FK_ACTIONS: Record<string, ForeignKeyAction> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};

const action = (code: string): ForeignKeyAction => FK_ACTIONS[code] ?? 'no action';

interface ConstraintRow {
  name: string;
  type: string;
  validated: boolean;
  deferrable: boolean;
  deferred: boolean;
  definition: string;
  columns: string[];
  ref_schema: string | null;
  ref_table: string | null;
  ref_columns: string[];
  on_update: string;
  on_delete: string;
}

export async function readConstraints(session: Session, oid: number): Promise<TableConstraint[]> {
  const rows = await session.query<ConstraintRow>(CONSTRAINTS_SQL, [oid]);
  return rows.map((row) => ({
    name: row.name,
    type: CONSTRAINT_TYPES[row.type] ?? 'check',
    columns: row.columns,
    definition: row.definition,
    validated: row.validated,
    ...(row.deferrable ? { deferrable: row.deferred ? ('deferred' as const) : ('immediate' as const) } : {}),
    ...(row.type === 'f' && row.ref_schema !== null && row.ref_table !== null
      ? {
          references: {
            schema: row.ref_schema,
            table: row.ref_table,
            columns: row.ref_columns,
            onUpdate: action(row.on_update),
            onDelete: action(row.on_delete),
          },
        }
      : {}),
  }));
}

interface IncomingRow {
  name: string;
  schema: string;
  table: string;
  validated: boolean;
  columns: string[];
  ref_columns: string[];
  on_update: string;
  on_delete: string;
  total: number;
}

export async function readIncomingForeignKeys(session: Session, oid: number, limit: number): Promise<{ items: IncomingForeignKey[]; total: number }> {
  const rows = await session.query<IncomingRow>(INCOMING_SQL, [oid, limit]);
  return {
    total: rows[0]?.total ?? 0,
    items: rows.map((row) => ({
      name: row.name,
      schema: row.schema,
      table: row.table,
      columns: row.columns,
      referencedColumns: row.ref_columns,
      onUpdate: action(row.on_update),
      onDelete: action(row.on_delete),
      validated: row.validated,
    })),
  };
}
