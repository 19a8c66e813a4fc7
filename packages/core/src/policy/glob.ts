import { posix } from 'node:path';

/**
 * Globs for policy files, in two kinds:
 * - `name` (tool, toolset, principal, scope names; argument values that are not paths): the
 *   whole string is matched. `*` matches any run of characters except `/`, `**` any run
 *   including `/`, `?` exactly one character except `/`. Every other character is literal.
 * - `path`: the value is normalised lexically first (`.`/`..` resolved, `//` collapsed, a trailing
 *   `/` dropped), then matched segment by segment: `*` and `?` stay inside one segment, and a
 *   segment that is exactly `**` matches zero or more whole segments (so `/srv/data/**` matches
 *   `/srv/data` and everything under it, never `/srv/data_evil`). A relative value that still
 *   climbs above its base (`../x`) and a value with a NUL byte never match.
 *
 * Matching simulates the pattern as a set of states over the input (no backtracking, no regular
 * expression built from the pattern): time is O(pattern length x value length), never exponential.
 */
export type GlobKind = 'name' | 'path';

export type Matcher = (value: string) => boolean;

interface Step<T> {
  /** `one` consumes exactly one item that passes; `many` consumes zero or more. */
  readonly kind: 'one' | 'many';
  readonly test: (item: T) => boolean;
}

function simulate<T>(steps: readonly Step<T>[], items: readonly T[]): boolean {
  const size = steps.length + 1;
  let current = new Uint8Array(size);
  let next = new Uint8Array(size);
  const close = (states: Uint8Array) => {
    for (let index = 0; index < steps.length; index += 1) {
      if (states[index] === 1 && steps[index]!.kind === 'many') states[index + 1] = 1;
    }
  };
  current[0] = 1;
  close(current);
  for (const item of items) {
    next.fill(0);
    let alive = false;
    for (let index = 0; index < steps.length; index += 1) {
      if (current[index] !== 1) continue;
      const step = steps[index]!;
      if (!step.test(item)) continue;
      next[step.kind === 'one' ? index + 1 : index] = 1;
      alive = true;
    }
    if (!alive) return false;
    close(next);
    [current, next] = [next, current];
  }
  return current[steps.length] === 1;
}

function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

const notSlash = (char: string) => char !== '/';
const anything = () => true;

function nameSteps(pattern: string): Step<string>[] {
  const chars = Array.from(pattern);
  const steps: Step<string>[] = [];
  for (let index = 0; index < chars.length; index += 1) {
    const char = chars[index]!;
    if (char === '*') {
      const globstar = chars[index + 1] === '*';
      while (chars[index + 1] === '*') index += 1;
      steps.push({ kind: 'many', test: globstar ? anything : notSlash });
    } else if (char === '?') {
      steps.push({ kind: 'one', test: notSlash });
    } else {
      steps.push({ kind: 'one', test: (item) => item === char });
    }
  }
  return steps;
}

function compileName(pattern: string): Matcher {
  if (!hasWildcard(pattern)) return (value) => value === pattern;
  if (pattern === '**') return () => true;
  const steps = nameSteps(pattern);
  return (value) => simulate(steps, Array.from(value));
}

/** The segments of a normalised path; an absolute path starts with the empty root segment. */
function pathSegments(value: string): string[] | undefined {
  if (value.length === 0 || value.includes('\0')) return undefined;
  let normalised = posix.normalize(value);
  if (normalised.length > 1 && normalised.endsWith('/')) normalised = normalised.slice(0, -1);
  if (normalised === '..' || normalised.startsWith('../')) return undefined;
  if (normalised === '/') return [''];
  return normalised.split('/');
}

function compilePath(pattern: string): Matcher {
  const segments = pattern === '/' ? [''] : pattern.split('/');
  const steps: Step<string>[] = segments.map((segment) => {
    if (segment === '**') return { kind: 'many', test: anything };
    if (segment === '') return { kind: 'one', test: (item) => item === '' };
    const matchSegment = compileName(segment);
    // The root marker is not a name: `*/x` must not match `/x`.
    return { kind: 'one', test: (item) => item !== '' && matchSegment(item) };
  });
  return (value) => {
    const items = pathSegments(value);
    return items !== undefined && simulate(steps, items);
  };
}

export function compileGlob(pattern: string, kind: GlobKind): Matcher {
  return kind === 'path' ? compilePath(pattern) : compileName(pattern);
}

/** One matcher for a list of patterns: true when any matches. */
export function compileGlobs(patterns: readonly string[], kind: GlobKind): Matcher {
  const exact = new Set(patterns.filter((pattern) => kind === 'name' && !hasWildcard(pattern)));
  const matchers = patterns.filter((pattern) => !exact.has(pattern)).map((pattern) => compileGlob(pattern, kind));
  return (value) => exact.has(value) || matchers.some((matches) => matches(value));
}

// Control characters never belong in a name or a path a policy speaks about.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why a pattern is unusable, or undefined when it is fine. */
export function globProblem(pattern: string, kind: GlobKind): string | undefined {
  if (pattern.length === 0) return 'must not be empty';
  if (CONTROL.test(pattern)) return 'must not contain control characters';
  if (kind === 'name') return undefined;
  if (pattern === '/') return undefined;
  const segments = pattern.split('/');
  for (const [index, segment] of segments.entries()) {
    if (segment === '' && index === 0) continue;
    if (segment === '') return 'must be a normalised path: no empty segments (`//`) and no trailing `/`';
    if (segment === '.' || segment === '..') return 'must be a normalised path: no `.` or `..` segments';
    if (segment.includes('**') && segment !== '**') return '`**` must be a whole path segment, as in /srv/**/logs';
  }
  return undefined;
}

/** True when a pattern contains a wildcard; exact names can be checked against the known tools. */
export function isGlob(pattern: string): boolean {
  return hasWildcard(pattern);
}
