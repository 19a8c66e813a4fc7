import { textOf } from '@bastion-mcp/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freshPostgres, openPostgres } from './support/server.js';
import type { PostgresSession } from './support/server.js';

interface Explained {
  database: string;
  format: 'text' | 'json';
  analyzed: boolean;
  genericPlan: boolean;
  summary: {
    topNode: string;
    estimatedTotalCost?: number;
    estimatedRows?: number;
    actualTotalTimeMs?: number;
    actualRows?: number;
    planningTimeMs?: number;
    executionTimeMs?: number;
  };
  warnings: { kind: string; message: string }[];
  plan?: { Plan: Record<string, unknown> } & Record<string, unknown>;
  planText?: string;
  notes?: string[];
}

let db: PostgresSession;
let big: PostgresSession;
let closeFresh: () => Promise<void>;

beforeAll(async () => {
  db = await openPostgres();
  ({ db: big, close: closeFresh } = await freshPostgres('perf_explain', async (client) => {
    // 200,000 analyzed rows, then 30,000 the statistics have not seen (autovacuum is off for it).
    await client.query(`
      CREATE TABLE public.events (id bigint PRIMARY KEY, kind text NOT NULL, payload text NOT NULL) WITH (autovacuum_enabled = false);
      INSERT INTO public.events SELECT g, CASE WHEN g % 100 = 0 THEN 'rare' ELSE 'common' END, md5(g::text) FROM generate_series(1, 200000) g;
      ANALYZE public.events;
      INSERT INTO public.events SELECT g, 'fresh', md5(g::text) FROM generate_series(200001, 230000) g;
      CREATE SCHEMA hidden;
      CREATE TABLE hidden.secrets (id int);
    `);
    // Small enough that sorting the table spills; the reader's new sessions pick it up.
    await client.query(`ALTER DATABASE perf_explain SET work_mem = '64kB'`);
  }));
});

afterAll(async () => {
  await db?.close();
  await closeFresh?.();
});

describe('explain', () => {
  it('plans without running, as compact text by default', async () => {
    const result = await db.ok<Explained>('explain', { sql: 'select * from shop.orders where id = 42' });
    expect(result).toMatchObject({ database: 'default', format: 'text', analyzed: false, genericPlan: false, warnings: [] });
    expect(result.summary.topNode).toBe('Index Scan using orders_pkey on orders');
    expect(result.summary.estimatedRows).toBe(1);
    expect(result.summary.estimatedTotalCost).toBeGreaterThan(0);
    expect(result.summary.actualRows).toBeUndefined();
    expect(result.planText).toMatch(/^Index Scan using orders_pkey on orders {2}\(cost=\d+\.\d\d\.\.\d+\.\d\d rows=1 width=\d+\)\n {2}Index Cond: \(id = 42\)$/);
    expect(result.plan).toBeUndefined();
  });

  it('runs the query with analyze and binds params', async () => {
    const result = await db.ok<Explained>('explain', {
      sql: 'select count(*) from shop.orders where status = $1;',
      params: ['cancelled'],
      analyze: true,
    });
    expect(result.analyzed).toBe(true);
    expect(result.summary).toMatchObject({ topNode: 'Aggregate', actualRows: 1, estimatedRows: 1 });
    expect(result.summary.executionTimeMs).toBeGreaterThan(0);
    expect(result.summary.planningTimeMs).toBeGreaterThan(0);
    // 60 of the 1,200 sample orders are cancelled.
    expect(result.planText).toContain("Filter: (status = 'cancelled'::shop.order_status)");
    expect(result.planText).toContain('Rows Removed by Filter: 1140');
    expect(result.planText).toMatch(/Seq Scan on orders {2}\(cost=[^)]*\) \(actual time=[\d.]+\.\.[\d.]+ rows=60 loops=1\)/);
    expect(result.planText).toMatch(/Buffers: shared hit=\d+/);
    expect(result.planText).toMatch(/\nExecution Time: [\d.]+ ms$/);
  });

  it('returns the JSON plan with verbose, buffers and costs as asked', async () => {
    const result = await db.ok<Explained>('explain', {
      sql: 'select o.id, c.email from shop.orders o join shop.customers c on c.id = o.customer_id where o.id < $1',
      params: [10],
      format: 'json',
      verbose: true,
      analyze: true,
      buffers: false,
      costs: false,
    });
    expect(result.format).toBe('json');
    expect(result.planText).toBeUndefined();
    const plan = result.plan!;
    expect(plan['Execution Time']).toEqual(expect.any(Number));
    expect(plan.Plan['Node Type']).toMatch(/Join|Nested Loop/);
    expect(plan.Plan.Output).toEqual(['o.id', 'c.email']);
    expect(plan.Plan['Total Cost']).toBeUndefined();
    expect(plan.Plan['Shared Hit Blocks']).toBeUndefined();
    expect(plan.Plan['Actual Rows']).toBe(9);
    expect(result.summary.actualRows).toBe(9);
    expect(result.summary.estimatedTotalCost).toBeUndefined();
  });

  it('plans VALUES and TABLE, and accepts a trailing semicolon and comment', async () => {
    expect((await db.ok<Explained>('explain', { sql: 'values (1), (2);  -- two rows' })).summary.topNode).toMatch(/^Values Scan/);
    expect((await db.ok<Explained>('explain', { sql: 'table public.countries' })).summary.topNode).toBe('Seq Scan on countries');
    expect((await db.ok<Explained>('explain', { sql: '/* lead */ select 1 -- tail' })).summary.topNode).toBe('Result');
  });

  it('shows changed planner settings with settings', async () => {
    const result = await big.ok<Explained>('explain', { sql: 'select 1', settings: true, format: 'json' });
    expect(result.plan!.Settings).toEqual({ work_mem: '64kB' });
    const text = await big.ok<Explained>('explain', { sql: 'select 1', settings: true });
    expect(text.planText).toContain("Settings: work_mem = '64kB'");
  });

  it('warns about a sequential scan of a large table', async () => {
    const result = await big.ok<Explained>('explain', { sql: "select * from public.events where payload = 'nothing'" });
    const [warning] = result.warnings;
    expect(warning?.kind).toBe('seq_scan_large_table');
    expect(warning?.message).toMatch(/^(Parallel )?Seq Scan on events reads every row of a table of about 200,000 rows, keeping an estimated 1 with its Filter/);
    const small = await big.ok<Explained>('explain', { sql: "select * from shop.orders where note = 'nothing'" });
    expect(small.warnings).toEqual([]);
  });

  it('warns with analyze when the row estimate is off by 10x or more', async () => {
    const result = await big.ok<Explained>('explain', { sql: "select count(*) from public.events where kind = 'fresh'", analyze: true });
    // Reported where the error starts (the scan), not again on the nodes above it that inherit it.
    const estimates = result.warnings.filter((warning) => warning.kind === 'row_estimate_off');
    expect(estimates).toHaveLength(1);
    expect(estimates[0]?.message).toMatch(/^(Seq Scan on events: estimated \d+ rows, actually 30,000|Parallel Seq Scan on events: estimated \d+ rows per loop, actually [\d,]+) \(underestimated [\d,]+x\)/);
    // The scan read all 230,000 rows, more than the catalog's 200,000.
    expect(result.warnings.find((warning) => warning.kind === 'seq_scan_large_table')?.message).toMatch(/about 230,000 rows, keeping 30,000/);
  });

  it('warns when a sort spills to disk', async () => {
    const result = await big.ok<Explained>('explain', { sql: 'select id from public.events order by payload desc', analyze: true });
    const spill = result.warnings.find((warning) => warning.kind === 'disk_spill');
    expect(spill?.message).toMatch(/^Sort spilled to disk \(external merge, [\d,]+ kB\)/);
    expect(result.planText).toMatch(/Sort Method: external merge {2}Disk: \d+kB/);
  });

  it('refuses what is not one read-only query, saying what to send', async () => {
    expect(await db.refused('explain', { sql: 'explain select 1' })).toMatch(/`sql` is already an EXPLAIN: pass the query itself/);
    expect(await db.refused('explain', { sql: 'show work_mem' })).toMatch(/`sql` is a SHOW statement, which has no plan/);
    expect(await db.refused('explain', { sql: 'delete from shop.orders' })).toMatch(/^`sql`.*DELETE/);
    expect(await db.refused('explain', { sql: 'select 1; select 2' })).toMatch(/`sql` holds 2 statements/);
    expect(await db.refused('explain', { sql: 'select pg_sleep(5)', analyze: true })).toMatch(/pg_sleep/);
  });

  it('refuses params that do not fit the query', async () => {
    expect(await db.refused('explain', { sql: 'select 1', params: [1] })).toMatch(/`params` has 1 value but `sql` uses no \$1-style parameters/);
    expect(await db.refused('explain', { sql: 'select $1::int + $2::int', params: [1] })).toMatch(/`params` has 1 value but `sql` uses parameters up to \$2; pass exactly 2/);
    expect(await db.refused('explain', { sql: 'select * from shop.orders where id = $1', analyze: true })).toMatch(/EXPLAIN ANALYZE runs the query, so it needs their values/);
  });

  it('makes a generic plan without params, leaving no prepared statement behind', async () => {
    const result = await db.ok<Explained>('explain', { sql: 'select * from shop.orders where id = $1 and status = $2;' });
    expect(result.genericPlan).toBe(true);
    expect(result.planText).toMatch(/Index Scan using orders_pkey on orders[\s\S]*Index Cond: \(id = \$1\)[\s\S]*Filter: \(status = \$2\)/);
    expect(result.notes?.[0]).toMatch(/generic plan/);
    const after = await db.ok<{ rows: unknown[][] }>('query', { sql: 'select count(*) from pg_prepared_statements' });
    expect(after.rows).toEqual([[0]]);
  });

  it('reports errors at the line and column of the caller SQL', async () => {
    expect(await db.refused('explain', { sql: 'select 1,\n  from' })).toMatch(/syntax error at line 2/);
    expect(await db.refused('explain', { sql: 'select id,\n  nope from shop.orders' })).toMatch(/\[42703\]: column "nope" does not exist \(at line 2, column 3\)/);
    expect(await db.refused('explain', { sql: 'select nope from shop.orders' })).toMatch(/\(at line 1, column 8\)/);
  });

  it('reports a table the reader may not read', async () => {
    expect(await big.refused('explain', { sql: 'select * from hidden.secrets' })).toMatch(/Permission denied on database "default".*schema hidden/);
  });

  it('stops an analyze at the statement timeout', async () => {
    const short = await openPostgres({ env: { POSTGRES_URL: inject('readerUrl'), POSTGRES_STATEMENT_TIMEOUT_MS: '300' } });
    try {
      const sql = 'select count(*) from generate_series(1, 100000000) a';
      expect(await short.refused('explain', { sql, analyze: true })).toMatch(/statement timeout \(300 ms\)/);
      expect((await short.ok<Explained>('explain', { sql })).summary.topNode).toBe('Aggregate');
    } finally {
      await short.close();
    }
  });

  it('strips terminal escapes and invisible characters from the plan, and fences it', async () => {
    const result = await db.call('explain', { sql: "select * from shop.orders where note = 'red\u001b[31m\u200bx'" });
    const plan = (result.structuredContent as unknown as Explained).planText!;
    expect(plan).toContain("(note = 'redx'::text)");
    expect(plan).not.toMatch(/[\u001b\u200b]/);
    const text = textOf(result);
    expect(text.split('\n')[0]).toMatch(/^plan only \(nothing ran\) in database "default": estimated cost [\d.]+, 1 rows estimated, no warnings\.$/);
    expect(text).toMatch(/<untrusted-data id="[0-9a-f]+">\nTop node: Seq Scan on orders\n/);
  });

  it('gives a JSON plan too big for the response as text, cut to fit', async () => {
    const small = await openPostgres({ env: { POSTGRES_URL: inject('readerUrl'), BASTION_MAX_RESULT_BYTES: '20000' } });
    try {
      const sql = Array.from({ length: 60 }, (_, i) => `select ${i} as n from shop.orders where id = ${i}`).join(' union all ');
      const result = await small.ok<Explained>('explain', { sql, format: 'json', verbose: true });
      expect(result.format).toBe('text');
      expect(result.plan).toBeUndefined();
      expect(result.notes?.join(' ')).toMatch(/The JSON plan is \d+ bytes, over the \d+ bytes left in the response, so it is given as text instead\..*cut/);
      expect(result.planText).toMatch(/^Append/);
      expect(result.planText).toMatch(/\[plan cut to fit the response/);
    } finally {
      await small.close();
    }
  });

  it('refuses an unknown database', async () => {
    expect(await db.refused('explain', { sql: 'select 1', database: 'sales' })).toMatch(/`database` "sales" is not configured/);
  });
});
