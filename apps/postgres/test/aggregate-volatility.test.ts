// CREATE AGGREGATE marks every aggregate immutable, whatever functions it runs: an aggregate is
// judged by the strictest of its transition, final, combine, serial and moving-aggregate
// functions, so one that runs a volatile function is refused like that function.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres } from './support/server.js';
import type { FreshPostgres, Rows } from './support/server.js';

let fresh: FreshPostgres;

beforeAll(async () => {
  fresh = await freshPostgres(
    'bastion_aggregates',
    `
    create function public.noisy_step(int, int) returns int language sql volatile as $$ select coalesce($1, 0) + $2 $$;
    create function public.quiet_step(int, int) returns int language sql immutable as $$ select coalesce($1, 0) + $2 $$;
    create function public.noisy_final(int) returns int language sql volatile as $$ select $1 $$;
    create function public.quiet_unstep(int, int) returns int language sql immutable as $$ select $1 - $2 $$;
    create function public.noisy_unstep(int, int) returns int language sql volatile as $$ select $1 - $2 $$;
    create aggregate public.noisy_sum(int) (sfunc = public.noisy_step, stype = int);
    create aggregate public.noisy_final_sum(int) (sfunc = public.quiet_step, stype = int, finalfunc = public.noisy_final);
    create aggregate public.noisy_moving_sum(int) (sfunc = public.quiet_step, stype = int,
      msfunc = public.quiet_step, minvfunc = public.noisy_unstep, mstype = int);
    create aggregate public.quiet_sum(int) (sfunc = public.quiet_step, stype = int,
      msfunc = public.quiet_step, minvfunc = public.quiet_unstep, mstype = int);
    `,
  );
});

afterAll(async () => {
  await fresh?.close();
});

describe('aggregates', () => {
  it.each([
    ['a volatile transition function', 'select public.noisy_sum(g) from generate_series(1, 3) g', 'noisy_sum'],
    ['a volatile final function', 'select public.noisy_final_sum(g) from generate_series(1, 3) g', 'noisy_final_sum'],
    ['a volatile moving-aggregate function, as a window', 'select public.noisy_moving_sum(g) over (order by g rows between 1 preceding and current row) from generate_series(1, 3) g', 'noisy_moving_sum'],
    ['a volatile aggregate unqualified', 'select noisy_sum(g) from generate_series(1, 3) g', 'noisy_sum'],
  ])('refuses one with %s', async (_label, sql, name) => {
    expect(await fresh.db.refused('query', { sql })).toMatch(new RegExp(`calls (public\\.)?${name}\\(\\), which is VOLATILE \\(public\\.${name}\\)`));
  });

  it.each([
    ['a user aggregate of immutable functions', 'select public.quiet_sum(g) from generate_series(1, 3) g', [[6]]],
    ['built-in aggregates, json ones included', "select sum(g)::int, jsonb_agg(g), json_agg(g)::text, string_agg(g::text, ',') from generate_series(1, 3) g", [[6, [1, 2, 3], '[1, 2, 3]', '1,2,3']]],
  ])('runs %s', async (_label, sql, rows) => {
    expect((await fresh.db.ok<Rows>('query', { sql })).rows).toEqual(rows);
  });
});
