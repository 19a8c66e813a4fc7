import type { RenderedText } from '@bastion-mcp/core';
import { readOnly } from '@bastion-mcp/core';
import { cursorSchema, limitSchema, pageInfo, untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import { databaseFor, defineTool } from '../../context.js';
import { databaseArg } from '../database-arg.js';
import { pageKey, pageOf, pageOffset } from '../paging.js';
import { settingWithUnit } from './setting-value.js';

const TOOL = 'list_settings';
const MAX_VALUE_LENGTH = 2000;

interface Row {
  name: string;
  shown: string;
  setting: string | null;
  unit: string | null;
  category: string;
  short_desc: string | null;
  source: string;
  context: string;
  vartype: string;
  min_val: string | null;
  max_val: string | null;
  enumvals: string[] | null;
  boot_val: string | null;
  pending_restart: boolean;
}

// pg_settings lists only what the role may see: superuser-only settings (data_directory,
// config_file...) are missing without pg_read_all_settings, and current_setting() shows exactly
// those. Values are this session's.
const SQL = `
select s.name, pg_catalog.current_setting(s.name) as shown, s.setting, s.unit, s.category, s.short_desc, s.source, s.context, s.vartype,
       s.min_val, s.max_val, s.enumvals, s.boot_val, s.pending_restart
from pg_catalog.pg_settings s
where ($1::text is null or strpos(lower(s.name), lower($1)) > 0)
  and ($2::text is null or strpos(lower(s.category), lower($2)) > 0)
  and (not $3::boolean or s.source not in ('default', 'override'))
order by s.name
limit $4 offset $5`;

const settingSchema = z.object({
  name: untrustedText({ description: 'Setting name.', maxLength: 200 }),
  value: untrustedText({ description: 'Current value as SHOW prints it, with its unit (e.g. 128MB, 5min).', maxLength: MAX_VALUE_LENGTH }),
  setting: untrustedText({ description: 'The raw value in `unit`s, when it has a unit (e.g. 16384 with unit 8kB).', maxLength: MAX_VALUE_LENGTH }).optional(),
  unit: z.string().optional().describe('The unit of `setting` and of min/max: B, kB, 8kB, MB, ms, s, min'),
  type: z.string().describe('bool, integer, real, string or enum'),
  category: untrustedText({ description: 'Category, e.g. "Resource Usage / Memory".', maxLength: 200 }),
  description: untrustedText({ description: 'What the setting does (PostgreSQL\'s or the extension\'s short description).', maxLength: 500 }).optional(),
  source: z.string().describe('Where the value comes from: default, configuration file, command line, database, user, database user, client, session, override...'),
  context: z.string().describe('When it can change: internal (never), postmaster (restart), sighup (reload), superuser-backend, backend, superuser, user (any session)'),
  pendingRestart: z.boolean().describe('Changed in the configuration file but waiting for a restart'),
  min: z.string().optional().describe('Least value, in `unit`s'),
  max: z.string().optional().describe('Greatest value, in `unit`s'),
  enumValues: z.array(untrustedText({ maxLength: 200 })).optional().describe('Allowed values of an enum setting'),
  defaultValue: untrustedText({ description: 'The built-in default, as SHOW prints it.', maxLength: MAX_VALUE_LENGTH }).optional(),
});

const output = z.object({
  database: z.string().describe('The database that answered'),
  settings: z.array(settingSchema),
  ...pageInfo,
});

type Setting = z.input<typeof settingSchema>;

function toSetting(row: Row): Setting {
  return {
    name: row.name,
    value: row.shown,
    ...(row.unit && row.setting !== null ? { setting: row.setting, unit: row.unit } : {}),
    type: row.vartype,
    category: row.category,
    ...(row.short_desc ? { description: row.short_desc } : {}),
    source: row.source,
    context: row.context,
    pendingRestart: row.pending_restart,
    ...(row.min_val === null ? {} : { min: row.min_val }),
    ...(row.max_val === null ? {} : { max: row.max_val }),
    ...(row.enumvals === null ? {} : { enumValues: row.enumvals }),
    ...(row.boot_val === null ? {} : { defaultValue: settingWithUnit(row.boot_val, row.unit, row.vartype) }),
  };
}

function renderSettings(result: z.output<typeof output>): RenderedText {
  const more = result.nextCursor ? ' More follow: pass nextCursor as `cursor`.' : '';
  return {
    note: `${result.settings.length} setting${result.settings.length === 1 ? '' : 's'} of database "${result.database}".${more} One per line: name = value (source; context; default) description.`,
    data: result.settings
      .map((setting) => {
        const facts = [setting.source, setting.context, ...(setting.defaultValue === undefined ? [] : [`default ${setting.defaultValue}`]), ...(setting.pendingRestart ? ['pending restart'] : [])];
        const range = setting.enumValues ? ` {${setting.enumValues.join(', ')}}` : setting.min !== undefined ? ` [${setting.min}..${setting.max ?? ''}${setting.unit ? ` ${setting.unit}` : ''}]` : '';
        return `${setting.name} = ${setting.value} (${facts.join('; ')})${range} ${setting.description ?? ''}`.trimEnd();
      })
      .join('\n'),
  };
}

export const listSettings = defineTool({
  name: TOOL,
  toolset: 'health',
  title: 'List the server settings',
  description:
    'List PostgreSQL configuration settings (pg_settings) as this session sees them: value with unit as SHOW prints it, raw value and unit, type, category, description, ' +
    'where the value comes from, when it can change (context), whether a restart is pending, min/max or the allowed values, and the built-in default. ' +
    'Filter by a fragment of `name` (e.g. "vacuum", "wal") or of `category` (e.g. "memory", "replication"), or `changed_only` for the ones set away from their default. ' +
    'Sorted by name and paged with `cursor`. Settings only a superuser may read (data_directory, hba_file...) are not listed. db_health judges the server\'s health; this tool shows its configuration.',
  scopes: ['postgres:health'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({
    name: z.string().min(1).max(100).optional().describe('Only settings whose name contains this text (any case)'),
    category: z.string().min(1).max(100).optional().describe('Only settings whose category contains this text (any case), e.g. "memory", "vacuum", "replication", "logging"'),
    changed_only: z.boolean().default(false).describe('Only settings whose value does not come from the built-in default (source other than default and override)'),
    cursor: cursorSchema.optional(),
    limit: limitSchema({ default: 50, max: 200 }),
    database: databaseArg,
  }),
  output,
  list: 'settings',
  text: renderSettings,
  async handler(args, ctx) {
    const database = databaseFor(ctx, args.database);
    const key = pageKey(TOOL, [database.name, args.name ?? null, args.category ?? null, args.changed_only]);
    const offset = pageOffset(args.cursor, key, TOOL);
    const rows = await database.read(ctx.signal, (session) =>
      session.query<Row>(SQL, [args.name ?? null, args.category ?? null, args.changed_only, args.limit + 1, offset]),
    );
    const { items, ...page } = pageOf(rows, offset, args.limit, key);
    return { database: database.name, settings: items.map(toSetting), ...page };
  },
});
