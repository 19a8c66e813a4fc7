import type { Exchange, Field, RowSink } from './exchange.js';

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

/**
 * The most rows fetched in the one round trip that also ends the call (the default cap of 100
 * plus the one that tells whether rows were cut). A larger cap is read in batches instead, so
 * that a result of large rows is not sent whole only to be dropped after the byte budget.
 */
export const ONE_FETCH_MAX_ROWS = 101;
const FIRST_BATCH = 50;
const LARGEST_BATCH = 1000;

/**
 * Runs one statement through a portal and keeps its rows up to the row and byte caps, checked
 * row by row as they arrive: rows past a cap are dropped unread, so a huge result never lands in
 * memory. When `end` is given and `maxRows + 1` rows fit one fetch, the statement travels with
 * the closing commands (one round trip). Otherwise rows come in batches, sized from the rows seen
 * so far, through the open portal. The statement is one Parse message: PostgreSQL refuses more
 * than one command in it.
 */
export async function readRows(
  exchange: Exchange,
  text: string,
  values: readonly unknown[],
  limits: RowLimits,
  end?: readonly string[],
): Promise<RowsRead> {
  const rows: unknown[][] = [];
  let bytes = 0;
  let truncated: RowsRead['truncated'];
  const take: RowSink = (row) => {
    if (rows.length === limits.maxRows) {
      truncated = 'max_rows';
      return false;
    }
    const size = JSON.stringify(row).length + 1;
    if (bytes + size > limits.maxBytes && rows.length > 0) {
      truncated = 'max_bytes';
      return false;
    }
    bytes += size;
    rows.push(row);
    return true;
  };
  const oneFetch = end !== undefined && limits.maxRows + 1 <= ONE_FETCH_MAX_ROWS;
  let step = await exchange.statement(text, values, oneFetch ? { maxRows: limits.maxRows + 1, sink: take, end } : { maxRows: Math.min(FIRST_BATCH, limits.maxRows + 1), sink: take });
  const fields = step.fields;
  while (!truncated && step.suspended) {
    const perRow = Math.max(1, bytes / Math.max(1, rows.length));
    const room = Math.floor((limits.maxBytes - bytes) / perRow) + 1;
    step = await exchange.more(Math.max(1, Math.min(LARGEST_BATCH, limits.maxRows - rows.length + 1, room)), take);
  }
  return { fields, rows, truncated };
}
