import type { Dirent } from 'node:fs';
import { readdirSync, realpathSync } from 'node:fs';
import { ToolError } from '@bastion-mcp/core';
import type { FileAccess } from '../../../access/file-access.js';
import { show } from '../../../access/messages.js';
import { denyFilter } from './deny-filter.js';
import type { DenyFilter } from './deny-filter.js';
import { compareNames, entryType } from './entry.js';
import type { EntryType } from './entry.js';
import { FileReader } from './file-reader.js';
import { MAX_GITIGNORE_BYTES, isIgnored, parseGitignore } from './gitignore.js';
import type { IgnoreChain } from './gitignore.js';
import type { Glob } from '../../../access/glob.js';
import { Pacer } from './pacer.js';
import type { StartDirectory } from './start.js';

/** One visible entry of a walk. Names are as on disk: sanitize before showing them. */
export interface WalkEntry {
  readonly name: string;
  readonly type: EntryType;
  /** Relative to the start directory, '/' separated. */
  readonly path: string;
  /** 1 for the start directory's own entries. */
  readonly depth: number;
  /** Absolute, with no symbolic link in it (the start's real path plus names from listings). */
  readonly absolute: string;
  /** The `.gitignore` levels in effect inside this entry, when it is a directory. */
  readonly ignores: IgnoreChain;
}

export interface WalkOptions {
  /** Globs of entries to leave out (and, for directories, not to enter). */
  readonly exclude?: Glob | undefined;
  /** Apply `.gitignore` files in the start directory and below, and skip `.git/`. */
  readonly respectGitignore: boolean;
  readonly signal: AbortSignal;
}

/** Where a depth-first walk resumes: after (or at) the entry with these path components. */
export interface ResumePoint {
  readonly components: readonly string[];
  /** Visit the entry named by `components` itself again (grep resumes inside a file). */
  readonly inclusive: boolean;
}

interface Frame {
  readonly entries: readonly WalkEntry[];
  index: number;
}

/**
 * Walks a directory tree inside the allowed directories, with these guarantees:
 * - symbolic links are listed (type 'symlink') and never followed, so a link loop cannot hang a
 *   walk and a link pointing outside is never entered;
 * - a directory is entered only when its real path is exactly where the walk expects it (no
 *   component was swapped for a link since it was listed), so its listing cannot come from outside;
 * - protected files and directories (the deny list) are invisible: not listed, not entered;
 * - named pipes, sockets and devices are listed as 'other' and never opened;
 * - an unreadable directory is skipped and counted, not fatal;
 * - entries are sorted by name, so a walk is deterministic and can resume after a given entry.
 * The file-system calls are synchronous, in slices, yielding to the event loop (see Pacer).
 */
export class Walker {
  readonly pacer: Pacer;
  /** Directories that could not be read (permissions, vanished) or were swapped during the walk. */
  unreadableDirectories = 0;
  private readonly deny: DenyFilter;
  private readonly gitignoreReader: FileReader;
  private lastFailure: string | undefined;

  constructor(
    readonly access: FileAccess,
    readonly start: StartDirectory,
    private readonly options: WalkOptions,
  ) {
    this.pacer = new Pacer(options.signal);
    this.deny = denyFilter(access.deny);
    this.gitignoreReader = new FileReader(access.allowHardlinks);
  }

  /** The visible entries of the start directory (depth 1); a ToolError when it cannot be read. */
  readStart(): readonly WalkEntry[] {
    const entries = this.list(this.start.real, '', 0, []);
    if (entries) return entries;
    const shown = `\`path\` ${show(this.start.path)}`;
    throw new ToolError(
      this.lastFailure === 'moved'
        ? `${shown} changed while it was being read (it was replaced or moved); try again.`
        : this.lastFailure === 'EACCES' || this.lastFailure === 'EPERM'
          ? `${shown}: permission denied by the operating system.`
          : `${shown} cannot be read (${this.lastFailure ?? 'unknown error'}).`,
    );
  }

  /** The visible entries of a directory entry (one level deeper); undefined when unreadable. */
  readDirectory(directory: WalkEntry): readonly WalkEntry[] | undefined {
    return this.list(directory.absolute, directory.path, directory.depth, directory.ignores);
  }

  /** Whether `path` (relative to the start) is protected; for entries not produced by a listing. */
  isProtected(path: string, name: string): boolean {
    return this.deny.denied(this.start.rootPrefix + path, childPath(this.start.real, path), name);
  }

  private list(absolute: string, relative: string, depth: number, inherited: IgnoreChain): WalkEntry[] | undefined {
    let dirents: Dirent[];
    try {
      dirents = readdirSync(absolute, { withFileTypes: true });
      // The start is a real path, and every other directory is entered by name from its parent's
      // listing, as a directory and not a link: its real path must be exactly that. If a
      // component was swapped for a link meanwhile, the listing may be of another directory
      // (outside, even), so it is dropped.
      if (realpathSync.native(absolute) !== absolute) {
        this.unreadableDirectories += 1;
        this.lastFailure = 'moved';
        return undefined;
      }
    } catch (error) {
      this.unreadableDirectories += 1;
      this.lastFailure = (error as NodeJS.ErrnoException).code;
      return undefined;
    }
    const prefix = relative === '' ? '' : `${relative}/`;
    const { exclude, respectGitignore } = this.options;
    let ignores = inherited;
    if (respectGitignore) {
      const file = dirents.find((dirent) => dirent.name === '.gitignore' && dirent.isFile());
      if (file && !this.isProtected(`${prefix}.gitignore`, '.gitignore')) {
        const read = this.gitignoreReader.read(childPath(absolute, '.gitignore'), MAX_GITIGNORE_BYTES);
        this.gitignoreReader.close();
        const level = read.kind === 'read' ? parseGitignore(read.data.toString('utf8'), prefix) : undefined;
        if (level) ignores = [...inherited, level];
      }
    }
    const rootPrefix = this.start.rootPrefix + prefix;
    const entries: WalkEntry[] = [];
    for (const dirent of dirents) {
      const { name } = dirent;
      const path = prefix + name;
      const entryAbsolute = childPath(absolute, name);
      if (this.deny.denied(rootPrefix + name, entryAbsolute, name)) continue;
      const type = entryType(dirent);
      const isDirectory = type === 'directory';
      if (respectGitignore) {
        if (isDirectory && name === '.git') continue;
        if (ignores.length > 0 && isIgnored(ignores, path, name, isDirectory)) continue;
      }
      if (exclude?.matches(path, name)) continue;
      entries.push({ name, type, path, depth: depth + 1, absolute: entryAbsolute, ignores });
    }
    entries.sort((a, b) => compareNames(a.name, b.name));
    return entries;
  }

  /**
   * Depth-first, pre-order (a directory, then its contents), every level sorted by name.
   * `visit` returns false to stop. `maxDepth` bounds the entries visited (1 = the start's own).
   */
  async depthFirst(visit: (entry: WalkEntry) => boolean | void, resume?: ResumePoint, maxDepth = Infinity): Promise<void> {
    const stack: Frame[] = [];
    const first = this.readStart();
    if (resume && resume.components.length > 0) this.seek(stack, first, resume, maxDepth);
    else stack.push({ entries: first, index: 0 });
    const { pacer } = this;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as Frame;
      const entry = frame.entries[frame.index];
      if (entry === undefined) {
        stack.pop();
        continue;
      }
      frame.index += 1;
      pacer.check();
      if (pacer.due()) await pacer.pause();
      if (visit(entry) === false) return;
      if (entry.type === 'directory' && entry.depth < maxDepth) {
        const children = this.readDirectory(entry);
        if (children && children.length > 0) stack.push({ entries: children, index: 0 });
      }
    }
  }

  /** Builds the stack of a walk positioned just after (or at) the resume point. */
  private seek(stack: Frame[], first: readonly WalkEntry[], resume: ResumePoint, maxDepth: number): void {
    let entries = first;
    const { components } = resume;
    for (let level = 0; level < components.length; level += 1) {
      const name = components[level] as string;
      const last = level === components.length - 1;
      let index = lowerBound(entries, name);
      const found = entries[index];
      if (found === undefined || found.name !== name) {
        // The entry is gone: carry on with whatever sorts after it.
        stack.push({ entries, index });
        return;
      }
      if (last) {
        stack.push({ entries, index: resume.inclusive ? index : index + 1 });
        if (!resume.inclusive && found.type === 'directory' && found.depth < maxDepth) {
          const children = this.readDirectory(found);
          if (children && children.length > 0) stack.push({ entries: children, index: 0 });
        }
        return;
      }
      index += 1;
      stack.push({ entries, index });
      if (found.type !== 'directory' || found.depth >= maxDepth) return;
      const children = this.readDirectory(found);
      if (!children) return;
      entries = children;
    }
  }

  /** Reads a walked file with the walk's protections (see FileReader). */
  createReader(): FileReader {
    return new FileReader(this.access.allowHardlinks);
  }
}

function childPath(directory: string, name: string): string {
  return directory.endsWith('/') ? directory + name : `${directory}/${name}`;
}

function lowerBound(entries: readonly WalkEntry[], name: string): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareNames((entries[middle] as WalkEntry).name, name) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

