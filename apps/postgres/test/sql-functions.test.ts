// The function and operator policy against an in-memory catalog, and the catalog's cache.
import { ToolError } from '@bastion-mcp/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFunctionCatalog, FUNCTIONS_SQL, OPERATORS_SQL } from '../src/sql/catalog.js';
import { checkFunctions, checkOperators, DENIED_FUNCTIONS, deniedGroup, VOLATILE_BUT_SAFE } from '../src/sql/functions.js';
import { ensureParser } from '../src/sql/parser.js';
import { checkQuery } from '../src/sql/policy.js';
import type { CatalogFunction, CatalogOperator, FunctionCatalog, FunctionRef, OperatorRef } from '../src/sql/types.js';

type FakeFunction = Omit<CatalogFunction, 'onSearchPath' | 'kind' | 'extension'> & Partial<Pick<CatalogFunction, 'kind' | 'extension'>>;
type FakeOperator = Omit<CatalogOperator, 'onSearchPath'>;

const fn = (schema: string, name: string, volatility: CatalogFunction['volatility'], more: Partial<FakeFunction> = {}): FakeFunction => ({
  schema,
  name,
  volatility,
  ...more,
});

/** A slice of a real catalog (volatilities as in PostgreSQL 18), plus user and extension functions. */
const FUNCTIONS: FakeFunction[] = [
  ...['lower', 'upper', 'length', 'generate_series', 'unnest', 'btrim', 'substring', 'position', 'overlay', 'similar_to_escape', 'pg_size_pretty', 'abs', 'repeat'].map((name) =>
    fn('pg_catalog', name, 'i'),
  ),
  ...['now', 'pg_backend_pid', 'current_setting', 'txid_current', 'pg_stat_get_numscans', 'to_char', 'timezone', 'pg_collation_for'].map((name) => fn('pg_catalog', name, 's')),
  fn('pg_catalog', 'extract', 'i'),
  fn('pg_catalog', 'extract', 's'),
  fn('pg_catalog', 'date_trunc', 'i'),
  fn('pg_catalog', 'date_trunc', 's'),
  fn('pg_catalog', 'count', 'i', { kind: 'a' }),
  fn('pg_catalog', 'max', 'i', { kind: 'a' }),
  fn('pg_catalog', 'percentile_cont', 'i', { kind: 'a' }),
  fn('pg_catalog', 'row_number', 'i', { kind: 'w' }),
  ...['random', 'random_normal', 'clock_timestamp', 'gen_random_uuid', 'pg_total_relation_size', 'pg_relation_size', 'pg_sleep', 'pg_read_file', 'nextval', 'set_config', 'pg_stat_get_xact_blocks_fetched', 'pg_stat_clear_snapshot', 'system', 'bernoulli'].map(
    (name) => fn('pg_catalog', name, 'v'),
  ),
  fn('pg_catalog', 'plpgsql_call_handler', 'v', { extension: 'plpgsql' }),
  // User functions.
  fn('public', 'my_stable', 's'),
  fn('public', 'my_immutable', 'i'),
  fn('public', 'my_volatile', 'v'),
  fn('public', 'mixed', 'i'),
  fn('public', 'mixed', 'v'),
  fn('public', 'do_stuff', 'v', { kind: 'p' }),
  fn('shop', 'order_total', 's'),
  fn('hidden', 'secret_stable', 's'),
  // Extensions.
  fn('public', 'uuid_generate_v4', 'v', { extension: 'uuid-ossp' }),
  fn('public', 'system_rows', 'v', { extension: 'tsm_system_rows' }),
  fn('cron', 'schedule', 'v', { extension: 'pg_cron' }),
];

const OPERATORS: FakeOperator[] = [
  ...['=', '<>', '<', '>', '<=', '>=', '+', '-', '->>', '@>', '?', '~~', '!~~*', '~', '||'].map((name) => ({ schema: 'pg_catalog', name, volatility: 'i' as const })),
  { schema: 'public', name: '===', volatility: 's' },
  { schema: 'public', name: '!!!', volatility: 'v' },
];

interface Fake extends FunctionCatalog {
  readonly functionCalls: Array<readonly FunctionRef[]>;
  readonly operatorCalls: Array<readonly OperatorRef[]>;
}

/** Answers like the real catalog: every row of every schema, flagged as on the search path or not. */
function fakeCatalog(searchPath: readonly string[] = ['pg_catalog', 'public', 'shop'], functions = FUNCTIONS, operators = OPERATORS): Fake {
  const functionCalls: Array<readonly FunctionRef[]> = [];
  const operatorCalls: Array<readonly OperatorRef[]> = [];
  return {
    functionCalls,
    operatorCalls,
    async functions(refs) {
      functionCalls.push(refs);
      return functions.map((row) => ({ kind: 'f', extension: null, ...row, onSearchPath: searchPath.includes(row.schema) }));
    },
    async operators(refs) {
      operatorCalls.push(refs);
      return operators.map((row) => ({ ...row, onSearchPath: searchPath.includes(row.schema) }));
    },
  };
}

/** The refusal for a whole query, or undefined when it passes every check. */
async function refusal(sql: string, catalog: Fake = fakeCatalog()): Promise<string | undefined> {
  await ensureParser();
  try {
    const checked = checkQuery(sql);
    await checkFunctions(checked.functions, catalog);
    await checkOperators(checked.operators, catalog);
    return undefined;
  } catch (error) {
    expect(ToolError.isInstance(error), `not a ToolError: ${String(error)}`).toBe(true);
    return (error as Error).message;
  }
}

beforeEach(async () => {
  await ensureParser();
});

describe('denied functions (refused before the catalog is asked)', () => {
  const cases: Array<[label: string, sql: string, message: RegExp]> = [
    ['P4 pg_read_file in FROM (crystaldba #178)', "SELECT * FROM pg_read_file('/etc/passwd')", /^`sql` calls pg_read_file\(\), which reads server files or directories; it is never allowed on this server\. Query tables and views instead\.$/],
    ['P4 pg_read_file /etc/hostname', "SELECT * FROM pg_read_file('/etc/hostname')", /pg_read_file\(\), which reads server files/],
    ['lateral pg_ls_dir', "select x from t, lateral pg_ls_dir('.') d", /pg_ls_dir\(\), which reads server files/],
    ['nested scalar subquery', "select (select pg_read_file('x'))", /pg_read_file\(\)/],
    ['pg_read_binary_file', "select pg_read_binary_file('/etc/passwd')", /reads server files/],
    ['pg_stat_file', "select pg_stat_file('postgresql.conf')", /reads server files/],
    ['pg_ls_waldir', 'select * from pg_ls_waldir()', /reads server files/],
    ['pg_hba_file_rules', 'select * from pg_hba_file_rules()', /reads server files/],
    ['adminpack write', "select pg_file_write('x', 'y', false)", /writes, renames or deletes server files/],
    ['P5 lo_import', "SELECT lo_import('/etc/hostname')", /^`sql` calls lo_import\(\), which works on large objects/],
    ['lo_export', "select lo_export(1, '/tmp/x')", /large objects/],
    ['lo_from_bytea', "select lo_from_bytea(0, 'x')", /large objects/],
    ['lowrite', 'select lowrite(0, 1)', /large objects/],
    ['P6 pg_cancel_backend in WHERE', 'SELECT count(*) FROM pg_stat_activity WHERE pg_cancel_backend(pid)', /pg_cancel_backend\(\), which signals other sessions/],
    ['P6 as written', 'SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE pid <> pg_backend_pid()', /pg_cancel_backend\(\), which signals other sessions/],
    ['pg_terminate_backend', 'select pg_terminate_backend(1)', /signals other sessions/],
    ['pg_reload_conf', 'select pg_reload_conf()', /administers the server/],
    ['pg_stat_reset', 'select pg_stat_reset_shared(\'bgwriter\')', /administers the server/],
    ['pg_stat_statements_reset', 'select pg_stat_statements_reset()', /administers the server/],
    ['replication slot', "select pg_create_logical_replication_slot('s', 'test_decoding')", /administers the server/],
    ['logical slot peek', "select * from pg_logical_slot_peek_changes('s', null, null)", /administers the server/],
    ['pg_switch_wal', 'select pg_switch_wal()', /administers the server/],
    ['pg_import_system_collations', "select pg_import_system_collations('pg_catalog')", /administers the server/],
    ['P15 set_config', "SELECT set_config('transaction_read_only','off',true)", /^`sql` calls set_config\(\), which changes configuration settings.*current_setting/s],
    ['P7 advisory lock', 'SELECT pg_advisory_lock(42)', /pg_advisory_lock\(\), which takes or releases advisory locks/],
    ['try advisory xact lock', 'select pg_try_advisory_xact_lock(1)', /advisory locks/],
    ['advisory unlock all', 'select pg_advisory_unlock_all()', /advisory locks/],
    ['P8 pg_sleep', 'SELECT pg_sleep(3600)', /^`sql` calls pg_sleep\(\), which only waits/],
    ['pg_catalog.pg_sleep', 'select pg_catalog.pg_sleep(1)', /^`sql` calls pg_catalog\.pg_sleep\(\), which only waits/],
    ['quoted "pg_sleep"', 'select "pg_sleep"(1)', /pg_sleep\(\), which only waits/],
    ['pg_sleep_for', "select pg_sleep_for('1 minute')", /only waits/],
    ['pg_sleep in ORDER BY', 'select 1 from t order by pg_sleep(1)', /only waits/],
    ['pg_notify', "select pg_notify('c', 'x')", /sends a notification/],
    ['nextval', "select nextval('s')", /nextval\(\), which advances a sequence.*last_value/s],
    ['setval', "select setval('s', 1)", /advances a sequence/],
    ['nextval in a CTE', "with a as (select nextval('s')) select * from a", /advances a sequence/],
    ['txid_current (STABLE in the catalog)', 'select txid_current()', /assigns a transaction id/],
    ['pg_current_xact_id', 'select pg_current_xact_id()', /assigns a transaction id/],
    ['setseed', 'select setseed(0.5)', /random seed/],
    ['query_to_xml', "select query_to_xml('select pg_read_file(''x'')', true, true, '')", /query_to_xml\(\), which runs SQL passed to it as text/],
    ['cursor_to_xml', "select cursor_to_xml('c', 1, true, true, '')", /runs SQL passed to it as text/],
    ['ts_stat', "select * from ts_stat('select pg_read_file(''x'')::tsvector')", /runs SQL passed to it as text/],
    ['crosstab', "select * from crosstab('select 1') as t(a int)", /runs SQL passed to it as text/],
    ['P12 dblink_exec', "SELECT dblink_exec('dbname=probe', 'DROP TABLE victim')", /dblink_exec\(\), which connects to another database or server/],
    ['dblink', "select * from dblink('dbname=x', 'select 1') as t(a int)", /connects to another database/],
    ['postgres_fdw', 'select postgres_fdw_disconnect_all()', /connects to another database/],
    ['pg_cron qualified', "select cron.schedule('* * * * *', 'delete from t')", /cron\.schedule\(\), which schedules SQL to run later/],
  ];
  it.each(cases)('%s', async (_label, sql, message) => {
    const catalog = fakeCatalog();
    expect(await refusal(sql, catalog)).toMatch(message);
    expect(catalog.functionCalls).toHaveLength(0);
  });

  it('matches names by prefix and by extension schema only where listed', () => {
    expect(deniedGroup({ name: 'lo_whatever' })).toBeDefined();
    expect(deniedGroup({ name: 'pg_stat_reset_slru' })).toBeDefined();
    expect(deniedGroup({ name: 'dblink_connect_u' })).toBeDefined();
    expect(deniedGroup({ name: 'schedule' })).toBeUndefined();
    expect(deniedGroup({ schema: 'cron', name: 'schedule' })).toBeDefined();
    expect(deniedGroup({ name: 'lower' })).toBeUndefined();
    expect(deniedGroup({ name: 'current_setting' })).toBeUndefined();
    expect(deniedGroup({ name: 'pg_stat_get_numscans' })).toBeUndefined();
  });

  it('keeps the deny list and the safe list apart', () => {
    for (const name of Object.keys(VOLATILE_BUT_SAFE)) expect(deniedGroup({ name }), name).toBeUndefined();
    for (const group of DENIED_FUNCTIONS) expect(group.reason.length + group.instead.length).toBeGreaterThan(20);
  });
});

describe('functions checked against the catalog', () => {
  it('accepts immutable, stable, aggregate and window functions', async () => {
    expect(await refusal("select lower(a), now(), count(*), max(b), row_number() over (), percentile_cont(0.5) within group (order by c), my_stable(), shop.order_total(1) from t")).toBeUndefined();
  });

  it('accepts functions the parser adds for special syntax', async () => {
    expect(await refusal("select extract(year from now()), substring('abc' from 1 for 2), trim(both from ' x '), collation for ('a'), position('a' in 'b'), overlay('abc' placing 'x' from 1), date_trunc('day', now()), 'a' similar to 'b', now() at time zone 'utc'")).toBeUndefined();
  });

  it('accepts the harmless volatile built-ins', async () => {
    expect(await refusal("select random(), random_normal(), clock_timestamp(), gen_random_uuid(), pg_total_relation_size('t'), pg_relation_size('t'), pg_stat_get_xact_blocks_fetched(1)")).toBeUndefined();
    expect(await refusal('select pg_catalog.random()')).toBeUndefined();
  });

  it('refuses volatile functions, naming the schema', async () => {
    expect(await refusal('select my_volatile()')).toBe(
      '`sql` calls my_volatile(), which is VOLATILE (public.my_volatile): a volatile function may change data or session state, so it is refused. Only read-only functions may be called: IMMUTABLE or STABLE ones, plus a few harmless volatile ones such as random(), clock_timestamp() and pg_total_relation_size().',
    );
    expect(await refusal('select pg_stat_clear_snapshot()')).toMatch(/VOLATILE \(pg_catalog\.pg_stat_clear_snapshot\)/);
    expect(await refusal('select * from t where my_volatile() > 0')).toMatch(/my_volatile\(\), which is VOLATILE/);
    expect(await refusal('select * from my_volatile()')).toMatch(/my_volatile\(\), which is VOLATILE/);
  });

  it('needs every overload to be read-only', async () => {
    expect(await refusal('select mixed(1)')).toMatch(/mixed\(\), which is VOLATILE \(public\.mixed\)/);
  });

  it('does not let a user-defined volatile overload ride on the safe list', async () => {
    const catalog = fakeCatalog(undefined, [...FUNCTIONS, fn('public', 'random', 'v')]);
    expect(await refusal('select random()', catalog)).toMatch(
      /random\(\), and besides the harmless built-in one there is a volatile function of that name on the search path \(public\.random\).*pg_catalog\.random\(\)/s,
    );
    expect(await refusal('select pg_catalog.random()', catalog)).toBeUndefined();
    expect(await refusal('select public.random()', catalog)).toMatch(/public\.random\(\), which is VOLATILE \(public\.random\)/);
  });

  it('trusts a safe extension function only from its extension', async () => {
    expect(await refusal('select uuid_generate_v4()')).toBeUndefined();
    const impostor = fakeCatalog(undefined, [...FUNCTIONS.filter((row) => row.name !== 'uuid_generate_v4'), fn('public', 'uuid_generate_v4', 'v')]);
    expect(await refusal('select uuid_generate_v4()', impostor)).toMatch(/VOLATILE \(public\.uuid_generate_v4\)/);
    const builtinNameInUserSchema = fakeCatalog(undefined, [...FUNCTIONS, fn('shop', 'clock_timestamp', 'v')]);
    expect(await refusal('select shop.clock_timestamp()', builtinNameInUserSchema)).toMatch(/VOLATILE \(shop\.clock_timestamp\)/);
  });

  it('refuses unknown functions (fail closed)', async () => {
    expect(await refusal('select nope(1)')).toBe(
      '`sql` calls function nope(), which does not exist in the search path; functions that cannot be found are refused. Check the spelling, or qualify the name with its schema (schema.function()).',
    );
    expect(await refusal('select shop.nope()')).toMatch(/function shop\.nope\(\), which does not exist in schema shop/);
    expect(await refusal('select "PG_SLEEP"(1)')).toMatch(/function "PG_SLEEP"\(\), which does not exist/);
  });

  it('resolves unqualified names on the search path only', async () => {
    expect(await refusal('select secret_stable()')).toMatch(/secret_stable\(\), which does not exist in the search path/);
    expect(await refusal('select hidden.secret_stable()')).toBeUndefined();
    expect(await refusal('select my_stable()', fakeCatalog(['pg_catalog']))).toMatch(/does not exist in the search path/);
  });

  it('refuses procedures', async () => {
    expect(await refusal('select do_stuff()')).toMatch(/do_stuff\(\), which is a procedure \(public\.do_stuff\); procedures run only with CALL/);
  });

  it('refuses denied functions the catalog resolves an unqualified name to', async () => {
    const catalog = fakeCatalog(['pg_catalog', 'public', 'cron']);
    expect(await refusal("select schedule('* * * * *', 'select 1')", catalog)).toMatch(/^`sql` calls schedule\(\) \(cron\.schedule\), which schedules SQL to run later/);
  });

  it('checks TABLESAMPLE methods', async () => {
    expect(await refusal('select * from t tablesample system (10)')).toBeUndefined();
    expect(await refusal('select * from t tablesample bernoulli (1) repeatable (random())')).toBeUndefined();
    expect(await refusal('select * from t tablesample system_rows (10)')).toBeUndefined();
    expect(await refusal('select * from t tablesample system_time (100)')).toMatch(/TABLESAMPLE method system_time, which is not allowed here/);
    const catalog = fakeCatalog();
    expect(await refusal('select * from t tablesample my_sampler (10)', catalog)).toMatch(/TABLESAMPLE method my_sampler, which is not allowed here\. Use TABLESAMPLE SYSTEM/);
    expect(catalog.functionCalls).toHaveLength(0);
  });

  it('asks the catalog once per query, for every reference', async () => {
    const catalog = fakeCatalog();
    expect(await refusal('select lower(a), pg_catalog.upper(b), lower(c) from t tablesample system (1)', catalog)).toBeUndefined();
    expect(catalog.functionCalls).toEqual([[{ name: 'lower' }, { schema: 'pg_catalog', name: 'upper' }, { name: 'system', tablesample: true }]]);
  });

  it('skips the catalog when there is nothing to check', async () => {
    const catalog = fakeCatalog();
    expect(await refusal('select 1', catalog)).toBeUndefined();
    expect(await refusal('show all', catalog)).toBeUndefined();
    expect(catalog.functionCalls).toHaveLength(0);
    expect(catalog.operatorCalls).toHaveLength(0);
  });

  it('names the tool argument in messages', async () => {
    await expect(checkFunctions([{ name: 'pg_sleep' }], fakeCatalog(), { argument: 'query' })).rejects.toThrow(/^`query` calls pg_sleep\(\)/);
    await expect(checkOperators([{ name: '!!!' }], fakeCatalog(), { argument: 'query' })).rejects.toThrow(/^`query` uses operator !!!/);
  });
});

describe('operators checked against the catalog', () => {
  it('accepts built-in operators, including those implied by syntax', async () => {
    expect(
      await refusal("select j->>'a', j @> '{}', j ? 'k', a + 1, a between 1 and 2, c like 'x', d not ilike 'y', e similar to 'z', f is distinct from g, a in (1, 2), a not in (3), b = any(array[1]), 'a' || 'b' from t"),
    ).toBeUndefined();
    expect(await refusal('select 1 OPERATOR(pg_catalog.+) 1, a OPERATOR(public.===) b from t')).toBeUndefined();
  });

  it('refuses unknown and volatile operators', async () => {
    expect(await refusal('select a <=> b from t')).toBe(
      '`sql` uses operator <=>, which does not exist in the search path; operators that cannot be found are refused. Check the operator, or use a function instead.',
    );
    expect(await refusal('select a OPERATOR(shop.+) b from t')).toMatch(/operator OPERATOR\(shop\.\+\), which does not exist in schema shop/);
    expect(await refusal('select a !!! b from t')).toMatch(/operator !!!, whose function is VOLATILE \(public\.!!!\)/);
    expect(await refusal('select 1 from t order by a using !!!')).toMatch(/operator !!!, whose function is VOLATILE/);
  });
});

describe('createFunctionCatalog', () => {
  interface Call {
    text: string;
    values: unknown[];
  }

  /** A query callback that answers from FUNCTIONS/OPERATORS the way the SQL would, as raw rows. */
  function fakeRun(searchPath = ['pg_catalog', 'public']) {
    const calls: Call[] = [];
    const run = async (text: string, values: unknown[]) => {
      calls.push({ text, values });
      const [names, schemas] = values as [string[], string[]];
      const visible = (schema: string) => searchPath.includes(schema) || schemas.includes(schema);
      if (text === FUNCTIONS_SQL) {
        const rows = FUNCTIONS.filter((row) => names.includes(row.name) && visible(row.schema)).map((row) => ({
          schema: row.schema,
          name: row.name,
          volatility: row.volatility,
          kind: row.kind ?? 'f',
          extension: row.extension ?? null,
          on_search_path: searchPath.includes(row.schema),
        }));
        return { rows };
      }
      const rows = OPERATORS.filter((row) => names.includes(row.name) && visible(row.schema)).map((row) => ({ ...row, on_search_path: searchPath.includes(row.schema) }));
      return { rows };
    };
    return { calls, run };
  }

  it('looks up unqualified names on the search path and qualified ones in their schema, in one query', async () => {
    const { calls, run } = fakeRun();
    const catalog = createFunctionCatalog(run);
    const rows = await catalog.functions([{ name: 'lower' }, { schema: 'shop', name: 'order_total' }, { name: 'order_total' }]);
    expect(calls).toEqual([{ text: FUNCTIONS_SQL, values: [['lower', 'order_total'], ['shop']] }]);
    expect(rows).toEqual([
      { schema: 'pg_catalog', name: 'lower', volatility: 'i', kind: 'f', extension: null, onSearchPath: true, oneArgument: true, defaults: null },
      { schema: 'shop', name: 'order_total', volatility: 's', kind: 'f', extension: null, onSearchPath: false, oneArgument: true, defaults: null },
    ]);
    await expect(checkFunctions([{ name: 'order_total' }], catalog)).rejects.toThrow(/does not exist in the search path/);
    await expect(checkFunctions([{ schema: 'shop', name: 'order_total' }], catalog)).resolves.toBeUndefined();
  });

  it('caches answers per name, asks only for the missing ones, and forgets them after the TTL', async () => {
    let now = 1_000;
    const { calls, run } = fakeRun();
    const catalog = createFunctionCatalog(run, { ttlMs: 60_000, now: () => now });
    await catalog.functions([{ name: 'lower' }, { name: 'nope' }]);
    await catalog.functions([{ name: 'lower' }, { name: 'nope' }]);
    expect(calls).toHaveLength(1);
    const rows = await catalog.functions([{ name: 'lower' }, { name: 'upper' }]);
    expect(calls[1]?.values).toEqual([['upper'], []]);
    expect(rows.map((row) => row.name)).toEqual(['lower', 'upper']);
    now += 60_001;
    await catalog.functions([{ name: 'lower' }]);
    expect(calls[2]?.values).toEqual([['lower'], []]);
  });

  it('keeps at most maxEntries names', async () => {
    const { calls, run } = fakeRun();
    const catalog = createFunctionCatalog(run, { maxEntries: 2 });
    await catalog.functions([{ name: 'lower' }, { name: 'upper' }, { name: 'abs' }]);
    await catalog.functions([{ name: 'abs' }, { name: 'upper' }]);
    expect(calls).toHaveLength(1);
    await catalog.functions([{ name: 'lower' }]);
    expect(calls).toHaveLength(2);
  });

  it('caches operators separately', async () => {
    const { calls, run } = fakeRun();
    const catalog = createFunctionCatalog(run);
    const rows = await catalog.operators([{ name: '=' }, { schema: 'public', name: '===' }]);
    expect(calls).toEqual([{ text: OPERATORS_SQL, values: [['=', '==='], ['public']] }]);
    expect(rows).toEqual([
      { schema: 'pg_catalog', name: '=', volatility: 'i', onSearchPath: true },
      { schema: 'public', name: '===', volatility: 's', onSearchPath: true },
    ]);
    await catalog.operators([{ name: '=' }]);
    expect(calls).toHaveLength(1);
  });

  it('reads unexpected catalog values as the stricter ones', async () => {
    const catalog = createFunctionCatalog(async () => ({
      rows: [{ schema: 'public', name: 'odd', volatility: 'x', kind: 'z', extension: null, on_search_path: true }],
    }));
    expect(await catalog.functions([{ name: 'odd' }])).toEqual([
      { schema: 'public', name: 'odd', volatility: 'v', kind: 'p', extension: null, onSearchPath: true, oneArgument: true, defaults: null },
    ]);
  });
});
