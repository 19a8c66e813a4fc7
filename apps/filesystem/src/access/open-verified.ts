import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { ToolError } from '@bastion-mcp/core';
import type { ResolvedPath } from './file-access.js';
import { descriptorPath } from './descriptor-path.js';
import { show } from './messages.js';

export interface OpenedFile {
  readonly handle: FileHandle;
  readonly stat: Stats;
}

function kind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** Refuses a regular file with several hard links unless the operator allowed them. */
export function refuseHardLinks(resolved: ResolvedPath, stats: Stats, allowHardlinks: boolean): void {
  if (stats.nlink > 1 && !allowHardlinks) {
    throw new ToolError(
      `\`${resolved.argument}\` ${show(resolved.path)} has ${stats.nlink} hard links; a hard link can reach a file outside the allowed directories, so it is refused. An operator can allow it with --allow-hardlinks.`,
    );
  }
}

/**
 * Opens a regular file for reading without a check-then-use gap: the real path is opened with
 * O_NOFOLLOW (a link swapped in at the last component fails) and O_NONBLOCK (a named pipe cannot
 * hang the call), and the opened file must be the very file validated: the same device and
 * inode, and, where the kernel says, the same path (a parent directory swapped for a link in
 * the meantime shows up as a different path).
 */
export async function openVerified(resolved: ResolvedPath, allowHardlinks: boolean): Promise<OpenedFile> {
  const validated = await stat(resolved.real);
  if (!validated.isFile()) {
    const hint = validated.isDirectory() ? '; use list_directory or directory_tree' : '; only regular files can be read';
    throw new ToolError(`\`${resolved.argument}\` ${show(resolved.path)} is ${kind(validated)}${hint}.`);
  }
  refuseHardLinks(resolved, validated, allowHardlinks);
  const handle = await open(resolved.real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    (error: NodeJS.ErrnoException) => {
      throw new ToolError(
        error.code === 'ELOOP'
          ? `\`${resolved.argument}\` ${show(resolved.path)} was replaced by a symbolic link while it was being opened; it is refused.`
          : `\`${resolved.argument}\` ${show(resolved.path)} cannot be opened (${error.code ?? error.message}).`,
      );
    },
  );
  const opened = await handle.stat();
  const actual = await descriptorPath(handle);
  if (
    opened.dev !== validated.dev ||
    opened.ino !== validated.ino ||
    !opened.isFile() ||
    (actual !== undefined && actual !== resolved.real)
  ) {
    await handle.close();
    throw new ToolError(
      `\`${resolved.argument}\` ${show(resolved.path)} changed while it was being opened (a race with another process); it is refused. Try again.`,
    );
  }
  return { handle, stat: opened };
}
