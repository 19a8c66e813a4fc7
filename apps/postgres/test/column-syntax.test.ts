// Functions reached with column syntax on a real PostgreSQL: `v.f` is f(v) where v has no
// column f, and `(expr).f` is f(expr). An owner-defined volatile function must be refused that
// way as it is in the call form; read-only functions and plain columns keep working.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from './support/pg.js';
import type { FreshDatabase } from './support/pg.js';
import { openPostgres } from './support/server.js';
import type { PostgresSession, Rows } from './support/server.js';

let fresh: FreshDatabase;
let db: PostgresSession;

beforeAll(async () => {
  fresh = await freshDatabase(
    'bastion_column_syntax',
    `
    create table public.victim (id int primary key, secret text);
    insert into public.victim values (1, 'a'), (2, 'b');
    grant select on public.victim to bastion_reader;
    -- Volatile: each returns 'ran' only if it was called.
    create function public.touch(public.victim) returns text language sql volatile as $$ select 'ran' $$;
    create function public.nap(record) returns text language plpgsql volatile as $$ begin perform pg_catalog.pg_sleep(5); return 'ran'; end $$;
    create function public.touch_text(text) returns text language sql volatile as $$ select 'ran' $$;
    -- Read-only: column syntax may reach it.
    create function public.label(public.victim) returns text language sql stable as $$ select 'label ' || $1.secret $$;
    `,
  );
  db = await openPostgres({ env: { POSTGRES_URL: fresh.readerUrl } });
});

afterAll(async () => {
  await db?.close();
  await fresh?.drop();
});

describe('a volatile function written with column syntax', () => {
  it.each([
    ['alias.function', 'select v.touch from public.victim v', 'v.touch', 'touch'],
    ['table.function', 'select victim.touch from public.victim', 'victim.touch', 'touch'],
    ['schema.table.function', 'select public.victim.touch from public.victim', 'public.victim.touch', 'touch'],
    ['(whole row).function', 'select (v).touch from public.victim v', '(…).touch', 'touch'],
    ['(row constructor).function', 'select (row(1)).nap', '(…).nap', 'nap'],
    ['(column).function', 'select (v.secret).touch_text from public.victim v', '(…).touch_text', 'touch_text'],
    ['in WHERE', "select id from public.victim v where v.touch = 'ran'", 'v.touch', 'touch'],
    ['in a scalar subquery', 'select (select v.touch) from public.victim v', 'v.touch', 'touch'],
    ['in a CTE', 'with c as (select v from public.victim v) select (c.v).touch from c', '(…).touch', 'touch'],
    ['under EXPLAIN ANALYZE', 'explain (analyze) select v.touch from public.victim v', 'v.touch', 'touch'],
  ])('is refused as %s, naming it, before anything runs', async (_label, sql, written, name) => {
    const started = Date.now();
    const message = await db.refused('query', { sql });
    expect(message).toContain(`uses ${written}`);
    expect(message).toContain(`public.${name} is VOLATILE`);
    expect(message).toMatch(/function syntax/);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('is refused by the explain tool too', async () => {
    const message = await db.refused('explain', { sql: 'select v.touch from public.victim v', analyze: true });
    expect(message).toContain('public.touch is VOLATILE');
  });
});

describe('what column syntax may still read', () => {
  it('a read-only function', async () => {
    const rows = await db.ok<Rows>('query', { sql: 'select v.label from public.victim v order by v.id' });
    expect(rows.rows).toEqual([['label a'], ['label b']]);
  });

  it('columns, whole rows and fields of composite values', async () => {
    const rows = await db.ok<Rows>('query', {
      sql: 'select v.id, public.victim.secret, (v).id as again, (row(v.id, v.secret)::public.victim).secret as field from public.victim v, public.victim order by 1 limit 1',
    });
    expect(rows.rows).toEqual([[1, 'a', 1, 'a']]);
  });
});
