import { constants, existsSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { lstat, open, readdir, readlink, realpath } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ToolError } from '@bastion-mcp/core';
import { show } from './messages.js';
import type { AllowedRoot } from './roots.js';

/*
 * Every change to the disk is made relative to a directory held open, reached from an allowed
 * directory one component at a time and never through a symbolic link, so a directory on the
 * path swapped for a link between the check and the change cannot send the change outside.
 *
 * Linux has no openat()/unlinkat()/renameat2() in Node, and no well-kept native binding offers
 * them (openat2 with RESOLVE_BENEATH included) that builds from the npm registry alone, so the
 * same effect comes from procfs in plain Node, as the read path already does: `/proc/self/fd/N/name`
 * looks `name` up in the very directory descriptor N was opened on, wherever that directory has
 * been moved or whatever now sits at its old path. Each component is opened with O_DIRECTORY |
 * O_NOFOLLOW, so a link in its place fails instead of being followed; the change itself
 * (unlink, rmdir, mkdir, rename, an exclusive create) never follows its last component.
 *
 * Without /proc/self/fd (macOS, or Linux without procfs) the paths are used as they are, each
 * directory checked to be still the real directory just before it is used: a narrow race
 * remains there, so the guarantee is Linux's.
 */

/** Whether changes are made through held directory descriptors (decided once, at start-up). */
export const HELD_BY_DESCRIPTOR = process.platform === 'linux' && existsSync('/proc/self/fd');

const DIRECTORY_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/** Who a change is made for, in messages: `path` "/data/a/b" changed while it was being deleted. */
export interface Subject {
  readonly argument: string;
  readonly path: string;
  /** 'deleted', 'moved', 'created', 'written'. */
  readonly doing: string;
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function changed(subject: Subject, what: string): ToolError {
  return new ToolError(
    `\`${subject.argument}\` ${show(subject.path)} changed while it was being ${subject.doing}: ${what}; nothing outside the allowed directories was touched. Try again.`,
  );
}

const REPLACED_BY_LINK = 'a directory on the path was replaced by a symbolic link';

/** A directory held open; entries inside it are named by `at(name)` for the system calls. */
export class HeldDirectory {
  private constructor(
    /** The real path it was reached by, for messages and the protected-file patterns. */
    readonly location: string,
    private readonly handle: FileHandle | undefined,
  ) {}

  /** An allowed directory itself, held open and checked to be the directory configured. */
  static async root(root: AllowedRoot, subject: Subject): Promise<HeldDirectory> {
    if (!HELD_BY_DESCRIPTOR) {
      await HeldDirectory.stillReal(root.real, subject);
      return new HeldDirectory(root.real, undefined);
    }
    const handle = await open(root.real, DIRECTORY_FLAGS).catch((error: unknown) => {
      throw changed(subject, `the allowed directory ${show(root.path)} cannot be opened (${code(error) ?? (error as Error).message})`);
    });
    const actual = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
    if (actual !== root.real) {
      await handle.close();
      throw changed(subject, `the allowed directory ${show(root.path)} was moved or replaced`);
    }
    return new HeldDirectory(root.real, handle);
  }

  /** The directory `relative` (forward slashes, '' for the root) below an allowed directory, reached component by component. */
  static async reach(root: AllowedRoot, relative: string, subject: Subject): Promise<HeldDirectory> {
    let held = await HeldDirectory.root(root, subject);
    for (const name of relative === '' ? [] : relative.split('/')) {
      try {
        const next = await held.openChild(name).catch(async (error: unknown) => {
          throw await held.explain(error, name, subject);
        });
        await held.close();
        held = next;
      } catch (error) {
        await held.close();
        throw error;
      }
    }
    return held;
  }

  /** The directory that holds the entry `relative` (never ''), held open, and the entry's name in it. */
  static async reachParent(root: AllowedRoot, relative: string, subject: Subject): Promise<{ parent: HeldDirectory; name: string }> {
    const slash = relative.lastIndexOf('/');
    const name = relative.slice(slash + 1);
    if (name === '') throw new ToolError(`\`${subject.argument}\` ${show(subject.path)} is an allowed directory itself; it cannot be ${subject.doing}.`);
    const parent = await HeldDirectory.reach(root, slash === -1 ? '' : relative.slice(0, slash), subject);
    return { parent, name };
  }

  private static async stillReal(location: string, subject: Subject): Promise<void> {
    const real = await realpath(location).catch(() => undefined);
    if (real !== location) throw changed(subject, REPLACED_BY_LINK);
  }

  /** The path that names the entry `name` of this directory, looked up in this very directory. */
  at(name: string): string {
    return this.handle ? `/proc/self/fd/${this.handle.fd}/${name}` : join(this.location, name);
  }

  /** The subdirectory `name`, held open; a symbolic link there fails (ENOTDIR), never followed. */
  async openChild(name: string): Promise<HeldDirectory> {
    const location = join(this.location, name);
    if (!this.handle) {
      const stats = await lstat(location);
      if (!stats.isDirectory()) throw Object.assign(new Error(`${location} is not a directory`), { code: 'ENOTDIR' });
      if ((await realpath(location)) !== location) throw Object.assign(new Error(`${location} changed`), { code: 'ELOOP' });
      return new HeldDirectory(location, undefined);
    }
    return new HeldDirectory(location, await open(this.at(name), DIRECTORY_FLAGS));
  }

  /** The entries of this directory (types as lstat sees them: a link is never a directory here). */
  async list(): Promise<Dirent[]> {
    return readdir(this.handle ? `/proc/self/fd/${this.handle.fd}` : this.location, { withFileTypes: true });
  }

  /** Just before a change by name where descriptors are not available: still the real directory? */
  async verify(subject: Subject): Promise<void> {
    if (!this.handle) await HeldDirectory.stillReal(this.location, subject);
  }

  /** Why opening the subdirectory `name` failed, as the caller's error. */
  async explain(error: unknown, name: string, subject: Subject): Promise<ToolError> {
    switch (code(error)) {
      case 'ELOOP':
        return changed(subject, REPLACED_BY_LINK);
      case 'ENOTDIR': {
        // Not a directory when it was opened: a link, or an entry of another kind. By now it may
        // have been swapped back, so only an entry of another kind still there says which.
        const found = await lstat(this.at(name)).catch(() => undefined);
        if (!found || found.isSymbolicLink() || found.isDirectory()) return changed(subject, REPLACED_BY_LINK);
        return changed(subject, `${show(join(this.location, name))} is no longer a directory`);
      }
      case 'ENOENT':
        return changed(subject, `${show(join(this.location, name))} was removed or renamed`);
      case 'EACCES':
      case 'EPERM':
        return new ToolError(`\`${subject.argument}\` ${show(subject.path)}: permission denied by the operating system.`);
      default:
        return new ToolError(
          `\`${subject.argument}\` ${show(subject.path)} cannot be reached (${code(error) ?? (error as Error).message}); nothing was ${subject.doing}.`,
        );
    }
  }

  async close(): Promise<void> {
    await this.handle?.close().catch(() => undefined);
  }
}

/** Runs `use` with the directory held, closing it afterwards whatever happens. */
export async function holding<T>(held: HeldDirectory, use: (held: HeldDirectory) => Promise<T>): Promise<T> {
  try {
    return await use(held);
  } finally {
    await held.close();
  }
}
