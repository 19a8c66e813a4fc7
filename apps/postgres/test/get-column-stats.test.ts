// get_column_stats against the analyzed sample data and a fresh database with never-analyzed,
// hidden, row-secured and partitioned tables, as the least-privilege reader.
import { textOf } from '@bastion-mcp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evenlySpaced } from '../src/tools/schema/get-column-stats.js';
import type { ColumnStats } from '../src/tools/schema/get-column-stats.js';
import { freshPostgres, openPostgres } from './support/server.js';
import type { Paged, PostgresSession } from './support/server.js';

interface Stats extends Paged {
  schema: string;
  name: string;
  kind: string;
  analyzed: boolean | null;
  lastAnalyzed: string | null;
  rowEstimate: number | null;
  note?: string;
  columns: ColumnStats[];
}

const byName = (stats: Stats) => Object.fromEntries(stats.columns.map((column) => [column.name, column]));

describe('evenlySpaced', () => {
  it('keeps the first and the last and spreads the rest', () => {
    const items = Array.from({ length: 101 }, (_, i) => i);
    expect(evenlySpaced(items, 11)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(evenlySpaced(items, 2)).toEqual([0, 100]);
    expect(evenlySpaced([1, 2, 3], 5)).toEqual([1, 2, 3]);
  });
});

describe('get_column_stats on the sample data', () => {
  let db: PostgresSession;
  beforeAll(async () => {
    db = await openPostgres();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('returns the planner statistics of every column', async () => {
    const stats = await db.ok<Stats>('get_column_stats', { table: 'shop.customers' });
    expect(stats).toMatchObject({ database: 'default', schema: 'shop', name: 'customers', kind: 'table', analyzed: true, rowEstimate: 240 });
    expect(stats).not.toHaveProperty('note');
    expect(stats).not.toHaveProperty('truncated');
    expect(stats.columns.map((column) => column.name)).toEqual(['id', 'email', 'full_name', 'country_code', 'marketing_opt_in', 'tags', 'created_at']);
    const columns = byName(stats);
    expect(columns.country_code).toMatchObject({
      type: 'character(2)',
      hasStats: true,
      nullFraction: 0,
      nDistinct: 10,
      distinctEstimate: 10,
      averageWidth: 3,
      mostCommonValuesTotal: 10,
      histogramBounds: [],
      histogramBoundsTotal: 0,
    });
    expect(columns.country_code!.mostCommonValues).toHaveLength(10);
    expect(columns.country_code!.mostCommonValues!.map((entry) => entry.value).sort()).toEqual(['AU', 'BR', 'CA', 'DE', 'FR', 'GB', 'JP', 'NL', 'SE', 'US']);
    for (const entry of columns.country_code!.mostCommonValues!) expect(entry.frequency).toBeCloseTo(0.1, 5);
    // n_distinct -1: every value distinct, so the estimate is the row count.
    expect(columns.email).toMatchObject({ nDistinct: -1, distinctEstimate: 240, mostCommonValues: [], histogramBoundsTotal: 101 });
    expect(columns.id).toMatchObject({ nDistinct: -1, correlation: 1, histogramBoundsTotal: 101 });
    expect(columns.id!.histogramBounds).toHaveLength(11);
    expect(columns.id!.histogramBounds![0]).toBe('1');
    expect(columns.id!.histogramBounds!.at(-1)).toBe('240');
    expect(columns.marketing_opt_in!.mostCommonValues).toEqual([
      { value: 'f', frequency: expect.closeTo(0.6667, 3) },
      { value: 't', frequency: expect.closeTo(0.3333, 3) },
    ]);
    // Array values come back in their text form.
    expect(columns.tags!.mostCommonValues!.map((entry) => entry.value)).toEqual(['{}', '{newsletter}', '{vip,newsletter}']);
  });

  it('gives null fractions and skew', async () => {
    const stats = await db.ok<Stats>('get_column_stats', { table: 'shop.orders', columns: ['status', 'note'] });
    expect(stats.columns.map((column) => column.name)).toEqual(['status', 'note']);
    const columns = byName(stats);
    expect(columns.note).toMatchObject({ nullFraction: expect.closeTo(0.96, 5), mostCommonValues: [{ value: 'Leave the parcel at the front door.', frequency: expect.closeTo(0.04, 5) }] });
    expect(columns.status!.mostCommonValues![0]).toEqual({ value: 'delivered', frequency: expect.closeTo(0.855, 4) });
  });

  it('keeps to the chosen columns in table order, and caps values and bounds', async () => {
    const stats = await db.ok<Stats>('get_column_stats', { table: 'shop.customers', columns: ['country_code', 'ID'], max_values: 3, max_bounds: 2 });
    expect(stats.columns.map((column) => column.name)).toEqual(['id', 'country_code']);
    const columns = byName(stats);
    expect(columns.country_code).toMatchObject({ mostCommonValuesTotal: 10 });
    expect(columns.country_code!.mostCommonValues).toHaveLength(3);
    expect(columns.id!.histogramBounds).toEqual(['1', '240']);
    const none = await db.ok<Stats>('get_column_stats', { table: 'shop.customers', columns: ['country_code'], max_values: 0 });
    expect(none.columns[0]).toMatchObject({ mostCommonValues: [], mostCommonValuesTotal: 10 });
  });

  it('refuses an unknown column, naming it and the real ones', async () => {
    const message = await db.refused('get_column_stats', { table: 'shop.customers', columns: ['email', 'emial'] });
    expect(message).toMatch(/`columns`: shop\.customers has no column "emial"\. Its columns: id, email, full_name, country_code, marketing_opt_in, tags, created_at\./);
  });

  it('refuses a view and an unknown table', async () => {
    expect(await db.refused('get_column_stats', { table: 'shop.order_totals' })).toMatch(/`table`: shop\.order_totals is a view, and views have no statistics/);
    expect(await db.refused('get_column_stats', { table: 'shop.nope' })).toMatch(/`table`: no table, view or materialized view "nope" in schema "shop"/);
  });

  it('pages over the columns', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page: Stats = await db.ok<Stats>('get_column_stats', { table: 'shop.customers', limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.columns.map((column) => column.name));
      expect(page.columns.length).toBeLessThanOrEqual(3);
      expect(page.truncated === true).toBe(page.nextCursor !== undefined);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(['id', 'email', 'full_name', 'country_code', 'marketing_opt_in', 'tags', 'created_at']);

    const first = await db.ok<Stats>('get_column_stats', { table: 'shop.customers', limit: 3 });
    expect(await db.refused('get_column_stats', { table: 'shop.orders', limit: 3, cursor: first.nextCursor })).toMatch(/`cursor` belongs to another get_column_stats call/);
  });

  it('works on a materialized view, and fences the values', async () => {
    const stats = await db.ok<Stats>('get_column_stats', { table: 'shop.monthly_revenue', columns: ['month'] });
    expect(stats).toMatchObject({ kind: 'materialized view', analyzed: true, rowEstimate: 12 });
    expect(stats.columns[0]).toMatchObject({ hasStats: true, nDistinct: -1, distinctEstimate: 12 });
    const text = textOf(await db.call('get_column_stats', { table: 'shop.customers', columns: ['country_code'] }));
    expect(text).toMatch(/<untrusted-data id="[0-9a-f]+">/);
  });
});

describe('get_column_stats on a fresh database', () => {
  let db: PostgresSession;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await freshPostgres('column_stats_fresh', `
      CREATE TABLE public.fresh (a int, b text) WITH (autovacuum_enabled = off);
      INSERT INTO public.fresh SELECT i, 'x' FROM generate_series(1, 10) i;

      CREATE TABLE public.secret (visible int, hidden text) WITH (autovacuum_enabled = off);
      INSERT INTO public.secret SELECT i, 'password' || i FROM generate_series(1, 100) i;
      REVOKE SELECT ON public.secret FROM bastion_reader;
      GRANT SELECT (visible) ON public.secret TO bastion_reader;

      CREATE TABLE public.hidden_all (a int) WITH (autovacuum_enabled = off);
      INSERT INTO public.hidden_all SELECT i FROM generate_series(1, 100) i;
      REVOKE SELECT ON public.hidden_all FROM bastion_reader;

      CREATE TABLE public.guarded (owner_name text, amount int) WITH (autovacuum_enabled = off);
      INSERT INTO public.guarded SELECT 'user' || (i % 3), i FROM generate_series(1, 100) i;
      ALTER TABLE public.guarded ENABLE ROW LEVEL SECURITY;
      CREATE POLICY mine ON public.guarded FOR SELECT USING (owner_name = current_user);

      CREATE TABLE public.odd_values (v text, quiet int, later int) WITH (autovacuum_enabled = off);
      INSERT INTO public.odd_values SELECT CASE WHEN i % 2 = 0 THEN E'evil\\u202E\\u001b[31mred\\u001b[0m' ELSE repeat('long', 100) END, i, 1 FROM generate_series(1, 100) i;
      ALTER TABLE public.odd_values ALTER COLUMN quiet SET STATISTICS 0;
      ALTER TABLE public.odd_values DROP COLUMN later;

      CREATE TABLE public.parts (id int, region text) PARTITION BY LIST (region);
      CREATE TABLE public.parts_eu PARTITION OF public.parts FOR VALUES IN ('eu') WITH (autovacuum_enabled = off);
      CREATE TABLE public.parts_us PARTITION OF public.parts FOR VALUES IN ('us') WITH (autovacuum_enabled = off);
      INSERT INTO public.parts SELECT i, CASE WHEN i % 4 = 0 THEN 'us' ELSE 'eu' END FROM generate_series(1, 400) i;

      ANALYZE public.secret, public.hidden_all, public.guarded, public.odd_values, public.parts;
      ALTER TABLE public.odd_values ADD COLUMN added_later int;
    `));
  });

  afterAll(() => close?.());

  it('says clearly when the table was never analyzed', async () => {
    const stats = await db.ok<Stats>('get_column_stats', { table: 'fresh' });
    expect(stats).toMatchObject({ analyzed: false, lastAnalyzed: null, rowEstimate: null });
    expect(stats.note).toMatch(/never been analyzed/);
    expect(stats.columns).toEqual([
      { name: 'a', type: 'integer', hasStats: false, missing: 'not analyzed' },
      { name: 'b', type: 'text', hasStats: false, missing: 'not analyzed' },
    ]);
  });

  it('says when pg_stats hides a column the role may not SELECT', async () => {
    const stats = await db.ok<Stats>('get_column_stats', { table: 'secret' });
    expect(stats.analyzed).toBe(true);
    const columns = byName(stats);
    expect(columns.visible).toMatchObject({ hasStats: true, nDistinct: -1, distinctEstimate: 100 });
    expect(columns.hidden).toEqual({ name: 'hidden', type: 'text', hasStats: false, missing: 'no select privilege' });
    expect(stats.note).toMatch(/1 column\(s\) show no statistics because pg_stats shows only columns this role may SELECT/);

    const hidden = await db.ok<Stats>('get_column_stats', { table: 'hidden_all' });
    expect(hidden.analyzed === null || hidden.analyzed === true).toBe(true);
    expect(hidden.columns).toEqual([{ name: 'a', type: 'integer', hasStats: false, missing: 'no select privilege' }]);
  });

  it('says when row-level security hides the statistics', async () => {
    const stats = await db.ok<Stats>('get_column_stats', { table: 'guarded' });
    expect(stats.columns.map((column) => column.missing)).toEqual(['row-level security', 'row-level security']);
    expect(stats.note).toMatch(/Row-level security applies to this role/);
  });

  it('sanitizes and cuts sample values, and explains disabled and missing statistics', async () => {
    const stats = await db.ok<Stats>('get_column_stats', { table: 'odd_values' });
    expect(stats.columns.map((column) => column.name)).toEqual(['v', 'quiet', 'added_later']);
    const columns = byName(stats);
    const values = columns.v!.mostCommonValues!.map((entry) => entry.value).sort();
    expect(values).toEqual(['evilred', `${'long'.repeat(50).slice(0, 200 - '… [truncated]'.length)}… [truncated]`]);
    expect(columns.quiet).toMatchObject({ hasStats: false, missing: 'statistics disabled' });
    expect(columns.added_later).toMatchObject({ hasStats: false, missing: 'not computed' });
    expect(stats.note).toMatch(/1 column\(s\) have no statistics although the table was analyzed/);
    expect(JSON.stringify(stats)).not.toMatch(/[\u202E\u001B]/);
  });

  it('reads the whole-tree statistics of a partitioned table', async () => {
    const stats = await db.ok<Stats>('get_column_stats', { table: 'parts', columns: ['region'] });
    expect(stats).toMatchObject({ kind: 'partitioned table', analyzed: true, rowEstimate: 400 });
    expect(stats.columns[0]!.mostCommonValues).toEqual([
      { value: 'eu', frequency: expect.closeTo(0.75, 5) },
      { value: 'us', frequency: expect.closeTo(0.25, 5) },
    ]);
  });
});
