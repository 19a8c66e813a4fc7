import { readlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/**
 * The path the kernel records for an open descriptor (Linux /proc), or undefined where the
 * platform does not say. Comparing it with the validated path closes the gap between checking a
 * path and opening it: a directory swapped for a link in between shows up as a different path.
 */
export async function descriptorPath(handle: FileHandle): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  return readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
}
