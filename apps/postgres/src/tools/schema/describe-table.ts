import { readOnly } from '@bastion-mcp/core';
import { z } from 'zod';
import { databaseFor, defineTool } from '../../context.js';
import { databaseArg } from '../database-arg.js';
import { relationArgs, resolveRelation } from '../relation-arg.js';
import { renderTableDescription } from './describe/render.js';
import { MAX_LISTED, tableDescriptionOutput } from './describe/schema.js';

export const describeTable = defineTool({
  name: 'describe_table',
  toolset: 'schema',
  title: 'Describe a table or view',
  description:
    'Everything about one table, view, materialized view or foreign table: columns in order (type, NOT NULL, default, identity, generated, comment), ' +
    'constraints (primary key, unique, foreign keys with targets, check, exclusion; NOT VALID flagged), foreign keys pointing to it, indexes (definition, validity, size, scans), ' +
    "triggers, row estimate, sizes, last vacuum/analyze, row-level security, partitioning, a view's definition, and whether this server may SELECT it. " +
    'Use it before querying a table; find names with search_schema or list_objects; for value distributions use get_column_stats. ' +
    `Lists are capped at ${MAX_LISTED} each (\`omitted\` counts the rest). Also readable as the resource postgres://<database>/<schema>.<table>.`,
  scopes: ['postgres:schema'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({
    ...relationArgs,
    database: databaseArg,
  }),
  output: tableDescriptionOutput,
  text: renderTableDescription,
  handler(args, ctx) {
    const database = databaseFor(ctx, args.database);
    return database.read(ctx.signal, async (session) => {
      const relation = await resolveRelation(session, args);
      const { describeRelation } = await import('./table-description.js');
      return describeRelation(session, database.name, relation);
    });
  },
});
