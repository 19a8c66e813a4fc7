import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ToolError } from '@bastion-mcp/core';
import type { FileAccess, ResolvedPath } from '../../../access/file-access.js';
import { show } from '../../../access/messages.js';
import { anchored } from '../../../access/roots.js';

/** The directory a walk starts in, checked by the access layer. */
export interface StartDirectory {
  readonly resolved: ResolvedPath;
  /** As the caller named it (absolute); shown back in results. */
  readonly path: string;
  /** With links resolved; the walk reads below this path only. */
  readonly real: string;
  /**
   * `real` inside the configured allowed directory (not a client's narrower root), with a
   * trailing '/' unless it is that directory itself: the prefix of deny-list paths.
   */
  readonly rootPrefix: string;
}

function kind(stats: Stats): string {
  if (stats.isFile()) return 'a file';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a directory';
}

/**
 * Resolves a path argument through the access layer (containment, links, protected files) and
 * requires a directory.
 */
export async function resolveStartDirectory(access: FileAccess, argument: string, input: string): Promise<StartDirectory> {
  const resolved = await access.resolve(argument, input, 'read');
  let stats = resolved.entry;
  if (!stats || stats.isSymbolicLink()) {
    stats = await stat(resolved.real).catch((error: NodeJS.ErrnoException) => {
      throw new ToolError(`\`${argument}\` ${show(resolved.path)} cannot be accessed (${error.code ?? error.message}).`);
    });
  }
  if (!stats.isDirectory()) {
    const hint = stats.isFile() ? '; use read_text_file to read a file, or get_file_info to describe it' : '';
    throw new ToolError(`\`${argument}\` ${show(resolved.path)} is ${kind(stats)}, not a directory${hint}.`);
  }
  const inRoot = anchored(resolved.root, resolved.relative);
  return {
    resolved,
    path: resolved.path,
    real: resolved.real,
    rootPrefix: inRoot === '' ? '' : `${inRoot}/`,
  };
}
