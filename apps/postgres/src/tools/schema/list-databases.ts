import { readOnly } from '@bastion-mcp/core';
import { z } from 'zod';
import { defineTool } from '../../context.js';

export const listDatabases = defineTool({
  name: 'list_databases',
  toolset: 'schema',
  title: 'List the databases',
  description:
    'List the databases this server can query, with what each holds, its row cap and statement timeout. Pass a name as `database` to any other tool; ' +
    'the one named "default" (or the only one) is used when `database` is omitted. Does not connect.',
  scopes: ['postgres:schema'],
  annotations: readOnly({ openWorld: false }),
  output: z.object({
    databases: z.array(
      z.object({
        name: z.string().describe('Pass as `database`'),
        description: z.string().optional().describe("The operator's description of its contents"),
        target: z.string().describe('Database and host it connects to (no credentials)'),
        maxRows: z.number().int().describe('Most rows one query returns'),
        statementTimeoutMs: z.number().int().describe('Longest a query may run'),
      }),
    ),
  }),
  handler(_args, ctx) {
    return {
      databases: ctx.databases.list().map((database) => ({
        name: database.name,
        ...(database.description === undefined ? {} : { description: database.description }),
        target: database.target,
        maxRows: database.limits.maxRows,
        statementTimeoutMs: database.limits.statementTimeoutMs,
      })),
    };
  },
});
