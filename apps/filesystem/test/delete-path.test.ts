import { existsSync, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, openFilesystem, refusedWithoutChange } from './support/sandbox.js';
import type { FilesystemSession, Sandbox } from './support/sandbox.js';

let sandbox: Sandbox;
let fs: FilesystemSession;
beforeEach(async () => {
  sandbox = createSandbox();
  fs = await openFilesystem([sandbox.root], { argv: ['--write', '--allow-delete'] });
});
afterEach(async () => {
  await fs.close();
  sandbox.remove();
});

const refusedUnchanged = (args: Record<string, unknown>) => refusedWithoutChange(fs, sandbox, 'delete_path', args);

const at = (relativePath: string) => join(sandbox.root, relativePath);
const exists = (relativePath: string) => existsSync(at(relativePath)) || (() => {
  try {
    lstatSync(at(relativePath));
    return true;
  } catch {
    return false;
  }
})();

describe('delete_path', () => {
  it('deletes a file', async () => {
    sandbox.file('a.txt', 'A');
    sandbox.file('b.txt', 'B');
    expect(await fs.ok('delete_path', { path: 'a.txt' })).toEqual({ path: at('a.txt'), type: 'file', deleted: true, entries: 1 });
    expect(readdirSync(sandbox.root)).toEqual(['b.txt']);
  });

  it('deletes an empty directory without recursive, and a unicode name', async () => {
    sandbox.dir('vide 🙂');
    expect(await fs.ok('delete_path', { path: 'vide 🙂' })).toEqual({ path: at('vide 🙂'), type: 'directory', deleted: true, entries: 1 });
    expect(exists('vide 🙂')).toBe(false);
  });

  it('needs recursive: true for a directory that is not empty', async () => {
    sandbox.file('dir/a.txt', 'A');
    sandbox.file('dir/b.txt', 'B');
    expect(await refusedUnchanged({ path: 'dir' })).toBe(
      `\`path\` "${at('dir')}" is a directory that is not empty (2 entries); pass recursive: true to delete it and everything in it.`,
    );
  });

  it('deletes a tree with recursive: true and counts every entry it removed', async () => {
    sandbox.file('tree/a.txt', 'A');
    sandbox.file('tree/sub/b.txt', 'B');
    sandbox.file('tree/sub/deeper/c.txt', 'C');
    sandbox.dir('tree/empty');
    sandbox.fifo('tree/pipe');
    sandbox.file('keep.txt', 'keep');
    // tree, a.txt, sub, b.txt, deeper, c.txt, empty, pipe
    expect(await fs.ok('delete_path', { path: 'tree', recursive: true })).toEqual({ path: at('tree'), type: 'directory', deleted: true, entries: 8 });
    expect(readdirSync(sandbox.root)).toEqual(['keep.txt']);
  });

  it('deletes named pipes as "other", and one name of a hard-linked file without touching the other', async () => {
    sandbox.fifo('pipe');
    expect(await fs.ok('delete_path', { path: 'pipe' })).toEqual({ path: at('pipe'), type: 'other', deleted: true, entries: 1 });
    sandbox.hardlink(join(sandbox.outside, 'secret.txt'), 'hardlink');
    expect(await fs.ok('delete_path', { path: 'hardlink' })).toMatchObject({ type: 'file', entries: 1 });
    expect(readFileSync(join(sandbox.outside, 'secret.txt'), 'utf8')).toBe('OUTSIDE-SECRET\n');
  });

  it('reports a missing path', async () => {
    expect(await refusedUnchanged({ path: 'missing.txt' })).toBe(`\`path\` "${at('missing.txt')}" does not exist.`);
  });
});

describe('delete_path and symbolic links', () => {
  it('removes a link itself, never its target: to a file, to a directory (even recursively), outside, dangling', async () => {
    sandbox.file('target.txt', 'target');
    sandbox.symlink('target.txt', 'file-link');
    expect(await fs.ok('delete_path', { path: 'file-link' })).toEqual({ path: at('file-link'), type: 'symlink', deleted: true, entries: 1 });
    expect(readFileSync(at('target.txt'), 'utf8')).toBe('target');

    sandbox.file('data/inner.txt', 'inner');
    sandbox.symlink('data', 'dir-link');
    expect(await fs.ok('delete_path', { path: 'dir-link', recursive: true })).toMatchObject({ type: 'symlink', entries: 1 });
    expect(readFileSync(at('data/inner.txt'), 'utf8')).toBe('inner');

    sandbox.symlink(sandbox.outside, 'outside-link');
    sandbox.symlink(join(sandbox.outside, 'secret.txt'), 'secret-link');
    expect(await fs.ok('delete_path', { path: 'outside-link', recursive: true })).toMatchObject({ type: 'symlink', entries: 1 });
    expect(await fs.ok('delete_path', { path: 'secret-link' })).toMatchObject({ type: 'symlink', entries: 1 });

    sandbox.symlink(join(sandbox.outside, 'gone'), 'dangling');
    expect(await fs.ok('delete_path', { path: 'dangling' })).toMatchObject({ type: 'symlink', entries: 1 });

    expect(readdirSync(sandbox.root).sort()).toEqual(['data', 'target.txt']);
    expect(readFileSync(join(sandbox.outside, 'secret.txt'), 'utf8')).toBe('OUTSIDE-SECRET\n');
  });

  it('a recursive delete removes links inside the tree but never what they point to', async () => {
    sandbox.file('tree/own.txt', 'own');
    sandbox.symlink(sandbox.outside, 'tree/to-outside-dir');
    sandbox.symlink(join(sandbox.outside, 'secret.txt'), 'tree/to-outside-file');
    sandbox.file('elsewhere/keep.txt', 'keep');
    sandbox.symlink(at('elsewhere'), 'tree/sub/to-inside-dir');
    const outsideBefore = readdirSync(sandbox.outside);
    // tree, own.txt, to-outside-dir, to-outside-file, sub, to-inside-dir
    expect(await fs.ok('delete_path', { path: 'tree', recursive: true })).toMatchObject({ entries: 6 });
    expect(exists('tree')).toBe(false);
    expect(readdirSync(sandbox.outside)).toEqual(outsideBefore);
    expect(readFileSync(join(sandbox.outside, 'secret.txt'), 'utf8')).toBe('OUTSIDE-SECRET\n');
    expect(readFileSync(at('elsewhere/keep.txt'), 'utf8')).toBe('keep');
  });

  it('refuses paths that reach outside: absolute, "..", the sibling, and through a directory link', async () => {
    sandbox.symlink(sandbox.outside, 'link_dir');
    expect(await refusedUnchanged({ path: join(sandbox.outside, 'secret.txt') })).toMatch(/outside the allowed directories/);
    expect(await refusedUnchanged({ path: '../outside/secret.txt' })).toContain('contains ".."');
    expect(await refusedUnchanged({ path: join(sandbox.sibling, 'secret.txt') })).toMatch(/outside the allowed directories/);
    expect(await refusedUnchanged({ path: 'link_dir/secret.txt' })).toMatch(/symbolic link to a location outside/);
    // A link that sits outside, reached through a directory link, is outside too.
    sandbox.symlink('secret.txt', join(sandbox.outside, 'outside-link'));
    expect(await refusedUnchanged({ path: 'link_dir/outside-link' })).toMatch(/outside the allowed directories/);
  });
});

describe('delete_path protections', () => {
  it('never deletes an allowed directory, however it is named', async () => {
    sandbox.file('a.txt', 'A');
    for (const path of [sandbox.root, '.', `${sandbox.root}/`, `${sandbox.root}/.`]) {
      expect(await refusedUnchanged({ path, recursive: true })).toBe(
        `\`path\` "${sandbox.root}" is an allowed directory itself; it is never deleted. Name an entry inside it.`,
      );
    }
  });

  it('never deletes a directory that contains another allowed directory', async () => {
    const inner = sandbox.dir('projects/inner');
    await fs.close();
    fs = await openFilesystem([sandbox.root, inner], { argv: ['--write', '--allow-delete'] });
    expect(await refusedUnchanged({ path: at('projects'), recursive: true })).toBe(
      `\`path\` "${at('projects')}" contains the allowed directory "${inner}"; it is never deleted.`,
    );
    expect(await refusedUnchanged({ path: inner, recursive: true })).toBe(
      `\`path\` "${inner}" is an allowed directory itself; it is never deleted. Name an entry inside it.`,
    );
  });

  it('refuses protected files', async () => {
    sandbox.file('.env', 'API_KEY=1\n');
    sandbox.file('home/.ssh/id_ed25519', 'KEY');
    expect(await refusedUnchanged({ path: '.env' })).toMatch(/is a protected file \(it matches "\*\*\/\.env"\)/);
    expect(await refusedUnchanged({ path: 'home/.ssh', recursive: true })).toMatch(/is a protected file \(it matches "\*\*\/\.ssh"\)/);
    expect(await refusedUnchanged({ path: 'home/.ssh/id_ed25519' })).toMatch(/is a protected file/);
  });

  it('refuses a recursive delete of a tree that holds protected files, and deletes nothing', async () => {
    sandbox.file('app/index.js', 'code');
    sandbox.file('app/.env', 'API_KEY=1\n');
    sandbox.file('app/deploy/.aws/credentials', '[default]\n');
    sandbox.file('app/deploy/.ssh/id_rsa', 'KEY');
    expect(await refusedUnchanged({ path: 'app', recursive: true })).toBe(
      `\`path\` "${at('app')}" contains protected files: ` +
        '".env" (it matches "**/.env"), "deploy/.ssh" (it matches "**/.ssh"), "deploy/.aws/credentials" (it matches "**/.aws/credentials"), ' +
        '"deploy/.ssh/id_rsa" (it matches "**/.ssh/**"); a recursive delete never removes credentials, so nothing was deleted. ' +
        'Delete the other entries individually, or ask an operator to remove the protected files.',
    );
  });

  it('removes a link that points at a protected file, but not the file', async () => {
    sandbox.file('.env', 'API_KEY=1\n');
    sandbox.symlink('.env', 'innocent-link');
    expect(await fs.ok('delete_path', { path: 'innocent-link' })).toMatchObject({ type: 'symlink', entries: 1 });
    expect(readFileSync(at('.env'), 'utf8')).toBe('API_KEY=1\n');
  });
});

describe('delete_path availability', () => {
  it('is listed only with --write --allow-delete, while the other write tools need only --write', async () => {
    const names = async () => (await fs.client.listTools()).tools.map((tool) => tool.name);
    expect(await names()).toEqual(
      expect.arrayContaining(['write_file', 'append_file', 'edit_file', 'create_directory', 'copy_file', 'move_file', 'delete_path']),
    );
    await fs.close();
    fs = await openFilesystem([sandbox.root], { argv: ['--write'] });
    const writeOnly = await names();
    expect(writeOnly).toEqual(expect.arrayContaining(['write_file', 'append_file', 'edit_file', 'create_directory', 'copy_file', 'move_file']));
    expect(writeOnly).not.toContain('delete_path');
    sandbox.file('a.txt', 'A');
    await expect(fs.call('delete_path', { path: 'a.txt' })).rejects.toThrow(/Tool delete_path not found/);
    expect(readFileSync(at('a.txt'), 'utf8')).toBe('A');
    await fs.close();
    fs = await openFilesystem([sandbox.root]);
    const readOnly = await names();
    for (const name of ['write_file', 'append_file', 'edit_file', 'create_directory', 'copy_file', 'move_file', 'delete_path']) {
      expect(readOnly).not.toContain(name);
    }
  });

  it('announces what each write tool may do', async () => {
    const tools = Object.fromEntries((await fs.client.listTools()).tools.map((tool) => [tool.name, tool.annotations]));
    const hints = (name: string) => {
      const annotations = tools[name];
      return [annotations?.readOnlyHint, annotations?.destructiveHint, annotations?.idempotentHint, annotations?.openWorldHint];
    };
    expect(hints('append_file')).toEqual([false, false, false, false]);
    expect(hints('edit_file')).toEqual([false, true, false, false]);
    expect(hints('create_directory')).toEqual([false, false, true, false]);
    expect(hints('copy_file')).toEqual([false, false, true, false]);
    expect(hints('move_file')).toEqual([false, true, false, false]);
    expect(hints('delete_path')).toEqual([false, true, true, false]);
  });
});
