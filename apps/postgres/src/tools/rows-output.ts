import { untrustedJson, untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';

/** The result of every tool that returns rows of a query. */
export const rowsOutput = z.object({
  database: z.string().describe('The database that answered'),
  columns: z.array(
    z.object({
      name: untrustedText({ description: 'Column name as the query labels it.' }),
      type: z.string().describe('PostgreSQL type'),
    }),
  ),
  rows: untrustedJson(z.array(z.array(z.unknown())), { description: 'One array per row, values in column order.' }),
  rowCount: z.number().int().describe('Rows returned'),
  truncated: z.boolean().describe('True when the result had more rows than returned'),
  truncatedReason: z.enum(['max_rows', 'max_bytes']).optional().describe('Which cap cut the result'),
});

export type RowsResult = z.output<typeof rowsOutput>;
