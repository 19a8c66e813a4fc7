// The table resources: template, listing (bounded, per database, unreachable databases skipped),
// reading (the same description as describe_table), odd names in URIs, and not-found errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namePart, tableUri } from '../src/resources/table-uri.js';
import { freshDatabase, type FreshDatabase } from './support/pg.js';
import { openPostgres } from './support/server.js';
import type { PostgresSession } from './support/server.js';

/** The JSON-RPC error of a refused resources/read. */
async function readError(db: PostgresSession, uri: string): Promise<{ code: number; message: string; data?: unknown }> {
  try {
    const result = await db.client.readResource({ uri });
    throw new Error(`resources/read ${uri} succeeded but should have failed: ${JSON.stringify(result).slice(0, 200)}`);
  } catch (error) {
    if ((error as Error).message.includes('should have failed')) throw error;
    return { code: (error as { code: number }).code, message: (error as Error).message, data: (error as { data?: unknown }).data };
  }
}

async function readJson(db: PostgresSession, uri: string): Promise<Record<string, unknown>> {
  const { contents } = await db.client.readResource({ uri });
  expect(contents).toHaveLength(1);
  const [content] = contents;
  expect(content).toMatchObject({ uri, mimeType: 'application/json' });
  return JSON.parse((content as { text: string }).text) as Record<string, unknown>;
}

describe('table URIs', () => {
  it('quote parts that are not plain lower-case identifiers and percent-encode the whole', () => {
    expect(namePart('orders')).toBe('orders');
    expect(namePart('Orders')).toBe('"Orders"');
    expect(namePart('say "hi"')).toBe('"say ""hi"""');
    expect(tableUri('default', 'shop', 'orders')).toBe('postgres://default/shop.orders');
    expect(tableUri('default', 'My Schema', 'a/b.c')).toBe('postgres://default/%22My%20Schema%22.%22a%2Fb.c%22');
    expect(tableUri('default', '.', '..')).toBe('postgres://default/%22.%22.%22..%22');
    // Survives URL parsing unchanged (dot segments and all).
    for (const uri of [tableUri('default', '.', '..'), tableUri('x', 'a,b', '?#%')]) expect(new URL(uri).href).toBe(uri);
  });
});

describe('table resources on the sample data', () => {
  let db: PostgresSession;
  beforeAll(async () => {
    db = await openPostgres();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('are offered as the template postgres://{database}/{table}', async () => {
    const { resourceTemplates } = await db.client.listResourceTemplates();
    expect(resourceTemplates).toEqual([
      expect.objectContaining({ uriTemplate: 'postgres://{database}/{table}', name: 'table', title: 'Table schemas', mimeType: 'application/json' }),
    ]);
  });

  it('list the tables, views and materialized views, not the system catalogs nor extension objects', async () => {
    const { resources } = await db.client.listResources();
    const uris = resources.map((resource) => resource.uri);
    expect(uris).toEqual([
      'postgres://default/analytics.orders',
      'postgres://default/public.countries',
      'postgres://default/shop.customers',
      'postgres://default/shop.monthly_revenue',
      'postgres://default/shop.order_items',
      'postgres://default/shop.order_totals',
      'postgres://default/shop.orders',
      'postgres://default/shop.products',
    ]);
    expect(resources.find((resource) => resource.uri === 'postgres://default/shop.order_totals')).toEqual({
      uri: 'postgres://default/shop.order_totals',
      name: 'default/shop.order_totals',
      title: 'shop.order_totals',
      description: expect.stringContaining('Schema of a view in database "default"'),
      mimeType: 'application/json',
    });
  });

  it('read as the same description describe_table returns', async () => {
    const fromTool = await db.ok('describe_table', { table: 'shop.orders' });
    const fromResource = await readJson(db, 'postgres://default/shop.orders');
    expect(fromResource).toEqual(fromTool);
    expect(fromResource).toMatchObject({ schema: 'shop', name: 'orders', kind: 'table', rowEstimate: 1200 });
    await expect(readJson(db, 'postgres://default/shop.order_totals')).resolves.toMatchObject({ kind: 'view', view: { definition: expect.stringContaining('FROM shop.orders') } });
  });

  it('answer an unknown table, database or malformed URI with a not-found error (-32602)', async () => {
    const table = await readError(db, 'postgres://default/shop.nope');
    expect(table).toMatchObject({ code: -32602, data: { uri: 'postgres://default/shop.nope' } });
    expect(table.message).toMatch(/Resource not found: postgres:\/\/default\/shop\.nope\. `table`: no table, view or materialized view "nope" in schema "shop"/);
    const database = await readError(db, 'postgres://elsewhere/shop.orders');
    expect(database).toMatchObject({ code: -32602, data: { uri: 'postgres://elsewhere/shop.orders' } });
    expect(database.message).toMatch(/names database "elsewhere", which is not configured\. Configured databases: default/);
    expect((await readError(db, 'postgres://default/%E0%A4%A.x')).message).toMatch(/not percent-encoded correctly/);
    expect((await readError(db, 'postgres://default/shop.orders?x=1')).message).toMatch(/has a query or fragment/);
    expect((await readError(db, 'postgres://default/shop/orders')).code).toBe(-32602);
  });

  it('are not offered without the postgres:schema scope', async () => {
    const narrow = await openPostgres({ principal: { id: 'narrow', kind: 'token', scopes: ['postgres:query'] } });
    try {
      const templates = await narrow.client.listResourceTemplates().then((result) => result.resourceTemplates, () => []);
      expect(templates).toEqual([]);
      expect((await readError(narrow, 'postgres://default/shop.orders')).code).toBeLessThan(0);
    } finally {
      await narrow.close();
    }
  });
});

describe('table resources on a fresh database', () => {
  let database: FreshDatabase;

  beforeAll(async () => {
    database = await freshDatabase('schema_resources_fresh', `
      CREATE SCHEMA "My Schema";
      GRANT USAGE ON SCHEMA "My Schema" TO bastion_reader;
      CREATE TABLE "My Schema"."a/b.c" (id int);
      CREATE TABLE "My Schema"."..", (x int);
      CREATE TABLE public."Evil\u202Ename" (id int);
      CREATE TABLE public.parted (id int) PARTITION BY RANGE (id);
      CREATE TABLE public.parted_low PARTITION OF public.parted FOR VALUES FROM (0) TO (10);
      -- Sorts after the others, so the listing cap falls among these.
      CREATE SCHEMA zz_bulk;
      DO $$ BEGIN FOR i IN 1..505 LOOP EXECUTE format('CREATE TABLE zz_bulk.bulk_%s (id int)', lpad(i::text, 3, '0')); END LOOP; END $$;
    `.replace('"..",', '".."'));
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('read tables whose names need quoting and encoding', async () => {
    const db = await openPostgres({ env: { POSTGRES_URL: database.readerUrl } });
    try {
      const slashed = tableUri('default', 'My Schema', 'a/b.c');
      await expect(readJson(db, slashed)).resolves.toMatchObject({ schema: 'My Schema', name: 'a/b.c', columns: [{ name: 'id', type: 'integer', nullable: true }] });
      const dots = tableUri('default', 'My Schema', '..');
      await expect(readJson(db, dots)).resolves.toMatchObject({ name: '..', columns: [{ name: 'x' }] });
      // A hand-written URI that is not encoded the canonical way still reads.
      await expect(readJson(db, 'postgres://default/%22My%20Schema%22.%22a%2Fb.c%22')).resolves.toMatchObject({ name: 'a/b.c' });
    } finally {
      await db.close();
    }
  });

  it('cap the listing per database, leave partitions out, and skip unreachable databases', async () => {
    const db = await openPostgres({
      env: { POSTGRES_URL: database.readerUrl, POSTGRES_URL_SAMPLE: database.readerUrl.replace('schema_resources_fresh', 'bastion_test'), POSTGRES_URL_DOWN: 'postgres://nobody:secret@127.0.0.1:1/none' },
    });
    try {
      const { resources } = await db.client.listResources();
      const fresh = resources.filter((resource) => resource.uri.startsWith('postgres://default/'));
      expect(fresh).toHaveLength(500);
      const uris = fresh.map((resource) => resource.uri);
      expect(uris).toContain('postgres://default/public.parted');
      expect(uris).not.toContain('postgres://default/public.parted_low');
      expect(uris).toContain('postgres://default/%22My%20Schema%22.%22..%22');
      expect(uris).toContain(`postgres://default/${encodeURIComponent('public."Evil\u202Ename"')}`);
      expect(fresh.find((resource) => resource.uri.includes('Evil'))).toMatchObject({ name: 'default/public.Evilname', title: 'public.Evilname' });
      expect(resources.filter((resource) => resource.uri.startsWith('postgres://sample/'))).toHaveLength(8);
      expect(resources.some((resource) => resource.uri.startsWith('postgres://down/'))).toBe(false);
      const logs = db.logs.join('\n');
      expect(logs).toMatch(/skipped a database in the resource listing/);
      expect(logs).toMatch(/table resources capped/);
      expect(logs).not.toContain('secret');
      // Reading from the second database works; the unreachable one fails as an upstream problem.
      await expect(readJson(db, 'postgres://sample/shop.orders')).resolves.toMatchObject({ database: 'sample', name: 'orders' });
      const down = await readError(db, 'postgres://down/public.x');
      expect(down.message).toMatch(/database "down" .* unreachable|refused the connection/);
      // A table past the listing cap is still readable by its URI.
      // The 12 other relations of the database sort first (the sample's 8 and 4 made here).
      expect(uris.at(-1)).toBe('postgres://default/zz_bulk.bulk_488');
      await expect(readJson(db, 'postgres://default/zz_bulk.bulk_505')).resolves.toMatchObject({ name: 'bulk_505' });
    } finally {
      await db.close();
    }
  });
});
