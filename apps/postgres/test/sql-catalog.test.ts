// The catalog SQL against a real PostgreSQL, as the least-privilege reader: resolution on the
// search path, shadowing by user functions, schemas the role may not use, extensions, procedures,
// operators; and the function policy over a realistic set of read queries.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunctionCatalog } from '../src/sql/catalog.js';
import { checkFunctions, checkOperators } from '../src/sql/functions.js';
import { ensureParser } from '../src/sql/parser.js';
import { checkQuery } from '../src/sql/policy.js';
import type { FunctionCatalog } from '../src/sql/types.js';
import { connectAs, freshDatabase, type FreshDatabase } from './support/pg.js';

let database: FreshDatabase;
let reader: pg.Client;
let catalog: FunctionCatalog;

beforeAll(async () => {
  await ensureParser();
  database = await freshDatabase('sql_policy_catalog', `
    CREATE SCHEMA hidden;
    CREATE FUNCTION hidden.secret_stable() RETURNS int STABLE LANGUAGE sql AS 'SELECT 1';
    CREATE FUNCTION public.random(int) RETURNS int VOLATILE LANGUAGE sql AS 'SELECT 4';
    CREATE FUNCTION public.my_volatile() RETURNS int VOLATILE LANGUAGE sql AS 'SELECT 1';
    CREATE FUNCTION public.my_stable() RETURNS int STABLE LANGUAGE sql AS 'SELECT 1';
    CREATE PROCEDURE public.do_stuff() LANGUAGE sql AS 'SELECT 1';
    CREATE FUNCTION public.bang(int, int) RETURNS int VOLATILE LANGUAGE sql AS 'SELECT $1';
    CREATE OPERATOR public.!!! (LEFTARG = int, RIGHTARG = int, FUNCTION = public.bang);
    GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO PUBLIC;
  `);
  reader = await connectAs(database.readerUrl);
  catalog = createFunctionCatalog((text, values) => reader.query(text, values));
});

afterAll(async () => {
  await reader?.end();
  await database?.drop();
});

async function refusal(sql: string, on: FunctionCatalog = catalog): Promise<string | undefined> {
  await ensureParser();
  try {
    const checked = checkQuery(sql);
    await checkFunctions(checked.functions, on);
    await checkOperators(checked.operators, on);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('the catalog as the reader sees it', () => {
  it('finds built-ins in pg_catalog with their volatility, kind and extension', async () => {
    const rows = await catalog.functions([{ name: 'lower' }, { name: 'count' }, { name: 'row_number' }, { name: 'plpgsql_call_handler' }, { name: 'clock_timestamp' }]);
    const pick = (name: string) => rows.filter((row) => row.name === name).map(({ schema, volatility, kind, extension, onSearchPath }) => ({ schema, volatility, kind, extension, onSearchPath }));
    expect(pick('lower')).toContainEqual({ schema: 'pg_catalog', volatility: 'i', kind: 'f', extension: null, onSearchPath: true });
    expect(pick('count')).toContainEqual({ schema: 'pg_catalog', volatility: 'i', kind: 'a', extension: null, onSearchPath: true });
    expect(pick('row_number')).toEqual([{ schema: 'pg_catalog', volatility: 'i', kind: 'w', extension: null, onSearchPath: true }]);
    expect(pick('plpgsql_call_handler')).toEqual([{ schema: 'pg_catalog', volatility: 'v', kind: 'f', extension: 'plpgsql', onSearchPath: true }]);
    expect(pick('clock_timestamp')).toEqual([{ schema: 'pg_catalog', volatility: 'v', kind: 'f', extension: null, onSearchPath: true }]);
  });

  it('sees a user-defined volatile overload that shadows a safe built-in', async () => {
    expect(await refusal('select random()')).toMatch(/besides the harmless built-in one there is a volatile function of that name on the search path \(public\.random\)/);
    expect(await refusal('select pg_catalog.random()')).toBeUndefined();
  });

  it('refuses volatile user functions and procedures, accepts stable ones', async () => {
    expect(await refusal('select my_volatile()')).toMatch(/VOLATILE \(public\.my_volatile\)/);
    expect(await refusal('select * from my_volatile()')).toMatch(/VOLATILE \(public\.my_volatile\)/);
    expect(await refusal('select do_stuff()')).toMatch(/is a procedure \(public\.do_stuff\)/);
    expect(await refusal('select my_stable(), public.my_stable()')).toBeUndefined();
  });

  it('leaves schemas the role may not use off the search path, even when set on it', async () => {
    const session = await connectAs(database.readerUrl);
    try {
      await session.query('SET search_path = hidden, public');
      const inSession = createFunctionCatalog((text, values) => session.query(text, values));
      expect(await refusal('select secret_stable()', inSession)).toMatch(/secret_stable\(\), which does not exist in the search path/);
      expect(await refusal('select my_stable()', inSession)).toBeUndefined();
    } finally {
      await session.end();
    }
  });

  it('refuses unknown functions and functions of unknown schemas', async () => {
    expect(await refusal('select no_such_function()')).toMatch(/does not exist in the search path/);
    expect(await refusal('select no_such_schema.lower(1)')).toMatch(/does not exist in schema no_such_schema/);
  });

  it('checks operators through their functions', async () => {
    const rows = await catalog.operators([{ name: '->>' }, { schema: 'pg_catalog', name: '=' }]);
    expect(rows.length).toBeGreaterThan(2);
    expect(rows.filter((row) => row.volatility === 'v')).toEqual([]);
    expect(await refusal('select 1 !!! 2')).toMatch(/operator !!!, whose function is VOLATILE \(public\.!!!\)/);
    expect(await refusal('select 1 <=> 2')).toMatch(/operator <=>, which does not exist/);
  });

  it('accepts TABLESAMPLE with the built-in methods', async () => {
    expect(await refusal('select * from shop.orders tablesample system (10)')).toBeUndefined();
    expect(await refusal('select * from shop.orders tablesample bernoulli (10) repeatable (1)')).toBeUndefined();
    expect(await refusal('select * from shop.orders tablesample system_time (10)')).toMatch(/TABLESAMPLE method system_time/);
  });
});

describe('realistic reads pass the function and operator checks on a real catalog', () => {
  const reads = [
    "select date_trunc('month', now()), extract(year from now()), date_part('dow', current_date), age(now(), timestamp '2020-01-01'), to_char(now(), 'YYYY'), make_date(2020, 1, 1), now() at time zone 'utc'",
    "select substring('abc' from 1 for 2), trim(both from ' x '), position('a' in 'abc'), overlay('abc' placing 'x' from 1), collation for ('a'), 'a' similar to 'b', 'a' like 'b' escape '!', normalize('a'), 'a' is normalized",
    "select upper('a'), lower('A'), length('x'), split_part('a,b', ',', 1), regexp_replace('a', 'a', 'b'), string_to_array('a,b', ','), array_to_string(array[1], ','), md5('x'), sha256('x'::bytea), encode('x'::bytea, 'hex'), quote_ident('A'), format('%s', 1)",
    "select jsonb_build_object('a', 1) ->> 'a', '{\"a\":1}'::jsonb @> '{}'::jsonb, '{\"a\":1}'::jsonb ? 'a', to_jsonb(1), jsonb_path_query_array('{\"a\":[1]}', '$.a[*]'), json_agg(x), jsonb_agg(x) from generate_series(1, 3) x",
    "select * from jsonb_each('{\"a\":1}'), jsonb_array_elements('[1,2]'), unnest(array[1, 2]) with ordinality u(v, n)",
    "select json_query('{\"a\":1}', '$.a'), json_exists('{\"a\":1}', '$.a'), json_value('{\"a\":1}', '$.a' returning int), json_object('a': 1), json_array(1, 2)",
    'select count(*), sum(x), avg(x), min(x), max(x), string_agg(x::text, \',\' order by x), array_agg(distinct x), percentile_cont(0.5) within group (order by x), mode() within group (order by x), count(*) filter (where x > 1) from generate_series(1, 10) x',
    'select x, row_number() over w, rank() over w, lag(x) over w, lead(x, 2) over w, first_value(x) over w, ntile(2) over w, cume_dist() over w, sum(x) over (order by x rows between 1 preceding and current row) from generate_series(1, 5) x window w as (order by x)',
    'select x between 1 and 2, x not between symmetric 3 and 1, x is distinct from 1, nullif(x, 1), x in (1, 2), x not in (3), x = any(array[1]), x > all(array[0]), coalesce(x, 0), greatest(x, 1), least(x, 1), case x when 1 then 2 else 3 end from generate_series(1, 3) x order by x using >',
    "select pg_size_pretty(pg_total_relation_size('shop.orders')), pg_relation_size('shop.orders'), pg_table_size('shop.orders'), pg_indexes_size('shop.orders'), pg_database_size(current_database())",
    "select c.relname, pg_get_indexdef(i.indexrelid), obj_description(c.oid, 'pg_class'), format_type(a.atttypid, a.atttypmod), has_table_privilege(c.oid, 'select'), c.oid::regclass from pg_class c join pg_index i on i.indrelid = c.oid join pg_attribute a on a.attrelid = c.oid limit 1",
    'select pg_stat_get_numscans(c.oid), pg_backend_pid(), pg_is_in_recovery(), version(), current_setting(\'search_path\'), current_database(), current_schemas(true), pg_postmaster_start_time() from pg_class c limit 1',
    // Unqualified random() is refused here only because this database has a volatile public.random(int).
    'select pg_catalog.random(), clock_timestamp(), gen_random_uuid(), timeofday()',
    "select * from generate_series(timestamp '2020-01-01', timestamp '2020-01-02', interval '1 hour') g, lateral (select g + interval '1 minute') l",
    "select xmlelement(name a, xmlattributes(1 as b)), xmlforest(1 as x), xmlexists('//a' passing xmlparse(document '<a/>')), xmlserialize(content '<a/>'::xml as text)",
    "select * from xmltable('/r/x' passing ('<r><x a=\"1\"/></r>'::xml) columns a int path '@a', n for ordinality)",
    "select * from json_table('[{\"a\":1}]'::jsonb, '$[*]' columns (a int path '$.a', n for ordinality))",
    'with recursive r(n) as (select 1 union all select n + 1 from r where n < 5) select n, n % 2 = 0, n::text || \'!\', -n, n ^ 2, |/ 16, @ -5 from r',
    "select o.*, c.* from shop.orders o join lateral (select 1) c on true where o.id = $1 order by o.id desc nulls last limit 10 offset 0",
    "select int4range(1, 5) @> 3, array[1, 2] && array[2], '10.0.0.1'::inet << '10.0.0.0/8'::inet, point(1, 1) <-> point(2, 2), 'a'::text ~ '^a', B'101' | B'010', now() - interval '1 day' > timestamp '2020-01-01'",
  ];
  it.each(reads)('%s', async (sql) => {
    expect(await refusal(sql)).toBeUndefined();
  });
});
