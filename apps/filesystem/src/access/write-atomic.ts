import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { lstat, open, rename, unlink } from 'node:fs/promises';
import { ToolError } from '@bastion-mcp/core';
import type { ResolvedPath } from './file-access.js';
import { HeldDirectory, holding } from './held-directory.js';
import type { Subject } from './held-directory.js';
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
 * file or the new one and a failure leaves the old file as it was. The temporary file is created,
 * renamed and (on failure) removed by name inside the target's directory held open (see
 * held-directory.ts), so a directory on the path swapped for a link cannot send the write outside.
 * `produce` writes the content into the temporary file; `current` looks at the target as it is
 * now, in the held directory (undefined when it is gone).
 */
export async function writeAtomically(
  resolved: ResolvedPath,
  target: WriteTarget,
  produce: (write: (chunk: string | Uint8Array) => Promise<void>, current: () => Promise<Stats | undefined>) => Promise<void>,
): Promise<number> {
  const subject: Subject = { argument: resolved.argument, path: resolved.path, doing: 'written' };
  const { parent, name } = await HeldDirectory.reachParent(resolved.root, resolved.relative, subject);
  return holding(parent, async () => {
    const temporary = parent.at(`.${name}.${randomBytes(6).toString('hex')}.bastion-tmp`);
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
      await produce(async (chunk) => {
        const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        let offset = 0;
        while (offset < data.length) {
          const { bytesWritten } = await handle.write(data, offset, data.length - offset);
          offset += bytesWritten;
        }
        bytes += data.length;
      }, () => lstat(parent.at(name)).catch(() => undefined));
      if (target.mode !== undefined) await handle.chmod(target.mode);
      await handle.datasync();
      await handle.close();
      await parent.verify(subject);
      await rename(temporary, parent.at(name));
      return bytes;
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  });
}
