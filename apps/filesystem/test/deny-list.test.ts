import { describe, expect, it } from 'vitest';
import { DEFAULT_PROTECTED_PATTERNS, createDenyList } from '../src/access/deny-list.js';
import { createSandbox, openFilesystem } from './support/sandbox.js';
import { denyFilter } from '../src/tools/read/walk/deny-filter.js';

const at = (inRoot: string) => ({ inRoot, absolute: `/srv/files/${inRoot}` });

/** Credential files of every kind the list covers, as they appear in a home directory or a project. */
const CREDENTIAL_FILES = [
  '.env',
  'config/.env.production',
  'home/.ssh/id_ed25519',
  'deploy/deploy_rsa',
  'certs/server.pem',
  'keys/AuthKey_ABC123.p8',
  'putty/server.ppk',
  'vpn/office.ovpn',
  'repo/.git/config',
  '.git-credentials',
  '.pgpass',
  '.my.cnf',
  '.mylogin.cnf',
  '.s3cfg',
  '.boto',
  '.vault-token',
  '.yarnrc.yml',
  '.npmrc',
  '.pypirc',
  '.netrc',
  '.aws/credentials',
  '.aws/config',
  '.aws/sso/cache/abc.json',
  'app/credentials.json',
  'gcp/service-account.json',
  'gcp/service-account-prod.json',
  'gcp/service_account_key.json',
  '.config/gcloud/application_default_credentials.json',
  '.azure/msal_token_cache.json',
  '.config/gh/hosts.yml',
  '.config/hub',
  '.cargo/credentials',
  '.cargo/credentials.toml',
  '.gem/credentials',
  '.docker/config.json',
  '.kube/config',
  '.m2/settings.xml',
  '.gradle/gradle.properties',
  '.config/rclone/rclone.conf',
  '.bash_history',
  '.zsh_history',
  '.psql_history',
  '.mysql_history',
  '.python_history',
  '.node_repl_history',
  '.sqlite_history',
  '.local/share/fish/fish_history',
  'vault/passwords.kdbx',
];

/** Ordinary project files that look a little like credentials and must stay usable. */
const ORDINARY_FILES = [
  'package.json',
  'tsconfig.json',
  'config.json',
  'a/config',
  'src/credentials/index.ts',
  'src/credentials.ts',
  'app/settings.py',
  'config/database.yml',
  'infra/terraform.tfvars',
  'docs/service.json',
  '.history/src/app.ts',
  'history.md',
  'src/order_history/model.py',
  '.yarnrc',
  '.gitconfig',
  'keys.ts',
  'public.pub',
];

describe('the built-in list of protected files', () => {
  it('protects the credential files secret scanners know, in every case spelling', () => {
    const deny = createDenyList({ extra: [], includeDefaults: true });
    for (const path of CREDENTIAL_FILES) {
      for (const spelled of [path, path.toUpperCase(), path.replace(/(^|\/)(.)/g, (_, slash: string, first: string) => slash + first.toUpperCase())]) {
        expect({ path: spelled, protected: deny.match(at(spelled)) !== undefined }).toEqual({ path: spelled, protected: true });
      }
    }
  });

  it('leaves ordinary project files alone', () => {
    const deny = createDenyList({ extra: [], includeDefaults: true });
    for (const path of ORDINARY_FILES) {
      expect({ path, protected: deny.match(at(path)) ?? false }).toEqual({ path, protected: false });
    }
  });

  it('protects everything inside a protected directory, as a walk that never enters it does', () => {
    const deny = createDenyList({ extra: ['private'], includeDefaults: true });
    expect(deny.match(at('private/notes.txt'))).toBe('private');
    expect(deny.match(at('a/.ssh/known_hosts'))).toBeDefined();
    expect(deny.matchEntry(at('private/notes.txt'))).toBeUndefined();
  });

  it('matches a pattern starting with "/" against the absolute path, never against the path inside a root', () => {
    const deny = createDenyList({ extra: ['/srv/files/vault/**', '/opt/Keys'], includeDefaults: false });
    expect(deny.match({ inRoot: 'x.txt', absolute: '/srv/files/vault/x.txt' })).toBe('/srv/files/vault/**');
    expect(deny.match({ inRoot: 'k/a.txt', absolute: '/OPT/keys/k/a.txt' })).toBe('/opt/Keys');
    expect(deny.match({ inRoot: 'srv/files/vault/x.txt', absolute: '/elsewhere/srv/files/vault/x.txt' })).toBeUndefined();
    expect(deny.match({ inRoot: 'opt/keys', absolute: '/home/opt/keys' })).toBeUndefined();
  });
});

describe('deny filter', () => {
  it('decides exactly like deny.matchEntry for entries reached through unprotected directories, whatever the case', () => {
    const deny = createDenyList({ extra: ['private/**', 'secrets.*', '/srv/files/abs-secret'], includeDefaults: true });
    const filter = denyFilter(deny);
    const names = ['.env', '.ENV', '.env.local', '.envrc', 'env', '.ssh', '.SSH', 'id_rsa', 'ID_RSA', 'id_rsa.pub', 'key.pem', 'cert.KEY', 'config',
      'credentials', 'credentials.json', 'Credentials.JSON', 'service-account-x.json', '.pgpass', '.bash_history', 'hosts.yml', 'app.ts', 'gcloud',
      '.git', '.npmrc', 'private', 'secrets.json', 'Secrets.Json', 'secret.json', 'config.json', '.kube', 'README.md', 'abs-secret', 'ABS-SECRET'];
    const parents = ['', 'a/', 'a/b/', '.git/', '.Git/', '.aws/', '.docker/', '.kube/', '.config/', '.config/gh/', '.config/gcloud/', 'x/.terraform.d/', '.cargo/'];
    let protectedCount = 0;
    for (const parent of parents) {
      // Only parents the walk could be in: neither they nor their ancestors are protected.
      if (parent !== '' && deny.match(at(parent.slice(0, -1)))) continue;
      for (const name of names) {
        const path = parent + name;
        const expected = deny.matchEntry(at(path)) !== undefined;
        if (expected) protectedCount += 1;
        expect({ path, denied: filter.denied(path, at(path).absolute, name) }).toEqual({ path, denied: expected });
      }
    }
    expect(protectedCount).toBeGreaterThan(60);
  });

  it('covers the built-in list, in every case spelling', () => {
    expect(DEFAULT_PROTECTED_PATTERNS.length).toBeGreaterThan(60);
    const filter = denyFilter(createDenyList({ extra: [], includeDefaults: true }));
    for (const path of CREDENTIAL_FILES) {
      for (const spelled of [path, path.toUpperCase()]) {
        const name = spelled.slice(spelled.lastIndexOf('/') + 1);
        const parentProtected = spelled.includes('/') && createDenyList({ extra: [], includeDefaults: true }).match(at(spelled.slice(0, spelled.lastIndexOf('/'))));
        // A walk never reaches an entry of a protected directory; the directory itself is denied.
        if (parentProtected) continue;
        expect({ spelled, denied: filter.denied(spelled, at(spelled).absolute, name) }).toEqual({ spelled, denied: true });
      }
    }
    expect(filter.denied('a/config', '/srv/files/a/config', 'config')).toBe(false);
  });
});

describe('protected files through the tools', () => {
  it('are hidden and refused whatever the case of their names, by reads, lists, trees and searches', async () => {
    const sandbox = createSandbox();
    const fs = await openFilesystem([sandbox.root], { argv: ['--write'] });
    try {
      const names = ['.ENV', 'ID_RSA', 'Credentials.JSON', '.PgPass', '.Bash_History', 'Service-Account-Prod.json'];
      for (const name of names) sandbox.file(`app/${name}`, 'TOKEN-SECRET\n');
      sandbox.file('app/readme.txt', 'hello\n');
      for (const name of names) {
        expect(await fs.refused('read_text_file', { path: `app/${name}` })).toMatch(/protected file/);
        expect(await fs.refused('write_file', { path: `app/${name}`, content: 'x', overwrite: true })).toMatch(/protected file/);
      }
      for (const [tool, args] of [
        ['list_directory', { path: 'app', include_hidden: true }],
        ['directory_tree', { path: 'app' }],
        ['search_files', { path: 'app', pattern: '**' }],
        ['grep_files', { path: 'app', pattern: 'TOKEN' }],
      ] as const) {
        const text = JSON.stringify((await fs.call(tool, args)).structuredContent);
        expect(text, tool).not.toContain('TOKEN-SECRET');
        for (const name of names) expect(text, `${tool} ${name}`).not.toContain(name);
      }
      expect(JSON.stringify(await fs.ok('list_directory', { path: 'app' }))).toContain('readme.txt');
    } finally {
      await fs.close();
      sandbox.remove();
    }
  });
});
