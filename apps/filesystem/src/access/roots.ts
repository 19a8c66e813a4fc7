import { stat, realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ToolError } from '@bastion-mcp/core';
import { isInside } from './containment.js';
import { show } from './messages.js';

/** An allowed directory: as configured (made absolute) and with every symbolic link resolved. */
export interface AllowedRoot {
  readonly path: string;
  readonly real: string;
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? `${homedir()}${path.slice(1)}` : path;
}

/**
 * Resolves the configured directories at start-up; every one must exist and be a directory, and
 * all problems are reported together. Duplicates collapse.
 */
export async function resolveAllowedRoots(paths: readonly string[]): Promise<AllowedRoot[]> {
  const problems: string[] = [];
  const roots: AllowedRoot[] = [];
  for (const given of paths) {
    const path = resolve(expandHome(given));
    try {
      const real = await realpath(path);
      if (!(await stat(real)).isDirectory()) {
        problems.push(`${show(given)} is not a directory`);
        continue;
      }
      if (!roots.some((root) => root.real === real)) roots.push({ path, real });
    } catch (error) {
      problems.push(`${show(given)} cannot be used: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`allowed directories (FILESYSTEM_ROOTS): ${problems.join('; ')}`);
  }
  return roots;
}

/**
 * Narrows the allowed directories to the roots a client offers, never widening them: a client
 * root inside an allowed directory replaces it, an allowed directory inside a client root
 * stays, and anything else is dropped. Without client roots the allowed directories apply.
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
      if (isInside(root.real, real)) add({ path: real, real });
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
