// Resolving the `table` argument of the schema and data tools against a real catalog, as the
// least-privilege reader: qualified and bare names, quoting and case, same-named tables in two
// schemas (never picked by search_path), and the refusals with what to pass instead.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session } from '../src/db/session.js';
import { resolveRelation, splitQualifiedName } from '../src/tools/relation-arg.js';
import { connectAs, freshDatabase, type FreshDatabase } from './support/pg.js';

describe('splitQualifiedName', () => {
  it.each([
    ['orders', [{ text: 'orders', quoted: false }]],
    ['shop.orders', [{ text: 'shop', quoted: false }, { text: 'orders', quoted: false }]],
    ['"My Schema"."Q1.totals"', [{ text: 'My Schema', quoted: true }, { text: 'Q1.totals', quoted: true }]],
    ['"say ""hi"""', [{ text: 'say "hi"', quoted: true }]],
    [' shop . orders ', [{ text: 'shop', quoted: false }, { text: 'orders', quoted: false }]],
  ])('reads %s', (input, parts) => {
    expect(splitQualifiedName(input)).toEqual(parts);
  });

  it.each(['', 'a.b.c', 'a.', '.a', '"unterminated', '""', 'a"b', '"a"b'])('refuses %j', (input) => {
    expect(splitQualifiedName(input)).toBeUndefined();
  });
});

describe('resolveRelation', () => {
  let database: FreshDatabase;
  let client: pg.Client;
  let session: Session;

  beforeAll(async () => {
    database = await freshDatabase('relation_arg', `
      CREATE TABLE public."Orders" (id int);
      CREATE TABLE public.orders (id int);
      CREATE TABLE public."Mixed" (id int);
      CREATE TABLE public."mixed" (id int);
      CREATE TABLE public."MIXED" (id int);
    `);
    client = await connectAs(database.readerUrl);
    session = new Session(client as unknown as pg.PoolClient);
  });

  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it('finds a qualified name, folding bare parts to lower case', async () => {
    await expect(resolveRelation(session, { table: 'shop.customers' })).resolves.toMatchObject({ schema: 'shop', name: 'customers', kind: 'table', quoted: '"shop"."customers"' });
    await expect(resolveRelation(session, { table: 'SHOP.Customers' })).resolves.toMatchObject({ schema: 'shop', name: 'customers' });
  });

  it('finds a bare name that exists in one schema only, whatever the search_path', async () => {
    await client.query('SET search_path = analytics');
    try {
      await expect(resolveRelation(session, { table: 'customers' })).resolves.toMatchObject({ schema: 'shop', name: 'customers' });
    } finally {
      await client.query('RESET search_path');
    }
  });

  it('takes `schema` to choose among same-named tables', async () => {
    await expect(resolveRelation(session, { table: 'order_totals', schema: 'analytics' })).rejects.toThrow(/"order_totals" in schema "analytics"/);
    await expect(resolveRelation(session, { table: 'orders', schema: 'analytics' })).resolves.toMatchObject({ schema: 'analytics' });
    await expect(resolveRelation(session, { table: 'orders', schema: 'shop' })).resolves.toMatchObject({ schema: 'shop' });
  });

  it('lists the candidates of an ambiguous bare name', async () => {
    await expect(resolveRelation(session, { table: 'orders' })).rejects.toThrow(/several schemas \(analytics\.orders, public\.orders, shop\.orders\).*`schema\.name`/);
  });

  it('prefers the exact spelling, and asks for quotes when only case tells names apart', async () => {
    await expect(resolveRelation(session, { table: 'public.Orders' })).resolves.toMatchObject({ name: 'Orders', quoted: '"public"."Orders"' });
    await expect(resolveRelation(session, { table: 'public.orders' })).resolves.toMatchObject({ name: 'orders' });
    await expect(resolveRelation(session, { table: 'public."MIXED"' })).resolves.toMatchObject({ name: 'MIXED' });
    await expect(resolveRelation(session, { table: 'public.mIxEd' })).resolves.toMatchObject({ name: 'mixed' });
  });

  it('keeps to the kinds a tool works on, and names them', async () => {
    await expect(resolveRelation(session, { table: 'shop.order_totals' }, { kinds: ['table'] })).rejects.toThrow(/no table "order_totals" in schema "shop"/);
    await expect(resolveRelation(session, { table: 'shop.order_totals' })).resolves.toMatchObject({ kind: 'view' });
    await expect(resolveRelation(session, { table: 'shop.monthly_revenue' })).resolves.toMatchObject({ kind: 'materialized view' });
  });

  it('suggests similar names when there is no match', async () => {
    await expect(resolveRelation(session, { table: 'custom' })).rejects.toThrow(/Similar names: shop\.customers/);
  });

  it('refuses a malformed name and a schema that contradicts the qualified one', async () => {
    await expect(resolveRelation(session, { table: 'a.b.c' })).rejects.toThrow(/not a table name/);
    await expect(resolveRelation(session, { table: 'shop.orders', schema: 'analytics' })).rejects.toThrow(/names schema "shop" but `schema` is "analytics"/);
  });

  it('treats SQL in a name as a name', async () => {
    await expect(resolveRelation(session, { table: "orders'; drop table shop.orders; --" })).rejects.toThrow(/no table, view or materialized view/);
  });
});
