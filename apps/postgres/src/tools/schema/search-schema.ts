import { readOnly } from '@bastion-mcp/core';
import type { RenderedText } from '@bastion-mcp/core';
import { cursorSchema, limitSchema, pageInfo, untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import { databaseFor, defineTool } from '../../context.js';
import { databaseArg } from '../database-arg.js';
import { pageKey, pageOf, pageOffset } from '../paging.js';
import { oneLine, resolveSchema, schemaArg, sqlName, userSchemaSql } from '../schema-arg.js';

const TOOL = 'search_schema';
const COMMENT_MAX_LENGTH = 300;
/** PostgreSQL truncates identifiers to 63 bytes, so a longer fragment can match nothing. */
const MAX_QUERY_LENGTH = 63;

const HIT_KINDS = ['table', 'view', 'materialized_view', 'foreign_table', 'column', 'function'] as const;
type HitKind = (typeof HIT_KINDS)[number];
const RELATION_KINDS = ['table', 'view', 'materialized_view', 'foreign_table'] as const;
const MATCHES = ['exact', 'prefix', 'substring'] as const;

const RELATION_TYPE = `case when c.relkind in ('r', 'p') then 'table' when c.relkind = 'v' then 'view'
                            when c.relkind = 'm' then 'materialized_view' else 'foreign_table' end`;
const inSchemaSql = (column: string) => `case when $2::text is null then ${userSchemaSql(column)} else ${column} = $2::text end`;

// One catalog query for the whole search: matching and ranking over the catalog rows, then the
// page, and only for the page the comments and type names. Partitions are found by name but their
// columns are not listed (they repeat the partitioned table's).
const SEARCH_SQL = `
with hits as (
  select ${RELATION_TYPE} as kind, 0 as kind_order, n.nspname as schema, c.relname as name, null::name as table_name, null::text as table_type,
         c.oid, 0 as subid, 'pg_catalog.pg_class'::pg_catalog.regclass::oid as catalog, null::oid as type_oid, null::int as type_mod
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p', 'v', 'm', 'f') and strpos(lower(c.relname), lower($1::text)) > 0 and ${inSchemaSql('n.nspname')}
  union all
  select 'column', 1, n.nspname, a.attname, c.relname, ${RELATION_TYPE},
         c.oid, a.attnum, 'pg_catalog.pg_class'::pg_catalog.regclass::oid, a.atttypid, a.atttypmod
  from pg_catalog.pg_attribute a
  join pg_catalog.pg_class c on c.oid = a.attrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p', 'v', 'm', 'f') and not c.relispartition
    and strpos(lower(a.attname), lower($1::text)) > 0 and ${inSchemaSql('n.nspname')}
  union all
  select 'function', 2, n.nspname, p.proname, null, null,
         p.oid, 0, 'pg_catalog.pg_proc'::pg_catalog.regclass::oid, null, null
  from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  where $3::boolean and strpos(lower(p.proname), lower($1::text)) > 0 and ${inSchemaSql('n.nspname')}
),
ranked as (
  select h.*,
         case when lower(h.name) = lower($1::text) then 0 when strpos(lower(h.name), lower($1::text)) = 1 then 1 else 2 end as rank,
         count(*) over () as total
  from hits h
),
page as (
  select * from ranked r
  order by r.rank, r.name, r.schema, r.table_name nulls first, r.kind_order, r.oid, r.subid
  limit $4 offset $5
)
select p.kind, p.schema, p.name, p.table_name, p.table_type, p.rank, p.total::float8 as total,
       case when p.type_oid is not null then pg_catalog.format_type(p.type_oid, p.type_mod) end as data_type,
       case when p.kind = 'function' then pg_catalog.pg_get_function_identity_arguments(p.oid) end as arguments,
       d.description as comment
from page p
left join pg_catalog.pg_description d on d.objoid = p.oid and d.classoid = p.catalog and d.objsubid = p.subid
order by p.rank, p.name, p.schema, p.table_name nulls first, p.kind_order, p.oid, p.subid`;

interface HitRow {
  kind: HitKind;
  schema: string;
  name: string;
  table_name: string | null;
  table_type: (typeof RELATION_KINDS)[number] | null;
  rank: 0 | 1 | 2;
  total: number;
  data_type: string | null;
  arguments: string | null;
  comment: string | null;
}

const hitEntry = z.object({
  kind: z.enum(HIT_KINDS).describe('What matched: a relation (partitioned tables are tables), a column of one, or a function'),
  schema: untrustedText({ description: 'Its schema.' }),
  name: untrustedText({ description: 'The matching name: of the relation, the column or the function.' }),
  table: untrustedText({ description: 'Column hits: the table, view or materialized view that has the column.' }).optional(),
  tableType: z.enum(RELATION_KINDS).optional().describe('Column hits: what `table` is'),
  dataType: untrustedText({ description: 'Column hits: the column type, e.g. `numeric(10,2)`.' }).optional(),
  arguments: untrustedText({ description: 'Function hits: identity arguments (several functions may share a name).', maxLength: 1000 }).optional(),
  comment: untrustedText({ description: 'Its COMMENT, cut at 300 characters.', maxLength: COMMENT_MAX_LENGTH }).optional(),
  match: z.enum(MATCHES).describe('How the name matched: equal to the query, starting with it, or containing it (case-insensitive)'),
});

type Hit = z.output<typeof hitEntry>;

export const searchSchema = defineTool({
  name: TOOL,
  toolset: 'schema',
  title: 'Search tables and columns by name',
  description:
    'Find tables, views, materialized views, foreign tables and columns (and, with `include_functions`, functions) whose name contains `query`, case-insensitively, ' +
    'across every user schema or in one `schema`. Use it to locate where something is stored (e.g. `email`, `customer`) before writing SQL. ' +
    'Hits come ranked: exact name first, then names starting with the query, then names containing it; each by name. A column hit names its table and type. ' +
    'Partitions match by name but their columns are not repeated. `total` counts every hit; paged: pass `nextCursor` as `cursor` for more. ' +
    "For everything in one schema use list_objects; for a table's full definition use describe_table.",
  scopes: ['postgres:schema'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({
    query: z
      .string()
      .trim()
      .min(1, { error: 'is empty: pass part of a name to look for, e.g. `customer`' })
      .max(MAX_QUERY_LENGTH, { error: `is longer than ${MAX_QUERY_LENGTH} characters, the longest a PostgreSQL name can be: pass a shorter part of the name` })
      .describe('Text the names must contain, case-insensitive; matched literally (`_` and `%` are plain characters)'),
    schema: schemaArg,
    include_functions: z.boolean().default(false).describe('Also search function, procedure and aggregate names'),
    cursor: cursorSchema.optional(),
    limit: limitSchema({ default: 50, max: 200 }),
    database: databaseArg,
  }),
  output: z.object({
    database: z.string().describe('The database that answered'),
    query: untrustedText({ description: 'The text searched for, trimmed.' }),
    schema: untrustedText({ description: 'The schema searched; absent when every user schema was.' }).optional(),
    total: z.number().int().describe('How many hits there are in all, over every page'),
    hits: z.array(hitEntry),
    ...pageInfo,
  }),
  list: 'hits',
  text: renderHits,
  async handler(args, ctx) {
    const database = databaseFor(ctx, args.database);
    return database.read(ctx.signal, async (session) => {
      const schema = args.schema === undefined ? undefined : await resolveSchema(session, args.schema, database.name);
      const key = pageKey(TOOL, { database: database.name, query: args.query, schema, functions: args.include_functions });
      const offset = pageOffset(args.cursor, key, TOOL);
      const rows = await session.query<HitRow>(SEARCH_SQL, [args.query, schema ?? null, args.include_functions, args.limit + 1, offset]);
      const { items, ...more } = pageOf(rows, offset, args.limit, key);
      return {
        database: database.name,
        query: args.query,
        ...(schema === undefined ? {} : { schema }),
        total: rows[0]?.total ?? 0,
        hits: items.map(toHit),
        ...more,
      };
    });
  },
});

function toHit(row: HitRow): Hit {
  return {
    kind: row.kind,
    schema: row.schema,
    name: row.name,
    ...(row.table_name === null ? {} : { table: row.table_name }),
    ...(row.table_type === null ? {} : { tableType: row.table_type }),
    ...(row.data_type === null ? {} : { dataType: row.data_type }),
    ...(row.arguments === null ? {} : { arguments: row.arguments }),
    ...(row.comment === null ? {} : { comment: row.comment }),
    match: MATCHES[row.rank],
  };
}

function describeHit(hit: Hit): string {
  const where = `${sqlName(hit.schema)}.${hit.table === undefined ? '' : `${sqlName(hit.table)}.`}${sqlName(hit.name)}`;
  const detail = hit.kind === 'column' ? `  ${hit.dataType ?? ''}${hit.tableType === 'table' ? '' : ` (column of a ${hit.tableType?.replace('_', ' ')})`}` : '';
  const call = hit.kind === 'function' ? `(${hit.arguments ?? ''})` : '';
  const comment = hit.comment === undefined ? '' : `  -- ${oneLine(hit.comment)}`;
  return `${hit.kind.replace('_', ' ')}  ${where}${call}${detail}${comment}`;
}

function renderHits(result: { database: string; query: string; total: number; hits: Hit[]; truncated?: boolean | undefined }): RenderedText {
  const more = result.truncated ? '; more follow: pass nextCursor as cursor' : '';
  const ranked = result.hits.length > 0 ? ' Ranked: exact name, then prefix, then substring.' : ' Try a shorter fragment, another schema, or include_functions.';
  return {
    note: `${result.hits.length} of ${result.total} hit${result.total === 1 ? '' : 's'} in database "${result.database}"${more}.${ranked}`,
    data: result.hits.map(describeHit).join('\n'),
  };
}
