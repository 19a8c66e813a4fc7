import type { Stats } from 'node:fs';
import { fstatSync, lstatSync } from 'node:fs';

// Synchronous stats land in a process-wide buffer that fs.realpathSync, and so module resolution,
// reads back: left holding a named pipe's or a socket's mode, every later import stops following
// pnpm's symlinks (nodejs/node#51142), and a lazily loaded module fails to load. A root may hold
// such entries, so after one is seen the buffer is overwritten with a directory's stat.
function scrubbed(stats: Stats): Stats {
  if (stats.isFIFO() || stats.isSocket()) lstatSync('/');
  return stats;
}

/** lstatSync that is safe on any entry; undefined when it does not exist. */
export function lstatEntrySync(path: string): Stats | undefined {
  const stats = lstatSync(path, { throwIfNoEntry: false });
  return stats === undefined ? undefined : scrubbed(stats);
}

/** fstatSync that is safe on any descriptor. */
export function fstatEntrySync(fd: number): Stats {
  return scrubbed(fstatSync(fd));
}
