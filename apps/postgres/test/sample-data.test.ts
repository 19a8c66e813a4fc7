import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { inject } from 'vitest';
import { withDatabase } from '../src/demo/local-cluster.js';
import { loadSampleData, SAMPLE_ROW_COUNTS } from '../src/demo/sample-data.js';
import { connectAs, tableExists, withSuperuser } from './support/pg.js';

let client: pg.Client;
beforeAll(async () => {
  client = await connectAs(inject('superuserUrl'));
});
afterAll(() => client.end());

async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await client.query(sql, params);
  return rows[0] as T;
}

describe('the sample database', () => {
  it('has the promised row counts', async () => {
    for (const [table, count] of Object.entries(SAMPLE_ROW_COUNTS)) {
      expect(await one(`SELECT count(*)::int AS n FROM ${table}`), table).toEqual({ n: count });
    }
  });

  it('has plausible, typed values', async () => {
    expect(await one('SELECT email, full_name, country_code FROM shop.customers WHERE id = 1')).toEqual({
      email: 'ada.lovelace@example.com',
      full_name: 'Ada Lovelace',
      country_code: 'US',
    });
    const product = await one<{ price: string; attributes: Record<string, unknown>; tags: string[]; thumbnail: Buffer }>(
      'SELECT price, attributes, tags, thumbnail FROM shop.products WHERE id = 7',
    );
    expect(product.price).toMatch(/^\d+\.\d{2}$/);
    expect(product.attributes).toHaveProperty('color');
    expect(product.tags).toContain('bestseller');
    expect(product.thumbnail).toHaveLength(16);
  });

  it('has a table of the same name in two schemas', async () => {
    expect(await tableExists('shop.orders')).toBe(true);
    expect(await tableExists('analytics.orders')).toBe(true);
    expect(await tableExists('public.countries')).toBe(true);
    expect(await tableExists('shop.no_such_table')).toBe(false);
  });

  it('has the promised kinds of objects', async () => {
    const kinds = await client.query<{ name: string; relkind: string }>(
      `SELECT n.nspname || '.' || c.relname AS name, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname IN ('shop', 'analytics', 'public') AND c.relkind IN ('r', 'v', 'm', 'S') ORDER BY 1`,
    );
    expect(Object.fromEntries(kinds.rows.map((row) => [row.name, row.relkind]))).toMatchObject({
      'shop.order_totals': 'v',
      'shop.monthly_revenue': 'm',
      'shop.invoice_number_seq': 'S',
      'analytics.orders': 'r',
    });
    expect(await one("SELECT enum_range(NULL::shop.order_status)::text AS labels")).toEqual({
      labels: '{pending,paid,shipped,delivered,cancelled}',
    });
    const constraints = await client.query<{ contype: string; n: number }>(
      `SELECT contype::text, count(*)::int AS n FROM pg_constraint WHERE connamespace = 'shop'::regnamespace GROUP BY 1`,
    );
    const byType = Object.fromEntries(constraints.rows.map((row) => [row.contype, row.n]));
    expect(byType).toMatchObject({ f: 4, p: 4 });
    expect(byType.u).toBeGreaterThanOrEqual(4);
    expect(byType.c).toBeGreaterThanOrEqual(6);
  });

  it('has a partial and a multi-column index', async () => {
    expect(
      await one(`SELECT indpred IS NOT NULL AS partial FROM pg_index WHERE indexrelid = 'shop.orders_pending_ordered_at_idx'::regclass`),
    ).toEqual({ partial: true });
    expect(
      await one(`SELECT indnkeyatts::int AS columns FROM pg_index WHERE indexrelid = 'shop.orders_customer_id_ordered_at_idx'::regclass`),
    ).toEqual({ columns: 2 });
  });

  it('has comments, statistics, an immutable function and a working trigger', async () => {
    expect(await one(`SELECT obj_description('shop.customers'::regclass, 'pg_class') AS comment`)).toEqual({
      comment: 'People who have an account with the shop.',
    });
    expect(await one(`SELECT col_description('shop.products'::regclass, 5) AS comment`)).toEqual({
      comment: 'Current unit price in EUR, VAT excluded.',
    });
    expect(await one(`SELECT count(*)::int > 0 AS analyzed FROM pg_stats WHERE schemaname = 'shop' AND tablename = 'orders'`)).toEqual({
      analyzed: true,
    });
    expect(await one(`SELECT provolatile::text AS volatility, shop.line_total(3, 10.00, 0.10)::text AS total
      FROM pg_proc WHERE oid = 'shop.line_total(integer, numeric, numeric)'::regprocedure`)).toEqual({ volatility: 'i', total: '27.00' });

    await client.query('BEGIN');
    try {
      const { rows } = await client.query<{ changed: boolean }>(
        `UPDATE shop.orders SET note = 'test' WHERE id = 1 RETURNING updated_at > ordered_at + interval '1 hour' AS changed`,
      );
      expect(rows[0]?.changed).toBe(true);
    } finally {
      await client.query('ROLLBACK');
    }
  });

  it('is deterministic: a second load gives identical rows', async () => {
    const fingerprint = (c: pg.Client) =>
      c.query<{ table: string; md5: string }>(
        `SELECT 'customers' AS table, md5(string_agg(t::text, '|' ORDER BY t.id)) FROM shop.customers t
         UNION ALL SELECT 'products', md5(string_agg(t::text, '|' ORDER BY t.id)) FROM shop.products t
         UNION ALL SELECT 'orders', md5(string_agg(t::text, '|' ORDER BY t.id)) FROM shop.orders t
         UNION ALL SELECT 'order_items', md5(string_agg(t::text, '|' ORDER BY t.order_id, t.line_number)) FROM shop.order_items t
         UNION ALL SELECT 'analytics.orders', md5(string_agg(t::text, '|' ORDER BY t.order_date)) FROM analytics.orders t`,
      );
    const expected = (await fingerprint(client)).rows;
    const adminUrl = inject('adminDatabaseUrl');
    await withSuperuser((admin) => admin.query('CREATE DATABASE sample_reload'), adminUrl);
    try {
      const reloaded = await withSuperuser(async (fresh) => {
        await loadSampleData((sql) => fresh.query(sql));
        return (await fingerprint(fresh)).rows;
      }, withDatabase(adminUrl, 'sample_reload'));
      expect(reloaded).toEqual(expected);
    } finally {
      await withSuperuser((admin) => admin.query('DROP DATABASE sample_reload WITH (FORCE)'), adminUrl);
    }
  });
});
