import { createTestClient, textOf } from '@bastion-mcp/testing';
import type { TestClient, TestClientOptions } from '@bastion-mcp/testing';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { inject } from 'vitest';
import { connector } from '../../src/connector.js';

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

export interface Rows {
  database: string;
  columns: { name: string; type: string }[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
  truncatedReason?: string;
}
