// A call that leaves out arguments gets their default expressions, inserted by PostgreSQL into
// the call: what they call runs without the query naming it, so they are held to the same rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres } from './support/server.js';
import type { FreshPostgres, Rows } from './support/server.js';

let fresh: FreshPostgres;

beforeAll(async () => {
  fresh = await freshPostgres(
    'bastion_argument_defaults',
    `
    create table public.victim (id int primary key);
    insert into public.victim values (1);
    grant select on public.victim to bastion_reader;
    create function public.touch() returns text language sql volatile as $$ select 'ran' $$;
    create function public.greet(who text default public.touch()) returns text language sql stable as $$ select 'hi ' || who $$;
    create function public.outer_greet(x int, who text default public.greet()) returns text language sql stable as $$ select who $$;
    create function public.sleepy(seconds float8 default pg_catalog.pg_sleep(1)::text::float8) returns int language sql stable as $$ select 1 $$;
    create function public.tagged(v public.victim, tag text default public.touch()) returns text language sql stable as $$ select tag $$;
    create function public.plain(who text default 'you', n int default 1 + 1) returns text language sql stable as $$ select who || n $$;
    `,
  );
});

afterAll(async () => {
  await fresh?.close();
});

describe('argument defaults that call a volatile or refused function', () => {
  it.each([
    ['a default calling a volatile function', 'select public.greet()', /calls public\.greet\(\), whose argument defaults \(touch\(\)\) run whenever an argument is left out, and that default calls touch\(\), which is VOLATILE/],
    ['a default calling a function whose default does', 'select public.outer_greet(1)', /calls public\.outer_greet\(\), whose argument defaults .* calls greet\(\), whose argument defaults .* touch\(\), which is VOLATILE/],
    ['a default calling a denied function', 'select public.sleepy()', /calls public\.sleepy\(\), whose argument defaults .* calls pg_sleep\(\), which only waits/],
    ['a default reached through column syntax', 'select v.tagged from public.victim v', /calls tagged\(\), whose argument defaults .* touch\(\), which is VOLATILE/],
    ['in FROM', 'select * from public.greet()', /greet\(\), whose argument defaults/],
  ])('refuses %s', async (_label, sql, message) => {
    const refusal = await fresh.db.refused('query', { sql });
    expect(refusal).toMatch(message);
    expect(refusal).not.toMatch(/hi ran/);
  });
});

describe('argument defaults that only compute', () => {
  it('runs a function whose defaults are constants and expressions of immutable functions', async () => {
    expect((await fresh.db.ok<Rows>('query', { sql: "select public.plain(), public.plain('me')" })).rows).toEqual([['you2', 'me2']]);
  });

  it('runs built-in functions with defaults', async () => {
    const rows = await fresh.db.ok<Rows>('query', { sql: "select to_json('x'::text)::text, make_interval(days => 1)::text, jsonb_set('{}', '{a}', '1')" });
    expect(rows.rows).toEqual([['"x"', '1 day', { a: 1 }]]);
  });
});
