import { readOnly } from '@bastion-mcp/core';
import type { RenderedText } from '@bastion-mcp/core';
import { cursorSchema, limitSchema, pageInfo, untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import { databaseFor, defineTool } from '../../context.js';
import { databaseArg } from '../database-arg.js';
import { pageKey, pageOf, pageOffset } from '../paging.js';
import { ageMs, duration, MAX_QUERY_TEXT, oneLine } from './query-text.js';

const MAX_BLOCKER_QUERY_TEXT = 1000;

interface BlockerRow {
  pid: number;
  user: string | null;
  state: string | null;
  wait_event_type: string | null;
  wait_event: string | null;
  xact_ms: number | null;
  query: string | null;
  held_modes: string[];
}

interface LockRow {
  pid: number | null;
  granted: boolean;
  locktype: string;
  mode: string;
  fastpath: boolean;
  relation: string | null;
  target: string | null;
  waited_ms: number | null;
  user: string | null;
  application: string | null;
  state: string | null;
  wait_event_type: string | null;
  wait_event: string | null;
  xact_ms: number | null;
  query: string | null;
  blockers: BlockerRow[] | null;
  waiting: number;
  matching: number;
}

// pg_locks.waitstart exists from PostgreSQL 14; read through to_jsonb so older servers give null
// (the wait is then timed from the start of the waiting statement). A blocker is a session that
// holds a conflicting lock or waits ahead in the queue (pg_blocking_pids); heldModes says which.
const LOCKS_SQL = `
with clock as (select pg_catalog.statement_timestamp() as now),
here as (select oid from pg_catalog.pg_database where datname = pg_catalog.current_database()),
entries as (
  select l.*, (pg_catalog.to_jsonb(l) ->> 'waitstart')::timestamptz as wait_start,
         a.usename, a.application_name, a.state, a.wait_event_type, a.wait_event, a.xact_start, a.query_start, a.query
  from pg_catalog.pg_locks l
  left join pg_catalog.pg_stat_activity a on a.pid = l.pid
  where l.pid is distinct from pg_catalog.pg_backend_pid()
    and (not l.granted or $1::boolean)
    and ($2::boolean or a.datname = pg_catalog.current_database() or (a.pid is null and l.database = (select oid from here)))
)
select e.pid, e.granted, e.locktype, e.mode, e.fastpath,
       case when c.oid is not null then n.nspname || '.' || c.relname end as relation,
       case
         when e.locktype in ('relation', 'extend', 'page', 'tuple') and c.oid is null then 'relation ' || e.relation || ' of database ' || e.database
         when e.locktype = 'extend' then 'extending the relation'
         when e.locktype = 'page' then 'page ' || e.page
         when e.locktype = 'tuple' then 'row (' || e.page || ',' || e.tuple || ')'
         when e.locktype = 'transactionid' then 'transaction ' || e.transactionid
         when e.locktype = 'virtualxid' then 'virtual transaction ' || e.virtualxid
         when e.locktype = 'advisory' then 'advisory lock ' || e.classid || ':' || e.objid || ':' || e.objsubid
         when e.locktype = 'object' then 'object ' || e.objid || ' of ' || e.classid::regclass
         when e.locktype <> 'relation' then e.locktype
       end as target,
       case when not e.granted then (extract(epoch from clock.now - coalesce(e.wait_start, e.query_start)) * 1000)::float8 end as waited_ms,
       e.usename as "user", e.application_name as application, e.state, e.wait_event_type, e.wait_event,
       (extract(epoch from clock.now - e.xact_start) * 1000)::float8 as xact_ms,
       pg_catalog.left(e.query, $5) as query,
       case when not e.granted then (
         select pg_catalog.json_agg(pg_catalog.json_build_object(
                  'pid', b.pid, 'user', ba.usename, 'state', ba.state,
                  'wait_event_type', ba.wait_event_type, 'wait_event', ba.wait_event,
                  'xact_ms', (extract(epoch from clock.now - ba.xact_start) * 1000)::float8,
                  'query', pg_catalog.left(ba.query, $6),
                  'held_modes', (
                    select coalesce(pg_catalog.json_agg(distinct h.mode), '[]')
                    from pg_catalog.pg_locks h
                    where h.pid = b.pid and h.granted and h.locktype = e.locktype
                      and h.database is not distinct from e.database and h.relation is not distinct from e.relation
                      and h.page is not distinct from e.page and h.tuple is not distinct from e.tuple
                      and h.virtualxid is not distinct from e.virtualxid and h.transactionid is not distinct from e.transactionid
                      and h.classid is not distinct from e.classid and h.objid is not distinct from e.objid
                      and h.objsubid is not distinct from e.objsubid))
                order by b.pid)
         from pg_catalog.unnest(pg_catalog.pg_blocking_pids(e.pid)) as b(pid)
         left join pg_catalog.pg_stat_activity ba on ba.pid = b.pid)
       end as blockers,
       (count(*) filter (where not e.granted) over ())::int as waiting,
       count(*) over ()::int as matching
from entries e
cross join clock
left join pg_catalog.pg_class c on c.oid = e.relation and (e.database = (select oid from here) or e.database = 0)
left join pg_catalog.pg_namespace n on n.oid = c.relnamespace
order by e.granted, coalesce(e.wait_start, e.query_start) nulls last, e.pid nulls last, e.locktype, e.mode, relation, target
limit $3 offset $4`;

const blockerSchema = z.object({
  pid: z.number().int().describe('The blocking session; 0 is a prepared transaction (pg_prepared_xacts)'),
  user: untrustedText({ description: 'Its role.', maxLength: 200 }).nullable(),
  state: z.string().nullable().describe("Its state; 'idle in transaction' means it holds the lock while doing nothing"),
  waitEventType: z.string().nullable().describe('What it waits on itself, if anything'),
  waitEvent: untrustedText({ description: 'Its wait event.', maxLength: 200 }).nullable(),
  transactionAgeMs: z.number().nullable().describe('How long its transaction has been open, ms'),
  query: untrustedText({ description: `Its current or last statement (cut at ${MAX_BLOCKER_QUERY_TEXT} characters).`, maxLength: MAX_BLOCKER_QUERY_TEXT }).nullable(),
  heldModes: z.array(z.string()).describe('Modes it holds on the same object; empty when it blocks by waiting ahead in the queue'),
});

const lockSchema = z.object({
  pid: z.number().int().nullable().describe('The session holding or waiting for the lock; null for a prepared transaction'),
  granted: z.boolean().describe('False: the session waits for this lock'),
  lockType: z.string().describe('relation, tuple, transactionid (a row lock: waiting for another transaction to end), virtualxid, advisory, object, extend, page...'),
  mode: z.string().describe('AccessShareLock, RowExclusiveLock, ShareLock, AccessExclusiveLock, ...'),
  relation: untrustedText({ description: 'The table, index or other relation, as schema.name.', maxLength: 300 }).nullable(),
  target: z.string().nullable().describe('What else the lock is on, e.g. "transaction 1234", "row (0,5)", "advisory lock 0:42:1"'),
  waitedMs: z.number().nullable().describe('How long it has waited, ms (before PostgreSQL 14: since its statement began); null for a granted lock'),
  fastpath: z.boolean().describe('Taken through the fast path (a weak relation lock)'),
  user: untrustedText({ description: 'Role of the session.', maxLength: 200 }).nullable(),
  application: untrustedText({ description: 'application_name of the session.', maxLength: 200 }).nullable(),
  state: z.string().nullable().describe('State of the session'),
  waitEventType: z.string().nullable().describe('Lock while waiting for a lock'),
  waitEvent: untrustedText({ description: 'Wait event of the session.', maxLength: 200 }).nullable(),
  transactionAgeMs: z.number().nullable().describe('How long its transaction has been open, ms'),
  query: untrustedText({ description: `Its current or last statement (cut at ${MAX_QUERY_TEXT} characters).`, maxLength: MAX_QUERY_TEXT }).nullable(),
  blockedBy: z.array(blockerSchema).describe('For a waiting lock: the sessions it waits for; empty for a granted lock'),
});

const locksOutput = z.object({
  database: z.string().describe('The configured database that answered'),
  waiting: z.number().int().describe('Lock waits in all (on every page)'),
  matching: z.number().int().describe('Entries on all pages: the waits, plus granted locks with include_granted'),
  locks: z.array(lockSchema).describe('Waiting locks first, longest wait first; then granted locks'),
  ...pageInfo,
});

type LocksResult = z.output<typeof locksOutput>;

export const locks = defineTool({
  name: 'locks',
  toolset: 'performance',
  title: 'Show lock waits and their blockers',
  description:
    'Show which sessions wait for a lock and who blocks them, from pg_locks: for each waiting lock the waiting pid and its query, the lock type and mode, the relation ' +
    '(schema.name) or other object, how long it has waited, and the blocking sessions with their state, transaction age, query and the modes they hold. ' +
    "An empty list means nothing waits. include_granted adds the locks held (paged; many sessions hold many). Only this database's sessions unless all_databases; " +
    "this call's own locks are left out. Without pg_read_all_stats other users' query texts are hidden. Only reads: it never cancels or terminates anything. " +
    'Use active_queries for all sessions, long transactions and idle-in-transaction ones.',
  scopes: ['postgres:performance'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({
    include_granted: z.boolean().default(false).describe('Also list granted locks, after the waits; default false'),
    all_databases: z.boolean().default(false).describe('Include sessions of every database, not only this one'),
    cursor: cursorSchema.optional(),
    limit: limitSchema({ default: 20, max: 100 }),
    database: databaseArg,
  }),
  output: locksOutput,
  list: 'locks',
  text: renderLocks,
  handler(args, ctx) {
    const database = databaseFor(ctx, args.database);
    const key = pageKey('locks', [args.include_granted, args.all_databases, database.name]);
    const offset = pageOffset(args.cursor, key, 'locks');
    return database.read(ctx.signal, async (session): Promise<LocksResult> => {
      const fetched = await session.query<LockRow>(LOCKS_SQL, [
        args.include_granted,
        args.all_databases,
        args.limit + 1,
        offset,
        MAX_QUERY_TEXT + 1,
        MAX_BLOCKER_QUERY_TEXT + 1,
      ]);
      const { items, ...more } = pageOf(fetched, offset, args.limit, key);
      return {
        database: database.name,
        waiting: fetched[0]?.waiting ?? 0,
        matching: fetched[0]?.matching ?? 0,
        locks: items.map((row) => ({
          pid: row.pid,
          granted: row.granted,
          lockType: row.locktype,
          mode: row.mode,
          relation: row.relation,
          target: row.target,
          waitedMs: ageMs(row.waited_ms),
          fastpath: row.fastpath,
          user: row.user,
          application: row.application,
          state: row.state,
          waitEventType: row.wait_event_type,
          waitEvent: row.wait_event,
          transactionAgeMs: ageMs(row.xact_ms),
          query: row.query,
          blockedBy: (row.blockers ?? []).map((blocker) => ({
            pid: blocker.pid,
            user: blocker.user,
            state: blocker.state,
            waitEventType: blocker.wait_event_type,
            waitEvent: blocker.wait_event,
            transactionAgeMs: ageMs(blocker.xact_ms),
            query: blocker.query,
            heldModes: blocker.held_modes,
          })),
        })),
        ...more,
      };
    });
  },
});

function renderLocks(result: LocksResult): RenderedText {
  const more = result.nextCursor ? ' More follow: pass nextCursor as cursor.' : '';
  const waits = result.waiting === 0 ? 'No session waits for a lock' : `${result.waiting} lock wait${result.waiting === 1 ? '' : 's'}`;
  const note =
    `${waits} in database "${result.database}"; ${result.locks.length} of ${result.matching} entr${result.matching === 1 ? 'y' : 'ies'} shown, waits first.${more} ` +
    'Each entry: the lock and its session, its query, then one line per blocker.';
  const data = result.locks.flatMap((lock) => {
    const on = [lock.relation, lock.target].filter((part) => part !== null).join(' ') || lock.lockType;
    const head = lock.granted
      ? `pid ${lock.pid ?? 'prepared'} holds ${lock.mode} on ${on} [${lock.state ?? '?'}, transaction ${duration(lock.transactionAgeMs)}]`
      : `pid ${lock.pid ?? 'prepared'} WAITS ${duration(lock.waitedMs)} for ${lock.mode} on ${on} [${lock.state ?? '?'}, user ${lock.user ?? '?'}]`;
    const blockers = lock.blockedBy.map(
      (blocker) =>
        `    blocked by pid ${blocker.pid} [${blocker.state ?? (blocker.pid === 0 ? 'prepared transaction' : '?')}, transaction ${duration(blocker.transactionAgeMs)}` +
        `${blocker.heldModes.length > 0 ? `, holds ${blocker.heldModes.join('+')}` : ', waits ahead in the queue'}]: ${oneLine(blocker.query, 300)}`,
    );
    return [head, `  ${oneLine(lock.query, 300)}`, ...blockers];
  });
  return { note, data: data.join('\n') };
}
