import { compilePathPatterns } from './path-patterns.js';
import type { PathPatterns } from './path-patterns.js';

/**
 * Files that hold credentials. They are invisible to list, tree and search, and reading or
 * writing them is refused. Patterns match paths inside an allowed directory, at any depth, and
 * ignore case.
 *
 * The list follows the file signatures that secret scanners maintain (gitrob's and shhgit's
 * filename and extension signatures, GitLab's push-rule list of secret files) and the
 * credential files the tools themselves document (AWS, Google Cloud, Azure, GitHub CLI, cargo,
 * Vault, MySQL, PostgreSQL, Maven, Gradle, Composer, rclone). Left out on purpose, because they
 * are ordinary project files far more often than secrets: every `*.json`, `config`, `*.yml`,
 * `settings.py`, `database.yml`, `terraform.tfvars`, `*.sql`, `*.log`, `*.asc`, a bare
 * `credentials` (a source directory of that name is common) and `.history` (an editor's
 * local-history folder).
 */
export const DEFAULT_PROTECTED_PATTERNS: readonly string[] = [
  // Environment files.
  '**/.env',
  '**/.env.*',
  '**/.envrc',
  // Key material and keystores.
  '**/.ssh',
  '**/.ssh/**',
  '**/.gnupg',
  '**/.gnupg/**',
  '**/*.pem',
  '**/*.key',
  '**/*.p12',
  '**/*.pfx',
  '**/*.pkcs12',
  '**/*.p8',
  '**/*.ppk',
  '**/*.jks',
  '**/*.keystore',
  '**/*.keyring',
  '**/*.keychain',
  '**/*.keychain-db',
  '**/*.kdb',
  '**/*.kdbx',
  '**/*.agilekeychain',
  '**/*.psafe3',
  '**/*.ovpn',
  '**/id_rsa*',
  '**/id_dsa*',
  '**/id_ecdsa*',
  '**/id_ed25519*',
  '**/*_rsa',
  '**/*_dsa',
  '**/*_ecdsa',
  '**/*_ed25519',
  // Cloud and infrastructure command-line tools.
  '**/.aws/credentials',
  '**/.aws/config',
  '**/.aws/sso/cache/**',
  '**/.aws/cli/cache/**',
  '**/.config/gcloud/**',
  '**/credentials.json',
  '**/service-account*.json',
  '**/service_account*.json',
  '**/adc.json',
  '**/.boto',
  '**/.azure/accessTokens.json',
  '**/.azure/msal_token_cache.*',
  '**/.azure/service_principal_entries.*',
  '**/.oci/config',
  '**/.config/doctl/config.yaml',
  '**/.databrickscfg',
  '**/.kube/config',
  '**/.docker/config.json',
  '**/.dockercfg',
  '**/.vault-token',
  '**/.terraform.d/credentials.tfrc.json',
  '**/.terraformrc',
  '**/terraform.rc',
  '**/.s3cfg',
  '**/.config/rclone/rclone.conf',
  '**/.circleci/cli.yml',
  // Source control and package registries.
  '**/.git/config',
  '**/.git-credentials',
  '**/.config/gh/hosts.yml',
  '**/.config/hub',
  '**/.netrc',
  '**/_netrc',
  '**/.npmrc',
  '**/.yarnrc.yml',
  '**/.pypirc',
  '**/.gem/credentials',
  '**/.cargo/credentials',
  '**/.cargo/credentials.toml',
  '**/.m2/settings.xml',
  '**/.m2/settings-security.xml',
  '**/.gradle/gradle.properties',
  '**/.composer/auth.json',
  '**/.config/composer/auth.json',
  // Databases, mail and file transfer.
  '**/.pgpass',
  '**/.my.cnf',
  '**/.mylogin.cnf',
  '**/.dbeaver/credentials-config.json',
  '**/.msmtprc',
  '**/.muttrc',
  '**/sftp-config.json',
  '**/.htpasswd',
  // Shell and REPL histories: commands typed with passwords and tokens in them.
  '**/.*_history',
  '**/.zhistory',
  '**/fish_history',
  '**/.Rhistory',
  '**/ConsoleHost_history.txt',
];

export type DenyList = PathPatterns;

export function createDenyList(options: { extra: readonly string[]; includeDefaults: boolean }): DenyList {
  // The linear-time matcher: file names come from whoever writes files, so matching them must not
  // depend on a backtracking regular expression.
  return compilePathPatterns('FILESYSTEM_DENY', [...(options.includeDefaults ? DEFAULT_PROTECTED_PATTERNS : []), ...options.extra]);
}
