import { requires, textOf } from '@bastion-mcp/testing';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { withSuperuser } from './support/pg.js';
import type { FreshDatabase } from './support/pg.js';
import { freshPostgres, openPostgres, withPlainRole } from './support/server.js';
import type { Paged, PostgresSession } from './support/server.js';

interface Entry {
  queryid: string | null;
  query: string | null;
  calls: number;
  totalTimeMs: number;
  shareOfTotalTimePercent: number | null;
  meanTimeMs: number;
  minTimeMs: number | null;
  maxTimeMs: number | null;
  rows: number;
  sharedBlocksHit: number;
  sharedBlocksRead: number;
  cacheHitRatio: number | null;
  tempBlocksWritten: number;
  user: string | null;
  database: string | null;
}

interface TopQueries extends Paged {
  sortBy: string;
  extensionVersion: string;
  statsSince: string | null;
  matching: number;
  queries: Entry[];
}

const statements = requires(
  !inject('hasPgStatStatements') && `the ${inject('engine')} PostgreSQL has no pg_stat_statements extension files (Debian: postgresql-contrib)`,
);
const marker = (result: TopQueries, name: string) => result.queries.filter((entry) => entry.query?.includes(name));
const rank = (result: TopQueries, name: string) => result.queries.findIndex((entry) => entry.query?.includes(name));

statements.describe('top_queries', () => {
  let fresh: FreshDatabase;
  let db: PostgresSession;
  let close: () => Promise<void>;
  let main: PostgresSession;

  beforeAll(async () => {
    // Load with distinct statements, as the superuser in the fresh database.
    ({ database: fresh, db, close } = await freshPostgres('perf_top_queries', async (client) => {
      for (let i = 0; i < 3; i++) await client.query('select count(*) as perf_heavy from generate_series(1, 1500000)');
      for (let i = 0; i < 40; i++) await client.query(`select ${i} as perf_light`);
      for (let i = 0; i < 2; i++) await client.query('select g as perf_rows from generate_series(1, 5000) g');
      await client.query("set work_mem = '64kB'");
      await client.query('select g as perf_temp from generate_series(1, 200000) g order by g desc');
      await client.query("reset work_mem");
      // pg_stat_statements tells statements apart by their structure, not by column names.
      await client.query("select 'a' || 'b' as perf_marker /* red\u001b[31m\u200b */");
    }));
    main = await openPostgres();
  });

  afterAll(async () => {
    await close?.();
    await main?.close();
  });

  it('ranks by total time by default, with the numbers of each statement', async () => {
    const result = await db.ok<TopQueries>('top_queries', { limit: 100 });
    expect(result).toMatchObject({ database: 'default', sortBy: 'total_time' });
    expect(result.extensionVersion).toMatch(/^\d+\.\d+$/);
    const [heavy] = marker(result, 'perf_heavy');
    expect(heavy).toMatchObject({ calls: 3, rows: 3, user: 'postgres', database: 'perf_top_queries' });
    expect(heavy!.query).toBe('select count(*) as perf_heavy from generate_series($1, $2)');
    expect(heavy!.queryid).toMatch(/^-?\d+$/);
    expect(heavy!.totalTimeMs).toBeGreaterThan(0);
    expect(heavy!.meanTimeMs).toBeCloseTo(heavy!.totalTimeMs / 3, 1);
    expect(heavy!.maxTimeMs!).toBeGreaterThanOrEqual(heavy!.minTimeMs!);
    expect(heavy!.shareOfTotalTimePercent!).toBeGreaterThan(0);
    expect(rank(result, 'perf_heavy')).toBeLessThan(rank(result, 'perf_light'));
    for (let i = 1; i < result.queries.length; i++) {
      expect(result.queries[i - 1]!.totalTimeMs).toBeGreaterThanOrEqual(result.queries[i]!.totalTimeMs);
    }
  });

  it('ranks by calls, rows and temp blocks', async () => {
    const byCalls = await db.ok<TopQueries>('top_queries', { sort_by: 'calls', limit: 100 });
    expect(marker(byCalls, 'perf_light')[0]).toMatchObject({ calls: 40, rows: 40, query: 'select $1 as perf_light' });
    expect(rank(byCalls, 'perf_light')).toBeLessThan(rank(byCalls, 'perf_heavy'));

    const byRows = await db.ok<TopQueries>('top_queries', { sort_by: 'rows', limit: 100 });
    expect(marker(byRows, 'perf_rows')[0]).toMatchObject({ calls: 2, rows: 10_000 });
    expect(rank(byRows, 'perf_rows')).toBeLessThan(rank(byRows, 'perf_light'));

    // Sorting spills with work_mem at 64kB; so does the function scan of 1.5 million rows.
    const byTemp = await db.ok<TopQueries>('top_queries', { sort_by: 'temp', limit: 3 });
    expect(byTemp.queries.slice(0, 2).map((entry) => entry.query).sort()).toEqual([
      'select count(*) as perf_heavy from generate_series($1, $2)',
      'select g as perf_temp from generate_series($1, $2) g order by g desc',
    ]);
    expect(byTemp.queries[1]!.tempBlocksWritten).toBeGreaterThan(0);
    expect(byTemp.queries[2]!.tempBlocksWritten).toBe(0);

    const byIo = await db.ok<TopQueries>('top_queries', { sort_by: 'io', limit: 100 });
    for (let i = 1; i < byIo.queries.length; i++) {
      expect(byIo.queries[i - 1]!.sharedBlocksRead).toBeGreaterThanOrEqual(byIo.queries[i]!.sharedBlocksRead);
    }
  });

  it('filters by min_calls', async () => {
    const result = await db.ok<TopQueries>('top_queries', { sort_by: 'mean_time', min_calls: 10, limit: 100 });
    expect(marker(result, 'perf_light')).toHaveLength(1);
    expect(marker(result, 'perf_heavy')).toHaveLength(0);
    expect(result.queries.every((entry) => entry.calls >= 10)).toBe(true);
  });

  it('pages through the ranking without gaps or repeats', async () => {
    // Ranked by temp blocks, which this tool's own statements (counted as they run) never write.
    const first = await db.ok<TopQueries>('top_queries', { sort_by: 'temp', limit: 2 });
    expect(first.truncated).toBe(true);
    expect(first.queries.map((entry) => entry.tempBlocksWritten > 0)).toEqual([true, true]);
    const second = await db.ok<TopQueries>('top_queries', { sort_by: 'temp', limit: 2, cursor: first.nextCursor });
    expect(second.queries).toHaveLength(2);
    expect(second.queries.every((entry) => entry.tempBlocksWritten === 0)).toBe(true);
    const ids = [...first.queries, ...second.queries].map((entry) => entry.queryid);
    expect(new Set(ids).size).toBe(4);
    const all = await db.ok<TopQueries>('top_queries', { sort_by: 'temp', limit: 100 });
    expect(all.matching).toBe(all.queries.length);
    expect(all.queries.slice(0, 4).map((entry) => entry.queryid)).toEqual(ids);
    expect(await db.refused('top_queries', { sort_by: 'rows', limit: 2, cursor: first.nextCursor })).toMatch(/`cursor` belongs to another top_queries call/);
    expect(await db.refused('top_queries', { limit: 101 })).toMatch(/limit/);
  });

  it("lists only this database's statements unless all_databases", async () => {
    const here = await main.ok<TopQueries>('top_queries', { limit: 100 });
    expect(marker(here, 'perf_heavy')).toHaveLength(0);
    expect(here.queries.every((entry) => entry.database === 'bastion_test')).toBe(true);
    const everywhere = await main.ok<TopQueries>('top_queries', { all_databases: true, sort_by: 'calls', limit: 100 });
    expect(marker(everywhere, 'perf_light')[0]?.database).toBe('perf_top_queries');
  });

  it('cleans statement texts and renders compact text', async () => {
    const result = await db.call('top_queries', { sort_by: 'calls', limit: 100 });
    const entries = (result.structuredContent as unknown as TopQueries).queries;
    const noted = entries.find((entry) => entry.query?.includes('perf_marker'));
    expect(noted?.query).toBe('select $1 || $2 as perf_marker /* red */');
    const text = textOf(result);
    expect(text.split('\n')[0]).toMatch(/^\d+ of \d+ statements from pg_stat_statements [\d.]+ in database "default".*ranked by calls\./);
    expect(text).toMatch(/queryid -?\d+, calls 40, total [\d.]+ (ms|s) \([\d.]+%\), mean [\d.]+ ms, .*user postgres, db perf_top_queries\n {2}select \$1 as perf_light/);
    expect(text).not.toMatch(/[\u001b\u200b]/);
  });

  it("shows what PostgreSQL lets a role without pg_read_all_stats see of others' statements", async () => {
    const role = 'perf_top_plain';
    await withPlainRole(fresh, role, async (plain) => {
      const result = await plain.ok<TopQueries>('top_queries', { sort_by: 'calls', limit: 100 });
      const others = result.queries.filter((entry) => entry.user === 'postgres');
      expect(others.length).toBeGreaterThan(0);
      expect(others.every((entry) => entry.query === '<insufficient privilege>' && entry.queryid === null)).toBe(true);
      // Its own statements (the server's read-only transactions, its role check) stay readable.
      const own = result.queries.filter((entry) => entry.user === role);
      expect(own.length).toBeGreaterThan(0);
      expect(own.some((entry) => entry.query?.startsWith('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY'))).toBe(true);
    });
  });

  it('says how to enable pg_stat_statements where it is not installed', async () => {
    const { database: bare, db: session, close: closeBare } = await freshPostgres('perf_no_pgss');
    try {
      await withSuperuser((client) => client.query('DROP EXTENSION pg_stat_statements'), bare.superuserUrl);
      const message = await session.refused('top_queries');
      expect(message).toMatch(/top_queries needs the pg_stat_statements extension, which is not installed in database "default"\./);
      // This cluster preloads the library, so only CREATE EXTENSION is missing.
      expect(message).toMatch(/already loaded \(shared_preload_libraries\), so the operator only needs to run CREATE EXTENSION pg_stat_statements; in this database/);
    } finally {
      await closeBare();
    }
  });
});
