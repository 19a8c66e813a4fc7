import type { PoolClient, QueryConfig, QueryResultRow } from 'pg';
import { readRows } from './read-rows.js';
import type { RowLimits, RowsRead } from './read-rows.js';
import { valueTypes } from './values.js';

/** One call's access to a database: inside a read-only transaction that is always rolled back. */
export class Session {
  readonly #client: PoolClient;

  constructor(client: PoolClient) {
    this.#client = client;
  }

  /** The server's own catalog queries (trusted text, parameters bound), every row at once. */
  async query<Row extends QueryResultRow = Record<string, unknown>>(text: string, values: readonly unknown[] = []): Promise<Row[]> {
    // The extended protocol even without parameters: one command per message, parameters bound.
    const config = { text, values: [...values], queryMode: 'extended', types: valueTypes } as QueryConfig;
    const result = await this.#client.query<Row>(config);
    return result.rows;
  }

  /** A caller's statement: one command through a portal, rows read up to the caps. */
  rows(text: string, values: readonly unknown[], limits: RowLimits): Promise<RowsRead> {
    return readRows(this.#client, text, values, limits);
  }
}
