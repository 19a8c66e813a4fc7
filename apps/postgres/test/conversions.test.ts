// Casts and domain constraints run functions the query never names. A volatile one is refused
// wherever it could run: an explicit-only cast in a query that names a type, an implicit or
// assignment cast and a domain constraint in every query. Unit cases on an in-memory catalog,
// then each kind on a database that defines it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConversions } from '../src/sql/conversions.js';
import { ensureParser } from '../src/sql/parser.js';
import { checkQuery } from '../src/sql/policy.js';
import type { CatalogConversion } from '../src/sql/types.js';
import { freshPostgres } from './support/server.js';
import type { FreshPostgres, Rows } from './support/server.js';

const conversion = (more: Partial<CatalogConversion>): CatalogConversion => ({
  kind: 'cast',
  what: 'text AS public.boxed',
  context: 'e',
  schema: 'public',
  name: 'tobox',
  extension: null,
  signature: 'public.tobox(text)',
  ...more,
});

async function refusal(sql: string, conversions: readonly CatalogConversion[]): Promise<string | undefined> {
  await ensureParser();
  try {
    await checkConversions(checkQuery(sql), { conversions: async () => conversions });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('checkConversions', () => {
  it('lets every query through when the database has no volatile conversion', async () => {
    expect(await refusal("select 'x'::text, cast(1 as int8), 1", [])).toBeUndefined();
  });

  it.each([
    ['::', "select 'x'::text"],
    ['CAST', 'select cast(1 as int8)'],
    ['a typed literal', "select interval '1 day'"],
    ['a column definition list', "select * from json_to_record('{}') as t(a int)"],
    ['JSON RETURNING', "select json_value('1', '$' returning int)"],
    ['under EXPLAIN', "explain select 'x'::text"],
  ])('refuses a query that names a type (%s) while an explicit-only cast is volatile', async (_label, sql) => {
    expect(await refusal(sql, [conversion({})])).toMatch(/converts a value to a named type.*cast \(text AS public\.boxed\) through the volatile function public\.tobox\(text\)/);
  });

  it('lets a query that names no type through while only explicit casts are volatile', async () => {
    expect(await refusal('select 1, lower(name) from t', [conversion({})])).toBeUndefined();
  });

  it.each([
    ['an implicit cast', conversion({ context: 'i' }), /cast \(text AS public\.boxed\).*applies that cast by itself/],
    ['an assignment cast', conversion({ context: 'a' }), /applies that cast by itself/],
    ['a domain constraint', conversion({ kind: 'domain', what: 'public.checked', context: 'i', signature: 'public.judge(text)' }), /domain public\.checked whose constraint calls the volatile function public\.judge\(text\)/],
  ])('refuses every query while %s is volatile', async (_label, volatile, message) => {
    for (const sql of ['select 1', 'select lower(name) from t', "select 'x'::text"]) {
      expect(await refusal(sql, [volatile])).toMatch(message);
    }
  });

  it('does not hold SHOW to it, and trusts the harmless volatile built-ins', async () => {
    expect(await refusal('show work_mem', [conversion({ context: 'i' })])).toBeUndefined();
    expect(await refusal('select 1', [conversion({ context: 'i', schema: 'pg_catalog', name: 'random', signature: 'random()' })])).toBeUndefined();
  });
});

describe('on a database that defines them', () => {
  const cases: [label: string, setup: string, refused: string[], allowed: string[]][] = [
    [
      'an explicit-only cast through a volatile function',
      `create cast (text as public.boxed) with function public.tobox(text)`,
      ["select ('x'::text::public.boxed).v", "select cast('x'::text as public.boxed)", "select ('x'::text::public.boxed[])"],
      ['select 1 as one'],
    ],
    [
      'an implicit cast through a volatile function',
      `create cast (text as public.boxed) with function public.tobox(text) as implicit`,
      ["select public.unbox('x'::text)", "select public.unbox(name) from public.countries", 'select 1 as one'],
      [],
    ],
    [
      'a domain whose constraint calls a volatile function',
      `create function public.judge(text) returns boolean language sql volatile as $$ select true $$;
       create domain public.checked as text check (public.judge(value));
       create function public.takes_checked(public.checked) returns text language sql stable as $$ select 'ran' $$;`,
      ["select 'x'::public.checked", "select public.takes_checked('x')", 'select 1 as one'],
      [],
    ],
  ];

  describe.each(cases)('%s', (_label, setup, refused, allowed) => {
    let fresh: FreshPostgres;
    beforeAll(async () => {
      fresh = await freshPostgres(
        `bastion_conv_${Math.random().toString(36).slice(2, 8)}`,
        `create type public.boxed as (v text);
         create function public.tobox(text) returns public.boxed language sql volatile as $$ select row('ran ' || $1)::public.boxed $$;
         create function public.unbox(public.boxed) returns text language sql stable as $$ select $1.v $$;
         ${setup}`,
      );
    });
    afterAll(async () => {
      await fresh?.close();
    });

    it.each(refused)('refuses %s, naming the conversion', async (sql) => {
      const message = await fresh.db.refused('query', { sql });
      expect(message).toMatch(/volatile function public\.(tobox|judge)\(text\)/);
      expect(message).not.toMatch(/ran/);
    });

    if (allowed.length > 0) {
      it.each(allowed)('still runs %s', async (sql) => {
        expect((await fresh.db.ok<Rows>('query', { sql })).rows).toEqual([[1]]);
      });
    }
  });
});
