import { createRequire } from 'node:module';
import type { Ignore } from 'ignore';

// Loaded on first use (a walk that meets a .gitignore); start-up time is a user-visible cost.
const load = createRequire(import.meta.url);
let ignoreFactory: (() => Ignore) | undefined;
const ignore = (): Ignore => (ignoreFactory ??= load('ignore') as () => Ignore)();

/**
 * The rules of one `.gitignore`, applying to the entries of its directory and below. `prefix` is
 * that directory's path relative to the walk's start, with a trailing '/' ('' for the start).
 */
export interface IgnoreLevel {
  readonly prefix: string;
  readonly rules: Ignore;
  /**
   * Every rule is a name pattern (no '/' except a trailing one), as in most `.gitignore` files:
   * git then matches the entry's name alone, which is also much cheaper to ask `ignore` about
   * (it caches by the string it is given, and names repeat across directories).
   */
  readonly byName: boolean;
}

/** The levels in effect in one directory, the start's first. */
export type IgnoreChain = readonly IgnoreLevel[];

/** `.gitignore` files larger than this are not read (their rules are not applied). */
export const MAX_GITIGNORE_BYTES = 1024 * 1024;
const MAX_LINE = 1000;

/**
 * A malicious `.gitignore` could hold patterns whose regular expressions backtrack badly against
 * deep paths (several `**`); such lines are dropped, as are absurdly long ones.
 */
function usable(line: string): boolean {
  if (line.length > MAX_LINE) return false;
  return (line.match(/\*\*/g)?.length ?? 0) <= 2;
}

function isNamePattern(line: string): boolean {
  let body = line.trim();
  if (body === '' || body.startsWith('#')) return true;
  if (body.startsWith('!')) body = body.slice(1);
  while (body.endsWith('/')) body = body.slice(0, -1);
  return !body.includes('/');
}

export function parseGitignore(content: string, prefix: string): IgnoreLevel | undefined {
  const lines = content.split(/\r?\n/).filter(usable);
  if (!lines.some((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))) return undefined;
  return { prefix, rules: ignore().add(lines), byName: lines.every(isNamePattern) };
}

/**
 * Whether `.gitignore` rules exclude the entry: the deepest level that has an opinion decides (a
 * deeper file can re-include with `!`). A directory's own exclusion is final, since the walk never
 * enters an excluded directory — which is git's rule as well.
 */
export function isIgnored(chain: IgnoreChain, path: string, name: string, isDirectory: boolean): boolean {
  for (let index = chain.length - 1; index >= 0; index -= 1) {
    const level = chain[index];
    if (!level) continue;
    const subject = (level.byName ? name : path.slice(level.prefix.length)) + (isDirectory ? '/' : '');
    let result: ReturnType<Ignore['test']>;
    try {
      result = level.rules.test(subject);
    } catch {
      // `ignore` refuses names it cannot take as relative paths (such as "..."): no rule applies.
      continue;
    }
    if (result.ignored) return true;
    if (result.unignored) return false;
  }
  return false;
}
