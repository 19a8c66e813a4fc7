import type { Session } from '../../../db/session.js';
import type { TableTrigger } from './schema.js';

/** User triggers; the internal ones (foreign-key enforcement and the like) are PostgreSQL's business. */
const TRIGGERS_SQL = `
select t.tgname as name, t.tgtype::int as type, t.tgenabled::text as enabled,
       pn.nspname || '.' || p.proname as function,
       pg_catalog.pg_get_triggerdef(t.oid) as definition,
       pg_catalog.count(*) over () as total
  from pg_catalog.pg_trigger t
  join pg_catalog.pg_proc p on p.oid = t.tgfoid
  join pg_catalog.pg_namespace pn on pn.oid = p.pronamespace
 where t.tgrelid = $1 and not t.tgisinternal
 order by t.tgname
 limit $2`;

interface TriggerRow {
  name: string;
  type: number;
  enabled: string;
  function: string;
  definition: string;
  total: number;
}

// The bits of pg_trigger.tgtype (src/include/catalog/pg_trigger.h).
const ROW = 1 << 0;
const BEFORE = 1 << 1;
const INSERT = 1 << 2;
const DELETE = 1 << 3;
const UPDATE = 1 << 4;
const TRUNCATE = 1 << 5;
const INSTEAD = 1 << 6;

const ENABLED: Record<string, TableTrigger['enabled']> = { O: 'enabled', D: 'disabled', R: 'replica', A: 'always' };

export function triggerShape(type: number): Pick<TableTrigger, 'timing' | 'events' | 'level'> {
  const events: TableTrigger['events'] = [];
  if (type & INSERT) events.push('insert');
  if (type & UPDATE) events.push('update');
  if (type & DELETE) events.push('delete');
  if (type & TRUNCATE) events.push('truncate');
  return {
    timing: type & INSTEAD ? 'instead of' : type & BEFORE ? 'before' : 'after',
    events,
    level: type & ROW ? 'row' : 'statement',
  };
}

export async function readTriggers(session: Session, oid: number, limit: number): Promise<{ items: TableTrigger[]; total: number }> {
  const rows = await session.query<TriggerRow>(TRIGGERS_SQL, [oid, limit]);
  return {
    total: rows[0]?.total ?? 0,
    items: rows.map((row) => ({
      name: row.name,
      ...triggerShape(row.type),
      function: row.function,
      enabled: ENABLED[row.enabled] ?? 'enabled',
      definition: row.definition,
    })),
  };
}
