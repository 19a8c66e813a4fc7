// The Postgres attack classes of the security checklist, through the query tool, as the
// least-privilege reader and as a superuser (defence in depth must hold even then). After every
// attempt: nothing was written, no server file or program was touched, nothing is left running,
// and the next call starts clean.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAs, freshDatabase } from './support/pg.js';
import type { FreshDatabase } from './support/pg.js';
import { openPostgres } from './support/server.js';
import type { PostgresSession, Rows } from './support/server.js';

const marker = join(tmpdir(), `bastion-pwned-${randomBytes(6).toString('hex')}`);

/** Each attempt and what the refusal must say. */
const ATTEMPTS: [label: string, sql: string, refusal: RegExp][] = [
  ['stacked COMMIT then DROP (P1)', 'COMMIT; DROP TABLE public.victim', /one statement/i],
  ['stacked END then DROP (P2)', 'END; DROP TABLE public.victim', /one statement/i],
  ['stacked ROLLBACK then DELETE (P2)', 'ROLLBACK; DELETE FROM public.victim', /one statement/i],
  ['select then drop', 'select 1; drop table public.victim', /one statement/i],
  ['COPY TO PROGRAM (P3)', `COPY (SELECT 1) TO PROGRAM 'touch ${marker}'`, /COPY/],
  ['COPY FROM a server file', "COPY public.victim FROM '/etc/hostname'", /COPY/],
  ['pg_read_file in FROM (P4, P16)', "SELECT * FROM pg_read_file('/etc/hostname')", /pg_read_file/],
  ['pg_read_file in a subquery', "select (select pg_read_file('/etc/hostname'))", /pg_read_file/],
  ['pg_ls_dir in a lateral join', "select d from public.victim, lateral pg_ls_dir('.') d", /pg_ls_dir/],
  ['lo_import (P5)', "SELECT lo_import('/etc/hostname')", /lo_import/],
  ['cancel other backends (P6)', 'SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE pid <> pg_backend_pid()', /pg_cancel_backend/],
  ['terminate other backends', 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()', /pg_terminate_backend/],
  ['advisory lock (P7)', 'SELECT pg_advisory_lock(42)', /pg_advisory_lock/],
  ['sleep (P8)', 'SELECT pg_sleep(3600)', /pg_sleep/],
  ['SET TRANSACTION READ WRITE (P9)', 'SET TRANSACTION READ WRITE', /SET/],
  ['data-modifying CTE (P10)', 'WITH d AS (DELETE FROM public.victim RETURNING *) SELECT * FROM d', /DELETE/],
  ['DO block (P11)', 'DO $$ BEGIN DELETE FROM public.victim; END $$', /DO/],
  ['dblink_exec (P12)', "SELECT dblink_exec('dbname=postgres', 'DROP TABLE public.victim')", /dblink/],
  ['set_config (P15)', "SELECT set_config('transaction_read_only', 'off', true)", /set_config/],
  ['SET ROLE', 'SET ROLE postgres', /SET/],
  ['RESET ALL', 'RESET ALL', /RESET|SET/],
  ['SET search_path (shadowing)', 'SET search_path = analytics, public', /SET/],
  ['SELECT INTO creates a table', 'SELECT * INTO public.copy FROM public.victim', /INTO/],
  ['FOR UPDATE locks rows', 'SELECT * FROM public.victim FOR UPDATE', /FOR UPDATE|lock/i],
  ['LISTEN', 'LISTEN channel', /LISTEN/],
  ['NOTIFY via function', "SELECT pg_notify('channel', 'x')", /pg_notify/],
  ['nextval advances a sequence', "SELECT nextval('shop.invoice_number_seq')", /nextval/],
  ['dynamic SQL via query_to_xml', "SELECT query_to_xml('select pg_read_file(''/etc/hostname'')', true, true, '')", /query_to_xml/],
  ['EXPLAIN ANALYZE of a DELETE', 'EXPLAIN ANALYZE DELETE FROM public.victim', /DELETE/],
  ['PREPARE a write', 'PREPARE p AS DELETE FROM public.victim', /PREPARE/],
  ['CALL a procedure', 'CALL public.p()', /CALL/],
  ['LOCK TABLE', 'LOCK TABLE public.victim IN ACCESS EXCLUSIVE MODE', /LOCK/],
  ['DISCARD ALL', 'DISCARD ALL', /DISCARD/],
  ['VACUUM', 'VACUUM public.victim', /VACUUM/],
  ['TRUNCATE', 'TRUNCATE public.victim', /TRUNCATE/],
  ['CREATE FUNCTION', 'CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS $$ select 1 $$', /CREATE|FUNCTION/],
  ['a volatile user function', 'SELECT public.wipe()', /wipe/],
  ['a volatile user function in FROM', 'SELECT * FROM public.wipe()', /wipe/],
  ['pg_catalog-qualified sleep', 'SELECT pg_catalog.pg_sleep(1)', /pg_sleep/],
  ['quoted sleep', 'SELECT "pg_sleep"(1)', /pg_sleep/],
];

let fresh: FreshDatabase;
let watcher: pg.Client;

async function victimRows(): Promise<number> {
  const result = await watcher.query<{ count: string }>('select count(*) from public.victim');
  return Number(result.rows[0]?.count);
}

beforeAll(async () => {
  fresh = await freshDatabase('bastion_attacks');
  watcher = await connectAs(fresh.superuserUrl);
  await watcher.query(`
    create table public.victim (id int primary key, secret text);
    insert into public.victim values (1, 'a'), (2, 'b'), (3, 'c');
    grant select on public.victim to bastion_reader;
    create function public.wipe() returns setof int language sql volatile as $$ delete from public.victim returning id $$;
    create procedure public.p() language sql as $$ delete from public.victim $$;
    grant execute on function public.wipe() to bastion_reader;
  `);
  // Sessions of this database start with backslash escapes in plain literals; the server must
  // still read string literals as its parser does.
  await watcher.query(`alter database ${fresh.name} set standard_conforming_strings = off`);
});

afterAll(async () => {
  await watcher?.end();
  await fresh?.drop();
});

for (const [who, env] of [
  ['the least-privilege reader', () => ({ POSTGRES_URL: fresh.readerUrl })],
  ['a superuser (allowed explicitly)', () => ({ POSTGRES_URL: fresh.superuserUrl, POSTGRES_ALLOW_PRIVILEGED_ROLE: 'true' })],
] as const) {
  describe(`as ${who}`, () => {
    let db: PostgresSession;
    beforeAll(async () => {
      db = await openPostgres({ env: env() });
    });
    afterAll(async () => {
      await db?.close();
    });

    it.each(ATTEMPTS)('refuses %s before it runs, and nothing changes', async (_label, sql, refusal) => {
      const message = await db.refused('query', { sql });
      expect(message).toMatch(refusal);
      expect(await victimRows()).toBe(3);
      expect(existsSync(marker)).toBe(false);
      const advisory = await watcher.query("select count(*)::int as n from pg_locks where locktype = 'advisory'");
      expect(advisory.rows[0].n).toBe(0);
    });

    it('leaves nothing running and starts every call clean', async () => {
      const running = await watcher.query(
        "select count(*)::int as n from pg_stat_activity where application_name = 'bastion-postgres' and state <> 'idle'",
      );
      expect(running.rows[0].n).toBe(0);
      const state = await db.ok<Rows>('query', {
        sql: "select current_setting('transaction_read_only'), current_setting('search_path'), current_setting('standard_conforming_strings'), current_user = session_user",
      });
      expect(state.rows).toEqual([['on', '"$user", public', 'on', true]]);
    });

    it('does not cancel other sessions', async () => {
      const other = await connectAs(fresh.superuserUrl);
      try {
        const sleeping = other.query('select pg_sleep(1.5) as slept');
        await new Promise((resolve) => setTimeout(resolve, 200));
        await db.refused('query', { sql: 'SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()' });
        await expect(sleeping).resolves.toMatchObject({ rowCount: 1 });
      } finally {
        await other.end();
      }
    });

    it('reads a backslash in a literal as the policy parsed it, so no call hides inside a string', async () => {
      const started = Date.now();
      const rows = await db.ok<Rows>('query', { sql: "select 'a\\'' , pg_sleep(1) --'" });
      expect(rows.rows).toEqual([["a\\' , pg_sleep(1) --"]]);
      expect(Date.now() - started).toBeLessThan(900);
    });

    it('still answers ordinary reads of the same objects', async () => {
      const rows = await db.ok<Rows>('query', { sql: 'select id from public.victim order by id' });
      expect(rows.rows).toEqual([[1], [2], [3]]);
    });
  });
}

describe('denial of service', () => {
  let db: PostgresSession;
  beforeAll(async () => {
    db = await openPostgres({ env: { POSTGRES_URL: fresh.readerUrl, POSTGRES_STATEMENT_TIMEOUT_MS: '500' } });
  });
  afterAll(async () => {
    await db?.close();
  });

  it.each([
    ['a cross join that never ends', 'select count(*) from generate_series(1, 100000) a, generate_series(1, 100000) b'],
    ['a recursive CTE without end', 'with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r'],
  ])('cancels %s at the statement timeout', async (_label, sql) => {
    expect(await db.refused('query', { sql })).toMatch(/statement timeout \(500 ms\)/);
  });

  it('gives up a lock wait at the lock timeout', async () => {
    const holder = await connectAs(fresh.superuserUrl);
    try {
      await holder.query('begin');
      await holder.query('lock table public.victim in access exclusive mode');
      expect(await db.refused('query', { sql: 'select count(*) from public.victim' })).toMatch(/lock timeout|statement timeout/);
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
  });
});
