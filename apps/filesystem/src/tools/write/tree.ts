import { lstat, readdir, realpath, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ToolError } from '@bastion-mcp/core';
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

/**
 * Walks the tree under `top` (a real directory) without following symbolic links: a link is an
 * entry like any other and is never descended into. `isProtected` is asked about every entry's
 * real location.
 */
export async function scanTree(top: string, isProtected: (location: string) => string | undefined): Promise<TreeScan> {
  let entries = 0;
  let protectedCount = 0;
  const protectedHits: ProtectedHit[] = [];
  const stack: { dir: string; relative: string }[] = [{ dir: top, relative: '' }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    // Sorted, so what is reported does not depend on the file system's directory order.
    const dirents = (await readdir(next.dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirectories: { dir: string; relative: string }[] = [];
    for (const dirent of dirents) {
      entries += 1;
      const location = join(next.dir, dirent.name);
      const relative = next.relative === '' ? dirent.name : `${next.relative}/${dirent.name}`;
      const pattern = isProtected(location);
      if (pattern) {
        protectedCount += 1;
        if (protectedHits.length < MAX_REPORTED) protectedHits.push({ relative, pattern });
      }
      // Dirent types come from the directory itself (lstat semantics): a link is never a directory here.
      if (dirent.isDirectory()) subdirectories.push({ dir: location, relative });
    }
    // The stack is last in, first out: push in reverse to visit subdirectories in sorted order.
    subdirectories.reverse();
    for (const subdirectory of subdirectories) stack.push(subdirectory);
  }
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
 * Removes the tree under `top` and `top` itself, depth first, never following a link (a link is
 * unlinked, its target untouched). Before descending, each directory must still be the real
 * directory that was listed (not swapped for a link since). A protected entry that appeared
 * after the scan is left in place and reported. `progress.removed` counts what was removed, also
 * when a failure stops the walk.
 */
export async function removeTree(
  top: string,
  isProtected: (location: string) => string | undefined,
  progress: RemovalProgress,
): Promise<void> {
  if ((await realpath(top)) !== top) {
    throw new ToolError(`${show(top)} changed during the delete (it is no longer a real directory); it was left in place.`);
  }
  for (const dirent of await readdir(top, { withFileTypes: true })) {
    const location = join(top, dirent.name);
    const pattern = isProtected(location);
    if (pattern) {
      throw new ToolError(`${show(location)} is a protected file (it matches ${show(pattern)}) and appeared during the delete; it was left in place.`);
    }
    const stats = await lstat(location);
    if (stats.isDirectory()) {
      await removeTree(location, isProtected, progress);
    } else {
      await unlink(location);
      progress.removed += 1;
    }
  }
  await rmdir(top);
  progress.removed += 1;
}
