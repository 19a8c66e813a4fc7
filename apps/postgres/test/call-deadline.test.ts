// The statement timeout bounds a whole call as the caller sees it: whatever PostgreSQL does (a
// sleep inside a function, a lock wait, rows fetched in batches, a function that swallows the
// cancel), the call answers within the timeout and a small grace, and the next call works.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallDeadline, CallDeadlineExpired, callDeadlineMs } from '../src/db/call-deadline.js';
import { connectAs, freshDatabase } from './support/pg.js';
import type { FreshDatabase } from './support/pg.js';
import { openPostgres } from './support/server.js';
import type { PostgresSession, Rows } from './support/server.js';

const TIMEOUT_MS = 1000;
/** A bound, not a speed goal: three times the statement timeout. */
const BOUND_MS = 3 * TIMEOUT_MS;

let fresh: FreshDatabase;
let owner: pg.Client;
let db: PostgresSession;

beforeAll(async () => {
  fresh = await freshDatabase('bastion_call_deadline');
  owner = await connectAs(fresh.superuserUrl);
  // STABLE functions pass the query policy; their bodies still sleep.
  await owner.query(`
    create table public.held (id int);
    grant select on public.held to bastion_reader;
    create function public.nap(seconds float8) returns int language plpgsql stable as $$
      begin perform pg_catalog.pg_sleep(seconds); return 1; end $$;
    create function public.stubborn(seconds float8) returns int language plpgsql stable as $$
      begin
        perform pg_catalog.pg_sleep(seconds);
        return 1;
      exception when query_canceled then
        perform pg_catalog.pg_sleep(seconds);
        return 2;
      end $$;
  `);
  db = await openPostgres({ env: settings() });
});

afterAll(async () => {
  await db?.close();
  await owner?.end();
  await fresh?.drop();
});

function settings(more: Record<string, string> = {}): Record<string, string> {
  return { POSTGRES_URL: fresh.readerUrl, POSTGRES_STATEMENT_TIMEOUT_MS: String(TIMEOUT_MS), POSTGRES_LOCK_TIMEOUT_MS: '60000', POSTGRES_MAX_ROWS: '2000', ...more };
}

async function timed(sql: string, args: Record<string, unknown> = {}): Promise<{ message: string; elapsed: number }> {
  const started = Date.now();
  const message = await db.refused('query', { sql, ...args });
  return { message, elapsed: Date.now() - started };
}

async function nextCallWorks(): Promise<void> {
  const rows = await db.ok<Rows>('query', { sql: 'select 1 as one' });
  expect(rows.rows).toEqual([[1]]);
}

describe('the statement timeout bounds the whole call', () => {
  it.each([
    ['a sleep inside a function', 'select public.nap(30)', {}],
    ['a function that swallows the cancel and sleeps on', 'select public.stubborn(30)', {}],
    ['rows fetched in batches, each batch under the timeout', 'select g, public.nap(0.012) from generate_series(1, 2000) g', { max_rows: 2000 }],
    ['explain analyze of a sleep', 'explain (analyze) select public.nap(30)', {}],
  ])('%s', async (_label, sql, args) => {
    const { message, elapsed } = await timed(sql, args);
    expect(message).toMatch(/statement timeout \(1000 ms\)/);
    expect(elapsed).toBeLessThan(BOUND_MS);
    await nextCallWorks();
  });

  it('a lock wait longer than the statement timeout', async () => {
    const holder = await connectAs(fresh.superuserUrl);
    try {
      await holder.query('begin');
      await holder.query('lock table public.held in access exclusive mode');
      const { message, elapsed } = await timed('select count(*) from public.held');
      expect(message).toMatch(/statement timeout \(1000 ms\)/);
      expect(elapsed).toBeLessThan(BOUND_MS);
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
    await nextCallWorks();
  });
});

describe('a call waiting for a connection', () => {
  it('answers within the bound when the only connection is held by a call that does not end', async () => {
    const single = await openPostgres({ env: settings({ POSTGRES_POOL_SIZE: '1' }) });
    try {
      await single.ok('query', { sql: 'select 1' });
      const started = Date.now();
      const [stuck, waiting] = await Promise.all([
        single.call('query', { sql: 'select public.stubborn(30)' }),
        single.call('query', { sql: 'select 2 as two' }),
      ]);
      expect(stuck.isError).toBe(true);
      expect(JSON.stringify(stuck.content)).toMatch(/statement timeout \(1000 ms\)/);
      // The waiting call either got the connection freed at the first call's deadline or was told none came in time.
      expect(waiting.isError ? JSON.stringify(waiting.content) : JSON.stringify(waiting.structuredContent)).toMatch(/no connection within|"rows":\[\[2\]\]/);
      expect(Date.now() - started).toBeLessThan(BOUND_MS);
      expect((await single.ok<Rows>('query', { sql: 'select 3 as three' })).rows).toEqual([[3]]);
    } finally {
      await single.close();
    }
  });
});

describe('CallDeadline', () => {
  it('gives a call the statement timeout and a grace of a fifth of it, between 1 and 5 seconds', () => {
    expect(callDeadlineMs(300)).toBe(1_300);
    expect(callDeadlineMs(15_000)).toBe(18_000);
    expect(callDeadlineMs(60_000)).toBe(65_000);
  });

  it('passes on what comes in time, and hands what comes late to be released', async () => {
    const deadline = new CallDeadline(50);
    await expect(deadline.bound(Promise.resolve('in time'))).resolves.toBe('in time');
    const released: string[] = [];
    const slow = new Promise<string>((resolve) => setTimeout(() => resolve('late'), 150));
    await expect(deadline.bound(slow, (value) => released.push(value))).rejects.toBeInstanceOf(CallDeadlineExpired);
    expect(deadline.passed).toBe(true);
    await slow;
    expect(released).toEqual(['late']);
    deadline.clear();
  });

  it('runs what must happen at the deadline, at once when it has passed', async () => {
    const deadline = new CallDeadline(20);
    const ran: string[] = [];
    deadline.onExpire(() => ran.push('registered before'));
    await new Promise((resolve) => setTimeout(resolve, 60));
    deadline.onExpire(() => ran.push('registered after'));
    expect(ran).toEqual(['registered before', 'registered after']);
  });
});
