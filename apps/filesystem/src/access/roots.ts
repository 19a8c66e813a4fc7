import { stat, realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, ToolError } from '@bastion-mcp/core';
import { expandHome, nameRoot, NOT_A_DIRECTORY, unusableBecause } from '../config-roots.js';
import { isInside, relativeInside } from './containment.js';
import type { PatternLocation } from './path-patterns.js';

/** An allowed directory: as configured (made absolute) and with every symbolic link resolved. */
export interface AllowedRoot {
  readonly path: string;
  readonly real: string;
  /**
   * Where `real` lies inside the configured allowed directory it belongs to: '' for a configured
   * directory, `sub/dir` for a client's root narrowed into it. Protected-file patterns are
   * matched from the configured directory, so a client root cannot move where they apply.
   */
  readonly anchor: string;
}

/** `real` (inside `root`) located for the deny and exec-config patterns. */
export function patternLocation(root: AllowedRoot, real: string): PatternLocation {
  return { inRoot: anchored(root, relativeInside(root.real, real)), absolute: real };
}

/** A path relative to `root` made relative to the configured directory `root` lies in. */
export function anchored(root: AllowedRoot, relative: string): string {
  if (root.anchor === '') return relative;
  return relative === '' ? root.anchor : `${root.anchor}/${relative}`;
}

/** How the configuration problem names the setting, as for every other setting. */
const ROOTS_SETTING = '--roots / FILESYSTEM_ROOTS';

/**
 * Resolves the configured directories at start-up; every one must exist and be a directory, and
 * all problems are reported together as a configuration error (exit 2). Duplicates collapse.
 */
export async function resolveAllowedRoots(paths: readonly string[]): Promise<AllowedRoot[]> {
  const problems: string[] = [];
  const roots: AllowedRoot[] = [];
  for (const given of paths) {
    const path = resolve(expandHome(given));
    const named = nameRoot(given, path);
    try {
      const real = await realpath(path);
      if (!(await stat(real)).isDirectory()) {
        problems.push(`${named} ${NOT_A_DIRECTORY}`);
        continue;
      }
      if (!roots.some((root) => root.real === real)) roots.push({ path, real, anchor: '' });
    } catch (error) {
      problems.push(`${named} ${unusableBecause(error)}`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError([{ setting: ROOTS_SETTING, message: problems.join('; ') }]);
  }
  return roots;
}

/**
 * Narrows the allowed directories to the roots a client offers, never widening them: a client
 * root inside an allowed directory replaces it, an allowed directory inside a client root
 * stays, and anything else is dropped. Without client roots the allowed directories apply. A
 * narrowed root remembers where it lies inside its allowed directory (`anchor`).
 */
export async function narrowToClientRoots(
  allowed: readonly AllowedRoot[],
  clientRoots: readonly { uri: string }[] | undefined,
): Promise<readonly AllowedRoot[]> {
  if (!clientRoots) return allowed;
  const narrowed: AllowedRoot[] = [];
  const add = (root: AllowedRoot) => {
    if (!narrowed.some((existing) => existing.real === root.real)) narrowed.push(root);
  };
  for (const clientRoot of clientRoots) {
    let real: string;
    try {
      if (!clientRoot.uri.startsWith('file:')) continue;
      const path = fileURLToPath(clientRoot.uri);
      real = await realpath(path);
      if (!(await stat(real)).isDirectory()) continue;
    } catch {
      continue;
    }
    for (const root of allowed) {
      if (isInside(root.real, real)) add({ path: real, real, anchor: anchored(root, relativeInside(root.real, real)) });
      else if (isInside(real, root.real)) add(root);
    }
  }
  if (narrowed.length === 0) {
    throw new ToolError(
      `None of the client's roots (${clientRoots.map((root) => root.uri).join(', ') || 'none'}) lies inside the server's allowed directories (${allowed.map((root) => root.path).join(', ')}); nothing is accessible. Add a root inside an allowed directory.`,
    );
  }
  return narrowed;
}
