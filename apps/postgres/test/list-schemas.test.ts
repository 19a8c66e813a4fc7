import { textOf } from '@bastion-mcp/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freshPostgres, openPostgres } from './support/server.js';
import type { Paged, PostgresSession } from './support/server.js';

interface SchemaEntry {
  name: string;
  owner: string;
  comment?: string;
  tables: number;
  partitions: number;
  views: number;
  materializedViews: number;
  sequences: number;
  foreignTables: number;
  functions: number;
  usable: boolean;
}
interface ListSchemas extends Paged {
  schemas: SchemaEntry[];
}

let db: PostgresSession;
let freshDb: PostgresSession;
let closeFresh: () => Promise<void>;

beforeAll(async () => {
  db = await openPostgres();
  ({ db: freshDb, close: closeFresh } = await freshPostgres('list_schemas_test', `
    CREATE SCHEMA secret;
    CREATE TABLE secret.keys (id int);
    COMMENT ON SCHEMA secret IS E'Keys\\u200b and \\u001b[31mred\\u001b[0m text \\u202ereversed';
    CREATE SCHEMA "Mixed Case";
    CREATE TABLE "Mixed Case".events (id int, at timestamptz) PARTITION BY RANGE (at);
    CREATE TABLE "Mixed Case".events_2024 PARTITION OF "Mixed Case".events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    CREATE TABLE "Mixed Case".events_2025 PARTITION OF "Mixed Case".events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    GRANT USAGE ON SCHEMA "Mixed Case" TO bastion_reader;
  `));
});

afterAll(async () => {
  await db?.close();
  await closeFresh?.();
});

const byName = (result: ListSchemas) => new Map(result.schemas.map((schema) => [schema.name, schema]));

describe('list_schemas', () => {
  it('lists the user schemas of the sample with their counts, owner and comment', async () => {
    const result = await db.ok<ListSchemas>('list_schemas');
    expect(result.database).toBe('default');
    expect(result.schemas.map((schema) => schema.name)).toEqual(['analytics', 'public', 'shop']);
    const owner = decodeURIComponent(new URL(inject('superuserUrl')).username);
    const schemas = byName(result);
    expect(schemas.get('shop')).toEqual({
      name: 'shop',
      owner,
      comment: 'A demo online shop: customers, products and their orders.',
      tables: 4,
      partitions: 0,
      views: 1,
      materializedViews: 1,
      // invoice_number_seq and the identity sequences of customers, products and orders.
      sequences: 4,
      foreignTables: 0,
      functions: 2,
      usable: true,
    });
    expect(schemas.get('analytics')).toMatchObject({ tables: 1, views: 0, sequences: 0, functions: 0, usable: true, comment: 'Reporting rollups; analytics.orders is not shop.orders.' });
    expect(schemas.get('public')).toMatchObject({ tables: 1, usable: true });
    expect(result.truncated).toBeUndefined();
  });

  it('leaves the system schemas out unless include_system is set', async () => {
    const plain = await db.ok<ListSchemas>('list_schemas');
    expect(plain.schemas.some((schema) => schema.name.startsWith('pg_') || schema.name === 'information_schema')).toBe(false);
    const all = byName(await db.ok<ListSchemas>('list_schemas', { include_system: true }));
    expect(all.has('pg_catalog')).toBe(true);
    expect(all.has('information_schema')).toBe(true);
    expect(all.has('pg_toast')).toBe(true);
    expect(all.get('pg_catalog')!.functions).toBeGreaterThan(1000);
    expect(all.get('pg_catalog')!.usable).toBe(true);
  });

  it('pages through the schemas and refuses a cursor of another call', async () => {
    const first = await db.ok<ListSchemas>('list_schemas', { limit: 2 });
    expect(first.schemas.map((schema) => schema.name)).toEqual(['analytics', 'public']);
    expect(first.truncated).toBe(true);
    const second = await db.ok<ListSchemas>('list_schemas', { limit: 2, cursor: first.nextCursor });
    expect(second.schemas.map((schema) => schema.name)).toEqual(['shop']);
    expect(second.nextCursor).toBeUndefined();
    expect(await db.refused('list_schemas', { limit: 2, cursor: first.nextCursor, include_system: true })).toMatch(/`cursor` belongs to another list_schemas call/);
  });

  it('says which schemas the role may not use, and counts partitions apart from tables', async () => {
    const schemas = byName(await freshDb.ok<ListSchemas>('list_schemas'));
    expect(schemas.get('secret')).toMatchObject({ tables: 1, usable: false });
    expect(schemas.get('Mixed Case')).toMatchObject({ tables: 1, partitions: 2, usable: true });
  });

  it('strips invisible characters and terminal escapes from comments', async () => {
    const secret = byName(await freshDb.ok<ListSchemas>('list_schemas')).get('secret');
    expect(secret?.comment).toBe('Keys and red text reversed');
  });

  it('renders one line per schema, with names quoted as SQL needs them, inside the untrusted fence', async () => {
    const text = textOf(await freshDb.call('list_schemas'));
    expect(text).toMatch(/untrusted/i);
    expect(text).toMatch(/^"Mixed Case"  owner \S+: 1 table, 2 partitions, 0 views/m);
    expect(text).toMatch(/^secret \[no USAGE\]  owner \S+: 1 table, .* -- Keys and red text reversed$/m);
  });

  it('marks a schema the role may not use on its row, and explains the marker after the counts as a key', async () => {
    const note = textOf(await freshDb.call('list_schemas')).split('\n')[0];
    expect(note).toBe(
      '5 schemas of database "default". One per line: name, owner, what it holds, comment. ' +
        "Key: [no USAGE] marks a schema this server's role has no USAGE on, so it can read nothing in it (1 here).",
    );
    // Where no row carries the marker, there is nothing to explain.
    const usable = textOf(await db.call('list_schemas'));
    expect(usable.split('\n')[0]).toBe('3 schemas of database "default". One per line: name, owner, what it holds, comment.');
    expect(usable).not.toMatch(/USAGE/);
  });

  it('refuses an unknown database', async () => {
    expect(await db.refused('list_schemas', { database: 'nope' })).toMatch(/nope/);
  });
});
