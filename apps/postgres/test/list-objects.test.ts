import { textOf } from '@bastion-mcp/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freshPostgres, openPostgres } from './support/server.js';
import type { Paged, PostgresSession } from './support/server.js';

interface ObjectEntry {
  schema: string;
  name: string;
  type: string;
  comment?: string;
  extension?: string;
  rowEstimate?: number | null;
  totalBytes?: number;
  partitioned?: true;
  partitionOf?: string;
  foreignServer?: string;
  canSelect?: boolean;
  arguments?: string;
  result?: string;
  kind?: string;
  volatility?: string;
  canExecute?: boolean;
  version?: string;
  dataType?: string;
  lastValue?: number | string | null;
  ownedBy?: string;
}
interface ListObjects extends Paged {
  schema?: string;
  objects: ObjectEntry[];
}

let db: PostgresSession;
let freshDb: PostgresSession;
let closeFresh: () => Promise<void>;

beforeAll(async () => {
  db = await openPostgres();
  ({ db: freshDb, close: closeFresh } = await freshPostgres('list_objects_test', `
    CREATE SCHEMA "Mixed Case";
    GRANT USAGE ON SCHEMA "Mixed Case" TO bastion_reader;
    CREATE TABLE "Mixed Case".events (id int, at timestamptz) PARTITION BY RANGE (at);
    CREATE TABLE "Mixed Case".events_2024 PARTITION OF "Mixed Case".events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    CREATE TABLE "Mixed Case".events_2025 PARTITION OF "Mixed Case".events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    INSERT INTO "Mixed Case".events SELECT g, timestamptz '2024-06-01' + g * interval '1 day' FROM generate_series(1, 300) g;
    ANALYZE "Mixed Case".events_2024;
    ANALYZE "Mixed Case".events_2025;
    CREATE TABLE "Mixed Case".never_analyzed (id int);
    GRANT SELECT ON ALL TABLES IN SCHEMA "Mixed Case" TO bastion_reader;
    CREATE TABLE public.hidden (id int);
    REVOKE SELECT ON public.hidden FROM bastion_reader;
    COMMENT ON TABLE public.hidden IS E'Hidden\\u200b \\u001b[1mbold\\u001b[0m \\u202etable';
    CREATE SCHEMA secret;
    CREATE TABLE secret.keys (id int);
    CREATE SEQUENCE public.unused_seq AS integer;
    CREATE SEQUENCE public.unreadable_seq;
    SELECT nextval('public.unreadable_seq');
    REVOKE ALL ON SEQUENCE public.unreadable_seq FROM bastion_reader;
    CREATE PROCEDURE public.do_nothing(reason text) LANGUAGE sql AS $$ SELECT 1 $$;
    CREATE AGGREGATE public.int_total(integer) (sfunc = int4pl, stype = integer);
    CREATE FUNCTION public.private_fn() RETURNS int LANGUAGE sql STABLE AS $$ SELECT 1 $$;
    REVOKE EXECUTE ON FUNCTION public.private_fn() FROM PUBLIC;
    CREATE FOREIGN DATA WRAPPER dummy_fdw;
    CREATE SERVER remote_server FOREIGN DATA WRAPPER dummy_fdw;
    CREATE FOREIGN TABLE public.remote_things (id int) SERVER remote_server;
    CREATE TABLE public."50%_off" (id int);
    CREATE TABLE public.fifty_pct (id int);
  `));
});

afterAll(async () => {
  await db?.close();
  await closeFresh?.();
});

const names = (result: ListObjects) => result.objects.map((object) => `${object.schema}.${object.name}`);
const find = (result: ListObjects, name: string) => result.objects.find((object) => `${object.schema}.${object.name}` === name);

describe('list_objects', () => {
  it('lists the relations of every user schema by default, ordered by schema and name', async () => {
    const result = await db.ok<ListObjects>('list_objects');
    const userObjects = result.objects.filter((object) => object.extension === undefined);
    expect(userObjects.map((object) => `${object.type} ${object.schema}.${object.name}`)).toEqual([
      'table analytics.orders',
      'table public.countries',
      'table shop.customers',
      'materialized_view shop.monthly_revenue',
      'table shop.order_items',
      'view shop.order_totals',
      'table shop.orders',
      'table shop.products',
    ]);
    expect(result.schema).toBeUndefined();
    if (inject('hasPgStatStatements')) {
      expect(find(result, 'public.pg_stat_statements')).toMatchObject({ type: 'view', extension: 'pg_stat_statements' });
    }
  });

  it('gives tables their estimate, size, comment and whether the role may read them', async () => {
    const result = await db.ok<ListObjects>('list_objects', { schema: 'shop' });
    expect(result.schema).toBe('shop');
    const orders = find(result, 'shop.orders');
    expect(orders).toMatchObject({ type: 'table', rowEstimate: 1200, canSelect: true, comment: 'One row per checkout.' });
    expect(orders!.totalBytes).toBeGreaterThan(100_000);
    expect(find(result, 'shop.order_items')).toMatchObject({ rowEstimate: 3000 });
    expect(find(result, 'shop.monthly_revenue')).toMatchObject({ type: 'materialized_view', canSelect: true });
    expect(find(result, 'shop.monthly_revenue')!.rowEstimate).toBeGreaterThan(0);
    const view = find(result, 'shop.order_totals');
    expect(view).toEqual({ schema: 'shop', name: 'order_totals', type: 'view', canSelect: true, comment: 'Each order with its number of lines and total after discounts.' });
  });

  it('lists sequences with their type, last value and the column they feed', async () => {
    const result = await db.ok<ListObjects>('list_objects', { schema: 'shop', types: ['sequence'] });
    expect(names(result)).toEqual(['shop.customers_id_seq', 'shop.invoice_number_seq', 'shop.orders_id_seq', 'shop.products_id_seq']);
    expect(find(result, 'shop.invoice_number_seq')).toEqual({
      schema: 'shop',
      name: 'invoice_number_seq',
      type: 'sequence',
      comment: 'Invoice numbers, gap-free only by convention.',
      canSelect: true,
      dataType: 'bigint',
      lastValue: 101200,
      ownedBy: 'shop.orders.invoice_number',
    });
    expect(find(result, 'shop.customers_id_seq')).toMatchObject({ lastValue: 240, ownedBy: 'shop.customers.id' });
  });

  it('lists functions with their arguments, result, kind and volatility', async () => {
    const result = await db.ok<ListObjects>('list_objects', { schema: 'shop', types: ['function'] });
    expect(result.objects).toEqual([
      {
        schema: 'shop',
        name: 'line_total',
        type: 'function',
        comment: 'Price of an order line after its discount.',
        arguments: 'quantity integer, unit_price numeric, discount numeric',
        result: 'numeric',
        kind: 'function',
        volatility: 'immutable',
        canExecute: true,
      },
      { schema: 'shop', name: 'set_updated_at', type: 'function', arguments: '', result: 'trigger', kind: 'function', volatility: 'volatile', canExecute: true },
    ]);
  });

  it('knows procedures, aggregates, functions the role may not execute, and extensions', async () => {
    const result = await freshDb.ok<ListObjects>('list_objects', { schema: 'public', types: ['function'] });
    expect(find(result, 'public.do_nothing')).toMatchObject({ kind: 'procedure', arguments: 'IN reason text' });
    expect(find(result, 'public.do_nothing')!.result).toBeUndefined();
    expect(find(result, 'public.int_total')).toMatchObject({ kind: 'aggregate', arguments: 'integer', result: 'integer' });
    expect(find(result, 'public.private_fn')).toMatchObject({ kind: 'function', volatility: 'stable', canExecute: false });
    const catalog = await freshDb.ok<ListObjects>('list_objects', { schema: 'pg_catalog', types: ['extension'] });
    expect(catalog.objects).toEqual([expect.objectContaining({ schema: 'pg_catalog', name: 'plpgsql', type: 'extension', version: '1.0' })]);
  });

  it('shows a partitioned table once, covering its partitions, and the partitions on request', async () => {
    const result = await freshDb.ok<ListObjects>('list_objects', { schema: 'Mixed Case' });
    expect(names(result)).toEqual(['Mixed Case.events', 'Mixed Case.never_analyzed']);
    const events = find(result, 'Mixed Case.events')!;
    expect(events).toMatchObject({ type: 'table', partitioned: true, rowEstimate: 300, canSelect: true });
    expect(events.totalBytes).toBeGreaterThan(0);
    expect(find(result, 'Mixed Case.never_analyzed')).toMatchObject({ rowEstimate: null, totalBytes: 0 });
    const withPartitions = await freshDb.ok<ListObjects>('list_objects', { schema: 'Mixed Case', include_partitions: true });
    expect(names(withPartitions)).toEqual(['Mixed Case.events', 'Mixed Case.events_2024', 'Mixed Case.events_2025', 'Mixed Case.never_analyzed']);
    expect(find(withPartitions, 'Mixed Case.events_2024')).toMatchObject({ partitionOf: '"Mixed Case".events', rowEstimate: 213 });
  });

  it('says what the role may not read', async () => {
    const result = await freshDb.ok<ListObjects>('list_objects', { types: ['table', 'sequence', 'foreign_table'] });
    expect(find(result, 'public.hidden')).toMatchObject({ canSelect: false });
    expect(find(result, 'secret.keys')).toMatchObject({ canSelect: false });
    expect(find(result, 'public.countries')).toMatchObject({ canSelect: true });
    expect(find(result, 'public.unreadable_seq')).toMatchObject({ canSelect: false, lastValue: null, dataType: 'bigint' });
    expect(find(result, 'public.unused_seq')).toMatchObject({ canSelect: true, lastValue: null, dataType: 'integer' });
    expect(find(result, 'public.remote_things')).toMatchObject({ type: 'foreign_table', foreignServer: 'remote_server' });
  });

  it('strips invisible characters and terminal escapes from comments', async () => {
    const result = await freshDb.ok<ListObjects>('list_objects', { schema: 'public', name: 'hidden' });
    expect(result.objects[0]?.comment).toBe('Hidden bold table');
  });

  it('filters by a name fragment, case-insensitively, with LIKE wildcards as plain characters', async () => {
    const order = await db.ok<ListObjects>('list_objects', { schema: 'shop', name: 'ORDER' });
    expect(names(order)).toEqual(['shop.order_items', 'shop.order_totals', 'shop.orders']);
    const underscore = await db.ok<ListObjects>('list_objects', { schema: 'shop', name: '_' });
    expect(names(underscore)).toEqual(['shop.monthly_revenue', 'shop.order_items', 'shop.order_totals']);
    const percent = await freshDb.ok<ListObjects>('list_objects', { schema: 'public', name: '%' });
    expect(names(percent)).toEqual(['public.50%_off']);
  });

  it('pages in order without gaps or repeats', async () => {
    const all = await db.ok<ListObjects>('list_objects', { types: ['table', 'view', 'materialized_view', 'sequence', 'function'] });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page: ListObjects = await db.ok<ListObjects>('list_objects', { types: ['table', 'view', 'materialized_view', 'sequence', 'function'], limit: 3, ...(cursor ? { cursor } : {}) });
      expect(page.objects.length).toBeLessThanOrEqual(3);
      seen.push(...page.objects.map((object) => `${object.type} ${object.schema}.${object.name}`));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 50);
    expect(seen).toEqual(all.objects.map((object) => `${object.type} ${object.schema}.${object.name}`));
    expect(pages).toBe(Math.ceil(all.objects.length / 3));
    const first = await db.ok<ListObjects>('list_objects', { limit: 3 });
    expect(await db.refused('list_objects', { limit: 3, cursor: first.nextCursor, schema: 'shop' })).toMatch(/`cursor` belongs to another list_objects call/);
  });

  it('refuses an unknown schema with the similar and the available ones, and folds a bare name', async () => {
    expect(await db.refused('list_objects', { schema: 'shp' })).toMatch(/`schema`: no schema "shp" in database "default"\. Similar: shop\. Its schemas: analytics, public, shop\./);
    expect(await db.refused('list_objects', { schema: 'nothing_like_it' })).toMatch(/no schema "nothing_like_it".* Its schemas: analytics, public, shop\./);
    expect((await db.ok<ListObjects>('list_objects', { schema: 'SHOP' })).schema).toBe('shop');
    expect(await db.refused('list_objects', { schema: '"SHOP"' })).toMatch(/no schema "SHOP"/);
    expect((await freshDb.ok<ListObjects>('list_objects', { schema: '"Mixed Case"' })).schema).toBe('Mixed Case');
  });

  it('validates its arguments', async () => {
    expect(await db.refused('list_objects', { types: ['index'] })).toMatch(/`types\[0\]`/);
    expect(await db.refused('list_objects', { types: [] })).toMatch(/`types`/);
    expect(await db.refused('list_objects', { limit: 1000 })).toMatch(/`limit`/);
  });

  it('renders compact lines', async () => {
    const text = textOf(await db.call('list_objects', { schema: 'shop', types: ['table', 'sequence', 'function'], name: 'o' }));
    expect(text.split('\n')[0]).toMatch(/^\d+ objects in one schema of database "default"\./);
    expect(text).toMatch(/^table  shop\.orders  ~1200 rows  \d+ kB  -- One row per checkout\.$/m);
    expect(text).toMatch(/^sequence  shop\.invoice_number_seq  bigint  last 101200  owned by shop\.orders\.invoice_number  -- Invoice numbers/m);
    const functions = textOf(await db.call('list_objects', { schema: 'shop', types: ['function'] }));
    expect(functions).toMatch(/^function  shop\.line_total\(quantity integer, unit_price numeric, discount numeric\) -> numeric  immutable  -- Price/m);
    expect(text + functions).not.toMatch(/no SELECT|no EXECUTE|Key:/);
  });

  it('marks what the role may not read or call on its row, and explains only those markers, as a key after the counts', async () => {
    const text = textOf(await freshDb.call('list_objects', { schema: 'public', types: ['table', 'sequence', 'function'] }));
    const note = text.split('\n')[0]!;
    expect(note).toMatch(/^\d+ objects in one schema of database "default"\. One per line: kind, name, details \(row counts are planner estimates\), comment\. Key: /);
    // [no EXECUTE]: private_fn, and pg_stat_statements_reset where that extension is installed.
    expect(note).toMatch(/Key: \[no SELECT\] marks an object this server's role may not read \(2 here\); \[no EXECUTE\] marks a function this server's role may not call \([12] here\)\.$/);
    expect(text).toMatch(/^table  public\.hidden  .*\[no SELECT\]/m);
    expect(text).toMatch(/^sequence  public\.unreadable_seq  .*\[no SELECT\]/m);
    expect(text).toMatch(/^function  public\.private_fn\(\).*\[no EXECUTE\]/m);
  });
});
