import type { Stats } from 'node:fs';
import { lstat, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ToolError } from '@bastion-mcp/core';
import { isInside, relativeInside } from '../../access/containment.js';
import type { FileAccess, ResolvedPath } from '../../access/file-access.js';
import { show } from '../../access/messages.js';
import { absoluteRequestedPath } from '../../access/requested-path.js';
import type { AllowedRoot } from '../../access/roots.js';

export type EntryType = 'file' | 'directory' | 'symlink' | 'other';

export function entryType(stats: Stats): EntryType {
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isDirectory()) return 'directory';
  if (stats.isFile()) return 'file';
  return 'other';
}

/** What an entry is, for messages ("a directory", "a named pipe"). */
export function describeEntry(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFile()) return 'a file';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  return 'a device or other special file';
}

/**
 * The entry a path names, itself: a symbolic link is the link (in its real directory), never
 * its target. Tools that rename or remove an entry act on `location`.
 */
export interface Entry {
  readonly argument: string;
  /** As the caller named it. */
  readonly path: string;
  /** The real location of the entry itself: its real directory + its name. */
  readonly location: string;
  readonly root: AllowedRoot;
  /** `location` relative to `root.real`, forward slashes. */
  readonly relative: string;
  /** lstat of the entry (a link shows as a link). */
  readonly stats: Stats;
  readonly type: EntryType;
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

export function protectedMessage(argument: string, path: string, pattern: string): string {
  return (
    `\`${argument}\` ${show(path)} is a protected file (it matches ${show(pattern)}); files that commonly hold credentials are ` +
    'never read, listed or written. An operator can change the list with FILESYSTEM_DENY or --allow-secret-files.'
  );
}

/**
 * The entry itself for a resolved, existing path. For a symbolic link the link's own location
 * must lie inside an allowed directory and must not be protected (a link reached through a
 * directory link can sit somewhere its lexical path does not show).
 */
export async function entryItself(access: FileAccess, resolved: ResolvedPath): Promise<Entry> {
  const { entry } = resolved;
  if (!entry) throw new ToolError(`\`${resolved.argument}\` ${show(resolved.path)} does not exist.`);
  if (!entry.isSymbolicLink()) {
    return {
      argument: resolved.argument,
      path: resolved.path,
      location: resolved.real,
      root: resolved.root,
      relative: resolved.relative,
      stats: entry,
      type: entryType(entry),
    };
  }
  const location = join(await realpath(dirname(resolved.path)), basename(resolved.path));
  return locatedEntry(access, resolved.argument, resolved.path, location);
}

async function locatedEntry(access: FileAccess, argument: string, path: string, location: string): Promise<Entry> {
  const root = access.rootOf(location);
  if (!root) {
    throw new ToolError(
      `\`${argument}\` ${show(path)} is outside the allowed directories (${access.roots.map((item) => item.path).join(', ')}); list_allowed_directories shows them.`,
    );
  }
  const pattern = access.protectedPattern(root, location);
  if (pattern) throw new ToolError(protectedMessage(argument, path, pattern));
  const stats = await lstat(location);
  return { argument, path, location, root, relative: relativeInside(root.real, location), stats, type: entryType(stats) };
}

/**
 * Like `resolve(..., 'remove')` followed by `entryItself`, but a symbolic link that resolve refuses
 * because of where it points (dangling, or leading outside) is still found as a link: removing a
 * link never touches its target. Everything else resolve refuses stays refused, and the link's
 * own location must be inside an allowed directory and not protected, lexically and really.
 */
export async function existingEntryOrLink(access: FileAccess, argument: string, input: string): Promise<Entry> {
  let resolved: ResolvedPath;
  try {
    resolved = await access.resolve(argument, input, 'remove');
  } catch (error) {
    const link = await linkItself(access, argument, input).catch((failure: unknown) => {
      if (ToolError.isInstance(failure)) throw failure;
      return undefined;
    });
    if (link) return link;
    throw error;
  }
  if (!resolved.exists) throw new ToolError(`\`${argument}\` ${show(resolved.path)} does not exist.`);
  return entryItself(access, resolved);
}

async function linkItself(access: FileAccess, argument: string, input: string): Promise<Entry | undefined> {
  const [first] = access.roots;
  if (!first) return undefined;
  const path = absoluteRequestedPath(argument, input, first.path);
  const stats = await lstat(path).catch(() => undefined);
  if (!stats?.isSymbolicLink()) return undefined;
  const lexical = access.lexicalLocation(path);
  if (!lexical || access.deny.match(lexical)) return undefined;
  const location = join(await realpath(dirname(path)), basename(path));
  const entry = await locatedEntry(access, argument, path, location);
  return entry.type === 'symlink' ? entry : undefined;
}

/** Refuses an allowed directory itself, or an entry that contains one. */
export function refuseRoots(entry: Entry, roots: readonly AllowedRoot[], verb: string): void {
  for (const root of roots) {
    if (root.real === entry.location || root.path === entry.location) {
      throw new ToolError(
        `\`${entry.argument}\` ${show(entry.path)} is an allowed directory itself; it is never ${verb}. Name an entry inside it.`,
      );
    }
  }
  if (entry.type !== 'directory') return;
  for (const root of roots) {
    if (isInside(entry.location, root.real)) {
      throw new ToolError(
        `\`${entry.argument}\` ${show(entry.path)} contains the allowed directory ${show(root.path)}; it is never ${verb}.`,
      );
    }
  }
}

/** The directory a new entry goes into must exist. */
export async function parentMustExist(resolved: ResolvedPath): Promise<void> {
  const parent = await stat(dirname(resolved.real)).catch(() => undefined);
  if (!parent?.isDirectory()) {
    throw new ToolError(
      `\`${resolved.argument}\` ${show(resolved.path)}: its directory does not exist; create it with create_directory first.`,
    );
  }
}

export function errnoCode(error: unknown): string | undefined {
  return code(error);
}
