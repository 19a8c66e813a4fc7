import type { PoolClient } from 'pg';
import Cursor from 'pg-cursor';
import { valueTypes } from './values.js';

export interface RowLimits {
  /** Most rows to return; one more is fetched to learn whether the result was cut. */
  readonly maxRows: number;
  /** Approximate most bytes of JSON the rows may take. At least one row is always returned. */
  readonly maxBytes: number;
}

export interface RowsRead {
  readonly fields: readonly { name: string; dataTypeID: number }[];
  readonly rows: unknown[][];
  /** Why rows are missing from the end, when they are. */
  readonly truncated: 'max_rows' | 'max_bytes' | undefined;
}

const FIRST_BATCH = 50;
const LARGEST_BATCH = 1000;

/**
 * Runs one statement through a portal and fetches its rows in batches, stopping at the row or
 * byte cap, so a huge result never lands in memory whole (one batch at most, sized from the rows
 * seen so far). The statement goes through the extended protocol: PostgreSQL refuses more than
 * one command in it.
 */
export async function readRows(client: PoolClient, text: string, values: readonly unknown[], limits: RowLimits): Promise<RowsRead> {
  const cursor = client.query(new Cursor(text, [...values], { rowMode: 'array', types: valueTypes }));
  const rows: unknown[][] = [];
  let fields: RowsRead['fields'] = [];
  let bytes = 0;
  let truncated: RowsRead['truncated'];
  let batch = Math.min(FIRST_BATCH, limits.maxRows + 1);
  for (;;) {
    const { rows: got, result } = await new Promise<{ rows: unknown[][]; result: { fields: RowsRead['fields'] } }>((resolve, reject) => {
      cursor.read(batch, (error, read, result) => (error ? reject(error) : resolve({ rows: read as unknown[][], result: result as never })));
    });
    fields = result.fields;
    for (const row of got) {
      if (rows.length === limits.maxRows) {
        truncated = 'max_rows';
        break;
      }
      const size = JSON.stringify(row).length + 1;
      if (bytes + size > limits.maxBytes && rows.length > 0) {
        truncated = 'max_bytes';
        break;
      }
      bytes += size;
      rows.push(row);
    }
    if (truncated || got.length < batch) break;
    const perRow = Math.max(1, bytes / Math.max(1, rows.length));
    const room = Math.floor((limits.maxBytes - bytes) / perRow) + 1;
    batch = Math.max(1, Math.min(LARGEST_BATCH, limits.maxRows - rows.length + 1, room));
  }
  // After an error the cursor has already ended the exchange; only a cut result leaves a portal open.
  await cursor.close();
  return { fields, rows, truncated };
}
