// db_health against a fresh copy of the sample database in which the superuser has created one
// case of each problem: each check must find exactly those, as the least-privilege reader, and a
// check that fails (a view the role may not read) must leave the others running.
import type { Logger } from '@bastion-mcp/logging';
import { textOf } from '@bastion-mcp/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../src/db/session.js';
import { CACHE_HIT_CRITICAL_RATIO, CACHE_HIT_WARNING_RATIO, CACHE_MIN_BLOCKS } from '../src/tools/health/checks/cache-hit.js';
import { constraints } from '../src/tools/health/checks/constraints.js';
import type { HealthCheck } from '../src/tools/health/checks/health-check.js';
import { runChecks } from '../src/tools/health/checks/run-checks.js';
import { cacheHit } from '../src/tools/health/checks/cache-hit.js';
import { connections } from '../src/tools/health/checks/connections.js';
import { replication } from '../src/tools/health/checks/replication.js';
import { WRAPAROUND_LIMIT, wraparound } from '../src/tools/health/checks/wraparound.js';
import { connectAs, type FreshDatabase } from './support/pg.js';
import { freshPostgres, type PostgresSession } from './support/server.js';

interface Finding {
  severity: string;
  object: string;
  issue: string;
  details: Record<string, unknown>;
}

interface Check {
  check: string;
  status: string;
  summary: string;
  reason?: string;
  metrics?: Record<string, unknown>;
  findings: Finding[];
  moreFindings: number;
}

interface Health {
  database: string;
  status: string;
  summary: string;
  checks: Check[];
}

const ZERO_WIDTH = '\u200b';
const CONSTRAINT_NAME = `checked_v${ZERO_WIDTH}positive`;

// The problems, one of each; every statement runs as the superuser.
const PROBLEMS_SQL = `
CREATE TABLE public.dupvals (v int);
INSERT INTO public.dupvals VALUES (1), (1);

CREATE TABLE public.dup_items (a int, b int, c text);
CREATE INDEX dup_items_a_idx ON public.dup_items (a);
CREATE INDEX dup_items_a_b_idx ON public.dup_items (a, b);
CREATE INDEX dup_items_b_idx ON public.dup_items (b);
CREATE INDEX dup_items_b_copy_idx ON public.dup_items (b);
CREATE INDEX dup_items_b_desc_idx ON public.dup_items (b DESC, a);
CREATE INDEX dup_items_c_idx ON public.dup_items (c);
CREATE INDEX dup_items_c_partial_idx ON public.dup_items (c) WHERE a > 0;
CREATE TABLE public.codes (code text CONSTRAINT codes_code_key UNIQUE);
CREATE UNIQUE INDEX codes_code_copy ON public.codes (code);

CREATE TABLE public.unused_big (id int, v int);
INSERT INTO public.unused_big SELECT g, g FROM generate_series(1, 60000) AS g;
CREATE INDEX unused_big_v_idx ON public.unused_big (v);

CREATE TABLE public.bloaty (id int, pad text);
INSERT INTO public.bloaty SELECT g, repeat('x', 100) FROM generate_series(1, 100000) AS g;
DELETE FROM public.bloaty WHERE id % 10 <> 0;

CREATE TABLE public.churn (id int, v int) WITH (autovacuum_enabled = false);
INSERT INTO public.churn SELECT g, 0 FROM generate_series(1, 10000) AS g;

CREATE SEQUENCE public.ticket_seq AS smallint;
SELECT setval('public.ticket_seq', 29500);
CREATE TABLE public.tickets (id int GENERATED ALWAYS AS IDENTITY, note text);
SELECT setval(pg_get_serial_sequence('public.tickets', 'id'), 1717986918);
CREATE SEQUENCE public.legacy_id_seq AS bigint;
CREATE TABLE public.legacy (id int DEFAULT nextval('public.legacy_id_seq'));
SELECT setval('public.legacy_id_seq', 2000000000);
CREATE SEQUENCE public.hidden_seq AS smallint;
SELECT setval('public.hidden_seq', 32000);
REVOKE ALL ON SEQUENCE public.hidden_seq FROM bastion_reader;
CREATE SEQUENCE public.cycling_seq AS smallint CYCLE;
SELECT setval('public.cycling_seq', 32000);

CREATE TABLE public.checked (v int);
INSERT INTO public.checked VALUES (-1);
ALTER TABLE public.checked ADD CONSTRAINT "${CONSTRAINT_NAME}" CHECK (v > 0) NOT VALID;
`;

/** Polls the statistics views (a new snapshot each time) until `sql` returns true. */
async function waitForStats(url: string, sql: string): Promise<void> {
  const client = await connectAs(url);
  try {
    for (let attempt = 0; attempt < 100; attempt++) {
      const { rows } = await client.query<{ ready: boolean }>(sql);
      if (rows[0]?.ready) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`statistics never showed: ${sql}`);
  } finally {
    await client.end();
  }
}

async function asSuperuser(url: string, ...statements: string[]): Promise<void> {
  const client = await connectAs(url);
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

let database: FreshDatabase;
let db: PostgresSession;
let close: () => Promise<void>;
let health: Health;

const check = (name: string) => {
  const found = health.checks.find((entry) => entry.check === name);
  if (!found) throw new Error(`no ${name} check in the result`);
  return found;
};
const objects = (name: string) => check(name).findings.map((finding) => finding.object);

beforeAll(async () => {
  // Each step in its own session: the statistics views count a session's writes once it ends.
  ({ database, db, close } = await freshPostgres('db_health', async (_owner, { superuserUrl }) => {
    await asSuperuser(superuserUrl, PROBLEMS_SQL);
    // A unique index built concurrently over duplicate values fails and stays behind, INVALID.
    await expect(asSuperuser(superuserUrl, 'CREATE UNIQUE INDEX CONCURRENTLY dupvals_v_key ON public.dupvals (v)')).rejects.toThrow(/could not create unique index/);
    // The sessions that wrote have ended; once their counts are in, VACUUM sets them for good.
    await waitForStats(
      superuserUrl,
      `select bool_and(n_tup_ins + n_tup_del >= case relname when 'bloaty' then 190000 when 'unused_big' then 60000 else 10000 end) as ready
       from pg_stat_user_tables where relname in ('bloaty', 'unused_big', 'churn')`,
    );
    await asSuperuser(
      superuserUrl,
      'VACUUM ANALYZE public.dupvals, public.dup_items, public.codes, public.unused_big, public.bloaty, public.tickets, public.legacy, public.checked',
    );
    await asSuperuser(superuserUrl, 'UPDATE public.churn SET v = 1 WHERE id <= 5000');
    await waitForStats(superuserUrl, "select n_dead_tup >= 5000 as ready from pg_stat_user_tables where relname = 'churn'");
  }));
  health = await db.ok<Health>('db_health');
});

afterAll(() => close?.());

describe('db_health', () => {
  it('runs every check, in order, and reports the worst status overall', () => {
    expect(health.checks.map((entry) => entry.check)).toEqual([
      'invalid_indexes', 'duplicate_indexes', 'unused_indexes', 'bloat', 'vacuum', 'wraparound', 'sequences', 'cache_hit', 'connections', 'replication', 'constraints',
    ]);
    expect(health.status).toBe('critical');
    const statuses = Object.fromEntries(health.checks.map((entry) => [entry.check, entry.status]));
    expect(statuses).toMatchObject({
      invalid_indexes: 'warning', duplicate_indexes: 'warning', unused_indexes: 'warning', bloat: 'warning', vacuum: 'warning', wraparound: 'ok',
      sequences: 'critical', connections: 'ok', replication: 'ok', constraints: 'warning',
    });
    // cache_hit depends on what the set-up read from disk; its own test checks it against its numbers.
    const cacheOk = statuses.cache_hit === 'ok';
    expect(health.summary).toBe(cacheOk ? '1 critical, 6 warning, 4 ok of 11 checks' : `1 critical, 7 warning, 3 ok of 11 checks`);
  });

  it('finds the invalid index left by a failed CREATE INDEX CONCURRENTLY', () => {
    expect(check('invalid_indexes')).toMatchObject({ status: 'warning', moreFindings: 0, summary: expect.stringMatching(/^1 index is INVALID/) });
    expect(check('invalid_indexes').findings).toEqual([
      expect.objectContaining({
        severity: 'warning',
        object: 'public.dupvals_v_key',
        details: expect.objectContaining({ table: 'public.dupvals', definition: 'CREATE UNIQUE INDEX dupvals_v_key ON public.dupvals USING btree (v)' }),
      }),
    ]);
  });

  it('finds indexes covered by another: a prefix, a twin, a unique twin of a constraint, and nothing else', () => {
    const duplicates = check('duplicate_indexes');
    expect(duplicates.status).toBe('warning');
    const pairs = duplicates.findings.map((finding) => [finding.object, finding.details.coveredBy]).sort();
    expect(pairs).toEqual([
      ['public.codes_code_copy', 'public.codes_code_key'],
      ['public.dup_items_a_idx', 'public.dup_items_a_b_idx'],
      ['public.dup_items_b_idx', 'public.dup_items_b_copy_idx'],
    ]);
    const twin = duplicates.findings.find((finding) => finding.object === 'public.dup_items_b_idx')!;
    expect(twin.issue).toMatch(/^duplicate index/);
    expect(duplicates.findings.find((finding) => finding.object === 'public.dup_items_a_idx')!.issue).toMatch(/^redundant index/);
  });

  it('finds the large index nothing has scanned, not the small or unique ones', () => {
    const unused = check('unused_indexes');
    expect(unused.status).toBe('warning');
    expect(objects('unused_indexes')).toEqual(['public.unused_big_v_idx']);
    expect(unused.findings[0]!.details).toMatchObject({ table: 'public.unused_big', indexScans: 0 });
    expect(unused.findings[0]!.details.sizeBytes).toBeGreaterThan(1024 * 1024);
  });

  it('estimates the bloat of the table that lost 90% of its rows, and of nothing else', () => {
    const bloat = check('bloat');
    expect(bloat.status).toBe('warning');
    expect(objects('bloat')).toEqual(['public.bloaty']);
    const details = bloat.findings[0]!.details as { sizeBytes: number; wastedBytes: number; wastedRatio: number; liveRows: number };
    expect(details.liveRows).toBe(10000);
    expect(details.wastedRatio).toBeGreaterThan(0.8);
    expect(details.wastedRatio).toBeLessThan(0.95);
    expect(details.wastedBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(details.wastedBytes).toBeLessThan(details.sizeBytes);
  });

  it('finds the table with dead rows, never vacuumed or analyzed, autovacuum off', () => {
    const vacuum = check('vacuum');
    expect(vacuum.status).toBe('warning');
    expect(objects('vacuum')).toEqual(['public.churn']);
    const churn = vacuum.findings[0]!;
    expect(churn.issue).toMatch(/of its row versions are dead; never vacuumed; never analyzed.*; autovacuum is disabled for it/);
    expect(churn.details).toMatchObject({ liveRows: 10000, autovacuumEnabled: false, lastVacuum: null, lastAnalyze: null });
    expect(churn.details.deadRows).toBeGreaterThanOrEqual(1000);
    expect(churn.details.deadRatio).toBeGreaterThan(0.2);
  });

  it('reports the XID ages of a young cluster as ok, with the numbers', () => {
    const wraparound = check('wraparound');
    expect(wraparound).toMatchObject({ status: 'ok', findings: [] });
    expect(wraparound.metrics).toMatchObject({ freezeMaxAge: 200_000_000, wraparoundLimit: WRAPAROUND_LIMIT });
    expect(wraparound.metrics!.databaseXidAge).toBeGreaterThan(0);
    expect(wraparound.metrics!.databaseXidAge).toBeLessThan(10_000_000);
    expect(wraparound.summary).toMatch(/^Database XID age [\d,]+ \(0\.0% of the 2\^31 limit; autovacuum_freeze_max_age 200,000,000\)/);
  });

  it('finds sequences near their end, by their own range or by the column they feed', () => {
    const sequences = check('sequences');
    expect(sequences.status).toBe('critical');
    expect(sequences.findings.map((finding) => [finding.object, finding.severity])).toEqual([
      ['public.legacy_id_seq', 'critical'],
      ['public.ticket_seq', 'critical'],
      ['public.tickets_id_seq', 'warning'],
    ]);
    const [legacy, ticket, identity] = sequences.findings as [Finding, Finding, Finding];
    // A bigint sequence feeding an integer column runs out with the column.
    expect(legacy.details).toMatchObject({ dataType: 'bigint', lastValue: 2000000000, limit: 2147483647, sequenceLimit: '9223372036854775807', column: 'public.legacy.id', columnType: 'integer' });
    expect(legacy.issue).toMatch(/of what its integer column can hold/);
    expect(ticket.details).toMatchObject({ dataType: 'smallint', lastValue: 29500, limit: 32767, usedRatio: 0.9003, column: null });
    expect(identity.details).toMatchObject({ column: 'public.tickets.id', usedRatio: 0.8 });
    // The one the reader may not read is counted, not judged; the cycling one is left alone.
    expect(sequences.metrics).toMatchObject({ unreadable: 1, flagged: 3 });
    expect(sequences.summary).toMatch(/1 sequence not readable by this role/);
  });

  it('reports cache hit ratios with the status their numbers call for', () => {
    const cache = check('cache_hit');
    const metrics = cache.metrics as { heapHitRatio: number | null; heapBlocksHit: number; heapBlocksRead: number };
    expect(metrics.heapBlocksHit).toBeGreaterThan(0);
    expect(metrics.heapHitRatio).toBeCloseTo(metrics.heapBlocksHit / (metrics.heapBlocksHit + metrics.heapBlocksRead), 3);
    const blocks = metrics.heapBlocksHit + metrics.heapBlocksRead;
    const ratio = metrics.heapHitRatio ?? 1;
    const heapStatus = blocks < CACHE_MIN_BLOCKS || ratio >= CACHE_HIT_WARNING_RATIO ? 'ok' : ratio >= CACHE_HIT_CRITICAL_RATIO ? 'warning' : 'critical';
    expect(cache.findings.some((finding) => finding.object === 'tables (heap)')).toBe(heapStatus !== 'ok');
    expect(cache.summary).toMatch(/^Served from shared buffers: tables [\d.]+% of [\d,]+ block reads/);
  });

  it('counts the connections against the slots open to ordinary roles, by state', async () => {
    const idle = await connectAs(database.superuserUrl);
    try {
      await idle.query('BEGIN');
      await idle.query('SELECT 1');
      const result = await db.ok<Health>('db_health', { checks: ['connections'] });
      const connections = result.checks[0]!;
      expect(connections.status).toBe('ok');
      expect(connections.metrics).toMatchObject({ maxConnections: 100, superuserReserved: 3, available: 97, stateHidden: 0 });
      expect(connections.metrics!.idleInTransaction).toBeGreaterThanOrEqual(1);
      expect(connections.metrics!.clientSessions).toBeGreaterThanOrEqual(2);
      expect(connections.summary).toMatch(/^\d+ of 97 connection slots in use/);
    } finally {
      await idle.end();
    }
  });

  it('says there are no replicas, and finds an inactive replication slot', async () => {
    expect(check('replication')).toMatchObject({ status: 'ok', summary: 'Not a primary with replicas (no WAL senders connected); no replication slots.' });
    await asSuperuser(database.superuserUrl, "SELECT pg_create_physical_replication_slot('db_health_test_slot', true)");
    try {
      const result = await db.ok<Health>('db_health', { checks: ['replication'] });
      const replication = result.checks[0]!;
      expect(replication.status).toBe('warning');
      expect(replication.findings).toEqual([
        expect.objectContaining({ severity: 'warning', object: 'db_health_test_slot', details: expect.objectContaining({ slotType: 'physical', active: false, walStatus: 'reserved' }) }),
      ]);
      expect(replication.findings[0]!.issue).toMatch(/nothing is connected to it/);
      expect(replication.summary).toMatch(/1 replication slot, 1 inactive/);
    } finally {
      await asSuperuser(database.superuserUrl, "SELECT pg_drop_replication_slot('db_health_test_slot')");
    }
  });

  it('finds the NOT VALID constraint, its name sanitized', () => {
    const found = check('constraints');
    expect(found.status).toBe('warning');
    expect(found.findings).toEqual([
      expect.objectContaining({ object: 'public.checked', details: { constraint: 'checked_vpositive', kind: 'check', definition: 'CHECK (v > 0) NOT VALID' } }),
    ]);
  });

  it('runs only the checks asked for, and caps the findings of each', async () => {
    const result = await db.ok<Health>('db_health', { checks: ['constraints', 'duplicate_indexes'], max_findings: 1 });
    expect(result.checks.map((entry) => [entry.check, entry.findings.length, entry.moreFindings])).toEqual([
      ['duplicate_indexes', 1, 2],
      ['constraints', 1, 0],
    ]);
    expect(result.summary).toBe('2 warning of 2 checks');
  });

  it('refuses an unknown check name', async () => {
    expect(await db.refused('db_health', { checks: ['bloat', 'disk_space'] })).toMatch(/checks/);
  });

  it('renders the statuses as the note and the findings, fenced, as data', async () => {
    const text = textOf(await db.call('db_health', { checks: ['sequences', 'constraints'] }));
    const [note, ...rest] = text.split(/\nUntrusted data/);
    expect(note).toMatch(/^Health of database "default": critical \(1 critical, 1 warning of 2 checks\)\.\n- sequences: critical\. 3 sequences have used over 75%/);
    expect(note).not.toContain('public.');
    const data = rest.join('');
    expect(data).toMatch(/<untrusted-data id="[0-9a-f]+">/);
    expect(data).toContain('[sequences] critical public.legacy_id_seq: sequence has used 93.1% of what its integer column can hold');
    expect(data).toContain('[constraints] warning public.checked:');
    expect(data).not.toContain(ZERO_WIDTH);
  });
});

describe('db_health when a check cannot run', () => {
  let denied: FreshDatabase;
  let reader: PostgresSession;
  let closeDenied: () => Promise<void>;

  beforeAll(async () => {
    // System views are per database: take this one from the reader here only.
    ({ database: denied, db: reader, close: closeDenied } = await freshPostgres('db_health_denied', 'REVOKE SELECT ON pg_catalog.pg_replication_slots FROM PUBLIC'));
  });

  afterAll(() => closeDenied?.());

  it('reports that check unavailable with the reason, and still runs the others', async () => {
    const result = await reader.ok<Health>('db_health');
    const replication = result.checks.find((entry) => entry.check === 'replication')!;
    expect(replication).toMatchObject({ status: 'unavailable', findings: [], moreFindings: 0 });
    expect(replication.reason).toMatch(/^Permission denied on database "default": permission denied for view pg_replication_slots\. .*GRANT SELECT/);
    expect(result.checks.filter((entry) => entry.status === 'unavailable')).toHaveLength(1);
    expect(result.checks.find((entry) => entry.check === 'constraints')!.status).toBe('ok');
    expect(result.status).toBe('ok');
    expect(result.summary).toBe('10 ok, 1 unavailable of 11 checks');
  });

  it('keeps running the other checks when one fails inside the server, and logs it', async () => {
    const broken: HealthCheck = {
      name: 'bloat',
      description: 'a check with a bug',
      run: async () => {
        throw new TypeError('cannot read properties of undefined');
      },
    };
    const errors: unknown[] = [];
    const log = { error: (fields: unknown) => errors.push(fields) } as unknown as Logger;
    const client = await connectAs(denied.readerUrl);
    try {
      const read = async <T>(work: (session: Session) => Promise<T>) => work(new Session(client as unknown as pg.PoolClient));
      const results = await runChecks([broken, constraints], { limit: 5, read, signal: new AbortController().signal, log });
      expect(results[0]).toMatchObject({ check: 'bloat', status: 'unavailable', reason: expect.stringMatching(/failed inside the server \(logged\)/) });
      expect(results[1]).toMatchObject({ check: 'constraints', status: 'ok', summary: 'No NOT VALID constraints.' });
      expect(errors).toHaveLength(1);
    } finally {
      await client.end();
    }
  });
});

// States a test cluster cannot be brought into (an old database, a standby, a full server): the
// checks' judgement of such numbers, fed through a session that answers each query with rows.
describe('db_health judging numbers a test cluster cannot produce', () => {
  const answering = (answers: [RegExp, Record<string, unknown>[]][]) =>
    ({
      async query(text: string) {
        const answer = answers.find(([pattern]) => pattern.test(text));
        if (!answer) throw new Error(`unexpected query: ${text.slice(0, 80)}`);
        return answer[1];
      },
    }) as unknown as Session;

  it('wraparound: critical near the limit, a warning past autovacuum_freeze_max_age', async () => {
    const session = answering([
      [/from pg_catalog\.pg_database d/, [{ name: 'sales', xid_age: 1_200_000_000, mxid_age: 5, freeze_max_age: 200_000_000, multixact_freeze_max_age: 400_000_000 }]],
      [/with aged as/, [
        { object: 'public.events', xid_age: 1_200_000_000, mxid_age: 5, over_threshold: 2, oldest_xid_age: 1_200_000_000 },
        { object: 'public.logs', xid_age: 250_000_000, mxid_age: 5, over_threshold: 2, oldest_xid_age: 1_200_000_000 },
        { object: 'public.small', xid_age: 1000, mxid_age: 5, over_threshold: 2, oldest_xid_age: 1_200_000_000 },
      ]],
    ]);
    const outcome = await wraparound.run(session, { limit: 10 });
    expect(outcome.findings.map((finding) => [finding.object, finding.severity])).toEqual([
      ['sales', 'critical'],
      ['public.events', 'critical'],
      ['public.logs', 'warning'],
    ]);
    expect(outcome.findings[0]!.details).toMatchObject({ xidAge: 1_200_000_000, xidsLeft: WRAPAROUND_LIMIT - 1_200_000_000, xidPercentOfLimit: 55.9 });
    expect(outcome.summary).toMatch(/Database XID age 1,200,000,000 \(55\.9% of the 2\^31 limit.*2 tables are past autovacuum_freeze_max_age\.$/);
    expect(outcome.total).toBe(3);
  });

  it('connections: critical when the slots are nearly gone, and long idle transactions', async () => {
    const row = {
      max_connections: 100, superuser_reserved: 3, reserved: 0, client_backends: 90, this_database: 80, active: 10, idle: 70,
      idle_in_transaction: 10, idle_in_transaction_aborted: 0, other_states: 0, hidden: 0, long_idle_in_transaction: 2, oldest_idle_in_transaction_seconds: 3600.4,
    };
    const outcome = await connections.run(answering([[/client backend/, [row]]]), { limit: 10 });
    expect(outcome.findings.map((finding) => [finding.object, finding.severity])).toEqual([
      ['max_connections', 'critical'],
      ['idle in transaction', 'warning'],
    ]);
    expect(outcome.findings[0]!.details).toMatchObject({ clientSessions: 90, available: 97, usedRatio: 0.9278 });
    expect(outcome.findings[1]!.details).toEqual({ sessions: 2, oldestSeconds: 3600 });
    const calm = await connections.run(answering([[/client backend/, [{ ...row, client_backends: 73, long_idle_in_transaction: 0 }]]]), { limit: 10 });
    expect(calm.findings.map((finding) => finding.severity)).toEqual(['warning']);
  });

  it('replication on a primary: a lagging replica, and a slot that lost WAL', async () => {
    const session = answering([
      [/pg_is_in_recovery\(\) as standby/, [{ standby: false }]],
      [/pg_replication_slots/, [
        { name: 'old_consumer', slot_type: 'logical', database: 'sales', active: false, wal_status: 'lost', retained_bytes: null },
        { name: 'replica_a', slot_type: 'physical', database: null, active: true, wal_status: 'reserved', retained_bytes: 1024 },
      ]],
      [/pg_stat_replication/, [
        { name: 'replica_b', client_addr: '10.0.0.2', state: 'streaming', sync_state: 'async', replay_lag_seconds: 90, replay_lag_bytes: 2 * 1024 ** 3 },
        { name: 'replica_a', client_addr: '10.0.0.1', state: 'streaming', sync_state: 'async', replay_lag_seconds: null, replay_lag_bytes: 0 },
      ]],
    ]);
    const outcome = await replication.run(session, { limit: 10 });
    expect(outcome.findings.map((finding) => [finding.object, finding.severity])).toEqual([
      ['old_consumer', 'critical'],
      ['replica_b', 'warning'],
    ]);
    expect(outcome.findings[0]!.issue).toMatch(/it has lost WAL its consumer needs.*nothing is connected to it/);
    expect(outcome.summary).toBe('A primary with 2 replicas; 2 replication slots, 1 inactive.');
  });

  it('replication on a standby: its own replay delay', async () => {
    const session = answering([
      [/pg_is_in_recovery\(\) as standby/, [{ standby: true }]],
      [/pg_replication_slots/, []],
      [/pg_last_xact_replay_timestamp/, [{ replay_delay_seconds: 700, replay_backlog_bytes: 4096, receiver_status: 'streaming' }]],
    ]);
    const outcome = await replication.run(session, { limit: 10 });
    expect(outcome.findings).toEqual([expect.objectContaining({ severity: 'critical', object: 'this standby', details: { replayDelaySeconds: 700, replayBacklogBytes: 4096, receiverStatus: 'streaming' } })]);
    expect(outcome.summary).toBe('A standby: last replayed commit 700 s old, 4 kB received but not replayed, WAL receiver streaming; no replication slots.');
  });

  it('cache_hit: judged only with enough reads, critical below its threshold', async () => {
    const reads = (heapHit: number, heapRead: number, indexHit: number, indexRead: number) =>
      answering([[/pg_statio_user_tables/, [{ heap_hit: heapHit, heap_read: heapRead, index_hit: indexHit, index_read: indexRead, database_hit: 1, database_read: 1 }]]]);
    const poor = await cacheHit.run(reads(950_000, 50_000, 500_000, 500_000), { limit: 10 });
    expect(poor.findings.map((finding) => [finding.object, finding.severity, finding.details.hitRatio])).toEqual([
      ['indexes', 'critical', 0.5],
      ['tables (heap)', 'warning', 0.95],
    ]);
    const quiet = await cacheHit.run(reads(50, 50, 0, 0), { limit: 10 });
    expect(quiet.findings).toEqual([]);
    expect(quiet.summary).toBe('Served from shared buffers: tables 50% of 100 block reads (too few to judge); indexes no block reads yet.');
  });
});
