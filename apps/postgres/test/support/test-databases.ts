// Database set-up shared by the global setup (main process) and the helpers in pg.ts (test workers).
import pg from 'pg';

/** Holds the sample data and the reader's grants; every test database is a copy of it. */
export const TEMPLATE_DATABASE = 'bastion_template';
export const TEST_DATABASE = 'bastion_test';
export const READER_ROLE = 'bastion_reader';

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates a database as a copy of the template (a file copy: much faster than loading the sample
 * again) and lets the reader connect to it. adminUrl: a superuser URL to another database.
 */
export async function createTestDatabase(adminUrl: string, name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new Error(`Invalid test database name "${name}": use lower-case letters, digits and underscores, starting with a letter.`);
  }
  await withClient(adminUrl, async (client) => {
    await client.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`);
    await client.query(`GRANT CONNECT ON DATABASE ${name} TO ${READER_ROLE}`);
  });
}
