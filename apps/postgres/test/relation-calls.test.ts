// Reading a view runs the functions of its definition, and reading a table under row-level
// security runs those of its policies: the query never names them. A volatile (or denied) one is
// refused as its call would be; read-only ones, materialized views and the system views still read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres } from './support/server.js';
import type { FreshPostgres, Rows } from './support/server.js';

let fresh: FreshPostgres;

beforeAll(async () => {
  fresh = await freshPostgres(
    'bastion_relation_calls',
    `
    create table public.victim (id int primary key, secret text);
    insert into public.victim values (1, 'a'), (2, 'b');
    create function public.touch(int) returns text language sql volatile as $$ select 'ran' $$;
    create function public.label(int) returns text language sql stable as $$ select 'label ' || $1 $$;
    create function public.judge(int) returns boolean language sql volatile as $$ select true $$;
    create function public.same_int(int, int) returns boolean language sql volatile as $$ select true $$;
    create operator public.=#= (function = public.same_int, leftarg = int, rightarg = int);
    create view public.v_touch as select id, public.touch(id) as t from public.victim;
    create view public.v_outer as select id from public.v_touch;
    create view public.v_operator as select id from public.victim where id =#= 1;
    create view public.v_files as select pg_catalog.pg_ls_dir('.') as f;
    create view public.v_label as select id, public.label(id) as l, pg_catalog.now() as at, pg_catalog.random() as r from public.victim;
    create materialized view public.m_touch as select id, public.touch(id) as t from public.victim;
    create table public.guarded (id int);
    insert into public.guarded values (1);
    create policy judged on public.guarded using (public.judge(id));
    alter table public.guarded enable row level security;
    create table public.unguarded (id int);
    insert into public.unguarded values (1);
    create policy judged on public.unguarded using (public.judge(id));
    grant select on all tables in schema public to bastion_reader;
    `,
  );
});

afterAll(async () => {
  await fresh?.close();
});

describe('relations whose reading runs a volatile function', () => {
  it.each([
    ['a view calling it', 'select * from public.v_touch', /reads public\.v_touch, a view, whose definition runs whenever it is read, and that definition calls touch\(\), which is VOLATILE \(public\.touch\)/],
    ['the same view unqualified', 'select count(*) from v_touch', /reads v_touch, a view, .*calls touch\(\), which is VOLATILE/],
    ['a view over that view', 'select id from public.v_outer', /reads public\.v_outer, through the view public\.v_touch, whose definition .*calls touch\(\), which is VOLATILE/],
    ['a view in a subquery', 'select (select count(*) from public.v_outer)', /public\.v_outer/],
    ['a view in a CTE', 'with c as (select * from public.v_touch) select count(*) from c', /public\.v_touch/],
    ['a view through a volatile operator', 'select * from public.v_operator', /reads public\.v_operator, a view, .*uses operator =#=, whose function is VOLATILE/],
    ['a view calling a denied function', 'select * from public.v_files', /reads public\.v_files, a view, .*calls pg_ls_dir\(\), which reads server files/],
    ['a table whose policy calls it', 'select * from public.guarded', /reads public\.guarded, a table, whose row-level security policy runs whenever it is read, and that policy calls judge\(\), which is VOLATILE/],
    ['under EXPLAIN ANALYZE', 'explain analyze select * from public.v_touch', /public\.v_touch/],
  ])('refuses %s', async (_label, sql, message) => {
    const refusal = await fresh.db.refused('query', { sql });
    expect(refusal).toMatch(message);
    expect(refusal).not.toMatch(/\bran\b/);
  });

  it('is refused by the explain tool too', async () => {
    expect(await fresh.db.refused('explain', { sql: 'select * from public.v_touch' })).toMatch(/public\.v_touch/);
  });
});

describe('relations that still read', () => {
  it.each([
    ['a view of read-only functions, now() and random()', 'select id, l from public.v_label order by id', [[1, 'label 1'], [2, 'label 2']]],
    ['a materialized view (its definition ran when it was refreshed)', 'select id, t from public.m_touch order by id', [[1, 'ran'], [2, 'ran']]],
    ['a table whose policy is not enforced', 'select id from public.unguarded', [[1]]],
    ['a plain table', 'select id from public.victim order by id', [[1], [2]]],
    ['a system view', "select count(*) > 0 from pg_catalog.pg_stat_activity where pid = pg_catalog.pg_backend_pid()", [[true]]],
    ['a CTE of another name', 'with c as (select 1 as one) select one from c', [[1]]],
  ])('%s', async (_label, sql, rows) => {
    expect((await fresh.db.ok<Rows>('query', { sql })).rows).toEqual(rows);
  });
});

describe('sample_rows', () => {
  it.each([
    ['public.v_touch', /`table` reads public\.v_touch, a view, .*touch\(\), which is VOLATILE/],
    ['public.guarded', /`table` reads public\.guarded, a table, whose row-level security policy .*judge\(\), which is VOLATILE/],
  ])('refuses to sample %s, whose reading runs a volatile function', async (table, message) => {
    expect(await fresh.db.refused('sample_rows', { table })).toMatch(message);
  });

  it('samples a view of read-only functions', async () => {
    const rows = await fresh.db.ok<Rows>('sample_rows', { table: 'public.v_label', columns: ['id', 'l'] });
    expect(rows.rows).toHaveLength(2);
  });
});
