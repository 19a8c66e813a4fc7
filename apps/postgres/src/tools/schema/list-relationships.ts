import { readOnly } from '@bastion-mcp/core';
import type { RenderedText } from '@bastion-mcp/core';
import { cursorSchema, limitSchema, pageInfo, untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import { databaseFor, defineTool } from '../../context.js';
import { databaseArg } from '../database-arg.js';
import { pageKey, pageOf, pageOffset } from '../paging.js';
import { resolveRelation } from '../relation-arg.js';
import { resolveSchema, sqlName, userSchemaSql } from '../schema-arg.js';

const TOOL = 'list_relationships';

const ACTIONS = ['no action', 'restrict', 'cascade', 'set null', 'set default'] as const;
const ACTION_BY_CODE: Record<string, (typeof ACTIONS)[number]> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };
const DIRECTIONS = ['outgoing', 'incoming', 'self'] as const;

// Constraints cloned onto partitions (conparentid <> 0) are left out, so each foreign key is listed
// once, on the tables it was declared between; except for a \`table\` that is itself a partition,
// whose keys are those clones. Columns keep the order of the key.
const EDGES_SQL = `
select con.conname as name,
       fn.nspname as from_schema, fc.relname as from_table,
       (select array_agg(a.attname::text order by k.ord)
        from unnest(con.conkey) with ordinality as k(attnum, ord)
        join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum) as from_columns,
       tn.nspname as to_schema, tc.relname as to_table,
       (select array_agg(a.attname::text order by k.ord)
        from unnest(con.confkey) with ordinality as k(attnum, ord)
        join pg_catalog.pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum) as to_columns,
       con.confupdtype::text as on_update, con.confdeltype::text as on_delete,
       con.condeferrable as deferrable, con.condeferred as initially_deferred, con.convalidated as validated,
       con.conrelid::int8 as from_oid, con.confrelid::int8 as to_oid
from pg_catalog.pg_constraint con
join pg_catalog.pg_class fc on fc.oid = con.conrelid
join pg_catalog.pg_namespace fn on fn.oid = fc.relnamespace
join pg_catalog.pg_class tc on tc.oid = con.confrelid
join pg_catalog.pg_namespace tn on tn.oid = tc.relnamespace
where con.contype = 'f'
  and (con.conparentid = 0 or exists (select 1 from pg_catalog.pg_class p
                                      where p.oid = $1::oid and p.relispartition and p.oid in (con.conrelid, con.confrelid)))
  and case when $1::oid is not null then $1::oid in (con.conrelid, con.confrelid)
           when $2::text is not null then $2::text in (fn.nspname, tn.nspname)
           else ${userSchemaSql('fn.nspname')} or ${userSchemaSql('tn.nspname')} end
order by fn.nspname, fc.relname, con.conname, con.oid
limit $3 offset $4`;

interface EdgeRow {
  name: string;
  from_schema: string;
  from_table: string;
  from_columns: string[];
  to_schema: string;
  to_table: string;
  to_columns: string[];
  on_update: string;
  on_delete: string;
  deferrable: boolean;
  initially_deferred: boolean;
  validated: boolean;
  from_oid: number;
  to_oid: number;
}

const endpoint = (which: string) =>
  z.object({
    schema: untrustedText({ description: `Schema of the ${which} table.` }),
    table: untrustedText({ description: `The ${which} table.` }),
    columns: z.array(untrustedText({ description: 'Key columns, in key order.' })).describe(`Its key columns, in order; the n-th references the n-th of the other side`),
  });

const edgeEntry = z.object({
  constraint: untrustedText({ description: 'The foreign key constraint name.' }),
  from: endpoint('referencing').describe('The table holding the foreign key'),
  to: endpoint('referenced').describe('The table it points to (a primary key or unique key)'),
  onUpdate: z.enum(ACTIONS).describe('What an update of the referenced key does to referencing rows'),
  onDelete: z.enum(ACTIONS).describe('What deleting a referenced row does to referencing rows'),
  deferrable: z.boolean().describe('Whether the check can be deferred to commit'),
  initiallyDeferred: z.boolean().describe('Whether it is deferred by default'),
  validated: z.boolean().describe('False for a NOT VALID key: existing rows were never checked, so joins may find orphans'),
  direction: z
    .enum(DIRECTIONS)
    .optional()
    .describe('With `table`: outgoing when the table references another, incoming when another references it, self when it references itself'),
});

type Edge = z.output<typeof edgeEntry>;

export const listRelationships = defineTool({
  name: TOOL,
  toolset: 'schema',
  title: 'List the foreign keys between tables',
  description:
    'List the foreign-key graph: each edge is a constraint from schema.table(columns) to schema.table(columns) with its ON UPDATE / ON DELETE actions, ' +
    'whether it is deferrable and whether it was validated. Use it to learn how to join tables. With `table`, the edges of that table in both directions ' +
    '(each says outgoing, incoming or self); with `schema` alone, every edge with either end in that schema; with neither, every edge between user schemas. ' +
    'A foreign key of a partitioned table is listed once, on the partitioned table (a partition passed as `table` shows its own copies). Ordered by referencing schema, table, constraint; paged: pass `nextCursor` as `cursor`.',
  scopes: ['postgres:schema'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({
    table: z
      .string()
      .min(1)
      .max(300)
      .optional()
      .describe('Only edges from or to this table: `name` or `schema.name`; double-quote a part that holds dots or capitals, e.g. `"Sales"."Orders"`'),
    schema: z
      .string()
      .min(1)
      .max(130)
      .optional()
      .describe("Without `table`: only edges with either end in this schema. With `table`: the table's schema, when its name exists in several"),
    cursor: cursorSchema.optional(),
    limit: limitSchema({ default: 100, max: 500 }),
    database: databaseArg,
  }),
  output: z.object({
    database: z.string().describe('The database that answered'),
    table: z
      .object({ schema: untrustedText({ description: 'Its schema.' }), name: untrustedText({ description: 'Its name.' }) })
      .optional()
      .describe('The table whose edges these are, when `table` was given'),
    schema: untrustedText({ description: 'The schema whose edges these are, when only `schema` was given.' }).optional(),
    relationships: z.array(edgeEntry),
    ...pageInfo,
  }),
  list: 'relationships',
  text: renderEdges,
  async handler(args, ctx) {
    const database = databaseFor(ctx, args.database);
    return database.read(ctx.signal, async (session) => {
      const relation =
        args.table === undefined ? undefined : await resolveRelation(session, { table: args.table, schema: args.schema }, { kinds: ['table', 'partitioned table'] });
      const schema = relation === undefined && args.schema !== undefined ? await resolveSchema(session, args.schema, database.name) : undefined;
      const key = pageKey(TOOL, { database: database.name, table: relation?.oid, schema });
      const offset = pageOffset(args.cursor, key, TOOL);
      const rows = await session.query<EdgeRow>(EDGES_SQL, [relation?.oid ?? null, schema ?? null, args.limit + 1, offset]);
      const { items, ...more } = pageOf(rows, offset, args.limit, key);
      return {
        database: database.name,
        ...(relation === undefined ? {} : { table: { schema: relation.schema, name: relation.name } }),
        ...(schema === undefined ? {} : { schema }),
        relationships: items.map((row) => toEdge(row, relation?.oid)),
        ...more,
      };
    });
  },
});

function toEdge(row: EdgeRow, tableOid: number | undefined): Edge {
  const edge: Edge = {
    constraint: row.name,
    from: { schema: row.from_schema, table: row.from_table, columns: row.from_columns },
    to: { schema: row.to_schema, table: row.to_table, columns: row.to_columns },
    // An unknown code fails the output schema, which reports it as a server bug.
    onUpdate: ACTION_BY_CODE[row.on_update]!,
    onDelete: ACTION_BY_CODE[row.on_delete]!,
    deferrable: row.deferrable,
    initiallyDeferred: row.initially_deferred,
    validated: row.validated,
  };
  if (tableOid !== undefined) {
    edge.direction = row.from_oid === row.to_oid ? 'self' : row.from_oid === tableOid ? 'outgoing' : 'incoming';
  }
  return edge;
}

const side = (end: Edge['from']) => `${sqlName(end.schema)}.${sqlName(end.table)}(${end.columns.map(sqlName).join(', ')})`;

function describeEdge(edge: Edge): string {
  const details = [
    edge.onUpdate === 'no action' ? '' : `on update ${edge.onUpdate}`,
    edge.onDelete === 'no action' ? '' : `on delete ${edge.onDelete}`,
    edge.deferrable ? (edge.initiallyDeferred ? 'deferrable initially deferred' : 'deferrable') : '',
    edge.validated ? '' : 'NOT VALID',
  ].filter(Boolean);
  const direction = edge.direction === undefined ? '' : `${edge.direction}  `;
  return `${direction}${side(edge.from)} -> ${side(edge.to)}  ${sqlName(edge.constraint)}${details.length > 0 ? `  ${details.join(', ')}` : ''}`;
}

function renderEdges(result: { database: string; relationships: Edge[]; truncated?: boolean | undefined }): RenderedText {
  const more = result.truncated ? '; more follow: pass nextCursor as cursor' : '';
  return {
    note:
      `${result.relationships.length} foreign key${result.relationships.length === 1 ? '' : 's'} in database "${result.database}"${more}. ` +
      'Each line: referencing table(columns) -> referenced table(columns), constraint name, actions other than no action.',
    data: result.relationships.map(describeEdge).join('\n'),
  };
}
