import { lstat, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ToolError } from '@bastion-mcp/core';
import { holding } from '../../access/held-directory.js';
import type { HeldDirectory, Subject } from '../../access/held-directory.js';
import { show } from '../../access/messages.js';

/** A protected entry found inside a tree: its path relative to the tree's top, and the pattern. */
export interface ProtectedHit {
  readonly relative: string;
  readonly pattern: string;
}

export interface TreeScan {
  /** Entries below the top (the top itself not counted). */
  readonly entries: number;
  /** The first protected entries found (at most `MAX_REPORTED`). */
  readonly protectedHits: readonly ProtectedHit[];
  /** How many protected entries there are in all. */
  readonly protectedCount: number;
}

const MAX_REPORTED = 5;

/** The subdirectory `name` of `dir`, held; one replaced by a link since it was listed is refused. */
export async function descend(dir: HeldDirectory, name: string, subject: Subject): Promise<HeldDirectory> {
  return dir.openChild(name).catch(async (error: unknown) => {
    throw await dir.explain(error, name, subject);
  });
}

/**
 * Walks the tree in `top` (a held directory, reached at `top.location`) without following
 * symbolic links: a link is an entry like any other and is never descended into, and each
 * subdirectory is opened through its held parent, so one swapped for a link is refused, not
 * followed. `isProtected` is asked about every entry's real location.
 */
export async function scanTree(
  top: HeldDirectory,
  isProtected: (location: string) => string | undefined,
  subject: Subject,
): Promise<TreeScan> {
  let entries = 0;
  let protectedCount = 0;
  const protectedHits: ProtectedHit[] = [];
  const visit = async (dir: HeldDirectory, relative: string): Promise<void> => {
    // Sorted, so what is reported does not depend on the file system's directory order.
    const dirents = (await dir.list()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirectories: { name: string; inside: string }[] = [];
    for (const dirent of dirents) {
      entries += 1;
      const inside = relative === '' ? dirent.name : `${relative}/${dirent.name}`;
      const pattern = isProtected(join(dir.location, dirent.name));
      if (pattern) {
        protectedCount += 1;
        if (protectedHits.length < MAX_REPORTED) protectedHits.push({ relative: inside, pattern });
      }
      // Dirent types come from the directory itself (lstat semantics): a link is never a directory here.
      if (dirent.isDirectory()) subdirectories.push({ name: dirent.name, inside });
    }
    // A directory's own entries are reported before those of its subdirectories.
    for (const { name, inside } of subdirectories) await holding(await descend(dir, name, subject), (child) => visit(child, inside));
  };
  await visit(top, '');
  return { entries, protectedHits, protectedCount };
}

/** "a/.env" (matches "**\/.env") and 2 more */
export function listProtected(scan: TreeScan): string {
  const shown = scan.protectedHits.map((hit) => `${show(hit.relative)} (it matches ${show(hit.pattern)})`).join(', ');
  const more = scan.protectedCount - scan.protectedHits.length;
  return more > 0 ? `${shown} and ${more} more` : shown;
}

export interface RemovalProgress {
  removed: number;
}

/**
 * Removes everything in `top` (a held directory), depth first, never following a link (a link is
 * unlinked, its target untouched): each entry is removed by name inside its held directory, and
 * each subdirectory is opened through its held parent, so one swapped for a link since the scan
 * is refused, not followed. A protected entry that appeared after the scan is left in place and
 * reported. `top` itself stays (its parent removes it). `progress.removed` counts what was
 * removed, also when a failure stops the walk.
 */
export async function removeContents(
  top: HeldDirectory,
  isProtected: (location: string) => string | undefined,
  progress: RemovalProgress,
  subject: Subject,
): Promise<void> {
  for (const dirent of await top.list()) {
    const location = join(top.location, dirent.name);
    const pattern = isProtected(location);
    if (pattern) {
      throw new ToolError(`${show(location)} is a protected file (it matches ${show(pattern)}) and appeared during the delete; it was left in place.`);
    }
    const entry = top.at(dirent.name);
    const stats = await lstat(entry);
    if (stats.isDirectory()) {
      await holding(await descend(top, dirent.name, subject), (child) => removeContents(child, isProtected, progress, subject));
      await rmdir(entry);
    } else {
      await unlink(entry);
    }
    progress.removed += 1;
  }
}
