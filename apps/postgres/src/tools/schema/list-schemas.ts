import { readOnly } from '@bastion-mcp/core';
import type { RenderedText } from '@bastion-mcp/core';
import { cursorSchema, limitSchema, pageInfo, untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import { databaseFor, defineTool } from '../../context.js';
import { databaseArg } from '../database-arg.js';
import { flagKey, flagMarker } from '../flag-key.js';
import { pageKey, pageOf, pageOffset } from '../paging.js';
import { oneLine, sqlName, userSchemaSql } from '../schema-arg.js';

const TOOL = 'list_schemas';
const NO_USAGE = flagMarker('no USAGE');
const COMMENT_MAX_LENGTH = 500;

const LIST_SQL = `
with page as (
  select n.oid, n.nspname, n.nspowner
  from pg_catalog.pg_namespace n
  where $1::boolean or ${userSchemaSql('n.nspname')}
  order by n.nspname
  limit $2 offset $3
)
select p.nspname as name,
       pg_catalog.pg_get_userbyid(p.nspowner) as owner,
       d.description as comment,
       r.tables, r.partitions, r.views, r.materialized_views, r.sequences, r.foreign_tables,
       (select count(*) from pg_catalog.pg_proc f where f.pronamespace = p.oid)::int as functions,
       pg_catalog.has_schema_privilege(p.oid, 'USAGE') as usable
from page p
left join pg_catalog.pg_description d
  on d.objoid = p.oid and d.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass and d.objsubid = 0
cross join lateral (
  select count(*) filter (where c.relkind in ('r', 'p') and not c.relispartition)::int as tables,
         count(*) filter (where c.relkind in ('r', 'p') and c.relispartition)::int as partitions,
         count(*) filter (where c.relkind = 'v')::int as views,
         count(*) filter (where c.relkind = 'm')::int as materialized_views,
         count(*) filter (where c.relkind = 'S')::int as sequences,
         count(*) filter (where c.relkind = 'f')::int as foreign_tables
  from pg_catalog.pg_class c
  where c.relnamespace = p.oid
) r
order by p.nspname`;

interface SchemaRow {
  name: string;
  owner: string;
  comment: string | null;
  tables: number;
  partitions: number;
  views: number;
  materialized_views: number;
  sequences: number;
  foreign_tables: number;
  functions: number;
  usable: boolean;
}

const count = (what: string) => z.number().int().describe(`How many ${what} it holds`);

const schemaEntry = z.object({
  name: untrustedText({ description: 'Schema name; pass it as `schema` to list_objects, search_schema or list_relationships.' }),
  owner: untrustedText({ description: 'Role that owns it.' }),
  comment: untrustedText({ description: 'COMMENT ON SCHEMA, cut at 500 characters.', maxLength: COMMENT_MAX_LENGTH }).optional(),
  tables: count('tables (partitioned tables included, their partitions not)'),
  partitions: count('partitions of partitioned tables'),
  views: count('views'),
  materializedViews: count('materialized views'),
  sequences: count('sequences (identity and serial ones included)'),
  foreignTables: count('foreign tables'),
  functions: count('functions, procedures and aggregates'),
  usable: z.boolean().describe("Whether this server's role has USAGE on it; without it none of its objects can be read"),
});

export const listSchemas = defineTool({
  name: TOOL,
  toolset: 'schema',
  title: 'List the schemas of a database',
  description:
    'List the schemas of a database with their owner, comment, how many tables, views, materialized views, sequences, foreign tables and functions each holds, ' +
    "and whether this server's role may use it (USAGE; without it nothing in the schema can be read). Start here to see how a database is organised, " +
    'then list_objects for what one schema holds or search_schema to find a name. System schemas (pg_catalog, information_schema, pg_toast, pg_temp) ' +
    'are left out unless `include_system` is true. Ordered by name; paged: pass `nextCursor` as `cursor` for more.',
  scopes: ['postgres:schema'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({
    include_system: z.boolean().default(false).describe("Also list PostgreSQL's own schemas (pg_catalog, information_schema, pg_toast*, pg_temp*)"),
    cursor: cursorSchema.optional(),
    limit: limitSchema({ default: 100, max: 500 }),
    database: databaseArg,
  }),
  output: z.object({
    database: z.string().describe('The database that answered'),
    schemas: z.array(schemaEntry),
    ...pageInfo,
  }),
  list: 'schemas',
  text: renderSchemas,
  async handler(args, ctx) {
    const database = databaseFor(ctx, args.database);
    const key = pageKey(TOOL, { database: database.name, includeSystem: args.include_system });
    const offset = pageOffset(args.cursor, key, TOOL);
    const rows = await database.read(ctx.signal, (session) => session.query<SchemaRow>(LIST_SQL, [args.include_system, args.limit + 1, offset]));
    const { items, ...more } = pageOf(rows, offset, args.limit, key);
    return {
      database: database.name,
      schemas: items.map((row) => ({
        name: row.name,
        owner: row.owner,
        ...(row.comment === null ? {} : { comment: row.comment }),
        tables: row.tables,
        partitions: row.partitions,
        views: row.views,
        materializedViews: row.materialized_views,
        sequences: row.sequences,
        foreignTables: row.foreign_tables,
        functions: row.functions,
        usable: row.usable,
      })),
      ...more,
    };
  },
});

type ListSchemasResult = { database: string; schemas: z.output<typeof schemaEntry>[]; truncated?: boolean | undefined };

function renderSchemas(result: ListSchemasResult): RenderedText {
  const lines = result.schemas.map((schema) => {
    const counts = [
      plural(schema.tables, 'table'),
      schema.partitions > 0 ? plural(schema.partitions, 'partition') : '',
      plural(schema.views, 'view'),
      plural(schema.materializedViews, 'matview'),
      plural(schema.sequences, 'sequence'),
      schema.foreignTables > 0 ? plural(schema.foreignTables, 'foreign table') : '',
      plural(schema.functions, 'function'),
    ].filter(Boolean);
    const access = schema.usable ? '' : ` ${NO_USAGE}`;
    const comment = schema.comment === undefined ? '' : `  -- ${oneLine(schema.comment)}`;
    return `${sqlName(schema.name)}${access}  owner ${schema.owner}: ${counts.join(', ')}${comment}`;
  });
  const more = result.truncated ? '; more follow: pass nextCursor as cursor' : '';
  const key = flagKey([
    {
      marker: NO_USAGE,
      meaning: "a schema this server's role has no USAGE on, so it can read nothing in it",
      count: result.schemas.filter((schema) => !schema.usable).length,
    },
  ]);
  return {
    note:
      `${result.schemas.length} schema${result.schemas.length === 1 ? '' : 's'} of database "${result.database}"${more}. ` +
      `One per line: name, owner, what it holds, comment.${key}`,
    data: lines.join('\n'),
  };
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
