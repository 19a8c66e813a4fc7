import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPostgres } from './support/server.js';
import type { PostgresSession, Rows } from './support/server.js';

let db: PostgresSession;
beforeAll(async () => {
  db = await openPostgres({
    env: {
      POSTGRES_URL: inject('readerUrl'),
      POSTGRES_STATEMENT_TIMEOUT_MS: '12345',
      POSTGRES_LOCK_TIMEOUT_MS: '2345',
      POSTGRES_IDLE_IN_TRANSACTION_TIMEOUT_MS: '34567',
    },
  });
});
afterAll(async () => {
  await db.close();
});

describe('the transaction every call runs in', () => {
  it.each([
    ['transaction_read_only', 'on'],
    ['transaction_isolation', 'repeatable read'],
    ['statement_timeout', '12345ms'],
    ['lock_timeout', '2345ms'],
    ['idle_in_transaction_session_timeout', '34567ms'],
    ['standard_conforming_strings', 'on'],
  ])('has %s set to %s', async (setting, expected) => {
    const result = await db.ok<Rows>('query', { sql: `show ${setting}` });
    expect(result.rows).toEqual([[expected]]);
  });
});
