// Helpers for tests that talk to the cluster started by global-setup.ts.
import pg from 'pg';
import { inject } from 'vitest';
import { withDatabase } from '../../src/demo/local-cluster.js';
import { createTestDatabase, withClient } from './test-databases.js';

/** A connected client; the caller ends it. */
export async function connectAs(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** Runs work as the superuser in bastion_test (or in the database of the given superuser URL). */
export function withSuperuser<T>(work: (client: pg.Client) => Promise<T>, url = inject('superuserUrl')): Promise<T> {
  return withClient(url, work);
}

/** Whether a table, view or sequence exists, e.g. tableExists('shop.orders'). */
export async function tableExists(name: string, url = inject('superuserUrl')): Promise<boolean> {
  return withClient(url, async (client) => {
    const result = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [name]);
    return result.rows[0]?.exists === true;
  });
}

export interface FreshDatabase {
  name: string;
  superuserUrl: string;
  readerUrl: string;
  /** Drops the database, ending any sessions still in it. */
  drop(): Promise<void>;
}

/** Set-up run as a fresh database's superuser: SQL, or work given the connected client. */
export type DatabaseSetup = string | ((owner: pg.Client, database: FreshDatabase) => Promise<unknown>);

/** A new database with the sample data and the reader's grants, for tests that change things; dropped again when `setup` fails. */
export async function freshDatabase(name: string, setup?: DatabaseSetup): Promise<FreshDatabase> {
  const adminUrl = inject('adminDatabaseUrl');
  await createTestDatabase(adminUrl, name);
  const database: FreshDatabase = {
    name,
    superuserUrl: withDatabase(adminUrl, name),
    readerUrl: withDatabase(inject('readerUrl'), name),
    drop: () => withClient(adminUrl, async (client) => void (await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
  if (setup === undefined) return database;
  try {
    await withClient(database.superuserUrl, (owner) => (typeof setup === 'string' ? owner.query(setup) : setup(owner, database)));
  } catch (error) {
    await database.drop().catch(() => undefined);
    throw error;
  }
  return database;
}
