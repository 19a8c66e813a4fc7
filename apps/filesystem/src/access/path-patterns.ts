import { compileGlob } from './glob.js';
import type { Glob } from './glob.js';

/**
 * Where a path lies, for matching operator patterns (the protected files, the exec-config
 * files). `inRoot` is relative to the configured allowed directory, never to a narrower root a
 * client offers: a client that names `<root>/.ssh` as its root must not make `.ssh/` look like
 * the top of the tree, where `**\/.ssh/**` would no longer see it.
 */
export interface PatternLocation {
  /** Inside the configured allowed directory, forward slashes; '' for the directory itself. */
  readonly inRoot: string;
  /** Absolute, as on disk. */
  readonly absolute: string;
}

export interface PathPatterns {
  readonly patterns: readonly string[];
  /** The pattern that matches the location or one of its parent directories, if any. */
  match(location: PatternLocation): string | undefined;
  /** The pattern that matches the location itself; for walks, whose parents were already asked about. */
  matchEntry(location: PatternLocation): string | undefined;
}

/**
 * Case-folded, because file systems that ignore case (macOS, Windows) open `.ENV` or `ID_RSA`
 * for a request of `.env` or `id_rsa`. Every comparison with these patterns goes through here.
 */
export function foldCase(text: string): string {
  return text.toLowerCase();
}

interface Matcher {
  readonly pattern: string;
  readonly absolute: boolean;
  readonly glob: Glob;
}

function lastName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Compiles operator glob patterns (the syntax of glob.ts, matched without regard to case). A
 * pattern starting with '/' is matched against the absolute path; any other against the path
 * inside the configured allowed directory. Problems are reported naming `setting`.
 */
export function compilePathPatterns(setting: string, patterns: readonly string[]): PathPatterns {
  const matchers: Matcher[] = patterns.map((pattern) => {
    const absolute = pattern.startsWith('/');
    // Names are folded to lower case, so a class of upper-case letters could never match.
    const body = foldCase(absolute ? pattern.replace(/^\/+/, '') : pattern).replace(/\[:(upper|lower):\]/g, '[:alpha:]');
    return { pattern, absolute, glob: compileGlob(setting, body === '' ? '**' : body) };
  });
  const relativeMatchers = matchers.filter((matcher) => !matcher.absolute);
  const absoluteMatchers = matchers.filter((matcher) => matcher.absolute);

  const matchRelative = (path: string): string | undefined => {
    if (path === '') return undefined;
    const name = lastName(path);
    for (const matcher of relativeMatchers) if (matcher.glob.matches(path, name)) return matcher.pattern;
    return undefined;
  };
  const matchAbsolute = (path: string): string | undefined => {
    const name = lastName(path);
    for (const matcher of absoluteMatchers) if (matcher.glob.matches(path, name)) return matcher.pattern;
    return undefined;
  };
  const entry = (inRoot: string, absolute: string): string | undefined =>
    matchRelative(inRoot) ?? (absoluteMatchers.length > 0 ? matchAbsolute(absolute) : undefined);

  return {
    patterns,
    matchEntry(location) {
      return entry(foldCase(location.inRoot), foldCase(location.absolute).replace(/^\/+/, ''));
    },
    match(location) {
      const inRoot = foldCase(location.inRoot);
      const absolute = foldCase(location.absolute).replace(/^\/+/, '');
      const itself = entry(inRoot, absolute);
      if (itself) return itself;
      // A protected directory protects what is in it, as a walk that never enters it does.
      for (let end = inRoot.indexOf('/'); end !== -1; end = inRoot.indexOf('/', end + 1)) {
        const above = matchRelative(inRoot.slice(0, end));
        if (above) return above;
      }
      if (absoluteMatchers.length === 0) return undefined;
      for (let end = absolute.indexOf('/'); end !== -1; end = absolute.indexOf('/', end + 1)) {
        const above = matchAbsolute(absolute.slice(0, end));
        if (above) return above;
      }
      return undefined;
    },
  };
}
