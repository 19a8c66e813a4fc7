import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { ToolError, readOnly } from '@bastion-mcp/core';
import { untrustedText } from '@bastion-mcp/schema';
import { z } from 'zod';
import type { FileAccess, ResolvedPath } from '../../access/file-access.js';
import { show } from '../../access/messages.js';
import { openVerified, refuseHardLinks } from '../../access/open-verified.js';
import { absoluteRequestedPath } from '../../access/requested-path.js';
import { accessFor, defineTool } from '../../context.js';
import { mimeTypeOf } from './mime.js';

const GIB = 1024 * 1024 * 1024;
const MAX_HASH_BYTES = GIB;
const HASH_CHUNK = 1024 * 1024;
/** Like the kernel's limit on links followed while resolving one path. */
const MAX_LINKS = 40;

const ENTRY_TYPES = ['file', 'directory', 'symlink', 'fifo', 'socket', 'device'] as const;
type EntryType = (typeof ENTRY_TYPES)[number];

function typeOf(stats: Stats): EntryType {
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isDirectory()) return 'directory';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isSocket()) return 'socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'device';
  return 'file';
}

const TYPE_NAMES: Record<EntryType, string> = {
  file: 'a regular file',
  directory: 'a directory',
  symlink: 'a symbolic link',
  fifo: 'a named pipe',
  socket: 'a socket',
  device: 'a device',
};

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function outsideThroughLink(path: string): ToolError {
  return new ToolError(
    `\`path\` ${show(path)} leads through a symbolic link to a location outside the allowed directories; it is refused.`,
  );
}

function protectedFile(path: string, pattern: string): ToolError {
  return new ToolError(
    `\`path\` ${show(path)} is a protected file (it matches ${show(pattern)}); files that commonly hold credentials are never read, listed or written. An operator can change the list with FILESYSTEM_DENY or --allow-secret-files.`,
  );
}

interface LinkTarget {
  /** The nearest ancestor that exists, every link resolved. */
  readonly existing: string;
  /** The names below it that do not exist (empty when the whole path exists). */
  readonly missing: readonly string[];
}

/**
 * Resolves an absolute path component by component the way the kernel does ('..' applies to the
 * resolved directory), stopping at the first name that does not exist. realpath() only says
 * ENOENT; this says where a dangling link leads.
 */
async function resolveAsFarAsExists(path: string, links: { count: number }): Promise<LinkTarget> {
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  let current = '/';
  for (const [index, part] of parts.entries()) {
    if (part === '..') {
      current = dirname(current);
      continue;
    }
    const next = join(current, part);
    let stats: Stats;
    try {
      stats = await lstat(next);
    } catch (error) {
      if (code(error) === 'ENOENT') return { existing: current, missing: parts.slice(index) };
      throw error;
    }
    if (stats.isSymbolicLink()) {
      links.count += 1;
      if (links.count > MAX_LINKS) throw Object.assign(new Error('too many links'), { code: 'ELOOP' });
      const text = await readlink(next);
      const inner = await resolveAsFarAsExists(isAbsolute(text) ? text : `${current}/${text}`, links);
      if (inner.missing.length > 0) return { existing: inner.existing, missing: [...inner.missing, ...parts.slice(index + 1)] };
      current = inner.existing;
    } else {
      current = next;
    }
  }
  return { existing: current, missing: [] };
}

interface DanglingLink {
  readonly path: string;
  readonly entry: Stats;
  /** Where the link points, links resolved as far as they exist. */
  readonly target: string;
}

/**
 * resolve() refuses a path whose final link leads nowhere ("does not exist"). A dangling link is
 * still an entry worth describing, so long as the link and where it points both lie inside the
 * allowed directories and neither is protected. Anything else keeps the original refusal.
 */
async function danglingLink(access: FileAccess, input: string, original: unknown): Promise<DanglingLink> {
  const [first] = access.roots;
  if (!first || !ToolError.isInstance(original)) throw original;
  const path = absoluteRequestedPath('path', input, first.path);
  const lexical = access.lexicalLocation(path);
  if (!lexical || access.deny.match(lexical)) throw original;
  const entry = await lstat(path).catch(() => undefined);
  if (!entry?.isSymbolicLink()) throw original;
  const dangling = await realpath(path).then(
    () => false,
    (error: unknown) => code(error) === 'ENOENT',
  );
  if (!dangling) throw original;

  // The link itself, wherever its directory really is.
  const linkDirectory = await realpath(dirname(path)).catch(() => {
    throw original;
  });
  const linkRoot = access.rootOf(linkDirectory);
  if (!linkRoot) throw outsideThroughLink(path);
  const linkPattern = access.protectedPattern(linkRoot, join(linkDirectory, basename(path)));
  if (linkPattern) throw protectedFile(path, linkPattern);

  // Where it points: the part that exists must be inside, and the whole must not be protected.
  let resolved: LinkTarget;
  try {
    resolved = await resolveAsFarAsExists(path, { count: 0 });
  } catch (error) {
    if (code(error) === 'ELOOP') throw new ToolError(`\`path\` ${show(path)}: too many symbolic links (a loop); it is refused.`);
    throw new ToolError(`\`path\` ${show(path)} cannot be accessed (${code(error) ?? (error as Error).message}).`);
  }
  if (resolved.missing.length === 0) throw original;
  const targetRoot = access.rootOf(resolved.existing);
  if (!targetRoot) throw outsideThroughLink(path);
  // The kernel stops at the first missing name, so anything after a '..' below it is never reached.
  const climb = resolved.missing.indexOf('..');
  const target = join(resolved.existing, ...(climb === -1 ? resolved.missing : resolved.missing.slice(0, climb)));
  for (const candidate of [join(resolved.existing, resolved.missing[0] ?? ''), target]) {
    const pattern = access.protectedPattern(targetRoot, candidate);
    if (pattern) throw protectedFile(path, pattern);
  }
  return { path, entry, target };
}

async function sha256Of(resolved: ResolvedPath, entry: Stats, access: FileAccess, signal: AbortSignal): Promise<string> {
  if (entry.size > MAX_HASH_BYTES) {
    throw new ToolError(
      `\`sha256\`: ${show(resolved.path)} is ${entry.size} bytes; hashing is limited to files of at most ${MAX_HASH_BYTES} bytes (1 GiB). ` +
        'Call again without sha256, and compare size and modified instead.',
    );
  }
  const { handle, stat } = await openVerified(resolved, access.allowHardlinks);
  try {
    if (stat.dev !== entry.dev || stat.ino !== entry.ino) {
      throw new ToolError(`\`path\` ${show(resolved.path)} changed while it was being described (a race with another process); try again.`);
    }
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(HASH_CHUNK);
    let position = 0;
    for (;;) {
      if (signal.aborted) throw new ToolError('get_file_info was cancelled while hashing.');
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
      if (position > MAX_HASH_BYTES) break;
    }
    if (position !== stat.size) {
      throw new ToolError(
        `\`path\` ${show(resolved.path)} changed size while it was being hashed (${stat.size} bytes before, ${position} read); try again.`,
      );
    }
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}

function times(entry: Stats) {
  return {
    ...(entry.birthtimeMs > 0 ? { created: entry.birthtime.toISOString() } : {}),
    modified: entry.mtime.toISOString(),
    accessed: entry.atime.toISOString(),
  };
}

const timestamp = (what: string) => z.string().describe(`${what}, ISO-8601 in UTC`);

export const getFileInfo = defineTool({
  name: 'get_file_info',
  toolset: 'read',
  title: 'Describe a file or directory',
  description:
    'Describe one entry without reading it: type, size, timestamps, permissions, hard-link count, and for files the media type by extension. ' +
    'A symbolic link is described itself (not its target), with the text it points to; realPath is where it leads. ' +
    `With sha256: true, also the SHA-256 of a regular file (files up to 1 GiB). To read content use read_text_file or read_media_file.`,
  scopes: ['files:read'],
  annotations: readOnly({ openWorld: false }),
  input: z.object({
    path: z.string().describe('Path of a file, directory or link, absolute or relative to the first allowed directory'),
    sha256: z.boolean().default(false).describe('Also compute the SHA-256 of the file content (regular files only, up to 1 GiB)'),
  }),
  output: z.object({
    path: z.string(),
    realPath: z.string().describe('The path with every symbolic link resolved (for a dangling link, where it would lead)'),
    type: z.enum(ENTRY_TYPES),
    size: z.number().int().describe('Size in bytes; for a symbolic link, the length of the text it holds'),
    created: timestamp('Creation time, where the filesystem records it').optional(),
    modified: timestamp('Last modification'),
    accessed: timestamp('Last access'),
    mode: z.string().describe("Permission bits in octal, like '0644'"),
    nlink: z.number().int().describe('Number of hard links'),
    symlinkTarget: untrustedText({ description: 'For a symbolic link, the text it holds (the path it points to).' }).optional(),
    mimeType: z.string().optional().describe('For regular files, the media type by extension (application/octet-stream when unknown)'),
    sha256: z.string().optional().describe('Hex SHA-256 of the content, when asked for'),
  }),
  async handler(args, ctx) {
    const access = await accessFor(ctx);
    let resolved: ResolvedPath;
    try {
      resolved = await access.resolve('path', args.path, 'read');
    } catch (error) {
      const link = await danglingLink(access, args.path, error);
      if (args.sha256) {
        throw new ToolError(`\`sha256\` applies to regular files; ${show(link.path)} is a symbolic link whose target does not exist.`);
      }
      return {
        path: link.path,
        realPath: link.target,
        type: 'symlink' as const,
        size: link.entry.size,
        ...times(link.entry),
        mode: (link.entry.mode & 0o7777).toString(8).padStart(4, '0'),
        nlink: link.entry.nlink,
        symlinkTarget: await readlink(link.path),
      };
    }
    const entry = resolved.entry;
    if (!entry) throw new ToolError(`\`path\` ${show(resolved.path)} does not exist.`);
    const type = typeOf(entry);
    if (type === 'file') refuseHardLinks(resolved, entry, access.allowHardlinks);
    if (args.sha256 && type !== 'file') {
      const hint = type === 'symlink' ? `; ask about where it leads, ${show(resolved.real)}, for the hash` : '';
      throw new ToolError(`\`sha256\` applies to regular files; ${show(resolved.path)} is ${TYPE_NAMES[type]}${hint}.`);
    }
    return {
      path: resolved.path,
      realPath: resolved.real,
      type,
      size: entry.size,
      ...times(entry),
      mode: (entry.mode & 0o7777).toString(8).padStart(4, '0'),
      nlink: entry.nlink,
      ...(type === 'symlink' ? { symlinkTarget: await readlink(resolved.path) } : {}),
      ...(type === 'file' ? { mimeType: mimeTypeOf(resolved.path) } : {}),
      ...(args.sha256 ? { sha256: await sha256Of(resolved, entry, access, ctx.signal) } : {}),
    };
  },
});
