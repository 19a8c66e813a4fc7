import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, openFilesystem, refusedWithoutChange } from './support/sandbox.js';
import type { FilesystemSession, Sandbox } from './support/sandbox.js';

let sandbox: Sandbox;
let fs: FilesystemSession | undefined;
beforeEach(() => {
  sandbox = createSandbox();
  sandbox.file('.aws/credentials', '[default]\naws_secret_access_key = AWS-SECRET\n');
  sandbox.file('.aws/config', '[default]\nregion = AWS-SECRET-REGION\n');
  sandbox.file('.aws/notes.txt', 'plain notes\n');
  sandbox.file('.ssh/id_ed25519', 'SSH-SECRET\n');
  sandbox.file('.ssh/authorized_keys', 'ssh-ed25519 AAAA SSH-SECRET\n');
  sandbox.file('.git/config', '[remote "origin"]\n url = https://GIT-SECRET@example.com/x\n');
  sandbox.file('.git/HEAD', 'ref: refs/heads/main\n');
  sandbox.file('.git/hooks/pre-commit.sample', '#!/bin/sh\n');
  sandbox.file('.docker/config.json', '{"auths":{"x":{"auth":"DOCKER-SECRET"}}}\n');
  sandbox.file('.kube/config', 'token: KUBE-SECRET\n');
});
afterEach(async () => {
  await fs?.close();
  fs = undefined;
  sandbox.remove();
});

/** A session whose client offers `roots` (absolute directories) as its MCP roots. */
async function withClientRoots(roots: string[]): Promise<FilesystemSession> {
  const session = await openFilesystem([sandbox.root], { argv: ['--write'], capabilities: { roots: {} } });
  session.client.setRequestHandler('roots/list', async () => ({
    roots: roots.map((root) => ({ uri: pathToFileURL(root).href, name: root })),
  }));
  return session;
}

const SECRET = /AWS-SECRET|SSH-SECRET|GIT-SECRET|DOCKER-SECRET|KUBE-SECRET/;

async function everyReadHides(session: FilesystemSession, root: string, secretNames: string[]): Promise<void> {
  for (const name of secretNames) {
    for (const path of [name, join(root, name)]) {
      const message = await session.refused('read_text_file', { path });
      expect(message).toMatch(/protected file/);
      expect(message).not.toMatch(SECRET);
    }
  }
  const visible = [
    await session.call('list_directory', { path: root }),
    await session.call('directory_tree', { path: root }),
    await session.call('search_files', { path: root, pattern: '**' }),
    await session.call('grep_files', { path: root, pattern: 'SECRET' }),
  ];
  for (const result of visible) {
    const text = JSON.stringify(result.structuredContent);
    expect(text).not.toMatch(SECRET);
    for (const name of secretNames) expect(text).not.toContain(`"${name}"`);
  }
  const { files } = await session.ok<{ files: { path: string; error?: string }[] }>('read_multiple_files', { paths: secretNames });
  expect(files.map((file) => file.error)).toEqual(secretNames.map(() => expect.stringMatching(/protected file/)));
  expect(JSON.stringify(files)).not.toMatch(SECRET);
}

describe('client roots narrowed to a secret directory', () => {
  it('.aws: credentials and config stay unreadable, unlisted and unwritable; other files stay usable', async () => {
    const root = join(sandbox.root, '.aws');
    fs = await withClientRoots([root]);
    expect(await fs.ok('list_allowed_directories')).toMatchObject({ directories: [{ path: root }] });
    await everyReadHides(fs, root, ['credentials', 'config']);
    expect(await fs.ok('read_text_file', { path: 'notes.txt' })).toMatchObject({ content: 'plain notes' });
    for (const name of ['credentials', 'config']) {
      expect(await refusedWithoutChange(fs, sandbox, 'write_file', { path: name, content: 'x', overwrite: true })).toMatch(/protected file/);
      expect(await refusedWithoutChange(fs, sandbox, 'append_file', { path: name, content: 'x' })).toMatch(/protected file/);
      expect(await refusedWithoutChange(fs, sandbox, 'copy_file', { source: 'notes.txt', destination: name, overwrite: true })).toMatch(/protected file/);
    }
  });

  it('.ssh: nothing in it is read, listed or written (authorized_keys included)', async () => {
    const root = join(sandbox.root, '.ssh');
    fs = await withClientRoots([root]);
    for (const name of ['id_ed25519', 'authorized_keys']) {
      expect(await fs.refused('read_text_file', { path: name })).toMatch(/protected file/);
      expect(await refusedWithoutChange(fs, sandbox, 'write_file', { path: name, content: 'ssh-ed25519 EVIL\n', overwrite: true })).toMatch(/protected file/);
    }
    expect(await refusedWithoutChange(fs, sandbox, 'write_file', { path: 'rc', content: 'evil\n' })).toMatch(/protected file/);
    for (const [tool, args] of [
      ['list_directory', { path: root }],
      ['directory_tree', { path: root }],
      ['search_files', { path: root, pattern: '*' }],
      ['grep_files', { path: root, pattern: 'SECRET' }],
    ] as const) {
      const result = await fs.call(tool, args);
      expect(JSON.stringify(result)).not.toMatch(SECRET);
    }
  });

  it('.git: config is unreadable and unwritable, hooks are unwritable, the rest stays usable', async () => {
    const root = join(sandbox.root, '.git');
    fs = await withClientRoots([root]);
    await everyReadHides(fs, root, ['config']);
    expect(await fs.ok('read_text_file', { path: 'HEAD' })).toMatchObject({ content: 'ref: refs/heads/main' });
    expect(await refusedWithoutChange(fs, sandbox, 'write_file', { path: 'config', content: '[core]\n hooksPath = /tmp\n', overwrite: true })).toMatch(
      /protected file/,
    );
    expect(await refusedWithoutChange(fs, sandbox, 'write_file', { path: 'hooks/pre-commit', content: '#!/bin/sh\nevil\n' })).toMatch(/a Git hook/);
    expect(await refusedWithoutChange(fs, sandbox, 'move_file', { source: 'hooks/pre-commit.sample', destination: 'hooks/pre-commit' })).toMatch(
      /a Git hook/,
    );
  });

  it('.docker and .kube: their credential files stay hidden', async () => {
    for (const [directory, name] of [['.docker', 'config.json'], ['.kube', 'config']] as const) {
      await fs?.close();
      fs = await withClientRoots([join(sandbox.root, directory)]);
      await everyReadHides(fs, join(sandbox.root, directory), [name]);
      expect(await refusedWithoutChange(fs, sandbox, 'write_file', { path: name, content: '{}', overwrite: true })).toMatch(/protected file/);
    }
  });
});

describe('client roots outside the allowed directories', () => {
  it('are never added: alone they leave nothing accessible', async () => {
    fs = await withClientRoots([sandbox.outside, sandbox.sibling, sandbox.base]);
    // The base contains the allowed directory, so only the allowed directory itself stays.
    expect(await fs.ok('list_allowed_directories')).toMatchObject({ directories: [{ path: sandbox.root, realPath: sandbox.root }] });
    await fs.close();
    fs = await withClientRoots([sandbox.outside, sandbox.sibling, '/']);
    expect(await fs.ok('list_allowed_directories')).toMatchObject({ directories: [{ path: sandbox.root, realPath: sandbox.root }] });
    await fs.close();
    fs = await withClientRoots([sandbox.outside, sandbox.sibling]);
    expect(await fs.refused('list_allowed_directories')).toMatch(/None of the client's roots .* lies inside the server's allowed directories/);
    expect(await fs.refused('read_text_file', { path: join(sandbox.outside, 'secret.txt') })).not.toContain('OUTSIDE-SECRET');
  });

  it('next to one inside, only the one inside is used', async () => {
    const inside = sandbox.dir('project');
    sandbox.file('project/a.txt', 'A\n');
    fs = await withClientRoots([sandbox.outside, inside, sandbox.sibling]);
    expect(await fs.ok('list_allowed_directories')).toMatchObject({ directories: [{ path: inside, realPath: inside }] });
    expect(await fs.ok('read_text_file', { path: 'a.txt' })).toMatchObject({ content: 'A' });
    for (const path of [join(sandbox.outside, 'secret.txt'), join(sandbox.sibling, 'secret.txt'), join(sandbox.root, '.aws/notes.txt')]) {
      expect(await fs.refused('read_text_file', { path })).toMatch(/outside the allowed directories/);
    }
  });
});
