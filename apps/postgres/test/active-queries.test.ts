import { textOf } from '@bastion-mcp/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAs, freshDatabase, withSuperuser } from './support/pg.js';
import type { FreshDatabase } from './support/pg.js';
import { freshPostgres, withPlainRole } from './support/server.js';
import type { Paged, PostgresSession } from './support/server.js';

interface ActiveSession {
  pid: number;
  database: string | null;
  user: string | null;
  application: string | null;
  clientAddress: string | null;
  backendType: string | null;
  state: string | null;
  waitEventType: string | null;
  waitEvent: string | null;
  transactionStart: string | null;
  queryStart: string | null;
  transactionAgeMs: number | null;
  queryAgeMs: number | null;
  stateAgeMs: number | null;
  query: string | null;
  blockedBy: number[];
}

interface ActiveQueries extends Paged {
  matching: number;
  sessions: ActiveSession[];
}

const withApplication = (url: string, name: string) => {
  const parsed = new URL(url);
  parsed.searchParams.set('application_name', name);
  return parsed.toString();
};

async function pidOf(client: pg.Client): Promise<number> {
  return (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
}

describe('active_queries', () => {
  let fresh: FreshDatabase;
  let other: FreshDatabase;
  let db: PostgresSession;
  let close: () => Promise<void>;
  const clients: pg.Client[] = [];
  let idler: number;
  let sleeper: number;
  let idle: number;
  let elsewhere: number;

  beforeAll(async () => {
    ({ database: fresh, db, close } = await freshPostgres('perf_active', async (client, database) => {
      // Opened first, so its transaction is the oldest.
      const idlerClient = await connectAs(withApplication(database.superuserUrl, 'perf_idler'));
      clients.push(idlerClient);
      idler = await pidOf(idlerClient);
      await idlerClient.query('begin');
      await idlerClient.query('select 1 as perf_idle_marker');

      const sleeperClient = await connectAs(withApplication(database.superuserUrl, 'perf_sleeper'));
      clients.push(sleeperClient);
      sleeper = await pidOf(sleeperClient);
      // The test terminates it at the end; its client then reports the lost connection.
      sleeperClient.on('error', () => undefined);
      // Not awaited: it sleeps until the test ends it.
      sleeperClient.query('select pg_sleep(60) /* sleeper red\u001b[31m\u200b */').catch(() => undefined);

      const idleClient = await connectAs(database.superuserUrl);
      clients.push(idleClient);
      idle = await pidOf(idleClient);

      // A session in another database, idle in a transaction.
      other = await freshDatabase('perf_active_other');
      const otherClient = await connectAs(other.superuserUrl);
      clients.push(otherClient);
      elsewhere = await pidOf(otherClient);
      await otherClient.query('begin; select 1 as perf_elsewhere');

      for (let i = 0; i < 100; i++) {
        const { rows } = await client.query("select 1 from pg_stat_activity where pid = $1 and wait_event = 'PgSleep'", [sleeper]);
        if (rows.length > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('the sleeping session did not start');
    }));
  });

  afterAll(async () => {
    // The tool never ends sessions; the test does, as the superuser.
    if (sleeper && fresh) await withSuperuser((client) => client.query('select pg_terminate_backend($1)', [sleeper]), fresh.superuserUrl).catch(() => undefined);
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    await close?.();
    await other?.drop();
  });

  it('lists working sessions, the oldest transaction first, with their state, waits and ages', async () => {
    const result = await db.ok<ActiveQueries>('active_queries');
    expect(result.database).toBe('default');
    const pids = result.sessions.map((entry) => entry.pid);
    expect(pids.slice(0, 2)).toEqual([idler, sleeper]);
    expect(pids).not.toContain(idle);
    expect(pids).not.toContain(elsewhere);
    const [idling, sleeping] = result.sessions;
    expect(idling).toMatchObject({
      state: 'idle in transaction',
      query: 'select 1 as perf_idle_marker',
      user: 'postgres',
      application: 'perf_idler',
      database: 'perf_active',
      backendType: 'client backend',
      clientAddress: '127.0.0.1',
      blockedBy: [],
    });
    expect(idling!.transactionAgeMs!).toBeGreaterThanOrEqual(idling!.stateAgeMs!);
    expect(idling!.transactionStart).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    expect(sleeping).toMatchObject({ state: 'active', waitEventType: 'Timeout', waitEvent: 'PgSleep', application: 'perf_sleeper' });
    expect(sleeping!.queryAgeMs).toBeGreaterThanOrEqual(0);
  });

  it("leaves out this call's own session", async () => {
    const result = await db.ok<ActiveQueries>('active_queries', { include_idle: true });
    expect(result.sessions.some((entry) => entry.state === 'active' && entry.query?.includes('pg_stat_activity'))).toBe(false);
  });

  it('strips terminal escapes and invisible characters from query texts', async () => {
    const result = await db.ok<ActiveQueries>('active_queries');
    expect(result.sessions.find((entry) => entry.pid === sleeper)?.query).toBe('select pg_sleep(60) /* sleeper red */');
  });

  it('adds idle sessions, background processes and other databases on request', async () => {
    const withIdle = await db.ok<ActiveQueries>('active_queries', { include_idle: true, limit: 100 });
    expect(withIdle.sessions.find((entry) => entry.pid === idle)).toMatchObject({ state: 'idle', transactionStart: null, transactionAgeMs: null });
    const system = await db.ok<ActiveQueries>('active_queries', { include_system: true, limit: 100 });
    expect(system.sessions.some((entry) => entry.backendType === 'checkpointer')).toBe(true);
    expect(system.sessions.find((entry) => entry.backendType === 'checkpointer')?.state).toBeNull();
    const everywhere = await db.ok<ActiveQueries>('active_queries', { all_databases: true, limit: 100 });
    expect(everywhere.sessions.find((entry) => entry.pid === elsewhere)).toMatchObject({ database: 'perf_active_other', state: 'idle in transaction' });
  });

  it('filters by how long the transaction or statement has run', async () => {
    const none = await db.ok<ActiveQueries>('active_queries', { min_duration_ms: 3_600_000 });
    expect(none).toMatchObject({ matching: 0, sessions: [] });
    const all = await db.ok<ActiveQueries>('active_queries', { min_duration_ms: 0 });
    expect(all.sessions.map((entry) => entry.pid)).toEqual(expect.arrayContaining([idler, sleeper]));
  });

  it('pages', async () => {
    const first = await db.ok<ActiveQueries>('active_queries', { limit: 1 });
    expect(first).toMatchObject({ truncated: true, matching: 2 });
    expect(first.sessions.map((entry) => entry.pid)).toEqual([idler]);
    const second = await db.ok<ActiveQueries>('active_queries', { limit: 1, cursor: first.nextCursor });
    expect(second.sessions.map((entry) => entry.pid)).toEqual([sleeper]);
    expect(second.nextCursor).toBeUndefined();
    expect(await db.refused('active_queries', { limit: 1, include_idle: true, cursor: first.nextCursor })).toMatch(/`cursor` belongs to another active_queries call/);
  });

  it("shows what PostgreSQL lets a role without pg_read_all_stats see of others' sessions", async () => {
    await withPlainRole(fresh, 'perf_active_plain', async (plain) => {
      const result = await plain.ok<ActiveQueries>('active_queries');
      expect(result.sessions.find((entry) => entry.pid === sleeper)).toMatchObject({ user: 'postgres', query: '<insufficient privilege>', state: null });
    });
  });

  it('renders one line of facts per session, then its query', async () => {
    const text = textOf(await db.call('active_queries'));
    expect(text.split('\n')[0]).toMatch(/^2 of 2 sessions in database "default", oldest transaction first\./);
    expect(text).toMatch(new RegExp(`pid ${idler} \\[idle in transaction\\], transaction [\\d.]+ m?s, query [\\d.]+ m?s, in state [\\d.]+ m?s, .*user postgres, app perf_idler, from 127\\.0\\.0\\.1\\n  select 1 as perf_idle_marker`));
    expect(text).toMatch(new RegExp(`pid ${sleeper} \\[active\\], transaction .*waiting Timeout/PgSleep`));
  });
});
