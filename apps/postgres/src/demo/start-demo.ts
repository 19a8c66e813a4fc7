import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startLocalCluster, withDatabase } from './local-cluster.js';
import { readerRoleSql } from './reader-role.js';
import { loadSampleData, SAMPLE_SCHEMAS } from './sample-data.js';

export const DEMO_DATABASE = 'shop_demo';
export const DEMO_ROLE = 'bastion_reader';

export interface Demo {
  /** postgres://bastion_reader:PASSWORD@127.0.0.1:PORT/shop_demo, the least-privilege reader. */
  url: string;
  /** The superuser, connected to shop_demo. */
  superuserUrl: string;
  /** Stops the server and removes its files. Safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * A throwaway embedded PostgreSQL (no PostgreSQL install needed) holding the sample shop database,
 * with a read-only role to connect as.
 */
export async function startDemo(options: { log?: (line: string) => void } = {}): Promise<Demo> {
  const cluster = await startLocalCluster({ engine: 'embedded', ...(options.log ? { log: options.log } : {}) });
  try {
    await runAs(cluster.superuserUrl, `CREATE DATABASE ${DEMO_DATABASE}`);
    const superuserUrl = withDatabase(cluster.superuserUrl, DEMO_DATABASE);
    const password = randomBytes(18).toString('base64url');
    await runAs(superuserUrl, async (client) => {
      await loadSampleData((sql) => client.query(sql));
      if (cluster.hasPgStatStatements) await client.query('CREATE EXTENSION pg_stat_statements');
      await client.query(readerRoleSql({ role: DEMO_ROLE, password, database: DEMO_DATABASE, schemas: SAMPLE_SCHEMAS }));
    });
    const url = new URL(superuserUrl);
    url.username = DEMO_ROLE;
    url.password = password;
    return { url: url.toString(), superuserUrl, stop: () => cluster.stop() };
  } catch (error) {
    await cluster.stop().catch(() => {});
    throw new Error(`The demo database could not be set up: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

async function runAs(url: string, work: string | ((client: pg.Client) => Promise<void>)): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    if (typeof work === 'string') await client.query(work);
    else await work(client);
  } finally {
    await client.end();
  }
}
