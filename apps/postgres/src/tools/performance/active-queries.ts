import { readOnly } from '@bastion-mcp/core';
import type { RenderedText } from '@bastion-mcp/core';
import { cursorSchema, limitSchema, pageInfo, untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import { databaseFor, defineTool } from '../../context.js';
import { databaseArg } from '../database-arg.js';
import { pageKey, pageOf, pageOffset } from '../paging.js';
import { ageMs, duration, MAX_QUERY_TEXT, oneLine } from './query-text.js';

interface SessionRow {
  pid: number;
  leader_pid: number | null;
  database: string | null;
  user: string | null;
  application: string | null;
  client_address: string | null;
  client_port: number | null;
  backend_type: string | null;
  state: string | null;
  wait_event_type: string | null;
  wait_event: string | null;
  backend_start: string | null;
  xact_start: string | null;
  query_start: string | null;
  state_change: string | null;
  xact_ms: number | null;
  query_ms: number | null;
  state_ms: number | null;
  query: string | null;
  blocked_by: number[];
  matching: number;
}

// Ages are measured from this statement's start; `iso` writes timestamps as ISO 8601.
// leader_pid exists from PostgreSQL 13, the oldest version this server supports. Of a session the
// role may not see (another user's, without pg_read_all_stats) PostgreSQL shows little more than
// the pid and user, backend_type null: it counts as a client session.
const SESSIONS_SQL = `
with clock as (select pg_catalog.statement_timestamp() as now),
sessions as (
  select a.*,
         coalesce(a.xact_start, case when a.state = 'active' then a.query_start end) as running_since
  from pg_catalog.pg_stat_activity a
  where a.pid <> pg_catalog.pg_backend_pid()
    and ($1::boolean or a.state is distinct from 'idle')
    and ($2::boolean or coalesce(a.backend_type, 'client backend') = 'client backend')
    and ($3::boolean or a.datname = pg_catalog.current_database() or ($2::boolean and a.datid is null))
)
select s.pid, s.leader_pid, s.datname as database, s.usename as "user", s.application_name as application,
       pg_catalog.host(s.client_addr) as client_address, s.client_port, s.backend_type, s.state,
       s.wait_event_type, s.wait_event,
       pg_catalog.to_json(s.backend_start) #>> '{}' as backend_start,
       pg_catalog.to_json(s.xact_start) #>> '{}' as xact_start,
       pg_catalog.to_json(s.query_start) #>> '{}' as query_start,
       pg_catalog.to_json(s.state_change) #>> '{}' as state_change,
       (extract(epoch from clock.now - s.xact_start) * 1000)::float8 as xact_ms,
       (extract(epoch from clock.now - s.query_start) * 1000)::float8 as query_ms,
       (extract(epoch from clock.now - s.state_change) * 1000)::float8 as state_ms,
       pg_catalog.left(s.query, $5) as query,
       pg_catalog.pg_blocking_pids(s.pid) as blocked_by,
       count(*) over ()::int as matching
from sessions s, clock
where $4::float8 is null or extract(epoch from clock.now - s.running_since) * 1000 >= $4::float8
order by s.running_since nulls last, s.backend_start nulls last, s.pid
limit $6 offset $7`;

const sessionSchema = z.object({
  pid: z.number().int().describe('Backend process id'),
  leaderPid: z.number().int().nullable().describe('For a parallel worker, the pid of the session it works for'),
  database: untrustedText({ description: 'Database it is connected to.', maxLength: 200 }).nullable(),
  user: untrustedText({ description: 'Role it is logged in as.', maxLength: 200 }).nullable(),
  application: untrustedText({ description: 'application_name the client set.', maxLength: 200 }).nullable(),
  clientAddress: z.string().nullable().describe('Client IP address; null for a Unix socket or a background process'),
  clientPort: z.number().int().nullable().describe('Client TCP port; -1 for a Unix socket'),
  backendType: untrustedText({ description: 'client backend, autovacuum worker, parallel worker, walsender, ...; null when PostgreSQL hides it.', maxLength: 200 }).nullable(),
  state: z.string().nullable().describe('active, idle, idle in transaction, idle in transaction (aborted), fastpath function call or disabled'),
  waitEventType: z.string().nullable().describe('What it waits on, if anything: Lock, LWLock, IO, Client, IPC, Timeout, Activity...'),
  waitEvent: untrustedText({ description: 'The wait event, e.g. relation, transactionid, ClientRead, PgSleep.', maxLength: 200 }).nullable(),
  backendStart: z.string().nullable().describe('When the session connected (ISO 8601)'),
  transactionStart: z.string().nullable().describe('When its current transaction began (ISO 8601); null outside a transaction'),
  queryStart: z.string().nullable().describe('When its current (or, when idle, its last) statement began'),
  stateChange: z.string().nullable().describe('When its state last changed'),
  transactionAgeMs: z.number().nullable().describe('How long its transaction has been open, ms'),
  queryAgeMs: z.number().nullable().describe('How long since its statement began, ms'),
  stateAgeMs: z.number().nullable().describe('How long it has been in its state, ms (for idle in transaction: how long it has sat idle)'),
  query: untrustedText({
    description: `The current statement, or the last one when idle (cut at ${MAX_QUERY_TEXT} characters); "<insufficient privilege>" for other users' sessions without pg_read_all_stats.`,
    maxLength: MAX_QUERY_TEXT,
  }).nullable(),
  blockedBy: z.array(z.number().int()).describe('Pids of the sessions whose locks it waits for (see locks)'),
});

const activeQueriesOutput = z.object({
  database: z.string().describe('The configured database that answered'),
  matching: z.number().int().describe('Sessions matching the filters, on all pages'),
  sessions: z.array(sessionSchema).describe('Oldest open transaction (or running statement) first'),
  ...pageInfo,
});

type ActiveQueriesResult = z.output<typeof activeQueriesOutput>;

export const activeQueries = defineTool({
  name: 'active_queries',
  toolset: 'performance',
  title: 'List running sessions and queries',
  description:
    "List the sessions connected to this database now, from pg_stat_activity, oldest open transaction first, so long-running transactions and sessions sitting 'idle in transaction' " +
    'come first: pid, user, application, client address, state, wait event, transaction and query start with their ages in ms, the query text, and the pids blocking it. ' +
    'By default only sessions doing something (not idle), only client sessions (include_system adds autovacuum, parallel and background workers), only this database; ' +
    "this call's own session is left out. Without pg_read_all_stats PostgreSQL hides other users' query texts and details. Only reads: it never cancels or terminates anything. " +
    'Use locks to see what a blocked session waits for, top_queries for the cumulative cost of statements.',
  scopes: ['postgres:performance'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({
    include_idle: z.boolean().default(false).describe('Also list idle sessions (connected, no transaction open); default false'),
    include_system: z.boolean().default(false).describe('Also list background processes: autovacuum, parallel workers, walsenders, checkpointer...; default false'),
    all_databases: z.boolean().default(false).describe('List sessions of every database, not only this one'),
    min_duration_ms: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Only sessions whose open transaction (or, outside one, running statement) is at least this old, ms'),
    cursor: cursorSchema.optional(),
    limit: limitSchema({ default: 20, max: 100 }),
    database: databaseArg,
  }),
  output: activeQueriesOutput,
  list: 'sessions',
  text: renderActiveQueries,
  handler(args, ctx) {
    const database = databaseFor(ctx, args.database);
    const key = pageKey('active_queries', [args.include_idle, args.include_system, args.all_databases, args.min_duration_ms ?? null, database.name]);
    const offset = pageOffset(args.cursor, key, 'active_queries');
    return database.read(ctx.signal, async (session): Promise<ActiveQueriesResult> => {
      const fetched = await session.query<SessionRow>(SESSIONS_SQL, [
        args.include_idle,
        args.include_system,
        args.all_databases,
        args.min_duration_ms ?? null,
        MAX_QUERY_TEXT + 1,
        args.limit + 1,
        offset,
      ]);
      const { items, ...more } = pageOf(fetched, offset, args.limit, key);
      return {
        database: database.name,
        matching: fetched[0]?.matching ?? 0,
        sessions: items.map((row) => ({
          pid: row.pid,
          leaderPid: row.leader_pid,
          database: row.database,
          user: row.user,
          application: row.application,
          clientAddress: row.client_address,
          clientPort: row.client_port,
          backendType: row.backend_type,
          state: row.state,
          waitEventType: row.wait_event_type,
          waitEvent: row.wait_event,
          backendStart: row.backend_start,
          transactionStart: row.xact_start,
          queryStart: row.query_start,
          stateChange: row.state_change,
          transactionAgeMs: ageMs(row.xact_ms),
          queryAgeMs: ageMs(row.query_ms),
          stateAgeMs: ageMs(row.state_ms),
          query: row.query,
          blockedBy: row.blocked_by,
        })),
        ...more,
      };
    });
  },
});

function renderActiveQueries(result: ActiveQueriesResult): RenderedText {
  const more = result.nextCursor ? ' More follow: pass nextCursor as cursor.' : '';
  const note =
    `${result.sessions.length} of ${result.matching} session${result.matching === 1 ? '' : 's'} in database "${result.database}", oldest transaction first.${more} ` +
    'Each entry: pid [state] ages and waits, then the query.';
  const data = result.sessions.flatMap((entry) => {
    const facts = [
      `pid ${entry.pid} [${entry.state ?? entry.backendType ?? '?'}]`,
      `transaction ${duration(entry.transactionAgeMs)}`,
      `query ${duration(entry.queryAgeMs)}`,
      ...(entry.state === 'active' || entry.stateAgeMs === null ? [] : [`in state ${duration(entry.stateAgeMs)}`]),
      ...(entry.waitEventType ? [`waiting ${entry.waitEventType}/${entry.waitEvent ?? '?'}`] : []),
      ...(entry.blockedBy.length > 0 ? [`blocked by ${entry.blockedBy.join(', ')}`] : []),
      `user ${entry.user ?? '?'}`,
      ...(entry.application ? [`app ${entry.application}`] : []),
      ...(entry.clientAddress ? [`from ${entry.clientAddress}`] : []),
      ...(entry.backendType && entry.backendType !== 'client backend' ? [entry.backendType] : []),
    ];
    return [facts.join(', '), `  ${oneLine(entry.query, 500)}`];
  });
  return { note, data: data.join('\n') };
}
