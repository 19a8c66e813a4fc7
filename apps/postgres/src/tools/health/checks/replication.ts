import type { Finding, HealthCheck, Severity } from './health-check.js';
import { bySeverity } from './health-check.js';
import type { Session } from '../../../db/session.js';
import { formatBytes, formatCount, plural } from './format.js';

/** Replay lag (seconds) of a replica, or of this standby, before a warning; then critical. */
export const REPLICATION_LAG_WARNING_SECONDS = 60;
export const REPLICATION_LAG_CRITICAL_SECONDS = 600;
/** WAL a replica has yet to replay, or a slot holds back, before a warning; then critical. */
export const REPLICATION_WAL_WARNING_BYTES = 1024 ** 3;
export const REPLICATION_WAL_CRITICAL_BYTES = 10 * 1024 ** 3;

interface ReplicaRow {
  name: string;
  client_addr: string | null;
  state: string | null;
  sync_state: string | null;
  replay_lag_seconds: number | null;
  replay_lag_bytes: number | null;
}

interface SlotRow {
  name: string;
  slot_type: string;
  database: string | null;
  active: boolean;
  wal_status: string | null;
  retained_bytes: number | null;
}

interface StandbyRow {
  replay_delay_seconds: number | null;
  replay_backlog_bytes: number | null;
  receiver_status: string | null;
}

// The lag columns are NULL when a replica has caught up and nothing new was written (and, like
// the addresses, without pg_read_all_stats for other roles' WAL senders).
const REPLICAS_SQL = `
select coalesce(nullif(r.application_name, ''), 'pid ' || r.pid) as name, r.client_addr::text as client_addr, r.state, r.sync_state,
       extract(epoch from r.replay_lag)::float8 as replay_lag_seconds,
       pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), r.replay_lsn)::float8 as replay_lag_bytes
from pg_catalog.pg_stat_replication r
order by replay_lag_bytes desc nulls last, name`;

// wal_status (PostgreSQL 13+): reserved/extended are fine, unreserved is about to lose WAL, lost has.
const SLOTS_SQL = `
select s.slot_name::text as name, s.slot_type, s.database::text as database, s.active, s.wal_status,
       pg_catalog.pg_wal_lsn_diff(case when pg_catalog.pg_is_in_recovery() then pg_catalog.pg_last_wal_receive_lsn() else pg_catalog.pg_current_wal_lsn() end,
                                  s.restart_lsn)::float8 as retained_bytes
from pg_catalog.pg_replication_slots s
order by retained_bytes desc nulls last, name`;

// On a standby: how far behind the primary's last replayed commit is, and WAL received but not yet
// replayed. The replay delay grows while the primary is idle too; read it with the backlog.
const STANDBY_SQL = `
select extract(epoch from pg_catalog.now() - pg_catalog.pg_last_xact_replay_timestamp())::float8 as replay_delay_seconds,
       pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_last_wal_receive_lsn(), pg_catalog.pg_last_wal_replay_lsn())::float8 as replay_backlog_bytes,
       (select w.status from pg_catalog.pg_stat_wal_receiver w limit 1) as receiver_status`;

const bySeconds = (seconds: number | null): Severity | undefined =>
  seconds === null ? undefined : seconds >= REPLICATION_LAG_CRITICAL_SECONDS ? 'critical' : seconds >= REPLICATION_LAG_WARNING_SECONDS ? 'warning' : undefined;
const byBytes = (bytes: number | null): Severity | undefined =>
  bytes === null ? undefined : bytes >= REPLICATION_WAL_CRITICAL_BYTES ? 'critical' : bytes >= REPLICATION_WAL_WARNING_BYTES ? 'warning' : undefined;
const worst = (...severities: (Severity | undefined)[]): Severity | undefined =>
  severities.includes('critical') ? 'critical' : severities.includes('warning') ? 'warning' : undefined;

function replicaFindings(replicas: readonly ReplicaRow[]): Finding[] {
  return replicas.flatMap((replica) => {
    const severity = worst(bySeconds(replica.replay_lag_seconds), byBytes(replica.replay_lag_bytes));
    if (!severity) return [];
    return [{
      severity,
      object: replica.name,
      issue: 'replica lags behind: it serves stale reads, and this server keeps WAL until it catches up',
      details: {
        clientAddress: replica.client_addr,
        state: replica.state,
        syncState: replica.sync_state,
        replayLagSeconds: replica.replay_lag_seconds === null ? null : Math.round(replica.replay_lag_seconds),
        replayLagBytes: replica.replay_lag_bytes,
      },
    }];
  });
}

function slotFindings(slots: readonly SlotRow[]): Finding[] {
  return slots.flatMap((slot) => {
    const lostWal = slot.wal_status === 'lost' || slot.wal_status === 'unreserved';
    const severity = worst(lostWal ? 'critical' : undefined, slot.active ? undefined : 'warning', byBytes(slot.retained_bytes));
    if (!severity) return [];
    const problems = [
      slot.wal_status === 'lost' ? 'it has lost WAL its consumer needs (the consumer must be rebuilt)' : undefined,
      slot.wal_status === 'unreserved' ? 'WAL it needs is about to be removed' : undefined,
      slot.active ? undefined : 'nothing is connected to it',
      slot.retained_bytes !== null && slot.retained_bytes >= REPLICATION_WAL_WARNING_BYTES ? `it holds back ${formatBytes(slot.retained_bytes)} of WAL` : undefined,
    ].filter((problem) => problem !== undefined);
    return [{
      severity,
      object: slot.name,
      issue: `replication slot: ${problems.join('; ')}; drop it with pg_drop_replication_slot if it is no longer used, as it keeps WAL (and, for logical slots, old row versions)`,
      details: { slotType: slot.slot_type, database: slot.database, active: slot.active, walStatus: slot.wal_status, retainedBytes: slot.retained_bytes },
    }];
  });
}

async function standbyFindings(session: Session): Promise<{ findings: Finding[]; summary: string; row: StandbyRow | undefined }> {
  const [row] = await session.query<StandbyRow>(STANDBY_SQL);
  const findings: Finding[] = [];
  const delay = row?.replay_delay_seconds ?? null;
  const backlog = row?.replay_backlog_bytes ?? null;
  const severity = worst(bySeconds(delay), byBytes(backlog));
  if (severity) {
    findings.push({
      severity,
      object: 'this standby',
      issue: 'this standby replays behind the primary (if the primary is idle, the delay grows without harm; check the backlog)',
      details: { replayDelaySeconds: delay === null ? null : Math.round(delay), replayBacklogBytes: backlog, receiverStatus: row?.receiver_status ?? null },
    });
  }
  const lag = delay === null ? 'nothing replayed yet' : `last replayed commit ${formatCount(delay)} s old`;
  const summary = `A standby: ${lag}, ${backlog === null ? 'no WAL received' : `${formatBytes(backlog)} received but not replayed`}, WAL receiver ${row?.receiver_status ?? 'not running (or hidden: needs pg_read_all_stats)'}`;
  return { findings, summary, row };
}

export const replication: HealthCheck = {
  name: 'replication',
  description:
    `replication: on a primary, each replica's replay lag from pg_stat_replication (warning from ${formatCount(REPLICATION_LAG_WARNING_SECONDS)} s or ${formatBytes(REPLICATION_WAL_WARNING_BYTES)} behind, ` +
    `critical from ${formatCount(REPLICATION_LAG_CRITICAL_SECONDS)} s or ${formatBytes(REPLICATION_WAL_CRITICAL_BYTES)}); on a standby, its own replay delay and backlog by the same thresholds; ` +
    `and replication slots that are inactive (warning), hold back that much WAL, or have lost or are losing WAL (critical).`,
  async run(session) {
    const [{ standby = false } = {}] = await session.query<{ standby: boolean }>('select pg_catalog.pg_is_in_recovery() as standby');
    const slots = await session.query<SlotRow>(SLOTS_SQL);
    const findings = slotFindings(slots);
    let role: string;
    let metrics: Record<string, number | boolean | null>;
    if (standby) {
      const own = await standbyFindings(session);
      findings.push(...own.findings);
      role = own.summary;
      metrics = { standby: true, replayDelaySeconds: own.row?.replay_delay_seconds ?? null, replayBacklogBytes: own.row?.replay_backlog_bytes ?? null };
    } else {
      const replicas = await session.query<ReplicaRow>(REPLICAS_SQL);
      findings.push(...replicaFindings(replicas));
      const hidden = replicas.filter((replica) => replica.state === null).length;
      role =
        replicas.length === 0
          ? 'Not a primary with replicas (no WAL senders connected)'
          : `A primary with ${plural(replicas.length, 'replica', 'replicas')}${hidden > 0 ? ` (details of ${formatCount(hidden)} hidden: needs pg_read_all_stats)` : ''}`;
      metrics = { standby: false, replicas: replicas.length, maxReplayLagBytes: replicas[0]?.replay_lag_bytes ?? null };
    }
    const inactive = slots.filter((slot) => !slot.active).length;
    const slotText = slots.length === 0 ? 'no replication slots' : `${plural(slots.length, 'replication slot', 'replication slots')}, ${formatCount(inactive)} inactive`;
    return {
      summary: `${role}; ${slotText}.`,
      findings: bySeverity(findings),
      metrics: { ...metrics, slots: slots.length, inactiveSlots: inactive },
    };
  },
};
