import { textOf } from '@bastion-mcp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres, openPostgres } from './support/server.js';
import type { Paged, PostgresSession } from './support/server.js';

interface End {
  schema: string;
  table: string;
  columns: string[];
}
interface Edge {
  constraint: string;
  from: End;
  to: End;
  onUpdate: string;
  onDelete: string;
  deferrable: boolean;
  initiallyDeferred: boolean;
  validated: boolean;
  direction?: string;
}
interface Relationships extends Paged {
  table?: { schema: string; name: string };
  schema?: string;
  relationships: Edge[];
}

let db: PostgresSession;
let freshDb: PostgresSession;
let closeFresh: () => Promise<void>;

beforeAll(async () => {
  db = await openPostgres();
  ({ db: freshDb, close: closeFresh } = await freshPostgres('list_relationships_test', `
    CREATE SCHEMA graph;
    CREATE TABLE graph.parent (a int, b int, PRIMARY KEY (a, b));
    CREATE TABLE graph.child (
      x int, y int,
      CONSTRAINT child_parent_fkey FOREIGN KEY (y, x) REFERENCES graph.parent (b, a)
        ON UPDATE CASCADE ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED
    );
    CREATE TABLE graph.loose (a int, b int);
    ALTER TABLE graph.loose ADD CONSTRAINT loose_parent_fkey FOREIGN KEY (a, b) REFERENCES graph.parent NOT VALID;
    CREATE TABLE graph.employees (id int PRIMARY KEY, manager_id int CONSTRAINT employees_manager_fkey REFERENCES graph.employees (id) ON DELETE RESTRICT);
    CREATE TABLE graph.events (id int, a int, b int, at date, CONSTRAINT events_parent_fkey FOREIGN KEY (a, b) REFERENCES graph.parent) PARTITION BY RANGE (at);
    CREATE TABLE graph.events_2024 PARTITION OF graph.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    CREATE TABLE graph.events_2025 PARTITION OF graph.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    CREATE TABLE graph."Weird Table" ("Parent A" int, b int, CONSTRAINT U&"odd\\200B\\202Ename" FOREIGN KEY ("Parent A", b) REFERENCES graph.parent ON DELETE SET DEFAULT);
  `));
});

afterAll(async () => {
  await db?.close();
  await closeFresh?.();
});

const arrow = (edge: Edge) => `${edge.from.schema}.${edge.from.table}(${edge.from.columns.join(',')}) -> ${edge.to.schema}.${edge.to.table}(${edge.to.columns.join(',')})`;

describe('list_relationships', () => {
  it('lists every foreign key between the user schemas, ordered by referencing table', async () => {
    const result = await db.ok<Relationships>('list_relationships');
    expect(result.database).toBe('default');
    expect(result.relationships.map(arrow)).toEqual([
      'shop.customers(country_code) -> public.countries(code)',
      'shop.order_items(order_id) -> shop.orders(id)',
      'shop.order_items(product_id) -> shop.products(id)',
      'shop.orders(customer_id) -> shop.customers(id)',
    ]);
    expect(result.relationships[1]).toEqual({
      constraint: 'order_items_order_id_fkey',
      from: { schema: 'shop', table: 'order_items', columns: ['order_id'] },
      to: { schema: 'shop', table: 'orders', columns: ['id'] },
      onUpdate: 'no action',
      onDelete: 'cascade',
      deferrable: false,
      initiallyDeferred: false,
      validated: true,
    });
    expect(result.truncated).toBeUndefined();
  });

  it("gives a table's edges in both directions", async () => {
    const result = await db.ok<Relationships>('list_relationships', { table: 'shop.orders' });
    expect(result.table).toEqual({ schema: 'shop', name: 'orders' });
    expect(result.relationships.map((edge) => `${edge.direction} ${edge.constraint}`)).toEqual(['incoming order_items_order_id_fkey', 'outgoing orders_customer_id_fkey']);
    const countries = await db.ok<Relationships>('list_relationships', { table: 'countries' });
    expect(countries.relationships.map((edge) => `${edge.direction} ${arrow(edge)}`)).toEqual(['incoming shop.customers(country_code) -> public.countries(code)']);
    const rollup = await db.ok<Relationships>('list_relationships', { table: 'orders', schema: 'analytics' });
    expect(rollup).toMatchObject({ table: { schema: 'analytics', name: 'orders' }, relationships: [] });
  });

  it('refuses an ambiguous, unknown or non-table name with what to pass instead', async () => {
    expect(await db.refused('list_relationships', { table: 'orders' })).toMatch(/several schemas \(analytics\.orders, shop\.orders\)/);
    expect(await db.refused('list_relationships', { table: 'shop.order_totals' })).toMatch(/no table or partitioned table "order_totals" in schema "shop"/);
    expect(await db.refused('list_relationships', { table: 'custmers' })).toMatch(/no table or partitioned table "custmers"/);
  });

  it('keeps to edges with either end in a schema', async () => {
    const result = await db.ok<Relationships>('list_relationships', { schema: 'public' });
    expect(result.schema).toBe('public');
    expect(result.relationships.map((edge) => edge.constraint)).toEqual(['customers_country_code_fkey']);
    expect(result.relationships[0]?.direction).toBeUndefined();
    expect((await db.ok<Relationships>('list_relationships', { schema: 'analytics' })).relationships).toEqual([]);
    expect(await db.refused('list_relationships', { schema: 'shopp' })).toMatch(/`schema`: no schema "shopp".*Similar: shop\./);
  });

  it('pages through the edges', async () => {
    const first = await db.ok<Relationships>('list_relationships', { limit: 3 });
    expect(first.relationships).toHaveLength(3);
    expect(first.truncated).toBe(true);
    const second = await db.ok<Relationships>('list_relationships', { limit: 3, cursor: first.nextCursor });
    expect(second.relationships.map((edge) => edge.constraint)).toEqual(['orders_customer_id_fkey']);
    expect(second.nextCursor).toBeUndefined();
    expect(await db.refused('list_relationships', { limit: 3, cursor: first.nextCursor, schema: 'shop' })).toMatch(/`cursor` belongs to another list_relationships call/);
  });

  it('keeps the column order of multi-column keys, with actions, deferrability and validation', async () => {
    const result = await freshDb.ok<Relationships>('list_relationships', { schema: 'graph' });
    const byName = new Map(result.relationships.map((edge) => [edge.constraint, edge]));
    expect(byName.get('child_parent_fkey')).toEqual({
      constraint: 'child_parent_fkey',
      from: { schema: 'graph', table: 'child', columns: ['y', 'x'] },
      to: { schema: 'graph', table: 'parent', columns: ['b', 'a'] },
      onUpdate: 'cascade',
      onDelete: 'set null',
      deferrable: true,
      initiallyDeferred: true,
      validated: true,
    });
    expect(byName.get('loose_parent_fkey')).toMatchObject({ validated: false, deferrable: false });
    expect(byName.get('employees_manager_fkey')).toMatchObject({ onDelete: 'restrict' });
  });

  it('lists a foreign key of a partitioned table once, not once per partition, and on a partition its copy', async () => {
    const result = await freshDb.ok<Relationships>('list_relationships', { table: 'graph.parent' });
    expect(result.relationships.map((edge) => `${edge.direction} ${edge.from.table}`)).toEqual([
      'incoming Weird Table',
      'incoming child',
      'incoming events',
      'incoming loose',
    ]);
    const partition = await freshDb.ok<Relationships>('list_relationships', { table: 'graph.events_2024' });
    expect(partition.relationships.map((edge) => `${edge.direction} ${arrow(edge)}`)).toEqual(['outgoing graph.events_2024(a,b) -> graph.parent(a,b)']);
  });

  it('marks a self-reference, and strips invisible characters from names', async () => {
    const employees = await freshDb.ok<Relationships>('list_relationships', { table: 'graph.employees' });
    expect(employees.relationships.map((edge) => `${edge.direction} ${edge.constraint}`)).toEqual(['self employees_manager_fkey']);
    const weird = await freshDb.ok<Relationships>('list_relationships', { table: 'graph."Weird Table"' });
    expect(weird.relationships[0]).toMatchObject({ constraint: 'oddname', from: { table: 'Weird Table', columns: ['Parent A', 'b'] }, onDelete: 'set default' });
  });

  it('renders one arrow per edge, quoting names as SQL needs them', async () => {
    const text = textOf(await db.call('list_relationships', { table: 'shop.orders' }));
    expect(text.split('\n')[0]).toMatch(/^2 foreign keys in database "default"\. Each line:/);
    expect(text).toMatch(/untrusted/i);
    expect(text).toContain('outgoing  shop.orders(customer_id) -> shop.customers(id)  orders_customer_id_fkey');
    expect(text).toContain('incoming  shop.order_items(order_id) -> shop.orders(id)  order_items_order_id_fkey  on delete cascade');
    const graph = textOf(await freshDb.call('list_relationships', { schema: 'graph' }));
    expect(graph).toContain('graph.child(y, x) -> graph.parent(b, a)  child_parent_fkey  on update cascade, on delete set null, deferrable initially deferred');
    expect(graph).toContain('graph."Weird Table"("Parent A", b) -> graph.parent(a, b)  oddname  on delete set default');
    expect(graph).toContain('graph.loose(a, b) -> graph.parent(a, b)  loose_parent_fkey  NOT VALID');
  });
});
