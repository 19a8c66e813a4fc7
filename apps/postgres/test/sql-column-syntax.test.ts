// Column syntax reaches functions: where a row has no column f, PostgreSQL reads `t.f`, `s.t.f`
// and `(expr).f` as the call f(row). Every such name is collected and held to the rules of the
// call form, against an in-memory catalog here (column-syntax.test.ts runs them on PostgreSQL).
import { beforeAll, describe, expect, it } from 'vitest';
import { checkFunctions } from '../src/sql/functions.js';
import { ensureParser } from '../src/sql/parser.js';
import { checkQuery } from '../src/sql/policy.js';
import type { CatalogFunction, FunctionCatalog } from '../src/sql/types.js';

beforeAll(async () => {
  await ensureParser();
});

/** The column-syntax names of a query, as written there, outer expressions first. */
function columnSyntax(sql: string): string[] {
  return checkQuery(sql).functions.flatMap((ref) => (ref.columnSyntax === undefined ? [] : [`${ref.name} <- ${ref.columnSyntax}`]));
}

describe('column-syntax names are collected wherever they appear', () => {
  it.each<[string, string, string[]]>([
    ['table.name', 'select t.f from t', ['f <- t.f']],
    ['schema.table.name', 'select s.t.f from s.t', ['f <- s.t.f']],
    ['catalog.schema.table.name', 'select d.s.t.f from s.t', ['f <- d.s.t.f']],
    ['field of a parenthesised row', 'select (row(1)).f', ['f <- (…).f']],
    ['field of a parenthesised whole row', 'select (t).f from t', ['f <- (…).f']],
    ['field of a column', 'select (t.c).f from t', ['f <- (…).f', 'c <- t.c']],
    ['a chain of fields', 'select ((t).a).b from t', ['b <- (…).b', 'a <- (…).a']],
    ['a field after a subscript', 'select (t.arr[1]).f from t', ['f <- (…).f', 'arr <- t.arr']],
    ['in WHERE', 'select 1 from t where t.f > 0', ['f <- t.f']],
    ['in ORDER BY and GROUP BY', 'select count(*) from t group by t.g order by t.g', ['g <- t.g']],
    ['in JOIN ON', 'select 1 from a join b on a.x = b.y', ['x <- a.x', 'y <- b.y']],
    ['in a LATERAL subquery', 'select * from t, lateral (select t.f) l', ['f <- t.f']],
    ['in a CTE', 'with c as (select t.f from t) select * from c', ['f <- t.f']],
    ['in a scalar subquery', 'select (select t.f) from t', ['f <- t.f']],
    ['in a function argument', 'select lower(t.f) from t', ['f <- t.f']],
    ['under EXPLAIN ANALYZE', 'explain (analyze) select t.f from t', ['f <- t.f']],
    ['a quoted name, as written', 'select t."F x" from t', ['F x <- t."F x"']],
  ])('%s', (_label, sql, expected) => {
    expect(columnSyntax(sql)).toEqual(expected);
  });

  it.each([
    ['a bare column', 'select f from t'],
    ['a whole row', 'select t.* from t'],
    ['a star of a parenthesised row', 'select (t).* from t'],
    ['a subscript only', 'select (arr)[1] from t'],
  ])('collects nothing for %s', (_label, sql) => {
    expect(columnSyntax(sql)).toEqual([]);
  });
});

const fn = (name: string, volatility: CatalogFunction['volatility'], more: Partial<CatalogFunction> = {}): CatalogFunction => ({
  schema: 'public',
  name,
  volatility,
  kind: 'f',
  extension: null,
  onSearchPath: true,
  oneArgument: true,
  ...more,
});

const CATALOG: readonly CatalogFunction[] = [
  fn('touch', 'v'),
  fn('tally', 'v', { kind: 'a' }),
  fn('label', 's'),
  fn('stamp', 'i'),
  fn('mixed', 's'),
  fn('mixed', 'v'),
  fn('noargs', 'v', { oneArgument: false }),
  fn('unsure', 'v', { oneArgument: undefined }),
  fn('p', 'v', { kind: 'p' }),
  fn('hidden', 'v', { schema: 'elsewhere', onSearchPath: false }),
  fn('pg_read_file', 'v', { schema: 'pg_catalog' }),
  fn('lo_get', 'v', { schema: 'pg_catalog' }),
  fn('random', 'v', { schema: 'pg_catalog' }),
];

const catalog: Pick<FunctionCatalog, 'functions'> = { functions: async () => CATALOG };

async function check(sql: string): Promise<string | undefined> {
  try {
    await checkFunctions(checkQuery(sql).functions, catalog, { argument: 'sql' });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('column-syntax names checked against the catalog', () => {
  it.each([
    ['t.touch', 'select t.touch from t', /t\.touch.*call touch\(…\).*public\.touch is VOLATILE/],
    ['s.t.touch', 'select s.t.touch from s.t', /s\.t\.touch.*public\.touch is VOLATILE/],
    ['(row(1)).touch', 'select (row(1)).touch', /\(…\)\.touch.*public\.touch is VOLATILE/],
    ['a volatile aggregate', 'select t.tally from t', /public\.tally is VOLATILE/],
    ['one volatile overload of several', 'select t.mixed from t', /public\.mixed is VOLATILE/],
    ['a candidate whose arguments are unknown', 'select t.unsure from t', /public\.unsure is VOLATILE/],
    ['a procedure', 'select t.p from t', /public\.p is a procedure/],
    ['a denied function', 'select t.pg_read_file from t', /pg_catalog\.pg_read_file reads server files/],
    ['a denied function by prefix', 'select (t).lo_get from t', /pg_catalog\.lo_get works on large objects/],
    ['inside EXPLAIN ANALYZE', 'explain analyze select t.touch from t', /t\.touch.*VOLATILE/],
    ['deep in a subquery', 'select (select (select x.touch from t x)) from t', /x\.touch.*VOLATILE/],
  ])('refuses %s, saying how to write it instead', async (_label, sql, message) => {
    const refusal = await check(sql);
    expect(refusal).toMatch(message);
    expect(refusal).toMatch(/function syntax/);
  });

  it.each([
    ['a column with no function of its name', 'select t.whatever, (t).other, (t.c).f from t'],
    ['a stable function', 'select t.label from t'],
    ['an immutable function', 'select (t).stamp from t'],
    ['a volatile function that takes no argument', 'select t.noargs from t'],
    ['a volatile function off the search path', 'select t.hidden from t'],
    ['a harmless volatile built-in', 'select t.random from t'],
    ['a column named like a denied prefix with no such function', 'select t.lo_limit, t.pg_ls_total from t'],
  ])('accepts %s', async (_label, sql) => {
    expect(await check(sql)).toBeUndefined();
  });
});
