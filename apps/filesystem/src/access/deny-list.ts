import { compileGlob } from './glob.js';

/**
 * Files that hold credentials. They are invisible to list, tree and search, and reading or
 * writing them is refused. Patterns match paths inside a root, at any depth.
 */
export const DEFAULT_PROTECTED_PATTERNS: readonly string[] = [
  '**/.env',
  '**/.env.*',
  '**/.envrc',
  '**/.ssh',
  '**/.ssh/**',
  '**/.gnupg',
  '**/.gnupg/**',
  '**/*.pem',
  '**/*.key',
  '**/*.p12',
  '**/*.pfx',
  '**/*.jks',
  '**/*.keystore',
  '**/*.kdbx',
  '**/id_rsa*',
  '**/id_dsa*',
  '**/id_ecdsa*',
  '**/id_ed25519*',
  '**/.aws/credentials',
  '**/.aws/config',
  '**/.git/config',
  '**/.git-credentials',
  '**/.netrc',
  '**/_netrc',
  '**/.npmrc',
  '**/.pypirc',
  '**/.htpasswd',
  '**/.docker/config.json',
  '**/.kube/config',
  '**/.terraform.d/credentials.tfrc.json',
  '**/.config/gcloud/**',
];

export interface DenyList {
  /** The pattern that protects `relativePath` (forward slashes, relative to its root), if any. */
  match(relativePath: string): string | undefined;
  readonly patterns: readonly string[];
}

export function createDenyList(options: { extra: readonly string[]; includeDefaults: boolean }): DenyList {
  const patterns = [...(options.includeDefaults ? DEFAULT_PROTECTED_PATTERNS : []), ...options.extra];
  // The linear-time matcher: file names come from whoever writes files, so matching them must not
  // depend on a backtracking regular expression.
  const matchers = patterns.map((pattern) => ({ pattern, glob: compileGlob('FILESYSTEM_DENY', pattern) }));
  return {
    patterns,
    match(relativePath) {
      if (relativePath === '') return undefined;
      const name = relativePath.slice(relativePath.lastIndexOf('/') + 1);
      for (const matcher of matchers) if (matcher.glob.matches(relativePath, name)) return matcher.pattern;
      return undefined;
    },
  };
}
