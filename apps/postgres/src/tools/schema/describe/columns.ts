import type { Session } from '../../../db/session.js';
import type { TableColumn } from './schema.js';

/** Every column in one query, whatever their number. */
const COLUMNS_SQL = `
select a.attname as name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) as type,
       a.attnotnull as not_null,
       a.attidentity::text as identity,
       a.attgenerated::text as generated,
       pg_catalog.pg_get_expr(d.adbin, d.adrelid, true) as expression,
       case when co.oid is null then null
            when cn.nspname = 'pg_catalog' then co.collname::text
            else cn.nspname || '.' || co.collname end as collation,
       ds.description as comment,
       pg_catalog.has_column_privilege(a.attrelid, a.attnum, 'SELECT') as can_select
  from pg_catalog.pg_attribute a
  join pg_catalog.pg_type t on t.oid = a.atttypid
  left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
  left join pg_catalog.pg_collation co on co.oid = a.attcollation and a.attcollation <> t.typcollation
  left join pg_catalog.pg_namespace cn on cn.oid = co.collnamespace
  left join pg_catalog.pg_description ds
    on ds.objoid = a.attrelid and ds.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass and ds.objsubid = a.attnum
 where a.attrelid = $1 and a.attnum > 0 and not a.attisdropped
 order by a.attnum`;

interface ColumnRow {
  name: string;
  type: string;
  not_null: boolean;
  identity: string;
  generated: string;
  expression: string | null;
  collation: string | null;
  comment: string | null;
  can_select: boolean;
}

const IDENTITY: Record<string, TableColumn['identity']> = { a: 'always', d: 'by default' };
// 'v' (virtual) exists from PostgreSQL 18 on.
const GENERATED: Record<string, 'stored' | 'virtual'> = { s: 'stored', v: 'virtual' };

export async function readColumns(session: Session, oid: number): Promise<TableColumn[]> {
  const rows = await session.query<ColumnRow>(COLUMNS_SQL, [oid]);
  return rows.map((row) => {
    const identity = IDENTITY[row.identity];
    const generated = GENERATED[row.generated];
    return {
      name: row.name,
      type: row.type,
      nullable: !row.not_null,
      ...(row.expression !== null && generated === undefined ? { default: row.expression } : {}),
      ...(identity ? { identity } : {}),
      ...(generated ? { generated: { kind: generated, expression: row.expression ?? '' } } : {}),
      ...(row.collation === null ? {} : { collation: row.collation }),
      ...(row.comment === null ? {} : { comment: row.comment }),
      ...(row.can_select ? {} : { canSelect: false as const }),
    };
  });
}
