import { isAbsolute, relative, sep } from 'node:path';

/**
 * True when `candidate` is `root` or lies beneath it, compared component by component: a
 * sibling that merely shares the prefix (`/data/app_evil` next to `/data/app`) is outside.
 * Both paths must be absolute and normalised.
 */
export function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  if (rel === '') return true;
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** The path of `candidate` inside `root` with forward slashes ('' for the root itself). */
export function relativeInside(root: string, candidate: string): string {
  return relative(root, candidate).split(sep).join('/');
}
