import { readOnly } from '@bastion-mcp/core';
import type { RenderedText } from '@bastion-mcp/core';
import { cursorSchema, limitSchema, pageInfo, untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import { databaseFor, defineTool } from '../../context.js';
import { databaseArg } from '../database-arg.js';
import { flagKey, flagMarker } from '../flag-key.js';
import { pageKey, pageOf, pageOffset } from '../paging.js';
import { oneLine, resolveSchema, schemaArg, sqlName, userSchemaSql } from '../schema-arg.js';

const TOOL = 'list_objects';
const COMMENT_MAX_LENGTH = 500;

const OBJECT_TYPES = ['table', 'view', 'materialized_view', 'foreign_table', 'sequence', 'function', 'extension'] as const;
type ObjectType = (typeof OBJECT_TYPES)[number];
/** What an agent exploring a database queries: the relations it can SELECT from. */
const DEFAULT_TYPES: readonly ObjectType[] = ['table', 'view', 'materialized_view', 'foreign_table'];

const FUNCTION_KINDS: Record<string, 'function' | 'procedure' | 'aggregate' | 'window'> = { f: 'function', p: 'procedure', a: 'aggregate', w: 'window' };
const VOLATILITIES: Record<string, 'immutable' | 'stable' | 'volatile'> = { i: 'immutable', s: 'stable', v: 'volatile' };

// Pages over the cheap catalog rows first; sizes, estimates and sequence values only for the page.
// Before PostgreSQL 14, reltuples is 0 (not -1) for a table never vacuumed or analyzed.
const LIST_SQL = `
with objects as (
  select n.nspname as schema, c.relname as name,
         case when c.relkind in ('r', 'p') then 'table' when c.relkind = 'v' then 'view' when c.relkind = 'm' then 'materialized_view'
              when c.relkind = 'S' then 'sequence' else 'foreign_table' end as type,
         c.oid, 'pg_catalog.pg_class'::pg_catalog.regclass::oid as catalog, n.oid as namespace
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') and ($4::boolean or not c.relispartition)
  union all
  select n.nspname, p.proname, 'function', p.oid, 'pg_catalog.pg_proc'::pg_catalog.regclass::oid, n.oid
  from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  union all
  select n.nspname, e.extname, 'extension', e.oid, 'pg_catalog.pg_extension'::pg_catalog.regclass::oid, n.oid
  from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace
),
page as (
  select o.* from objects o
  where o.type = any($1::text[])
    and case when $2::text is null then ${userSchemaSql('o.schema')} else o.schema = $2::text end
    and ($3::text is null or strpos(lower(o.name), lower($3::text)) > 0)
  order by o.schema, o.name, o.type, o.oid
  limit $5 offset $6
)
select o.schema, o.name, o.type, d.description as comment,
       (select e.extname from pg_catalog.pg_depend dep join pg_catalog.pg_extension e on e.oid = dep.refobjid
        where dep.classid = o.catalog and dep.objid = o.oid and dep.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass and dep.deptype = 'e'
        limit 1) as extension,
       c.relkind::text as relkind,
       case when c.relkind in ('r', 'm') then
              case when c.reltuples < 0 then null
                   when c.reltuples = 0 and c.relpages = 0 and pg_catalog.current_setting('server_version_num')::int < 140000
                        and not exists (select 1 from pg_catalog.pg_stat_all_tables st where st.relid = c.oid
                                        and coalesce(st.last_analyze, st.last_autoanalyze, st.last_vacuum, st.last_autovacuum) is not null) then null
                   else c.reltuples::float8 end
            when c.relkind = 'p' then
              (select sum(leaf.reltuples)::float8 from pg_catalog.pg_partition_tree(c.oid) t
               join pg_catalog.pg_class leaf on leaf.oid = t.relid where t.isleaf and leaf.reltuples >= 0)
       end as row_estimate,
       case when c.relkind in ('r', 'm') then pg_catalog.pg_total_relation_size(c.oid)::float8
            when c.relkind = 'p' then
              (select coalesce(sum(pg_catalog.pg_total_relation_size(t.relid)), 0)::float8 from pg_catalog.pg_partition_tree(c.oid) t where t.isleaf)
       end as total_bytes,
       (select pg_catalog.quote_ident(pn.nspname) || '.' || pg_catalog.quote_ident(pc.relname)
        from pg_catalog.pg_inherits i join pg_catalog.pg_class pc on pc.oid = i.inhparent join pg_catalog.pg_namespace pn on pn.oid = pc.relnamespace
        where c.relispartition and i.inhrelid = c.oid limit 1) as partition_of,
       fs.srvname as foreign_server,
       case when c.relkind = 'S' then pg_catalog.has_schema_privilege(o.namespace, 'USAGE') and pg_catalog.has_sequence_privilege(c.oid, 'SELECT')
            when c.oid is not null then pg_catalog.has_schema_privilege(o.namespace, 'USAGE') and pg_catalog.has_table_privilege(c.oid, 'SELECT')
       end as can_select,
       pg_catalog.format_type(s.seqtypid, null) as data_type,
       (select sq.last_value from pg_catalog.pg_sequences sq where s.seqrelid is not null and sq.schemaname = o.schema and sq.sequencename = o.name) as last_value,
       (select pg_catalog.quote_ident(tn.nspname) || '.' || pg_catalog.quote_ident(tc.relname) || '.' || pg_catalog.quote_ident(a.attname)
        from pg_catalog.pg_depend dep
        join pg_catalog.pg_class tc on tc.oid = dep.refobjid join pg_catalog.pg_namespace tn on tn.oid = tc.relnamespace
        join pg_catalog.pg_attribute a on a.attrelid = dep.refobjid and a.attnum = dep.refobjsubid
        where s.seqrelid is not null and dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and dep.objid = s.seqrelid
          and dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass and dep.deptype in ('a', 'i')
        limit 1) as owned_by,
       pg_catalog.pg_get_function_identity_arguments(f.oid) as arguments,
       pg_catalog.pg_get_function_result(f.oid) as result,
       f.prokind::text as prokind, f.provolatile::text as provolatile,
       case when f.oid is not null then pg_catalog.has_schema_privilege(o.namespace, 'USAGE') and pg_catalog.has_function_privilege(f.oid, 'EXECUTE') end as can_execute,
       x.extversion as version
from page o
left join pg_catalog.pg_description d on d.objoid = o.oid and d.classoid = o.catalog and d.objsubid = 0
left join pg_catalog.pg_class c on o.catalog = 'pg_catalog.pg_class'::pg_catalog.regclass and c.oid = o.oid
left join pg_catalog.pg_sequence s on s.seqrelid = c.oid
left join pg_catalog.pg_foreign_table ft on ft.ftrelid = c.oid
left join pg_catalog.pg_foreign_server fs on fs.oid = ft.ftserver
left join pg_catalog.pg_proc f on o.type = 'function' and f.oid = o.oid
left join pg_catalog.pg_extension x on o.type = 'extension' and x.oid = o.oid
order by o.schema, o.name, o.type, o.oid`;

interface ObjectRow {
  schema: string;
  name: string;
  type: ObjectType;
  comment: string | null;
  extension: string | null;
  relkind: string | null;
  row_estimate: number | null;
  total_bytes: number | null;
  partition_of: string | null;
  foreign_server: string | null;
  can_select: boolean | null;
  data_type: string | null;
  last_value: number | string | null;
  owned_by: string | null;
  arguments: string | null;
  result: string | null;
  prokind: string | null;
  provolatile: string | null;
  can_execute: boolean | null;
  version: string | null;
}

const objectEntry = z.object({
  schema: untrustedText({ description: 'Its schema.' }),
  name: untrustedText({ description: 'Its name (a function name without its arguments).' }),
  type: z.enum(OBJECT_TYPES).describe('What it is; partitioned tables are tables'),
  comment: untrustedText({ description: 'Its COMMENT, cut at 500 characters.', maxLength: COMMENT_MAX_LENGTH }).optional(),
  extension: untrustedText({ description: 'The extension it belongs to: created by CREATE EXTENSION, not application data.' }).optional(),
  rowEstimate: z
    .number()
    .nullable()
    .optional()
    .describe("Tables and materialized views: the planner's row estimate (pg_class.reltuples, summed over partitions); null when never analyzed. An estimate, not a count"),
  totalBytes: z.number().optional().describe('Tables and materialized views: size on disk with indexes and TOAST (of all partitions, for a partitioned table)'),
  partitioned: z.literal(true).optional().describe('A partitioned table; its partitions are listed only with `include_partitions`'),
  partitionOf: untrustedText({ description: 'A partition: its parent table, as SQL writes it.' }).optional(),
  foreignServer: untrustedText({ description: 'A foreign table: the foreign server it reads from.' }).optional(),
  canSelect: z.boolean().optional().describe("Relations and sequences: whether this server's role may SELECT it (USAGE on the schema and SELECT on the object)"),
  arguments: untrustedText({ description: 'Functions: identity arguments, e.g. `quantity integer, unit_price numeric`.', maxLength: 1000 }).optional(),
  result: untrustedText({ description: 'Functions: the result type (absent for procedures).', maxLength: 1000 }).optional(),
  kind: z.enum(['function', 'procedure', 'aggregate', 'window']).optional().describe('Functions: which kind'),
  volatility: z.enum(['immutable', 'stable', 'volatile']).optional().describe('Functions: volatility'),
  canExecute: z.boolean().optional().describe("Functions: whether this server's role may EXECUTE it"),
  version: untrustedText({ description: 'Extensions: the installed version.' }).optional(),
  dataType: z.string().optional().describe('Sequences: smallint, integer or bigint'),
  lastValue: z
    .union([z.number(), z.string()])
    .nullable()
    .optional()
    .describe('Sequences: the last value handed out (text beyond 2^53); null when never used or when the role may not read it (see canSelect)'),
  ownedBy: untrustedText({ description: 'Sequences: the identity or serial column it feeds, as `schema.table.column`.' }).optional(),
});

type ObjectEntry = z.output<typeof objectEntry>;

export const listObjects = defineTool({
  name: TOOL,
  toolset: 'schema',
  title: 'List the objects of a schema',
  description:
    'List the objects of one schema (`schema`) or of every user schema: tables (partitioned ones included), views, materialized views and foreign tables by default; ' +
    'add `types` for sequences, functions (procedures, aggregates) and extensions. Each entry has its schema, name, type and comment; tables and materialized views ' +
    "their row estimate and total size; relations whether this server's role may SELECT them; functions their arguments, result type, kind and volatility; " +
    'sequences their type and last value; extensions their version. `name` keeps only names containing that text (case-insensitive). Ordered by schema, then name; ' +
    'paged: pass `nextCursor` as `cursor` for more. To find a table or column by name across schemas use search_schema; for one table\'s columns use describe_table.',
  scopes: ['postgres:schema'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({
    schema: schemaArg,
    types: z
      .array(z.enum(OBJECT_TYPES))
      .min(1)
      .max(OBJECT_TYPES.length)
      .optional()
      .describe('Which kinds of object; default table, view, materialized_view, foreign_table'),
    name: z.string().min(1).max(63).optional().describe('Only objects whose name contains this text, case-insensitive; `_` and `%` are plain characters here'),
    include_partitions: z.boolean().default(false).describe('Also list each partition of a partitioned table (by default only the partitioned table, whose estimate and size cover them all)'),
    cursor: cursorSchema.optional(),
    limit: limitSchema({ default: 50, max: 200 }),
    database: databaseArg,
  }),
  output: z.object({
    database: z.string().describe('The database that answered'),
    schema: untrustedText({ description: 'The schema listed; absent when every user schema was.' }).optional(),
    objects: z.array(objectEntry),
    ...pageInfo,
  }),
  list: 'objects',
  text: renderObjects,
  async handler(args, ctx) {
    const database = databaseFor(ctx, args.database);
    const types = OBJECT_TYPES.filter((type) => (args.types ?? DEFAULT_TYPES).includes(type));
    return database.read(ctx.signal, async (session) => {
      const schema = args.schema === undefined ? undefined : await resolveSchema(session, args.schema, database.name);
      const key = pageKey(TOOL, { database: database.name, schema, types, name: args.name, partitions: args.include_partitions });
      const offset = pageOffset(args.cursor, key, TOOL);
      const rows = await session.query<ObjectRow>(LIST_SQL, [types, schema ?? null, args.name ?? null, args.include_partitions, args.limit + 1, offset]);
      const { items, ...more } = pageOf(rows, offset, args.limit, key);
      return { database: database.name, ...(schema === undefined ? {} : { schema }), objects: items.map(toEntry), ...more };
    });
  },
});

function toEntry(row: ObjectRow): ObjectEntry {
  const entry: ObjectEntry = { schema: row.schema, name: row.name, type: row.type };
  if (row.comment !== null) entry.comment = row.comment;
  if (row.extension !== null) entry.extension = row.extension;
  if (row.relkind === 'r' || row.relkind === 'p' || row.relkind === 'm') {
    entry.rowEstimate = row.row_estimate;
    entry.totalBytes = row.total_bytes ?? 0;
  }
  if (row.relkind === 'p') entry.partitioned = true;
  if (row.partition_of !== null) entry.partitionOf = row.partition_of;
  if (row.foreign_server !== null) entry.foreignServer = row.foreign_server;
  if (row.can_select !== null) entry.canSelect = row.can_select;
  if (row.type === 'function') {
    entry.arguments = row.arguments ?? '';
    if (row.result !== null) entry.result = row.result;
    const kind = FUNCTION_KINDS[row.prokind ?? ''];
    if (kind) entry.kind = kind;
    const volatility = VOLATILITIES[row.provolatile ?? ''];
    if (volatility) entry.volatility = volatility;
    if (row.can_execute !== null) entry.canExecute = row.can_execute;
  }
  if (row.type === 'sequence') {
    if (row.data_type !== null) entry.dataType = row.data_type;
    entry.lastValue = row.last_value;
    if (row.owned_by !== null) entry.ownedBy = row.owned_by;
  }
  if (row.version !== null) entry.version = row.version;
  return entry;
}

function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

const NO_SELECT = flagMarker('no SELECT');
const NO_EXECUTE = flagMarker('no EXECUTE');

function describeEntry(entry: ObjectEntry): string {
  const name = `${sqlName(entry.schema)}.${sqlName(entry.name)}`;
  const parts: string[] = [];
  switch (entry.type) {
    case 'function':
      parts.push(`${entry.kind ?? 'function'}  ${name}(${entry.arguments ?? ''})${entry.result === undefined ? '' : ` -> ${entry.result}`}`);
      if (entry.volatility) parts.push(entry.volatility);
      if (entry.canExecute === false) parts.push(NO_EXECUTE);
      break;
    case 'sequence':
      parts.push(`sequence  ${name}`, entry.dataType ?? '');
      if (entry.lastValue !== undefined && entry.lastValue !== null) parts.push(`last ${entry.lastValue}`);
      if (entry.ownedBy) parts.push(`owned by ${entry.ownedBy}`);
      break;
    case 'extension':
      parts.push(`extension  ${sqlName(entry.name)} ${entry.version ?? ''} (objects in ${sqlName(entry.schema)})`);
      break;
    default:
      parts.push(`${entry.partitioned ? 'partitioned table' : entry.type.replace('_', ' ')}  ${name}`);
      if (entry.totalBytes !== undefined) {
        parts.push(entry.rowEstimate === null || entry.rowEstimate === undefined ? 'rows unknown (never analyzed)' : `~${entry.rowEstimate} rows`, formatBytes(entry.totalBytes));
      }
      if (entry.partitionOf) parts.push(`partition of ${entry.partitionOf}`);
      if (entry.foreignServer) parts.push(`server ${entry.foreignServer}`);
  }
  if (entry.canSelect === false) parts.push(NO_SELECT);
  if (entry.extension) parts.push(`from extension ${entry.extension}`);
  const comment = entry.comment === undefined ? '' : `  -- ${oneLine(entry.comment)}`;
  return `${parts.filter(Boolean).join('  ')}${comment}`;
}

function renderObjects(result: { database: string; schema?: string | undefined; objects: ObjectEntry[]; truncated?: boolean | undefined }): RenderedText {
  const where = result.schema === undefined ? 'every user schema' : 'one schema';
  const more = result.truncated ? '; more follow: pass nextCursor as cursor' : '';
  const key = flagKey([
    { marker: NO_SELECT, meaning: "an object this server's role may not read", count: result.objects.filter((entry) => entry.canSelect === false).length },
    { marker: NO_EXECUTE, meaning: "a function this server's role may not call", count: result.objects.filter((entry) => entry.canExecute === false).length },
  ]);
  return {
    note:
      `${result.objects.length} object${result.objects.length === 1 ? '' : 's'} in ${where} of database "${result.database}"${more}. ` +
      `One per line: kind, name, details (row counts are planner estimates), comment.${key}`,
    data: result.objects.map(describeEntry).join('\n'),
  };
}
