import { randomBytes } from 'node:crypto';
import { createTestClient, textOf } from '@bastion-mcp/testing';
import type { TestClient, TestClientOptions } from '@bastion-mcp/testing';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { inject } from 'vitest';
import { connector } from '../../src/connector.js';
import { freshDatabase, type DatabaseSetup, type FreshDatabase } from './pg.js';
import { withClient } from './test-databases.js';

export interface PostgresSession extends TestClient {
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** The structured result; fails the test when the call was an error. */
  ok<T = Record<string, unknown>>(name: string, args?: Record<string, unknown>): Promise<T>;
  /** The error text; fails the test when the call succeeded. */
  refused(name: string, args?: Record<string, unknown>): Promise<string>;
}

/** The connector in this process, by default as the least-privilege reader on bastion_test. */
export async function openPostgres(options: TestClientOptions = {}): Promise<PostgresSession> {
  const session = await createTestClient(connector, { ...options, env: options.env ?? { POSTGRES_URL: inject('readerUrl') } });
  const call = (name: string, args: Record<string, unknown> = {}) => session.callTool(name, args);
  return Object.assign(session, {
    call,
    async ok<T>(name: string, args: Record<string, unknown> = {}) {
      const result = await call(name, args);
      if (result.isError) throw new Error(`${name} failed: ${textOf(result)}`);
      return result.structuredContent as T;
    },
    async refused(name: string, args: Record<string, unknown> = {}) {
      const result = await call(name, args);
      if (!result.isError) throw new Error(`${name} succeeded but should have been refused: ${JSON.stringify(result.structuredContent)}`);
      return textOf(result);
    },
  });
}

export interface FreshPostgres {
  database: FreshDatabase;
  /** The connector on it, as the least-privilege reader. */
  db: PostgresSession;
  /** Closes the session, then drops the database. */
  close(): Promise<void>;
}

/** A fresh database set up by its superuser, and the connector on it as the reader; nothing is left behind when set-up fails. */
export async function freshPostgres(name: string, setup?: DatabaseSetup): Promise<FreshPostgres> {
  const database = await freshDatabase(name, setup);
  const db = await openPostgres({ env: { POSTGRES_URL: database.readerUrl } }).catch(async (error: unknown) => {
    await database.drop().catch(() => undefined);
    throw error;
  });
  return { database, db, close: () => db.close().finally(() => database.drop()) };
}

/** Runs `work` with the connector logged in as a new role that may only connect to `database` (so without pg_read_all_stats); drops the role after. */
export async function withPlainRole<T>(database: FreshDatabase, role: string, work: (session: PostgresSession) => Promise<T>): Promise<T> {
  const password = randomBytes(12).toString('hex');
  const asSuperuser = (sql: string) => withClient(database.superuserUrl, (client) => client.query(sql));
  await asSuperuser(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'; GRANT CONNECT ON DATABASE ${database.name} TO ${role}`);
  try {
    const url = new URL(database.superuserUrl);
    url.username = role;
    url.password = password;
    const session = await openPostgres({ env: { POSTGRES_URL: url.toString() } });
    try {
      return await work(session);
    } finally {
      await session.close();
    }
  } finally {
    await asSuperuser(`REVOKE CONNECT ON DATABASE ${database.name} FROM ${role}; DROP ROLE ${role}`);
  }
}

/** The fields a paged list tool returns beside its list. */
export interface Paged {
  database: string;
  nextCursor?: string;
  truncated?: boolean;
}

export interface Rows {
  database: string;
  columns: { name: string; type: string }[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
  truncatedReason?: string;
}
