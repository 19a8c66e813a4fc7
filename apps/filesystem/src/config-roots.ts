// What is wrong with a configured allowed directory, in the words of a configuration problem.
// Checked with the other settings, so every bad setting is reported at once, and again when the
// roots are resolved at start-up.
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { show } from './access/messages.js';

export function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? `${homedir()}${path.slice(1)}` : path;
}

/** The given path in quotes, followed by the absolute path it stands for when that differs. */
export function nameRoot(given: string, path: string): string {
  return path === given ? show(given) : `${show(given)} (${path})`;
}

export const NOT_A_DIRECTORY = 'is a file, not a directory: give the directory to serve';

export function unusableBecause(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'does not exist: create it or fix the path';
    case 'ENOTDIR':
      return 'runs through a file, not a directory: fix the path';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be reached by this server (permission denied): grant it access or choose another directory';
    case 'ELOOP':
      return 'is a loop of symbolic links: fix the links or the path';
    default:
      return `cannot be used (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): check the path`;
  }
}

/** What is wrong with one configured directory, or undefined when it is a directory. */
export function rootProblem(given: string): string | undefined {
  const path = resolve(expandHome(given));
  try {
    // bigint: a plain sync stat of a FIFO or socket poisons Node's realpath cache (nodejs/node#51142).
    if (!statSync(path, { bigint: true }).isDirectory()) return `${nameRoot(given, path)} ${NOT_A_DIRECTORY}`;
  } catch (error) {
    return `${nameRoot(given, path)} ${unusableBecause(error)}`;
  }
  return undefined;
}
