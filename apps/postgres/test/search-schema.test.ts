import { textOf } from '@bastion-mcp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres, openPostgres } from './support/server.js';
import type { Paged, PostgresSession } from './support/server.js';

interface Hit {
  kind: string;
  schema: string;
  name: string;
  table?: string;
  tableType?: string;
  dataType?: string;
  arguments?: string;
  comment?: string;
  match: string;
}
interface Search extends Paged {
  query: string;
  schema?: string;
  total: number;
  hits: Hit[];
}

const BULK_TABLES = 2000;

let db: PostgresSession;
let freshDb: PostgresSession;
let closeFresh: () => Promise<void>;

beforeAll(async () => {
  db = await openPostgres();
  ({ db: freshDb, close: closeFresh } = await freshPostgres('search_schema_test', async (client) => {
    await client.query('CREATE SCHEMA bulk');
    // One DO block; it commits every 500 tables so the lock table never holds all of them at once.
    await client.query(`
      DO $$
      BEGIN
        FOR i IN 1..${BULK_TABLES} LOOP
          EXECUTE format('CREATE TABLE bulk.%I (id int, customer_ref int, %I numeric)', 't_' || lpad(i::text, 4, '0'), 'amount_' || i);
          IF i % 500 = 0 THEN COMMIT; END IF;
        END LOOP;
      END
      $$`);
    await client.query(`
      CREATE TABLE public.notes (body text);
      COMMENT ON COLUMN public.notes.body IS E'Body\\u200b \\u001b[31mtext\\u001b[0m \\u202eflipped';
      CREATE TABLE public."Weird.Name" ("Mixed Col" int);
    `);
  }));
}, 120_000);

afterAll(async () => {
  await db?.close();
  await closeFresh?.();
});

const labels = (result: Search) => result.hits.map((hit) => `${hit.match} ${hit.kind} ${hit.schema}.${hit.table === undefined ? '' : `${hit.table}.`}${hit.name}`);

describe('search_schema', () => {
  it('ranks exact names first, then by name, schema and table', async () => {
    const result = await db.ok<Search>('search_schema', { query: 'orders' });
    expect(result).toMatchObject({ database: 'default', query: 'orders', total: 3 });
    expect(labels(result)).toEqual(['exact table analytics.orders', 'exact table shop.orders', 'exact column shop.monthly_revenue.orders']);
    expect(result.hits[0]).toEqual({ kind: 'table', schema: 'analytics', name: 'orders', comment: 'Daily rollup of shop.orders: one row per day with orders.', match: 'exact' });
    expect(result.hits[2]).toMatchObject({ table: 'monthly_revenue', tableType: 'materialized_view', dataType: 'bigint' });
  });

  it('matches case-insensitively, exact before prefix before substring', async () => {
    const result = await db.ok<Search>('search_schema', { query: 'ID', limit: 200 });
    expect(labels(result).slice(0, 3)).toEqual(['exact column shop.customers.id', 'exact column shop.orders.id', 'exact column shop.products.id']);
    expect(result.hits[0]).toMatchObject({ dataType: 'bigint', tableType: 'table' });
    const rest = result.hits.slice(3);
    expect(rest.length).toBeGreaterThan(3);
    expect(rest.every((hit) => hit.match === 'substring' && hit.name.toLowerCase().includes('id'))).toBe(true);
    expect(labels(result)).toContain('substring column shop.orders.customer_id');
    expect(labels(result)).toContain('substring column shop.order_totals.order_id');
    expect(result.total).toBe(result.hits.length);

    const order = await db.ok<Search>('search_schema', { query: 'order', limit: 200 });
    expect(labels(order)).toEqual([
      'prefix column analytics.orders.order_count',
      'prefix column analytics.orders.order_date',
      'prefix column shop.order_items.order_id',
      'prefix column shop.order_totals.order_id',
      'prefix table shop.order_items',
      'prefix view shop.order_totals',
      'prefix column shop.order_totals.ordered_at',
      'prefix column shop.orders.ordered_at',
      'prefix table analytics.orders',
      'prefix table shop.orders',
      'prefix column shop.monthly_revenue.orders',
    ]);
  });

  it('finds columns of views with their type and comments of columns', async () => {
    const total = await db.ok<Search>('search_schema', { query: 'total' });
    expect(total.hits[0]).toEqual({ kind: 'column', schema: 'shop', name: 'total', table: 'order_totals', tableType: 'view', dataType: 'numeric', match: 'exact' });
    const email = await db.ok<Search>('search_schema', { query: 'email' });
    expect(email.hits).toEqual([
      { kind: 'column', schema: 'shop', name: 'email', table: 'customers', tableType: 'table', dataType: 'text', comment: 'Login and contact address; unique.', match: 'exact' },
    ]);
    const price = await db.ok<Search>('search_schema', { query: 'unit_price' });
    expect(price.hits[0]).toMatchObject({ table: 'order_items', dataType: 'numeric(10,2)' });
  });

  it('keeps to one schema when asked, and refuses an unknown one', async () => {
    const result = await db.ok<Search>('search_schema', { query: 'orders', schema: 'analytics' });
    expect(result.schema).toBe('analytics');
    expect(labels(result)).toEqual(['exact table analytics.orders']);
    expect(await db.refused('search_schema', { query: 'orders', schema: 'analytic' })).toMatch(/`schema`: no schema "analytic" in database "default"\. Similar: analytics\./);
  });

  it('searches functions only when asked', async () => {
    const without = await db.ok<Search>('search_schema', { query: 'line_' });
    expect(labels(without)).toEqual(['prefix column shop.order_items.line_number']);
    const withFunctions = await db.ok<Search>('search_schema', { query: 'line_', include_functions: true });
    expect(labels(withFunctions)).toEqual(['prefix column shop.order_items.line_number', 'prefix function shop.line_total']);
    expect(withFunctions.hits[1]).toMatchObject({ arguments: 'quantity integer, unit_price numeric, discount numeric', comment: 'Price of an order line after its discount.' });
  });

  it('takes LIKE wildcards literally', async () => {
    const percent = await db.ok<Search>('search_schema', { query: '%' });
    expect(percent).toMatchObject({ total: 0, hits: [] });
    const underscore = await db.ok<Search>('search_schema', { query: '_', limit: 200 });
    expect(underscore.hits.length).toBeGreaterThan(0);
    expect(underscore.hits.every((hit) => hit.name.includes('_'))).toBe(true);
  });

  it('validates the query with a clear message', async () => {
    expect(await db.refused('search_schema', { query: '' })).toMatch(/`query`: is empty: pass part of a name/);
    expect(await db.refused('search_schema', { query: '   ' })).toMatch(/`query`: is empty/);
    expect(await db.refused('search_schema', { query: 'x'.repeat(64) })).toMatch(/`query`: is longer than 63 characters/);
    expect(await db.refused('search_schema', {})).toMatch(/`query`: required argument is missing/);
    expect((await db.ok<Search>('search_schema', { query: '  email ' })).query).toBe('email');
  });

  it('strips invisible characters and terminal escapes from comments, and quotes odd names in text', async () => {
    const body = await freshDb.ok<Search>('search_schema', { query: 'body' });
    expect(body.hits[0]?.comment).toBe('Body text flipped');
    const text = textOf(await freshDb.call('search_schema', { query: 'mixed' }));
    expect(text.split('\n')[0]).toBe('1 of 1 hit in database "default". Ranked: exact name, then prefix, then substring.');
    expect(text).toContain('column  public."Weird.Name"."Mixed Col"  integer');
  });

  it('renders compact lines with the server note outside the fence', async () => {
    const text = textOf(await db.call('search_schema', { query: 'email' }));
    expect(text.split('\n')[0]).toBe('1 of 1 hit in database "default". Ranked: exact name, then prefix, then substring.');
    expect(text).toMatch(/untrusted/i);
    expect(text).toContain('column  shop.customers.email  text  -- Login and contact address; unique.');
    const none = textOf(await db.call('search_schema', { query: 'zzz' }));
    expect(none.split('\n')[0]).toMatch(/^0 of 0 hits .* Try a shorter fragment/);
  });

  describe(`in a database of ${BULK_TABLES} tables`, () => {
    it('finds and ranks hits among thousands of tables quickly', async () => {
      const started = Date.now();
      const exact = await freshDb.ok<Search>('search_schema', { query: 't_1234' });
      // amount_1234 holds "t_1234" too.
      expect(labels(exact)).toEqual(['exact table bulk.t_1234', 'substring column bulk.t_1234.amount_1234']);
      const amount = await freshDb.ok<Search>('search_schema', { query: 'amount_1999' });
      expect(labels(amount)).toEqual(['exact column bulk.t_1999.amount_1999']);
      expect(amount.hits[0]?.dataType).toBe('numeric');
      const prefix = await freshDb.ok<Search>('search_schema', { query: 'amount_199', limit: 20 });
      expect(prefix.total).toBe(11);
      expect(labels(prefix)[0]).toBe('exact column bulk.t_0199.amount_199');
      expect(Date.now() - started).toBeLessThan(15_000);
    });

    it('pages through thousands of hits in order', async () => {
      const started = Date.now();
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page: Search = await freshDb.ok<Search>('search_schema', { query: 'customer_ref', limit: 200, ...(cursor ? { cursor } : {}) });
        expect(page.total).toBe(BULK_TABLES);
        seen.push(...page.hits.map((hit) => `${hit.table}`));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor && pages < 20);
      expect(pages).toBe(BULK_TABLES / 200);
      expect(seen).toHaveLength(BULK_TABLES);
      expect(seen[0]).toBe('t_0001');
      expect(seen.at(-1)).toBe('t_2000');
      expect(new Set(seen).size).toBe(BULK_TABLES);
      expect(Date.now() - started).toBeLessThan(30_000);
    });
  });
});
