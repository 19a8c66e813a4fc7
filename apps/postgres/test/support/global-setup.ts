// Starts one PostgreSQL cluster for the whole test run: a template database with the sample data
// and the reader role, and bastion_test copied from it. BASTION_TEST_PG_ENGINE picks the engine.
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { startLocalCluster, withDatabase } from '../../src/demo/local-cluster.js';
import { readerRoleSql } from '../../src/demo/reader-role.js';
import { loadSampleData, SAMPLE_SCHEMAS } from '../../src/demo/sample-data.js';
import { createTestDatabase, READER_ROLE, TEMPLATE_DATABASE, TEST_DATABASE, withClient } from './test-databases.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const engine = engineFromEnvironment();
  const started = Date.now();
  const cluster = await startLocalCluster({ engine });
  try {
    const adminDatabaseUrl = cluster.superuserUrl;
    const templateUrl = withDatabase(adminDatabaseUrl, TEMPLATE_DATABASE);
    const readerPassword = randomBytes(18).toString('base64url');

    await withClient(adminDatabaseUrl, (client) => client.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`));
    await withClient(templateUrl, async (client) => {
      await loadSampleData((sql) => client.query(sql));
      if (cluster.hasPgStatStatements) await client.query('CREATE EXTENSION pg_stat_statements');
      await client.query(
        readerRoleSql({ role: READER_ROLE, password: readerPassword, database: TEMPLATE_DATABASE, schemas: SAMPLE_SCHEMAS }),
      );
    });
    // Copying a database needs it to be free of sessions, so nobody may connect to the template.
    await withClient(adminDatabaseUrl, async (client) => {
      await client.query(`REVOKE CONNECT ON DATABASE ${TEMPLATE_DATABASE} FROM ${READER_ROLE}`);
      await client.query(`ALTER DATABASE ${TEMPLATE_DATABASE} WITH ALLOW_CONNECTIONS false`);
    });
    await createTestDatabase(adminDatabaseUrl, TEST_DATABASE);

    const superuserUrl = withDatabase(adminDatabaseUrl, TEST_DATABASE);
    const readerUrl = new URL(superuserUrl);
    readerUrl.username = READER_ROLE;
    readerUrl.password = readerPassword;

    project.provide('engine', cluster.engine);
    project.provide('superuserUrl', superuserUrl);
    project.provide('readerUrl', readerUrl.toString());
    project.provide('adminDatabaseUrl', adminDatabaseUrl);
    project.provide('hasPgStatStatements', cluster.hasPgStatStatements);
    console.log(
      `PostgreSQL ${cluster.version} (${cluster.engine}) on 127.0.0.1:${cluster.port}, ready in ${Date.now() - started} ms`,
    );
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return () => cluster.stop();
}

function engineFromEnvironment(): 'auto' | 'system' | 'embedded' {
  const value = process.env.BASTION_TEST_PG_ENGINE?.trim() || 'auto';
  if (value === 'auto' || value === 'system' || value === 'embedded') return value;
  throw new Error(`BASTION_TEST_PG_ENGINE=${value} is not valid: use auto, system or embedded (or leave it unset for auto).`);
}
