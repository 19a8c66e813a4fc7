import { describe, expect, inject, it } from 'vitest';
import { readerRoleSql } from '../src/demo/reader-role.js';
import { connectAs, freshDatabase } from './support/pg.js';

describe('readerRoleSql', () => {
  it('quotes identifiers and the password literal', () => {
    const sql = readerRoleSql({ role: 'Read"er', password: "it's\\secret", database: 'my db', schemas: ['public', 'Sales'] });
    expect(sql).toContain(`CREATE ROLE "Read""er" LOGIN PASSWORD E'it''s\\\\secret'`);
    expect(sql).toContain('GRANT CONNECT ON DATABASE "my db" TO "Read""er";');
    expect(sql).toContain('GRANT USAGE ON SCHEMA "public", "Sales" TO "Read""er";');
  });

  it('refuses empty names with a message saying what to pass', () => {
    expect(() => readerRoleSql({ role: 'r', password: 'p', database: 'd', schemas: [] })).toThrow(/schemas is empty; pass at least one schema/);
    expect(() => readerRoleSql({ role: ' ', password: 'p', database: 'd', schemas: ['public'] })).toThrow(/role is empty/);
  });
});

describe('the reader role in the test database', () => {
  it('reads every sample schema, is no superuser, sees all stats and cannot write', async () => {
    const reader = await connectAs(inject('readerUrl'));
    try {
      const { rows } = await reader.query(`SELECT
        (SELECT count(*)::int FROM shop.orders) AS orders,
        (SELECT count(*)::int FROM analytics.orders) > 0 AS analytics,
        (SELECT count(*)::int FROM public.countries) AS countries,
        (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
        pg_has_role('pg_read_all_stats', 'USAGE') AS reads_all_stats,
        current_setting('default_transaction_read_only') AS read_only`);
      expect(rows[0]).toEqual({ orders: 1200, analytics: true, countries: 10, superuser: false, reads_all_stats: true, read_only: 'on' });

      await expect(reader.query(`INSERT INTO public.countries VALUES ('XX', 'Nowhere')`)).rejects.toMatchObject({ code: '25006' });
      // Even with the read-only default switched off, the role holds no write privilege.
      await reader.query('SET default_transaction_read_only = off');
      await expect(reader.query(`DELETE FROM shop.order_items`)).rejects.toMatchObject({ code: '42501' });
      await expect(reader.query('CREATE TABLE public.scratch (id int)')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await reader.end();
    }
  });

  it('reads a fresh copy of the sample database', async () => {
    const database = await freshDatabase('reader_role_fresh');
    try {
      const reader = await connectAs(database.readerUrl);
      try {
        expect((await reader.query('SELECT count(*)::int AS n FROM shop.customers')).rows).toEqual([{ n: 240 }]);
      } finally {
        await reader.end();
      }
    } finally {
      await database.drop();
    }
  });
});
