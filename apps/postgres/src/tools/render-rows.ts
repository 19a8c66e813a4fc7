import type { RenderedText } from '@bastion-mcp/core';
import type { RowsResult } from './rows-output.js';


const REASONS: Record<string, string> = {
  max_rows: 'the row cap was reached',
  max_bytes: 'the response size budget was reached',
};

/**
 * Rows as text: the server's note, then (fenced, since names and values come from the database) a
 * header of `name: type` and one JSON array per row, which keeps every value unambiguous (NULL,
 * numbers as text, nested JSON) and costs little.
 */
export function renderRows(result: RowsResult): RenderedText {
  const more = result.truncated
    ? `; more rows exist (${REASONS[result.truncatedReason ?? ''] ?? 'cut'}): narrow the query with WHERE, or page with ORDER BY and LIMIT/OFFSET or a keyset condition`
    : '';
  return {
    note: `${result.rowCount} row${result.rowCount === 1 ? '' : 's'} of ${result.columns.length} column${result.columns.length === 1 ? '' : 's'} from database "${result.database}"${more}. First line: column names and types; then one JSON array per row.`,
    data: [JSON.stringify(result.columns.map((column) => `${column.name}: ${column.type}`)), ...result.rows.map((row) => JSON.stringify(row))].join('\n'),
  };
}
