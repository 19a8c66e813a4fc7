import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { ToolError } from '@bastion-mcp/core';
import type { ResolvedPath } from '../../access/file-access.js';
import { show } from '../../access/messages.js';

const CHUNK = 64 * 1024;

/**
 * Streams the whole of an open file into `put` in chunks, so a large file is never held in
 * memory. With a limit, `beyond` is called (and must throw) as soon as more than `maxBytes` have
 * been read, before they are passed on.
 */
export async function pipeFile(
  handle: FileHandle,
  put: (chunk: Uint8Array) => Promise<void>,
  limit?: { maxBytes: number; beyond: (bytes: number) => never },
): Promise<number> {
  const buffer = Buffer.allocUnsafe(CHUNK);
  let position = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
    if (bytesRead === 0) return position;
    position += bytesRead;
    if (limit && position > limit.maxBytes) limit.beyond(position);
    // `put` has finished writing the chunk when it resolves, so the buffer can be reused.
    await put(buffer.subarray(0, bytesRead));
  }
}

/** The same file, unmodified: device, inode, size and modification time. */
export function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** Refuses when the opened file is not the entry that was validated by path. */
export function openedIsEntry(resolved: ResolvedPath, opened: Stats): void {
  const entry = resolved.entry;
  if (!entry || entry.dev !== opened.dev || entry.ino !== opened.ino) {
    throw new ToolError(
      `\`${resolved.argument}\` ${show(resolved.path)} changed while it was being opened (a race with another process); nothing was written. Try again.`,
    );
  }
}

/**
 * Called inside `writeAtomically` before the new content is published, with the `current` it
 * gives: the file on disk must still be the one that was read, or another writer's change would
 * be lost.
 */
export async function unchangedSinceRead(resolved: ResolvedPath, read: Stats, current: () => Promise<Stats | undefined>): Promise<void> {
  const now = await current();
  if (!now || !sameFile(now, read)) {
    throw new ToolError(
      `\`${resolved.argument}\` ${show(resolved.path)} changed on disk while it was being rewritten (another process wrote to it); nothing was written. Read it again and retry.`,
    );
  }
}
