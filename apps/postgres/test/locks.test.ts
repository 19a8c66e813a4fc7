import { textOf } from '@bastion-mcp/testing';
import type pg from 'pg';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { connectAs, freshDatabase, withSuperuser } from './support/pg.js';
import type { FreshDatabase } from './support/pg.js';
import { freshPostgres } from './support/server.js';
import type { Paged, PostgresSession } from './support/server.js';

interface Blocker {
  pid: number;
  user: string | null;
  state: string | null;
  transactionAgeMs: number | null;
  query: string | null;
  heldModes: string[];
}

interface Lock {
  pid: number | null;
  granted: boolean;
  lockType: string;
  mode: string;
  relation: string | null;
  target: string | null;
  waitedMs: number | null;
  user: string | null;
  application: string | null;
  state: string | null;
  waitEventType: string | null;
  waitEvent: string | null;
  transactionAgeMs: number | null;
  query: string | null;
  blockedBy: Blocker[];
}

interface Locks extends Paged {
  waiting: number;
  matching: number;
  locks: Lock[];
}

async function pidOf(client: pg.Client): Promise<number> {
  return (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
}

describe('locks', () => {
  let fresh: FreshDatabase;
  let db: PostgresSession;
  let close: () => Promise<void>;
  let clients: pg.Client[] = [];

  beforeAll(async () => {
    ({ database: fresh, db, close } = await freshPostgres('perf_locks'));
  });

  afterAll(() => close?.());

  afterEach(async () => {
    // Roll back the holders first, so the waiters finish, then close every session.
    for (const client of clients) await client.query('rollback').catch(() => undefined);
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    clients = [];
  });

  async function session(): Promise<{ client: pg.Client; pid: number }> {
    const client = await connectAs(fresh.superuserUrl);
    client.on('error', () => undefined);
    clients.push(client);
    return { client, pid: await pidOf(client) };
  }

  /** Starts `sql` in a session without waiting for it, and waits until that session waits for a lock. */
  async function startWaiting(sql: string): Promise<{ pid: number; done: Promise<unknown> }> {
    const { client, pid } = await session();
    const done = client.query(sql).catch((error: unknown) => error);
    await withSuperuser(async (admin) => {
      for (let i = 0; i < 100; i++) {
        const { rows } = await admin.query('select 1 from pg_locks where pid = $1 and not granted', [pid]);
        if (rows.length > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`session ${pid} did not start waiting for a lock`);
    }, fresh.superuserUrl);
    return { pid, done };
  }

  it('reports nothing when nothing waits', async () => {
    expect(await db.ok<Locks>('locks')).toMatchObject({ database: 'default', waiting: 0, matching: 0, locks: [] });
    expect(textOf(await db.call('locks')).split('\n')[0]).toMatch(/^No session waits for a lock in database "default"/);
  });

  it('shows a SELECT waiting behind LOCK TABLE, and the session that holds it', async () => {
    const holder = await session();
    await holder.client.query('begin');
    await holder.client.query('lock table shop.orders in access exclusive mode');
    const waiter = await startWaiting('select count(*) from shop.orders /* waiter red\u001b[31m\u200b */');

    const result = await db.ok<Locks>('locks');
    expect(result).toMatchObject({ waiting: 1, matching: 1 });
    const [wait] = result.locks;
    expect(wait).toMatchObject({
      pid: waiter.pid,
      granted: false,
      lockType: 'relation',
      mode: 'AccessShareLock',
      relation: 'shop.orders',
      target: null,
      user: 'postgres',
      state: 'active',
      waitEventType: 'Lock',
      waitEvent: 'relation',
      query: 'select count(*) from shop.orders /* waiter red */',
    });
    expect(wait!.waitedMs).toBeGreaterThanOrEqual(0);
    expect(wait!.blockedBy).toEqual([
      {
        pid: holder.pid,
        user: 'postgres',
        state: 'idle in transaction',
        waitEventType: 'Client',
        waitEvent: 'ClientRead',
        transactionAgeMs: expect.any(Number),
        query: 'lock table shop.orders in access exclusive mode',
        heldModes: ['AccessExclusiveLock'],
      },
    ]);

    const text = textOf(await db.call('locks'));
    expect(text.split('\n')[0]).toMatch(/^1 lock wait in database "default"; 1 of 1 entry shown, waits first\./);
    expect(text).toMatch(
      new RegExp(
        `pid ${waiter.pid} WAITS [\\d.]+ m?s for AccessShareLock on shop\\.orders \\[active, user postgres\\]\\n` +
          `  select count\\(\\*\\) from shop\\.orders /\\* waiter red \\*/\\n` +
          `    blocked by pid ${holder.pid} \\[idle in transaction, transaction [\\d.]+ m?s, holds AccessExclusiveLock\\]: lock table shop\\.orders in access exclusive mode`,
      ),
    );

    // Looking changed nothing: the waiter still waits.
    const still = await withSuperuser((admin) => admin.query('select 1 from pg_locks where pid = $1 and not granted', [waiter.pid]), fresh.superuserUrl);
    expect(still.rowCount).toBe(1);
    await holder.client.query('rollback');
    expect(await waiter.done).toMatchObject({ rows: [{ count: '1200' }] });
    expect((await db.ok<Locks>('locks')).waiting).toBe(0);
  });

  it('adds granted locks after the waits with include_granted, paged', async () => {
    const holder = await session();
    await holder.client.query('begin');
    await holder.client.query('lock table shop.products in access exclusive mode');
    const waiter = await startWaiting('select count(*) from shop.products');

    const all = await db.ok<Locks>('locks', { include_granted: true, limit: 100 });
    expect(all.waiting).toBe(1);
    expect(all.locks[0]).toMatchObject({ pid: waiter.pid, granted: false });
    expect(all.locks.slice(1).every((lock) => lock.granted && lock.blockedBy.length === 0 && lock.waitedMs === null)).toBe(true);
    expect(all.locks).toContainEqual(
      expect.objectContaining({ pid: holder.pid, granted: true, mode: 'AccessExclusiveLock', relation: 'shop.products', state: 'idle in transaction' }),
    );
    expect(all.locks).toContainEqual(expect.objectContaining({ pid: holder.pid, granted: true, lockType: 'virtualxid', target: expect.stringMatching(/^virtual transaction \d+\/\d+$/) }));

    const first = await db.ok<Locks>('locks', { include_granted: true, limit: 1 });
    expect(first).toMatchObject({ truncated: true, matching: all.matching });
    expect(first.locks[0]?.pid).toBe(waiter.pid);
    const second = await db.ok<Locks>('locks', { include_granted: true, limit: 1, cursor: first.nextCursor });
    expect(second.locks[0]?.granted).toBe(true);
    expect(await db.refused('locks', { limit: 1, cursor: first.nextCursor })).toMatch(/`cursor` belongs to another locks call/);
  });

  it('shows a row lock wait as a wait for the other transaction', async () => {
    const holder = await session();
    await holder.client.query('begin');
    await holder.client.query('update shop.customers set marketing_opt_in = not marketing_opt_in where id = 7');
    const holderXid = (await holder.client.query<{ xid: string }>('select pg_current_xact_id()::text as xid')).rows[0]!.xid;
    const waiter = await startWaiting('update shop.customers set full_name = full_name where id = 7');

    const result = await db.ok<Locks>('locks');
    const wait = result.locks.find((lock) => lock.pid === waiter.pid);
    expect(wait).toMatchObject({ lockType: 'transactionid', mode: 'ShareLock', relation: null, target: `transaction ${holderXid}` });
    expect(wait!.blockedBy.map((blocker) => [blocker.pid, blocker.heldModes])).toEqual([[holder.pid, ['ExclusiveLock']]]);
  });

  it("lists only this database's sessions unless all_databases", async () => {
    const elsewhere = await freshDatabase('perf_locks_other');
    try {
      const other = await connectAs(elsewhere.superuserUrl);
      other.on('error', () => undefined);
      clients.push(other);
      await other.query('begin');
      await other.query('lock table shop.orders in share mode');
      const otherPid = await pidOf(other);
      const here = await db.ok<Locks>('locks', { include_granted: true, limit: 100 });
      expect(here.locks.some((lock) => lock.pid === otherPid)).toBe(false);
      const everywhere = await db.ok<Locks>('locks', { include_granted: true, all_databases: true, limit: 100 });
      // A relation of another database cannot be named from here; its oid is given instead.
      expect(everywhere.locks).toContainEqual(
        expect.objectContaining({ pid: otherPid, granted: true, mode: 'ShareLock', relation: null, target: expect.stringMatching(/^relation \d+ of database \d+$/) }),
      );
    } finally {
      await elsewhere.drop();
    }
  });
});
