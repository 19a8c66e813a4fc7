import { closeSync, constants, openSync, readSync, readlinkSync } from 'node:fs';
import { fstatEntrySync } from '../../../access/sync-stat.js';

/**
 * Reads the files a walk visits, synchronously, one at a time, into one reused buffer.
 *
 * This is `openVerified` for a walk. `openVerified` validates a path given by the caller with
 * `stat` and then opens it; here the entry comes from a listing of a directory the walk verified,
 * and it is opened directly with the same protections: O_NOFOLLOW (a symbolic link, even one
 * swapped in after the listing, is not followed), O_NONBLOCK (a named pipe cannot hang the call),
 * O_NOCTTY, and `fstat` of the opened descriptor must show a regular file, and one with a single
 * hard link unless the operator allowed more. It is synchronous because a search opens thousands
 * of small files: four promise round trips per file cost several times the work itself (grep over
 * 50,000 files: about 5 s with promises, 1 s like this). The walk yields between files.
 */
export type ReadResult =
  | { readonly kind: 'read'; readonly data: Buffer }
  | { readonly kind: 'tooLarge'; readonly size: number }
  | { readonly kind: 'hardLinked' }
  | { readonly kind: 'notRegular' }
  | { readonly kind: 'unreadable'; readonly code: string };

const FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0);
const DIRECTORY_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
const INITIAL = 64 * 1024;
const DESCRIPTORS = process.platform === 'linux';
const CACHED_DIRECTORIES = 16;

export class FileReader {
  private buffer = Buffer.allocUnsafe(INITIAL);
  /** Verified directory descriptors, most recently used last. */
  private readonly directories = new Map<string, number>();

  constructor(private readonly allowHardlinks: boolean) {}

  /** Closes the directory descriptors the reader kept. */
  close(): void {
    for (const fd of this.directories.values()) closeQuietly(fd);
    this.directories.clear();
  }

  /** The path to open `absolute` by: through its verified directory's descriptor where possible. */
  private openPath(absolute: string): string | undefined {
    if (!DESCRIPTORS) return absolute;
    const slash = absolute.lastIndexOf('/');
    const directory = slash === 0 ? '/' : absolute.slice(0, slash);
    let fd = this.directories.get(directory);
    if (fd === undefined) {
      fd = openSync(directory, DIRECTORY_FLAGS);
      if (readlinkSync(`/proc/self/fd/${fd}`) !== directory) {
        closeQuietly(fd);
        return undefined;
      }
      if (this.directories.size >= CACHED_DIRECTORIES) {
        const [oldest, oldestFd] = this.directories.entries().next().value as [string, number];
        this.directories.delete(oldest);
        closeQuietly(oldestFd);
      }
    } else {
      this.directories.delete(directory);
    }
    this.directories.set(directory, fd);
    return `/proc/self/fd/${fd}/${absolute.slice(slash + 1)}`;
  }

  private ensure(size: number, keep: number, maxBytes: number): void {
    if (this.buffer.length >= size) return;
    const grown = Buffer.allocUnsafe(Math.min(Math.max(size, this.buffer.length * 2), maxBytes + 1));
    if (keep > 0) this.buffer.copy(grown, 0, 0, keep);
    this.buffer = grown;
  }

  /** Reads the whole file when it holds at most `maxBytes`; the data is valid until the next read. */
  read(absolute: string, maxBytes: number): ReadResult {
    let fd: number;
    try {
      const path = this.openPath(absolute);
      if (path === undefined) return { kind: 'unreadable', code: 'ECHANGED' };
      fd = openSync(path, FLAGS);
    } catch (error) {
      return { kind: 'unreadable', code: (error as NodeJS.ErrnoException).code ?? 'EIO' };
    }
    try {
      const stats = fstatEntrySync(fd);
      if (!stats.isFile()) return { kind: 'notRegular' };
      if (stats.nlink > 1 && !this.allowHardlinks) return { kind: 'hardLinked' };
      if (stats.size > maxBytes) return { kind: 'tooLarge', size: stats.size };
      // Read the size fstat announced (one call for a small file); growth after that is not
      // read. A file announcing 0 bytes is read to its end, since some (procfs-like) report 0.
      const expected = stats.size;
      this.ensure(expected === 0 ? INITIAL : expected, 0, maxBytes);
      let filled = 0;
      while (filled < expected) {
        const count = readSync(fd, this.buffer, filled, expected - filled, null);
        if (count === 0) break;
        filled += count;
      }
      if (expected === 0) {
        for (;;) {
          if (filled === this.buffer.length) {
            if (filled > maxBytes) return { kind: 'tooLarge', size: filled };
            this.ensure(filled + 1, filled, maxBytes);
          }
          const count = readSync(fd, this.buffer, filled, this.buffer.length - filled, null);
          if (count === 0) break;
          filled += count;
        }
        if (filled > maxBytes) return { kind: 'tooLarge', size: filled };
      }
      return { kind: 'read', data: this.buffer.subarray(0, filled) };
    } catch (error) {
      return { kind: 'unreadable', code: (error as NodeJS.ErrnoException).code ?? 'EIO' };
    } finally {
      closeQuietly(fd);
    }
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // nothing to do: the descriptor is gone either way
  }
}
