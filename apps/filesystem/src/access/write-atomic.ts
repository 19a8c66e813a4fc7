import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, realpath, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ToolError } from '@bastion-mcp/core';
import type { ResolvedPath } from './file-access.js';
import { descriptorPath } from './descriptor-path.js';
import { show } from './messages.js';
import { refuseHardLinks } from './open-verified.js';

export interface WriteTarget {
  /** The file's current permissions, kept across the replacement; new files get 0666 & ~umask. */
  readonly mode: number | undefined;
}

/**
 * Checks that `resolved` may be written: not a symbolic link (writing through links is refused,
 * never followed), a regular file if it exists, and not a hard-linked file.
 */
export function writableTarget(resolved: ResolvedPath, allowHardlinks: boolean): WriteTarget {
  const { entry } = resolved;
  if (!entry) return { mode: undefined };
  if (entry.isSymbolicLink()) {
    throw new ToolError(
      `\`${resolved.argument}\` ${show(resolved.path)} is a symbolic link; writing through links is refused. Write to the file it points to instead.`,
    );
  }
  if (!entry.isFile()) {
    throw new ToolError(`\`${resolved.argument}\` ${show(resolved.path)} exists and is not a regular file; it is refused.`);
  }
  refuseHardLinks(resolved, entry, allowHardlinks);
  return { mode: entry.mode & 0o7777 };
}

/**
 * Replaces (or creates) a file atomically: the content goes to an exclusive, no-follow temporary
 * file beside it, is flushed to disk, and is renamed over the target, so a reader sees the old
 * file or the new one and a failure leaves the old file as it was. `produce` writes the content
 * into the temporary file.
 */
export async function writeAtomically(
  resolved: ResolvedPath,
  target: WriteTarget,
  produce: (write: (chunk: string | Uint8Array) => Promise<void>) => Promise<void>,
): Promise<number> {
  const directory = dirname(resolved.real);
  const temporary = join(directory, `.${basename(resolved.real)}.${randomBytes(6).toString('hex')}.bastion-tmp`);
  const handle = await open(
    temporary,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    target.mode ?? 0o666,
  ).catch((error: NodeJS.ErrnoException) => {
    throw new ToolError(
      `\`${resolved.argument}\` ${show(resolved.path)} cannot be written (${error.code ?? error.message}): is its directory writable?`,
    );
  });
  let bytes = 0;
  try {
    // The directory was validated before; if it was swapped for a link since, the temporary
    // file landed elsewhere: refuse before writing anything into it.
    const landed = await descriptorPath(handle);
    if (landed !== undefined && landed !== temporary) {
      throw new ToolError(`\`${resolved.argument}\` ${show(resolved.path)}: its directory changed during the write; nothing was written.`);
    }
    await produce(async (chunk) => {
      const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      let offset = 0;
      while (offset < data.length) {
        const { bytesWritten } = await handle.write(data, offset, data.length - offset);
        offset += bytesWritten;
      }
      bytes += data.length;
    });
    if (target.mode !== undefined) await handle.chmod(target.mode);
    await handle.datasync();
    await handle.close();
    // Checked again just before publishing, for platforms without descriptor paths too.
    if ((await realpath(dirname(temporary))) !== directory) {
      throw new ToolError(`\`${resolved.argument}\` ${show(resolved.path)}: its directory changed during the write; nothing was written.`);
    }
    await rename(temporary, resolved.real);
    return bytes;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
