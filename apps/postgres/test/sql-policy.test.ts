// The statement and node policy (layer 3): what checkQuery refuses, with which message, and the
// long list of valid reads it must keep accepting (crystaldba's parser policy rejected many).
import { ToolError } from '@bastion-mcp/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { ensureParser, isParserReady, parseSql } from '../src/sql/parser.js';
import { checkQuery, type CheckQueryOptions } from '../src/sql/policy.js';
import type { CheckedQuery } from '../src/sql/types.js';

// As the server does before every check: free while the parser is healthy, a reload after a failure.
beforeEach(async () => {
  await ensureParser();
});

/** The ToolError message checkQuery throws for `sql`; fails the test if the query passes. */
function refusal(sql: string, options?: CheckQueryOptions): string {
  try {
    checkQuery(sql, options);
  } catch (error) {
    expect(ToolError.isInstance(error), `not a ToolError: ${String(error)}`).toBe(true);
    return (error as Error).message;
  }
  throw new Error(`expected a refusal for: ${sql}`);
}

/** The functions called with function syntax (column-syntax names are checked in sql-column-syntax.test.ts). */
function names(checked: CheckedQuery): string[] {
  return checked.functions.filter((ref) => ref.columnSyntax === undefined).map((ref) => (ref.schema ? `${ref.schema}.${ref.name}` : ref.name));
}

describe('statements refused by type (D4, D5 and the attack classes)', () => {
  const cases: Array<[label: string, sql: string, message: RegExp]> = [
    // Stacked statements: the reference server's escape (P1, P2).
    ['P1 COMMIT; DROP', 'COMMIT; DROP TABLE victim', /holds 2 statements \(COMMIT; DROP TABLE\); send exactly one statement per call.*transaction control/s],
    ['P2 END; DROP', 'END; DROP TABLE victim', /holds 2 statements \(COMMIT; DROP TABLE\)/],
    ['P2 ROLLBACK; DROP', 'ROLLBACK; DROP TABLE victim', /holds 2 statements \(ROLLBACK; DROP TABLE\)/],
    ['two selects', 'select 1; select 2', /holds 2 statements \(SELECT; SELECT\).*separate calls/s],
    ['select then commit', 'select 1; commit;', /holds 2 statements/],
    ['comment hides nothing', 'select 1 /* ; */; /* x */ delete from t', /holds 2 statements \(SELECT; DELETE\)/],
    ['many statements', 'select 1;select 2;select 3;select 4;select 5;select 6', /holds 6 statements \(SELECT; SELECT; SELECT; SELECT; SELECT, …\)/],
    // Transaction control alone.
    ['COMMIT', 'COMMIT', /^`sql`: COMMIT is not allowed\. Transaction control is not available/],
    ['BEGIN READ WRITE', 'begin read write', /BEGIN is not allowed/],
    ['START TRANSACTION', 'start transaction read write', /START TRANSACTION is not allowed/],
    ['ABORT', 'abort', /ROLLBACK is not allowed/],
    ['SAVEPOINT', 'savepoint a', /SAVEPOINT is not allowed/],
    ['PREPARE TRANSACTION', "prepare transaction 'x'", /PREPARE TRANSACTION is not allowed/],
    // P3 and COPY variants.
    ['P3 COPY TO PROGRAM', "COPY (SELECT 1) TO PROGRAM 'touch /tmp/pwned_by_copy'", /^`sql`: COPY is not allowed\. COPY reads and writes server files and programs.*SELECT, VALUES, TABLE, EXPLAIN of those, or SHOW\.$/s],
    ['COPY FROM file', "copy victim from '/etc/passwd'", /COPY is not allowed/],
    ['COPY TO STDOUT', 'copy victim to stdout', /COPY is not allowed/],
    // P9 and session contamination.
    ['P9 SET TRANSACTION READ WRITE', 'SET TRANSACTION READ WRITE', /SET TRANSACTION is not allowed\. Session settings and the role are fixed/],
    ['SET SESSION CHARACTERISTICS', 'set session characteristics as transaction read write', /SET SESSION CHARACTERISTICS is not allowed/],
    ['SET ROLE', 'set role postgres', /SET ROLE is not allowed/],
    ['SET SESSION AUTHORIZATION', 'set session authorization postgres', /SET SESSION AUTHORIZATION is not allowed/],
    ['SET search_path', 'set search_path = evil, pg_catalog', /SET search_path is not allowed.*current_setting/s],
    ['SET LOCAL', 'set local statement_timeout = 0', /SET statement_timeout is not allowed/],
    ['RESET ALL', 'reset all', /RESET ALL is not allowed/],
    ['RESET one', 'reset statement_timeout', /RESET statement_timeout is not allowed/],
    ['DISCARD ALL', 'discard all', /DISCARD ALL is not allowed/],
    ['SET CONSTRAINTS', 'set constraints all deferred', /SET CONSTRAINTS is not allowed/],
    // P11 and procedural code.
    ['P11 DO', 'DO $$ BEGIN COMMIT; END $$', /^`sql`: DO is not allowed\. DO runs procedural code/],
    ['CALL', 'CALL p()', /CALL is not allowed\. CALL runs a procedure/],
    // Notifications, prepared statements, cursors.
    ['LISTEN', 'listen channel', /LISTEN is not allowed\. Notifications/],
    ['NOTIFY', "notify channel, 'x'", /NOTIFY is not allowed/],
    ['UNLISTEN', 'unlisten *', /UNLISTEN is not allowed/],
    ['PREPARE', 'prepare p as select 1', /PREPARE is not allowed\. Prepared statements are not available/],
    ['EXECUTE', 'execute p', /EXECUTE is not allowed/],
    ['DEALLOCATE', 'deallocate all', /DEALLOCATE is not allowed/],
    ['DECLARE CURSOR', 'declare c cursor with hold for select 1', /DECLARE CURSOR is not allowed\. Cursors are not available/],
    ['FETCH', 'fetch 1 from c', /FETCH is not allowed/],
    ['CLOSE', 'close c', /CLOSE is not allowed/],
    // Locks and maintenance.
    ['LOCK TABLE', 'lock table victim in access exclusive mode', /LOCK TABLE is not allowed\. Table locks block other sessions/],
    ['VACUUM', 'vacuum full victim', /VACUUM is not allowed/],
    ['ANALYZE', 'analyze victim', /ANALYZE is not allowed/],
    ['CHECKPOINT', 'checkpoint', /CHECKPOINT is not allowed/],
    ['REINDEX', 'reindex table victim', /REINDEX is not allowed/],
    ['CLUSTER', 'cluster victim', /CLUSTER is not allowed/],
    ['REFRESH MATERIALIZED VIEW', 'refresh materialized view m', /REFRESH MATERIALIZED VIEW is not allowed/],
    ['LOAD', "load 'plpgsql'", /LOAD is not allowed/],
    ['ALTER SYSTEM', "alter system set log_statement = 'none'", /ALTER SYSTEM is not allowed/],
    // Writes.
    ['INSERT', 'insert into victim values (1)', /INSERT is not allowed\. This server is read-only: it never changes data/],
    ['UPDATE', 'update victim set id = 2', /UPDATE is not allowed/],
    ['DELETE', 'delete from victim', /DELETE is not allowed/],
    ['MERGE', 'merge into t using s on t.id = s.id when matched then delete', /MERGE is not allowed/],
    ['TRUNCATE', 'truncate victim', /TRUNCATE is not allowed/],
    ['WITH then INSERT', 'with a as (select 1) insert into victim select * from a', /^`sql`: INSERT is not allowed/],
    ['WITH then DELETE', 'with a as (select 1) delete from victim where id in (select * from a)', /^`sql`: DELETE is not allowed/],
    // DDL.
    ['DROP TABLE', 'drop table victim', /DROP TABLE is not allowed\. This server is read-only: it never changes the schema/],
    ['DROP FUNCTION', 'drop function f()', /DROP FUNCTION is not allowed/],
    ['CREATE TABLE', 'create table x (a int)', /CREATE TABLE is not allowed/],
    ['CREATE TEMP TABLE', 'create temp table x (a int)', /CREATE TABLE is not allowed/],
    ['CREATE TABLE AS', 'create table x as select 1', /CREATE TABLE AS is not allowed/],
    ['CREATE FUNCTION', "create function f() returns int language sql as 'select 1'", /CREATE FUNCTION is not allowed/],
    ['CREATE EXTENSION', 'create extension dblink', /CREATE EXTENSION is not allowed/],
    ['ALTER TABLE', 'alter table victim add column x int', /ALTER TABLE is not allowed/],
    ['GRANT', 'grant all on victim to public', /GRANT or REVOKE is not allowed/],
    ['ALTER ROLE', 'alter role current_user set default_transaction_read_only = off', /ALTER ROLE SET is not allowed/],
    ['COMMENT', "comment on table victim is 'x'", /COMMENT is not allowed/],
    ['CREATE VIEW', 'create view v as select 1', /CREATE VIEW is not allowed/],
  ];
  it.each(cases)('%s', (_label, sql, message) => {
    expect(refusal(sql)).toMatch(message);
  });
});

describe('constructs refused inside a SELECT', () => {
  const cases: Array<[label: string, sql: string, message: RegExp]> = [
    // P10: data-modifying CTEs in every position.
    ['P10 DELETE in WITH', 'WITH d AS (DELETE FROM victim RETURNING *) SELECT * FROM d', /a data-modifying WITH query \(DELETE inside WITH …\) at line 1, column 24 is not allowed\. This server is read-only: every WITH query must be a SELECT, VALUES or TABLE\.$/],
    ['INSERT in WITH', 'with i as (insert into victim values (1) returning *) select 1', /data-modifying WITH query \(INSERT inside WITH …\)/],
    ['UPDATE in WITH', 'with u as (update victim set id = 1 returning *) select * from u', /\(UPDATE inside WITH …\)/],
    ['MERGE in WITH', 'with m as (merge into t using s on true when matched then delete returning *) select * from m', /\(MERGE inside WITH …\)/],
    ['unused modifying CTE', 'with d as (delete from victim) select 1', /DELETE inside WITH/],
    ['CTE in a subquery', 'select * from (with d as (delete from victim returning *) select * from d) s', /DELETE inside WITH/],
    ['CTE in a scalar subquery', 'select (with d as (delete from victim returning id) select id from d limit 1)', /DELETE inside WITH/],
    ['CTE inside a CTE', 'with a as (with d as (delete from victim returning *) select * from d) select * from a', /DELETE inside WITH/],
    ['CTE in EXISTS', 'select 1 where exists (with d as (delete from victim returning 1) select 1 from d)', /DELETE inside WITH/],
    ['CTE in a union arm', 'select 1 union all (with d as (delete from victim returning 1) select * from d)', /DELETE inside WITH/],
    ['CTE in EXPLAIN', 'explain with d as (delete from victim returning *) select * from d', /DELETE inside WITH/],
    // SELECT INTO creates a table.
    ['SELECT INTO', 'select * into newtable from victim', /^`sql`: SELECT INTO is not allowed at line 1, column 15: it creates a table/],
    ['SELECT INTO TEMP', 'select 1 into temp t', /SELECT INTO is not allowed/],
    // Row locks, in every flavour and position.
    ['FOR UPDATE', 'select * from victim for update', /^`sql`: FOR UPDATE is not allowed: row locks block other sessions/],
    ['FOR NO KEY UPDATE', 'select * from victim for no key update', /FOR NO KEY UPDATE is not allowed/],
    ['FOR SHARE', 'select * from victim for share', /FOR SHARE is not allowed/],
    ['FOR KEY SHARE', 'select * from victim for key share', /FOR KEY SHARE is not allowed/],
    ['SKIP LOCKED', 'select * from victim for update skip locked', /FOR UPDATE is not allowed.*SKIP LOCKED/s],
    ['NOWAIT OF', 'select * from victim v for share of v nowait', /FOR SHARE is not allowed/],
    ['lock in a subquery', 'select * from (select * from victim for update) s', /FOR UPDATE is not allowed/],
    ['lock in a CTE', 'with l as (select * from victim for update) select * from l', /FOR UPDATE is not allowed/],
    ['lock in EXPLAIN', 'explain select * from victim for update', /FOR UPDATE is not allowed/],
    // Other nodes outside the allow-list.
    ['DEFAULT in VALUES', 'values (default)', /uses DEFAULT \(SetToDefault\) at line 1, column 9, which the read-only policy does not allow/],
  ];
  it.each(cases)('%s', (_label, sql, message) => {
    expect(refusal(sql)).toMatch(message);
  });
});

describe('EXPLAIN', () => {
  it('checks the statement being explained', () => {
    expect(refusal('EXPLAIN ANALYZE DELETE FROM t')).toMatch(
      /^`sql`: EXPLAIN of DELETE is not allowed: EXPLAIN is allowed for SELECT, VALUES and TABLE only \(EXPLAIN ANALYZE runs the statement\)\. DELETE is not allowed\. This server is read-only/,
    );
    expect(refusal('explain insert into t values (1)')).toMatch(/EXPLAIN of INSERT is not allowed/);
    expect(refusal('explain create table x as select 1')).toMatch(/EXPLAIN of CREATE TABLE AS is not allowed/);
    expect(refusal('explain execute p')).toMatch(/EXPLAIN of EXECUTE is not allowed/);
    expect(refusal('explain analyze select * into t2 from t')).toMatch(/SELECT INTO is not allowed/);
  });

  it('allows ANALYZE unless the server turns it off', () => {
    const checked = checkQuery('EXPLAIN (ANALYZE) SELECT 1');
    expect(checked.kind).toBe('explain');
    expect(checked.explain).toEqual({ analyze: true, options: ['analyze'] });
    expect(refusal('EXPLAIN (ANALYZE) SELECT 1', { allowExplainAnalyze: false })).toMatch(
      /^`sql`: EXPLAIN ANALYZE is not allowed on this server, because it runs the query\. Use EXPLAIN without ANALYZE/,
    );
    expect(refusal('explain analyze verbose select 1', { allowExplainAnalyze: false })).toMatch(/EXPLAIN ANALYZE is not allowed/);
    expect(refusal('explain (analyze on) select 1', { allowExplainAnalyze: false })).toMatch(/EXPLAIN ANALYZE is not allowed/);
    expect(refusal('explain (analyze 1) select 1', { allowExplainAnalyze: false })).toMatch(/EXPLAIN ANALYZE is not allowed/);
    expect(refusal('explain (analyze maybe) select 1', { allowExplainAnalyze: false })).toMatch(/EXPLAIN ANALYZE is not allowed/);
  });

  it('reads ANALYZE off as off', () => {
    for (const sql of ['explain (analyze false) select 1', 'explain (analyze off) select 1', 'explain (analyze 0) select 1']) {
      expect(checkQuery(sql, { allowExplainAnalyze: false }).explain?.analyze, sql).toBe(false);
    }
  });

  it('accepts every known option and refuses unknown ones', () => {
    const checked = checkQuery(
      'explain (analyze, verbose, costs off, settings, buffers, serialize text, wal, timing false, summary, memory, format json) select * from t where a = $1',
    );
    expect(checked.explain?.options).toEqual(['analyze', 'verbose', 'costs', 'settings', 'buffers', 'serialize', 'wal', 'timing', 'summary', 'memory', 'format']);
    expect(checkQuery('explain (generic_plan) select * from t where a = $1').explain).toEqual({ analyze: false, options: ['generic_plan'] });
    expect(refusal('explain (nonsense) select 1')).toMatch(/EXPLAIN option "nonsense" is not allowed\. Known options: ANALYZE, VERBOSE/);
  });

  it('collects the functions of the explained query', () => {
    expect(names(checkQuery('explain analyze select pg_sleep(10)'))).toEqual(['pg_sleep']);
  });
});

describe('functions and operators are collected wherever they appear', () => {
  const cases: Array<[label: string, sql: string, functions: string[]]> = [
    ['P4 function in FROM (crystaldba #178)', "SELECT * FROM pg_read_file('/etc/passwd')", ['pg_read_file']],
    ['P5', "SELECT lo_import('/etc/hostname')", ['lo_import']],
    ['P6 in WHERE and select list', 'SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE pid <> pg_backend_pid()', ['count', 'pg_cancel_backend', 'pg_backend_pid']],
    ['P7', 'SELECT pg_advisory_lock(42)', ['pg_advisory_lock']],
    ['P8', 'SELECT pg_sleep(3600)', ['pg_sleep']],
    ['P12', "SELECT dblink_exec('dbname=probe', 'DROP TABLE victim')", ['dblink_exec']],
    ['P13', "SELECT repeat('x', 1000000) FROM generate_series(1,100)", ['repeat', 'generate_series']],
    ['P15', "SELECT set_config('transaction_read_only','off',true)", ['set_config']],
    ['lateral function', "select x from t, lateral pg_ls_dir('.') d", ['pg_ls_dir']],
    ['scalar subquery', "select (select pg_read_file('x'))", ['pg_read_file']],
    ['ROWS FROM', "select * from rows from (generate_series(1,2), pg_ls_dir('.') as (a text)) r", ['generate_series', 'pg_ls_dir']],
    ['WITH ORDINALITY', "select * from pg_ls_dir('.') with ordinality", ['pg_ls_dir']],
    ['CTE', 'with a as (select nextval(1)) select * from a', ['nextval']],
    ['recursive CTE', 'with recursive r(n) as (select 1 union all select n + pg_backend_pid() from r) select * from r', ['pg_backend_pid']],
    ['ORDER BY', 'select 1 order by random()', ['random']],
    ['GROUP BY and HAVING', 'select 1 from t group by lower(a) having max(b) > 1', ['lower', 'max']],
    ['window', 'select rank() over (partition by upper(a) order by f(b)) from t', ['rank', 'upper', 'f']],
    ['aggregate FILTER and WITHIN GROUP', 'select percentile_cont(0.5) within group (order by g(x)) filter (where h(y)) from t', ['percentile_cont', 'g', 'h']],
    ['JOIN ON', 'select 1 from a join b on f(a.x) = b.y', ['f']],
    ['IN list and ANY', 'select 1 where 1 in (f(1)) and 2 = any(g())', ['f', 'g']],
    ['CASE and COALESCE', 'select case when f() then g() else h() end, coalesce(i(), 1), greatest(j(), 2)', ['f', 'g', 'h', 'i', 'j']],
    ['VALUES', 'values (f(1)), (g(2))', ['f', 'g']],
    ['OFFSET and LIMIT', 'select 1 limit f() offset g()', ['g', 'f']],
    ['DISTINCT ON', 'select distinct on (f(a)) a from t', ['f']],
    ['array subscripts', 'select (f())[g()]', ['f', 'g']],
    ['named and variadic arguments', 'select f(a => g()), h(variadic array[i()])', ['f', 'g', 'h', 'i']],
    ['cast argument', 'select f()::int, cast(g() as text)', ['f', 'g']],
    ['XMLTABLE', "select * from xmltable('/r' passing (f()) columns a int path g())", ['f', 'g']],
    ['JSON_TABLE', "select * from json_table(f(), '$[*]' columns (a int path '$.a' default g() on empty))", ['f', 'g']],
    ['JSON_QUERY passing', "select json_query(j, '$.a ? (@ > $x)' passing f() as x) from t", ['f']],
    ['qualified', 'select pg_catalog.pg_sleep(1), "public"."f"()', ['pg_catalog.pg_sleep', 'public.f']],
    ['quoted keeps case', 'select "pg_sleep"(1), "PG_SLEEP"(1)', ['pg_sleep', 'PG_SLEEP']],
    ['unicode escapes are decoded', 'select U&"pg\\005fsleep"(1)', ['pg_sleep']],
    ['three-part name', 'select db.pg_catalog.pg_sleep(1)', ['pg_catalog.pg_sleep']],
    ['query_to_xml text is not parsed', "select query_to_xml('select pg_read_file(''x'')', true, true, '')", ['query_to_xml']],
    ['CTE SEARCH/CYCLE', 'with recursive r(n) as (select f() union all select n + 1 from r) search breadth first by n set o cycle n set c using p select * from r', ['f']],
    ['special syntax gets pg_catalog', "select extract(year from now()), substring('abc' from 1 for 2), trim(both from ' x '), collation for ('a'), position('a' in 'b'), overlay('abc' placing 'x' from 1), 'a' similar to 'b', now() at time zone 'utc'",
      ['pg_catalog.extract', 'now', 'pg_catalog.substring', 'pg_catalog.btrim', 'pg_catalog.pg_collation_for', 'pg_catalog.position', 'pg_catalog.overlay', 'pg_catalog.similar_to_escape', 'pg_catalog.timezone']],
  ];
  it.each(cases)('%s', (_label, sql, expected) => {
    expect(names(checkQuery(sql))).toEqual(expected);
  });

  it('names TABLESAMPLE methods as such', () => {
    expect(checkQuery('select * from t tablesample system (10)').functions).toEqual([{ name: 'system', tablesample: true }]);
    expect(checkQuery('select * from t tablesample bernoulli (f()) repeatable (g())').functions).toEqual([
      { name: 'bernoulli', tablesample: true },
      { name: 'f' },
      { name: 'g' },
    ]);
  });

  it('collects each function once, in order of first appearance', () => {
    expect(names(checkQuery('select f(), g(), f(), public.f(), g()'))).toEqual(['f', 'g', 'public.f']);
  });

  it('collects operators, including those implied by syntax', () => {
    const checked = checkQuery(
      "select j->>'a', j @> '{}', j ? 'k', a OPERATOR(pg_catalog.+) 1, a between 1 and 2, b not between 3 and 4, c like 'x', d not ilike 'y', e similar to 'z', f is distinct from g, nullif(h, i), k in (1, 2), l not in (3), m = any(array[1]), n > all(select 1), o in (select 1), case p when 1 then 2 end from t order by q using ~<~",
    );
    expect(checked.operators).toEqual([
      { name: '->>' }, { name: '@>' }, { name: '?' }, { schema: 'pg_catalog', name: '+' }, { name: '>=' }, { name: '<=' },
      { name: '<' }, { name: '>' }, { name: '~~' }, { name: '!~~*' }, { name: '~' }, { name: '=' }, { name: '<>' }, { name: '~<~' },
    ]);
  });
});

describe('valid reads pass (usability regression guards)', () => {
  const reads: string[] = [
    'SELECT 1 AS a;', // P14
    'select 1;;',
    'select 1; -- trailing comment',
    '/* leading */ select 1 /* middle */ -- end',
    '  \n\t select\n  1\n',
    'TABLE t',
    'table only s.t',
    'VALUES (1, \'a\'), (2, \'b\') order by 1',
    'select a from t union select b from u intersect select c from v except all select 1',
    '(select 1) union all (select 2) order by 1 limit 1',
    'select sum(x) over (partition by a order by b rows between 1 preceding and current row exclude ties), rank() over w from t window w as (order by c range between unbounded preceding and unbounded following)',
    'select avg(x) over (order by d groups between 2 preceding and 2 following) from t',
    'select percentile_cont(0.5) within group (order by x), mode() within group (order by y) from t',
    'select count(*) filter (where y > 1), array_agg(distinct z order by z) from t',
    'select a, b, sum(c) from t group by grouping sets ((a, b), (a), ())',
    'select a, b, grouping(a, b), sum(c) from t group by rollup (a, b), cube (c)',
    'select a from t group by distinct a',
    'with recursive r(n) as (select 1 union all select n + 1 from r where n < 10) search depth first by n set ord cycle n set is_cycle using path select * from r',
    'with a as materialized (select 1), b as not materialized (select * from a) select * from b',
    'with x as (with y as (select 1 as v) select v from y) select * from x',
    'select * from t join lateral (select * from u where u.id = t.id limit 1) s on true left join v using (id) as j',
    'select * from a natural full join b cross join c right outer join d on true',
    "select j->>'a', j @> '{\"a\":1}', j ? 'a', j ?| array['a'], j #> '{a,b}', j #>> '{a}', j - 'a', j || '{}' from t",
    "select * from json_table('[1,2]'::jsonb, '$[*]' columns (id for ordinality, v int path '$', nested path '$.x[*]' columns (z text path '$'))) jt",
    "select json_query(j, '$.a' returning jsonb with wrapper), json_exists(j, '$.a'), json_value(j, '$.a' returning int default 0 on empty error on error) from t",
    "select json_object('a': 1), json_array(1, 2), json_array(select 1), json_objectagg(k: v), json_arrayagg(v order by v), j is json object, json('{}'), json_scalar(1), json_serialize(j returning text) from t",
    'select a[1:2], a[:3], a[1], (a).f, (t.c).x, ARRAY[1,2], ARRAY(select 1), x = any(array[1,2]) from t',
    'select case when a then 1 else 2 end, case b when 1 then 2 end, coalesce(a, b), nullif(a, b), greatest(a, b), least(a, b) from t',
    "select 'pg_class'::regclass, 'now'::timestamptz, cast(x as int), x::numeric(10,2), int '1', interval '1 day', array[1]::int[] from t",
    'select * from generate_series(1, 10) g, unnest(array[1, 2]) with ordinality u(x, n)',
    "select * from rows from (generate_series(1, 2), unnest(array['a'])) with ordinality as r(a, b, n)",
    'select * from f() as t(a int, b text collate "C")',
    'select * from t tablesample system (10)',
    'select * from t tablesample bernoulli (5) repeatable (42)',
    "select * from xmltable('/r/x' passing ('<r><x a=\"1\"/></r>'::xml) columns a int path '@a', n for ordinality)",
    "select x.* from docs, xmltable(xmlnamespaces('http://x' as x), '/x:r' passing (d) columns a text path 'x:a' default 'none') x",
    "select xmlelement(name foo, xmlattributes(1 as a), 'x'), xmlforest(a, b), xmlconcat(x, y), xmlpi(name php), xmlroot(x, version '1.0'), xmlserialize(content x as text), xmlparse(document '<a/>'), x is document, xmlexists('//a' passing x), xmlagg(x) from t",
    "select date_trunc('day', now()), extract(year from now()), date_part('month', current_date), age(timestamp '2020-01-01')",
    "select substring(x from 1 for 2), substring(x similar 'a#\"b#\"c' escape '#'), trim(both from x), trim(leading 'x' from y), collation for (x), overlay(x placing 'y' from 1 for 2), position('a' in x) from t",
    'select a is distinct from b, a is not distinct from b, a is null, a is not null, a isnull, b is true, c is not unknown from t',
    'select 5 between symmetric 10 and 1, 5 not between 1 and 2',
    "select 'abc' like 'a%', 'abc' ilike 'A%', 'abc' not like 'x', 'abc' similar to '(a|b)%', 'abc' ~ '^a', 'abc' ~* 'A', 'abc' !~ 'x', 'abc' !~* 'x'",
    'select exists (select 1), 1 in (select 1), 1 not in (select 2), 1 = any (select 1), 1 > all (select 0), (1, 2) = (1, 2), row(1, 2) < row(1, 3)',
    'select distinct on (a) a, b from t order by a, b desc nulls last',
    'select * from t order by a limit 10 offset 5',
    'select * from t order by a offset 5 rows fetch first 3 rows with ties',
    'select * from t fetch next 1 row only',
    'SHOW search_path',
    'SHOW ALL',
    'show transaction isolation level',
    'EXPLAIN (FORMAT JSON, BUFFERS) SELECT * FROM t WHERE a = $1',
    'EXPLAIN (ANALYZE, BUFFERS) SELECT 1',
    'explain verbose table t',
    'explain values (1)',
    'select $1::int + $2, $3::text',
    "select current_date, current_time, current_timestamp(2), localtime, localtimestamp, current_user, session_user, current_role, user, current_catalog, current_schema, system_user",
    "select f(a => 1, b := 2), f(variadic array[1]), string_agg(distinct x, ',' order by x), a collate \"C\" from t",
    'select (select max(id) from t2 where t2.a = t.a) from t where not exists (select 1 from t3)',
    'select * from (values (1), (2)) as v(x) where x % 2 = 0',
    "select '{1,2}'::int[] && array[2], array[1] @> array[1], int4range(1, 5) @> 3, point(1,1) <-> point(2,2)",
    "select 'a' || 'b', B'101' | B'010', X'1F', E'\\n', $tag$dollar$tag$, 1e10, .5, -1, +1, ~1, 10 >> 1, 2 ^ 3, |/ 16, @ -5",
    "select now() at time zone 'utc', timestamp '2020-01-01' at local, normalize('a'), 'a' is normalized",
    "select (date '2020-01-01', date '2020-02-01') overlaps (date '2020-01-15', date '2020-03-01')",
    'select 1 -- ; drop table victim',
    "select $$;drop table victim;$$, 'x;y', \"a;b\" from (select 1 as \"a;b\") s",
    '/* nested /* comment */ ; drop table victim; */ select 1',
    'select * from t1, t2 where t1.id = t2.id and t1.x in (1, 2, 3) and t2.y like any (array[$1])',
    'select cume_dist() over w, lag(x, 1) over w, first_value(x) over w, ntile(4) over w from t window w as (order by x)',
    'select * from t where x is json and y is not json scalar',
    'select pg_catalog.count(*) from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace',
  ];
  it.each(reads)('%s', (sql) => {
    const checked = checkQuery(sql);
    expect(['select', 'explain', 'show']).toContain(checked.kind);
  });

  it('returns the statement node and the kind', () => {
    const select = checkQuery('select 1');
    expect(select.kind).toBe('select');
    expect(Object.keys(select.statement as object)).toEqual(['SelectStmt']);
    const show = checkQuery('show all');
    expect(show).toEqual({ kind: 'show', statement: { VariableShowStmt: { name: 'all' } }, functions: [], operators: [], relations: [], converts: false });
    expect(checkQuery('explain select 1').explain).toEqual({ analyze: false, options: [] });
  });
});

describe('parsing', () => {
  it('reports syntax errors with line, column and an excerpt', () => {
    expect(refusal('selec 1')).toBe('`sql` has a syntax error at line 1, column 1: syntax error at or near "selec"\n    selec 1\n    ^');
    expect(refusal('select a,\n  b frm t')).toBe(
      '`sql` has a syntax error at line 2, column 9: syntax error at or near "t"\n      b frm t\n            ^',
    );
    expect(refusal("select '€😀', fo(")).toMatch(/syntax error at line 1, column 17: syntax error at end of input\n {4}select '€😀', fo\(\n {4}\s{16}\^/);
    expect(refusal("select 'unterminated")).toMatch(/^`sql` has a syntax error at line 1, column 8: unterminated quoted string/);
  });

  it('says when the query is empty', () => {
    for (const sql of ['', '   ', ';', ' ; ; ', '-- only a comment', '/* nothing */']) {
      expect(refusal(sql)).toMatch(/^`sql` is empty: it holds no statement/);
    }
  });

  it('refuses NUL characters, which would hide the rest of the text from the parser', () => {
    expect(refusal('select 1\0; drop table victim')).toMatch(/^`sql` contains a NUL character \(\\0\) at line 1, column 9/);
  });

  it('refuses trees too deep to check and recovers its parser afterwards', async () => {
    const before = checkQuery('select lower($1)');
    const chain = 'select ' + Array.from({ length: 20_000 }, () => '1').join('+');
    expect(refusal(chain)).toMatch(/nested too deeply to check/);
    // A call that slipped in before the reload is told to retry, not given an internal error
    // (a text checked before is still answered from the cache).
    expect(isParserReady()).toBe(false);
    expect(checkQuery('select lower($1)')).toBe(before);
    expect(refusal('select 2 + 40 as not_seen_before')).toMatch(/^`sql` could not be checked: the SQL parser is restarting after a failure\. Retry the call\.$/);
    await ensureParser();
    expect(refusal('select ' + '('.repeat(50_000) + '1' + ')'.repeat(50_000))).toMatch(/nested too deeply to check/);
    await ensureParser();
    expect(isParserReady()).toBe(true);
    expect(checkQuery('select lower($1)').functions).toEqual([{ name: 'lower' }]);
  });

  it('walks a deep but parseable tree without overflowing the stack', () => {
    const chain = 'select ' + Array.from({ length: 3_000 }, (_, i) => `f${i % 7}(1)`).join(' || ');
    expect(checkQuery(chain).functions).toHaveLength(7);
  });

  it('reads string literals with standard_conforming_strings on (the session must match)', () => {
    // With standard_conforming_strings off, PostgreSQL would end the literal at \' and call pg_sleep.
    expect(checkQuery("select 'a\\'' , pg_sleep(1) --'").functions).toEqual([]);
    expect(names(checkQuery("select E'a\\'' , pg_sleep(1) --'"))).toEqual(['pg_sleep']);
  });

  it('names the tool argument in messages', () => {
    expect(refusal('delete from t', { argument: 'query' })).toMatch(/^`query`: DELETE is not allowed/);
    expect(refusal('selec', { argument: 'query' })).toMatch(/^`query` has a syntax error/);
    expect(refusal('', { argument: 'query' })).toMatch(/^`query` is empty/);
  });

  it('gives the parse tree for other uses', () => {
    expect(parseSql('select 1; select 2').stmts).toHaveLength(2);
  });
});

describe('checked statements kept by text', () => {
  it('answers a repeated text from the cache, keyed by the options that change the verdict', () => {
    const first = checkQuery('EXPLAIN ANALYZE select 1');
    expect(checkQuery('EXPLAIN ANALYZE select 1')).toBe(first);
    expect(() => checkQuery('EXPLAIN ANALYZE select 1', { allowExplainAnalyze: false })).toThrow(/EXPLAIN ANALYZE is not allowed/);
    expect(checkQuery('EXPLAIN ANALYZE select 1 ')).not.toBe(first);
  });

  it('never keeps a refusal: the same text is refused again, naming the argument of each call', () => {
    expect(() => checkQuery('delete from t', { argument: 'query' })).toThrow(/^`query`/);
    expect(() => checkQuery('delete from t')).toThrow(/^`sql`/);
  });
});
