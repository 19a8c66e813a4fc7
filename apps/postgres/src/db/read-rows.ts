import type { Exchange, Field } from './exchange.js';

export interface RowLimits {
  /** Most rows to return; one more is fetched to learn whether the result was cut. */
  readonly maxRows: number;
  /** Approximate most bytes of JSON the rows may take. At least one row is always returned. */
  readonly maxBytes: number;
}

export interface RowsRead {
  readonly fields: readonly Field[];
  readonly rows: unknown[][];
  /** Why rows are missing from the end, when they are. */
  readonly truncated: 'max_rows' | 'max_bytes' | undefined;
}

const FIRST_BATCH = 50;
const LARGEST_BATCH = 1000;

/**
 * Runs one statement through a portal and fetches its rows in batches, stopping at the row or
 * byte cap, so a huge result never lands in memory whole (one batch at most, sized from the rows
 * seen so far). The statement is one Parse message: PostgreSQL refuses more than one command in it.
 */
export async function readRows(exchange: Exchange, text: string, values: readonly unknown[], limits: RowLimits): Promise<RowsRead> {
  const rows: unknown[][] = [];
  let bytes = 0;
  let truncated: RowsRead['truncated'];
  let batch = Math.min(FIRST_BATCH, limits.maxRows + 1);
  let step = await exchange.statement(text, values, batch);
  const fields = step.fields;
  for (;;) {
    for (const row of step.rows) {
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
    if (truncated || !step.suspended) break;
    const perRow = Math.max(1, bytes / Math.max(1, rows.length));
    const room = Math.floor((limits.maxBytes - bytes) / perRow) + 1;
    batch = Math.max(1, Math.min(LARGEST_BATCH, limits.maxRows - rows.length + 1, room));
    step = await exchange.more(batch);
  }
  return { fields, rows, truncated };
}
