import type { Dirent, Stats } from 'node:fs';
import { readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { ToolError, readOnly } from '@bastion-mcp/core';
import { limitSchema, page, pageInfo, sanitizeText, untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import { show } from '../../access/messages.js';
import { lstatEntrySync } from '../../access/sync-stat.js';
import { accessFor, defineTool } from '../../context.js';
import { fingerprint, offsetCursor, readCursor, writeCursor } from './walk/cursor.js';
import { denyFilter } from './walk/deny-filter.js';
import { compareNames, entryType } from './walk/entry.js';
import type { EntryType } from './walk/entry.js';
import { Pacer } from './walk/pacer.js';
import { entryTypeSchema } from './walk/schemas.js';
import { resolveStartDirectory } from './walk/start.js';
import { renderListing } from '../render.js';

const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 10_000;

interface Item {
  readonly name: string;
  readonly type: EntryType;
  stats?: Stats | null;
}

/** lstat (never following links) each item that has not been; null when it vanished or failed. */
async function statItems(items: readonly Item[], directory: string, pacer: Pacer): Promise<void> {
  const base = directory.endsWith('/') ? directory : `${directory}/`;
  for (const item of items) {
    if (item.stats !== undefined) continue;
    try {
      item.stats = lstatEntrySync(base + item.name) ?? null;
    } catch {
      item.stats = null;
    }
    pacer.check();
    if (pacer.due()) await pacer.pause();
  }
}

function sizeOf(item: Item): number {
  return item.type === 'file' && item.stats ? item.stats.size : -1;
}

const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

/** The size of an entry in the JSON result (exact unless its name needs escaping: then measured). */
function entryBytes(entry: { name: string; type: string; size?: number; modified?: string }): number {
  const name = NEEDS_ESCAPE.test(entry.name) ? Buffer.byteLength(JSON.stringify(entry.name)) : Buffer.byteLength(entry.name) + 2;
  // {"name":…,"type":"…"} plus optional ,"size":N and ,"modified":"…", and a comma.
  return 20 + name + entry.type.length + (entry.size === undefined ? 0 : 8 + String(entry.size).length) + (entry.modified === undefined ? 0 : 14 + entry.modified.length) + 1;
}

const comparators = {
  name: (a: Item, b: Item) => compareNames(a.name, b.name),
  size: (a: Item, b: Item) => sizeOf(a) - sizeOf(b) || compareNames(a.name, b.name),
  modified: (a: Item, b: Item) => (a.stats?.mtimeMs ?? 0) - (b.stats?.mtimeMs ?? 0) || compareNames(a.name, b.name),
};

export const listDirectory = defineTool({
  name: 'list_directory',
  toolset: 'read',
  title: 'List a directory',
  description:
    'List the entries of one directory (not recursive) with their type; with details: true (or when sorting by size or modified) also their size (files) and modification time. ' +
    'Sort by name, size or modified, ascending or descending. Large directories come in pages: when truncated is true, call again with cursor = nextCursor and the same other arguments. ' +
    'Symbolic links are shown as type "symlink", not followed; protected secret files (.env, keys, .ssh) are not listed. ' +
    'For a whole tree use directory_tree; to find files by name use search_files.',
  scopes: ['files:read'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({
    path: z.string().describe('Directory to list, absolute or relative to the first allowed directory'),
    sort_by: z.enum(['name', 'size', 'modified']).default('name').describe('Sort key (default name); ties are broken by name'),
    order: z.enum(['asc', 'desc']).default('asc').describe('Sort order (default asc)'),
    include_hidden: z.boolean().default(true).describe('Include entries whose name starts with "." (default true)'),
    details: z
      .boolean()
      .default(false)
      .describe('Also give size and modified for each entry (one stat per entry returned; default false, always on when sorting by size or modified)'),
    ...page,
    limit: limitSchema({ default: DEFAULT_LIMIT, max: MAX_LIMIT }),
  }),
  output: z.object({
    path: z.string().describe('The directory listed, as given (absolute)'),
    entries: z.array(
      z.object({
        name: untrustedText({ description: 'Entry name; control and invisible characters are removed.' }),
        type: entryTypeSchema,
        size: z.number().int().optional().describe('Size in bytes (regular files)'),
        modified: z.string().optional().describe('Last modification time (ISO 8601)'),
      }),
    ),
    total: z.number().int().describe('Entries in the directory, across all pages'),
    ...pageInfo,
  }),
  list: 'entries',
  text: renderListing,
  async handler(args, ctx) {
    const access = await accessFor(ctx);
    const start = await resolveStartDirectory(access, 'path', args.path);
    const key = fingerprint(['list_directory', start.real, args.sort_by, args.order, args.include_hidden]);
    const offset = args.cursor === undefined ? 0 : readCursor(args.cursor, offsetCursor, key, 'list_directory').o;
    const pacer = new Pacer(ctx.signal);

    let dirents: Dirent[];
    try {
      dirents = await readdir(start.real, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ToolError(
        code === 'EACCES' || code === 'EPERM'
          ? `\`path\` ${show(start.path)}: permission denied by the operating system.`
          : `\`path\` ${show(start.path)} cannot be listed (${code ?? (error as Error).message}).`,
      );
    }
    // The listing must be of the directory that was checked, not of one swapped in meanwhile.
    if ((await realpath(start.real).catch(() => undefined)) !== start.real) {
      throw new ToolError(`\`path\` ${show(start.path)} changed while it was being listed (it was replaced or moved); try again.`);
    }
    const deny = denyFilter(access.deny);
    const items: Item[] = [];
    for (const dirent of dirents) {
      const { name } = dirent;
      if (!args.include_hidden && name.startsWith('.')) continue;
      if (deny.denied(start.rootPrefix + name, join(start.real, name), name)) continue;
      items.push({ name, type: entryType(dirent) });
    }
    if (args.sort_by !== 'name') await statItems(items, start.real, pacer);
    const compare = comparators[args.sort_by];
    items.sort(args.order === 'asc' ? compare : (a, b) => compare(b, a));

    // A page: the limit, the budget's item cap, and what fits in its bytes (less room for the
    // other fields), so the core does not have to cut it.
    const limit = Math.min(args.limit, ctx.budget.maxItems);
    const room = ctx.budget.maxBytes * 0.97 - 300 - Buffer.byteLength(start.path);
    const chosen = items.slice(offset, offset + limit);
    if (args.details) await statItems(chosen, start.real, pacer);
    const entries: { name: string; type: EntryType; size?: number; modified?: string }[] = [];
    let bytes = 0;
    for (const item of chosen) {
      const entry: { name: string; type: EntryType; size?: number; modified?: string } = { name: sanitizeText(item.name), type: item.type };
      if (item.stats) {
        if (item.type === 'file') entry.size = item.stats.size;
        entry.modified = new Date(item.stats.mtimeMs).toISOString();
      }
      bytes += entryBytes(entry);
      if (bytes > room && entries.length > 0) break;
      entries.push(entry);
    }
    const next = offset + entries.length;
    const nextCursor = next < items.length ? writeCursor({ k: key, o: next }) : undefined;
    return {
      path: start.path,
      entries,
      total: items.length,
      ...(next < items.length ? { truncated: true } : {}),
      ...(nextCursor === undefined ? {} : { nextCursor }),
    };
  },
});
