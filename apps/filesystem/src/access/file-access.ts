import type { Stats } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ToolError } from '@bastion-mcp/core';
import { isInside, relativeInside } from './containment.js';
import type { DenyList } from './deny-list.js';
import { createExecConfigGuard } from './exec-config.js';
import type { ExecConfigGuard, ExecConfigMatch } from './exec-config.js';
import { show } from './messages.js';
import type { PatternLocation } from './path-patterns.js';
import { absoluteRequestedPath } from './requested-path.js';
import { anchored, patternLocation } from './roots.js';
import type { AllowedRoot } from './roots.js';

/** A path argument checked against the allowed directories, symbolic links resolved. */

/** A path to read that does not exist (a resource read answers it as not found). */
export class MissingPathError extends ToolError {}

export interface ResolvedPath {
  /** The argument name, for messages. */
  readonly argument: string;
  /** Absolute, as the caller named it (shown back to the caller). */
  readonly path: string;
  /** With every symbolic link resolved; for a path that does not exist yet, its real parent + name. */
  readonly real: string;
  readonly root: AllowedRoot;
  /** `real` relative to `root.real`, forward slashes; '' for the root itself. */
  readonly relative: string;
  readonly exists: boolean;
  /** The entry itself, not followed (a symbolic link shows as one); set when it exists. */
  readonly entry: Stats | undefined;
}

/**
 * `write` creates or changes the path (files that make code run later are refused); `remove`
 * deletes it or moves it away (which cannot make code run).
 */
export type Intent = 'read' | 'write' | 'remove';

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Every path a tool touches goes through here. Containment is checked twice, on the path as
 * given and after resolving symbolic links, component by component; protected files are refused
 * before their existence is even looked at, so the answer reveals nothing about them.
 */
export class FileAccess {
  constructor(
    readonly roots: readonly AllowedRoot[],
    readonly deny: DenyList,
    readonly allowHardlinks: boolean,
    readonly execConfig: ExecConfigGuard = createExecConfigGuard([]),
  ) {}

  /** The same rules over a narrower set of roots (the client's roots). */
  withRoots(roots: readonly AllowedRoot[]): FileAccess {
    return roots === this.roots ? this : new FileAccess(roots, this.deny, this.allowHardlinks, this.execConfig);
  }

  rootOf(realPath: string): AllowedRoot | undefined {
    return this.roots.find((root) => isInside(root.real, realPath));
  }

  /** The deny-list pattern that protects `realPath` (inside `root`), if any. */
  protectedPattern(root: AllowedRoot, realPath: string): string | undefined {
    return this.deny.match(patternLocation(root, realPath));
  }

  /** What makes writing `realPath` (inside `root`) run code later, if anything does (see exec-config.ts). */
  execConfigMatch(root: AllowedRoot, realPath: string): ExecConfigMatch | undefined {
    return this.execConfig.match(patternLocation(root, realPath));
  }

  /**
   * An absolute path as named, before links are resolved, located for the patterns: checked
   * first, so a protected file is refused before its existence is looked at.
   */
  lexicalLocation(path: string): PatternLocation | undefined {
    const root = this.roots.find((item) => isInside(item.path, path) || isInside(item.real, path));
    if (!root) return undefined;
    const base = isInside(root.path, path) ? root.path : root.real;
    return { inRoot: anchored(root, relativeInside(base, path)), absolute: path };
  }

  async resolve(argument: string, input: string, intent: Intent): Promise<ResolvedPath> {
    const [first] = this.roots;
    if (!first) throw new ToolError('No directory is accessible.');
    const path = absoluteRequestedPath(argument, input, first.path);
    const lexical = this.lexicalLocation(path);
    if (!lexical) throw this.outside(argument, path);
    this.refuse(argument, path, lexical, intent);

    let real: string;
    try {
      real = await realpath(path);
    } catch (error) {
      if (code(error) !== 'ENOENT') throw this.fromErrno(argument, path, error);
      if (intent === 'read') throw new MissingPathError(`\`${argument}\` ${show(path)} does not exist.`);
      return this.resolveMissing(argument, path, intent);
    }
    const root = this.rootOf(real);
    if (!root) {
      throw new ToolError(
        `\`${argument}\` ${show(path)} leads through a symbolic link to a location outside the allowed directories; it is refused.`,
      );
    }
    const relative = relativeInside(root.real, real);
    this.refuse(argument, path, patternLocation(root, real), intent);
    const entry = await lstat(path).catch((error: unknown) => {
      throw this.fromErrno(argument, path, error);
    });
    return { argument, path, real, root, relative, exists: true, entry };
  }

  /** A path to be created: its nearest existing ancestor must be real, inside, and not a link. */
  private async resolveMissing(argument: string, path: string, intent: Intent): Promise<ResolvedPath> {
    const missing: string[] = [];
    let cursor = path;
    for (;;) {
      const link = await lstat(cursor).catch(() => undefined);
      if (link?.isSymbolicLink()) {
        const which = cursor === path ? 'is' : `has a component ${show(cursor)} that is`;
        throw new ToolError(
          `\`${argument}\` ${show(path)} ${which} a symbolic link whose target does not exist (a dangling link); writing through links is refused. Remove the link or choose another path.`,
        );
      }
      missing.unshift(basename(cursor));
      const parent = dirname(cursor);
      if (parent === cursor) throw this.outside(argument, path);
      cursor = parent;
      try {
        const realParent = await realpath(cursor);
        const root = this.rootOf(realParent);
        if (!root) throw this.outside(argument, path);
        const real = join(realParent, ...missing);
        const relative = relativeInside(root.real, real);
        this.refuse(argument, path, patternLocation(root, real), intent);
        return { argument, path, real, root, relative, exists: false, entry: undefined };
      } catch (error) {
        if (error instanceof ToolError) throw error;
        if (code(error) !== 'ENOENT') throw this.fromErrno(argument, path, error);
      }
    }
  }

  private refuse(argument: string, path: string, location: PatternLocation, intent: Intent): void {
    const pattern = this.deny.match(location);
    if (pattern) {
      throw new ToolError(
        `\`${argument}\` ${show(path)} is a protected file (it matches ${show(pattern)}); files that commonly hold credentials are never read, listed or written. An operator can change the list with FILESYSTEM_DENY or --allow-secret-files.`,
      );
    }
    if (intent !== 'write') return;
    const exec = this.execConfig.match(location);
    if (exec) throw new ToolError(execConfigMessage(argument, path, exec));
  }

  private outside(argument: string, path: string): ToolError {
    return new ToolError(
      `\`${argument}\` ${show(path)} is outside the allowed directories (${this.roots.map((root) => root.path).join(', ')}); list_allowed_directories shows them.`,
    );
  }

  private fromErrno(argument: string, path: string, error: unknown): ToolError {
    const shown = `\`${argument}\` ${show(path)}`;
    switch (code(error)) {
      case 'ENOTDIR':
        return new ToolError(`${shown}: a component of the path is not a directory.`);
      case 'ELOOP':
        return new ToolError(`${shown}: too many symbolic links (a loop); it is refused.`);
      case 'EACCES':
      case 'EPERM':
        return new ToolError(`${shown}: permission denied by the operating system.`);
      case 'ENAMETOOLONG':
        return new ToolError(`${shown}: the path or one of its names is too long.`);
      default:
        return new ToolError(`${shown} cannot be accessed (${code(error) ?? (error as Error).message}).`);
    }
  }
}

/** Why writing an exec-config file is refused, and which setting allows it. */
export function execConfigMessage(argument: string, path: string, exec: ExecConfigMatch): string {
  return (
    `\`${argument}\` ${show(path)} is ${exec.kind.what} (it matches ${show(exec.pattern)}): ${exec.kind.runs}, so writing it would make code run later, ` +
    'outside this server; it is refused (reading it is not). An operator can allow it with --allow-exec-config ' +
    `(FILESYSTEM_ALLOW_EXEC_CONFIG), for example --allow-exec-config ${show(exec.pattern)}.`
  );
}
