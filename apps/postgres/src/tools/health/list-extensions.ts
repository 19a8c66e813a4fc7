import type { RenderedText } from '@bastion-mcp/core';
import { readOnly } from '@bastion-mcp/core';
import { cursorSchema, limitSchema, pageInfo, untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import { databaseFor, defineTool } from '../../context.js';
import { databaseArg } from '../database-arg.js';
import { pageKey, pageOf, pageOffset } from '../paging.js';

const TOOL = 'list_extensions';

interface Row {
  name: string;
  installed: boolean;
  version: string | null;
  default_version: string | null;
  schema: string | null;
  description: string | null;
  relocatable: boolean | null;
}

// Installed extensions first, then (when asked) those whose files are on the server but which are
// not installed in this database. The description is the extension's comment in this database, else
// the one from its control file.
const SQL = `
with listed as (
  select e.extname::text as name, true as installed, e.extversion as version, a.default_version, n.nspname::text as schema,
         coalesce(pg_catalog.obj_description(e.oid, 'pg_extension'), a.comment) as description, e.extrelocatable as relocatable
  from pg_catalog.pg_extension e
  join pg_catalog.pg_namespace n on n.oid = e.extnamespace
  left join pg_catalog.pg_available_extensions a on a.name = e.extname
  union all
  select a.name::text, false, null, a.default_version, null, a.comment, null
  from pg_catalog.pg_available_extensions a
  where $1::boolean and not exists (select 1 from pg_catalog.pg_extension e where e.extname = a.name)
)
select * from listed
where $2::text is null or strpos(lower(name), lower($2)) > 0
order by installed desc, name
limit $3 offset $4`;

const extensionSchema = z.object({
  name: untrustedText({ description: 'Extension name (CREATE EXTENSION name).', maxLength: 200 }),
  installed: z.boolean().describe('Installed in this database; false: only available on the server'),
  version: untrustedText({ description: 'The installed version.', maxLength: 100 }).optional(),
  defaultVersion: untrustedText({ description: "The server's default version: what CREATE EXTENSION or ALTER EXTENSION ... UPDATE installs.", maxLength: 100 }).optional(),
  updateAvailable: z.boolean().optional().describe('Installed at a version other than the default one: ALTER EXTENSION name UPDATE would move it'),
  schema: untrustedText({ description: 'The schema holding its objects.', maxLength: 200 }).optional(),
  description: untrustedText({ description: 'What it does.', maxLength: 500 }).optional(),
  relocatable: z.boolean().optional().describe('Its objects can move to another schema (ALTER EXTENSION ... SET SCHEMA)'),
});

const output = z.object({
  database: z.string().describe('The database that answered'),
  extensions: z.array(extensionSchema),
  ...pageInfo,
});

type Extension = z.input<typeof extensionSchema>;

function toExtension(row: Row): Extension {
  return {
    name: row.name,
    installed: row.installed,
    ...(row.version === null ? {} : { version: row.version }),
    ...(row.default_version === null ? {} : { defaultVersion: row.default_version }),
    ...(row.installed ? { updateAvailable: row.default_version !== null && row.version !== row.default_version } : {}),
    ...(row.schema === null ? {} : { schema: row.schema }),
    ...(row.description === null ? {} : { description: row.description }),
    ...(row.relocatable === null ? {} : { relocatable: row.relocatable }),
  };
}

function renderExtensions(result: z.output<typeof output>): RenderedText {
  const more = result.nextCursor ? ' More follow: pass nextCursor as `cursor`.' : '';
  return {
    note: `${result.extensions.length} extension${result.extensions.length === 1 ? '' : 's'} in database "${result.database}".${more} One per line: name version (schema; default version) description.`,
    data: result.extensions
      .map((extension) => {
        const state = extension.installed
          ? `${extension.version ?? '?'} (schema ${extension.schema ?? '?'}${extension.updateAvailable ? `; update to ${extension.defaultVersion ?? '?'} available` : ''})`
          : `not installed (default version ${extension.defaultVersion ?? '?'})`;
        return `${extension.name} ${state} ${extension.description ?? ''}`.trimEnd();
      })
      .join('\n'),
  };
}

export const listExtensions = defineTool({
  name: TOOL,
  toolset: 'health',
  title: 'List the extensions',
  description:
    'List the extensions installed in the database (pg_extension): name, version, schema, description, and whether the server has a newer default version (updateAvailable). ' +
    'With `include_available: true`, also the extensions the server could install here (pg_available_extensions), after the installed ones. ' +
    'Filter by a fragment of `name`; sorted (installed first) by name and paged with `cursor`. This server never installs anything.',
  scopes: ['postgres:health'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({
    include_available: z.boolean().default(false).describe('Also list the extensions available on the server but not installed in this database'),
    name: z.string().min(1).max(100).optional().describe('Only extensions whose name contains this text (any case)'),
    cursor: cursorSchema.optional(),
    limit: limitSchema({ default: 50, max: 200 }),
    database: databaseArg,
  }),
  output,
  list: 'extensions',
  text: renderExtensions,
  async handler(args, ctx) {
    const database = databaseFor(ctx, args.database);
    const key = pageKey(TOOL, [database.name, args.include_available, args.name ?? null]);
    const offset = pageOffset(args.cursor, key, TOOL);
    const rows = await database.read(ctx.signal, (session) =>
      session.query<Row>(SQL, [args.include_available, args.name ?? null, args.limit + 1, offset]),
    );
    const { items, ...page } = pageOf(rows, offset, args.limit, key);
    return { database: database.name, extensions: items.map(toExtension), ...page };
  },
});
