import type { Finding, HealthCheck } from './health-check.js';
import { formatCount, formatPercent, plural, roundRatio } from './format.js';

/** Share of the connection slots open to ordinary roles in use before a warning; then critical. */
export const CONNECTIONS_WARNING_RATIO = 0.75;
export const CONNECTIONS_CRITICAL_RATIO = 0.9;
/** A session idle in a transaction this long holds locks and keeps vacuum from cleaning up. */
export const IDLE_IN_TRANSACTION_WARNING_SECONDS = 300;

interface Row {
  max_connections: number;
  superuser_reserved: number;
  reserved: number;
  client_backends: number;
  this_database: number;
  active: number;
  idle: number;
  idle_in_transaction: number;
  idle_in_transaction_aborted: number;
  other_states: number;
  hidden: number;
  long_idle_in_transaction: number;
  oldest_idle_in_transaction_seconds: number | null;
}

// Client backends are what max_connections limits (autovacuum, WAL senders and background workers
// have their own limits). A role without pg_read_all_stats sees other roles' sessions with no state.
// reserved_connections exists from PostgreSQL 16: current_setting(..., true) is NULL before.
const SQL = `
with client as (
  select a.state, a.state_change, a.datname = pg_catalog.current_database() as here
  from pg_catalog.pg_stat_activity a where a.backend_type = 'client backend'
)
select pg_catalog.current_setting('max_connections')::int as max_connections,
       pg_catalog.current_setting('superuser_reserved_connections')::int as superuser_reserved,
       coalesce(pg_catalog.current_setting('reserved_connections', true)::int, 0) as reserved,
       (select count(*) from client)::int as client_backends,
       (select count(*) filter (where here) from client)::int as this_database,
       (select count(*) filter (where state = 'active') from client)::int as active,
       (select count(*) filter (where state = 'idle') from client)::int as idle,
       (select count(*) filter (where state = 'idle in transaction') from client)::int as idle_in_transaction,
       (select count(*) filter (where state = 'idle in transaction (aborted)') from client)::int as idle_in_transaction_aborted,
       (select count(*) filter (where state not in ('active', 'idle', 'idle in transaction', 'idle in transaction (aborted)')) from client)::int as other_states,
       (select count(*) filter (where state is null) from client)::int as hidden,
       (select count(*) filter (where state like 'idle in transaction%' and state_change < pg_catalog.now() - make_interval(secs => $1)) from client)::int as long_idle_in_transaction,
       (select extract(epoch from pg_catalog.now() - min(state_change)) from client where state like 'idle in transaction%')::float8 as oldest_idle_in_transaction_seconds`;

export const connections: HealthCheck = {
  name: 'connections',
  description:
    `connections: client sessions against max_connections minus the reserved slots (superuser_reserved_connections, and reserved_connections from PostgreSQL 16), by state: ` +
    `a warning from ${formatPercent(CONNECTIONS_WARNING_RATIO)} in use, critical from ${formatPercent(CONNECTIONS_CRITICAL_RATIO)}; ` +
    `and a warning for sessions idle in a transaction for over ${formatCount(IDLE_IN_TRANSACTION_WARNING_SECONDS)} s (they hold locks and hold back vacuum).`,
  async run(session) {
    const [row] = await session.query<Row>(SQL, [IDLE_IN_TRANSACTION_WARNING_SECONDS]);
    if (!row) throw new Error('the connection counts returned no row');
    const available = Math.max(1, row.max_connections - row.superuser_reserved - row.reserved);
    const used = row.client_backends / available;
    const findings: Finding[] = [];
    const severity = used >= CONNECTIONS_CRITICAL_RATIO ? 'critical' : used >= CONNECTIONS_WARNING_RATIO ? 'warning' : undefined;
    if (severity) {
      findings.push({
        severity,
        object: 'max_connections',
        issue: `${formatPercent(used)} of the connection slots are in use: use a connection pooler (PgBouncer) or close idle sessions before new ones are refused`,
        details: { clientSessions: row.client_backends, available, maxConnections: row.max_connections, usedRatio: roundRatio(used), idle: row.idle },
      });
    }
    if (row.long_idle_in_transaction > 0) {
      findings.push({
        severity: 'warning',
        object: 'idle in transaction',
        issue: `${plural(row.long_idle_in_transaction, 'session has', 'sessions have')} been idle in a transaction for over ${formatCount(IDLE_IN_TRANSACTION_WARNING_SECONDS)} s: they hold locks and keep vacuum from removing dead rows`,
        details: { sessions: row.long_idle_in_transaction, oldestSeconds: row.oldest_idle_in_transaction_seconds === null ? null : Math.round(row.oldest_idle_in_transaction_seconds) },
      });
    }
    const hidden = row.hidden > 0 ? `; the state of ${plural(row.hidden, 'session', 'sessions')} of other roles is hidden (needs pg_read_all_stats)` : '';
    return {
      summary:
        `${formatCount(row.client_backends)} of ${formatCount(available)} connection slots in use (${formatPercent(used)}; ${formatCount(row.this_database)} in this database): ` +
        `${formatCount(row.active)} active, ${formatCount(row.idle)} idle, ${formatCount(row.idle_in_transaction + row.idle_in_transaction_aborted)} idle in transaction${hidden}.`,
      findings,
      metrics: {
        clientSessions: row.client_backends,
        available,
        maxConnections: row.max_connections,
        superuserReserved: row.superuser_reserved,
        reserved: row.reserved,
        usedRatio: roundRatio(used),
        thisDatabase: row.this_database,
        active: row.active,
        idle: row.idle,
        idleInTransaction: row.idle_in_transaction,
        idleInTransactionAborted: row.idle_in_transaction_aborted,
        otherStates: row.other_states,
        stateHidden: row.hidden,
      },
    };
  },
};
