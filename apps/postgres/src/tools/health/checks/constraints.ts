import type { HealthCheck } from './health-check.js';
import { notSystemSchema, totalOf } from './health-check.js';
import { plural } from './format.js';

interface Row {
  object: string;
  constraint_name: string;
  on: string;
  kind: string;
  definition: string;
  total: number;
}

const SQL = `
select format('%I.%I', n.nspname, coalesce(c.relname, t.typname)) as object, con.conname::text as constraint_name,
       case when con.conrelid <> 0 then 'table' else 'domain' end as on,
       case con.contype when 'c' then 'check' when 'f' then 'foreign key' when 'n' then 'not null' else con.contype::text end as kind,
       pg_catalog.pg_get_constraintdef(con.oid, true) as definition,
       count(*) over () as total
from pg_catalog.pg_constraint con
left join pg_catalog.pg_class c on c.oid = con.conrelid and con.conrelid <> 0
left join pg_catalog.pg_type t on t.oid = con.contypid and con.contypid <> 0
join pg_catalog.pg_namespace n on n.oid = coalesce(c.relnamespace, t.typnamespace)
where not con.convalidated
  and ${notSystemSchema('n.nspname')}
order by object, constraint_name
limit $1`;

export const constraints: HealthCheck = {
  name: 'constraints',
  description:
    'constraints: CHECK, foreign key (and, from PostgreSQL 18, NOT NULL) constraints added NOT VALID and never validated: new rows obey them, existing rows may not, and the planner cannot rely on them. ' +
    'Each is a warning; ALTER TABLE ... VALIDATE CONSTRAINT checks the old rows without blocking writes.',
  async run(session, { limit }) {
    const rows = await session.query<Row>(SQL, [limit]);
    const total = totalOf(rows);
    return {
      summary: total === 0 ? 'No NOT VALID constraints.' : `${plural(total, 'constraint is', 'constraints are')} NOT VALID: the rows from before it was added were never checked.`,
      findings: rows.map((row) => ({
        severity: 'warning' as const,
        object: row.object,
        issue: `NOT VALID ${row.kind} constraint on this ${row.on}: rows from before it was added may break it; VALIDATE CONSTRAINT checks them`,
        details: { constraint: row.constraint_name, kind: row.kind, definition: row.definition },
      })),
      total,
      metrics: { notValid: total },
    };
  },
};
