import type { FileHandle } from 'node:fs/promises';
import { ToolError } from '@bastion-mcp/core';
import type { ResponseBudget } from '@bastion-mcp/core';
import type { ResolvedPath } from '../../access/file-access.js';
import { show } from '../../access/messages.js';

/** Length of `bytes` bytes encoded as base64 (with padding). */
export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

export interface WholeFileLimits {
  /** The operator's FILESYSTEM_MAX_MEDIA_BYTES. */
  readonly maxBytes: number;
  readonly budget: ResponseBudget;
  /** How the bytes travel: base64 grows them by 4/3. */
  readonly encoding: 'base64' | 'text';
  /** What the caller can do instead, appended to the message. */
  readonly alternative: string;
}

/**
 * Refuses a file that is too large to return whole, before anything is read: over the media limit
 * or, once encoded, over the response budget. The message names the size, the limit and the
 * setting that raises it.
 */
export function checkWholeFileSize(resolved: ResolvedPath, size: number, limits: WholeFileLimits): void {
  const shown = `\`${resolved.argument}\` ${show(resolved.path)}`;
  if (size > limits.maxBytes) {
    throw new ToolError(
      `${shown} is ${size} bytes, over the limit of ${limits.maxBytes} bytes for reading a whole file; ` +
        `an operator can raise it with --max-media-bytes (FILESYSTEM_MAX_MEDIA_BYTES). ${limits.alternative}`,
    );
  }
  const sent = limits.encoding === 'base64' ? base64Length(size) : size;
  if (sent > limits.budget.maxBytes) {
    const encoded = limits.encoding === 'base64' ? ` (${sent} bytes as base64)` : '';
    throw new ToolError(
      `${shown} is ${size} bytes${encoded}, over the response budget of ${limits.budget.maxBytes} bytes; ` +
        `an operator can raise it with --max-result-bytes (BASTION_MAX_RESULT_BYTES). ${limits.alternative}`,
    );
  }
}

/**
 * Reads exactly `size` bytes (the size checked against the limits) from an opened file: one
 * buffer of that size, never more. A file that changed size meanwhile is refused rather than
 * returned half old, half new.
 */
export async function readWholeFile(handle: FileHandle, size: number, resolved: ResolvedPath): Promise<Buffer> {
  const buffer = Buffer.alloc(size);
  let filled = 0;
  while (filled < size) {
    const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  const after = await handle.stat();
  if (filled !== size || after.size !== size) {
    throw new ToolError(
      `\`${resolved.argument}\` ${show(resolved.path)} changed size while it was being read (from ${size} to ${after.size} bytes); try again.`,
    );
  }
  return buffer;
}
