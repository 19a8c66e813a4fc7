import { existsSync, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, openFilesystem, refusedWithoutChange } from './support/sandbox.js';
import type { FilesystemSession, Sandbox } from './support/sandbox.js';

let sandbox: Sandbox;
let fs: FilesystemSession;
beforeEach(async () => {
  sandbox = createSandbox();
  fs = await openFilesystem([sandbox.root], { argv: ['--write'] });
});
afterEach(async () => {
  await fs.close();
  sandbox.remove();
});

const refusedUnchanged = (args: Record<string, unknown>) => refusedWithoutChange(fs, sandbox, 'create_directory', args);

const isRealDirectory = (path: string) => lstatSync(path).isDirectory();

describe('create_directory', () => {
  it('creates every missing level, like mkdir -p', async () => {
    expect(await fs.ok('create_directory', { path: 'a/b/c' })).toEqual({ path: join(sandbox.root, 'a/b/c'), created: true });
    expect(isRealDirectory(join(sandbox.root, 'a/b/c'))).toBe(true);
    expect(await fs.ok('create_directory', { path: join(sandbox.root, 'a/b/d') })).toEqual({ path: join(sandbox.root, 'a/b/d'), created: true });
    expect(readdirSync(join(sandbox.root, 'a/b')).sort()).toEqual(['c', 'd']);
  });

  it('succeeds with created: false when the directory exists, including the root itself', async () => {
    sandbox.dir('existing/inner');
    sandbox.file('existing/inner/file.txt', 'keep');
    expect(await fs.ok('create_directory', { path: 'existing/inner' })).toEqual({ path: join(sandbox.root, 'existing/inner'), created: false });
    expect(await fs.ok('create_directory', { path: sandbox.root })).toEqual({ path: sandbox.root, created: false });
    expect(readFileSync(join(sandbox.root, 'existing/inner/file.txt'), 'utf8')).toBe('keep');
  });

  it('creates unicode names', async () => {
    expect(await fs.ok('create_directory', { path: 'données/日本/🙂' })).toMatchObject({ created: true });
    expect(isRealDirectory(join(sandbox.root, 'données/日本/🙂'))).toBe(true);
  });

  it('reports a file in the way, at the end or in the middle, and creates nothing', async () => {
    sandbox.file('notes.txt', 'text');
    expect(await refusedUnchanged({ path: 'notes.txt' })).toBe(
      `\`path\` "${join(sandbox.root, 'notes.txt')}" already exists and is a file, not a directory; choose another path.`,
    );
    expect(await refusedUnchanged({ path: 'notes.txt/sub/dir' })).toBe(
      `\`path\` "${join(sandbox.root, 'notes.txt/sub/dir')}": a component of the path is not a directory.`,
    );
    sandbox.fifo('pipe');
    expect(await refusedUnchanged({ path: 'pipe' })).toBe(
      `\`path\` "${join(sandbox.root, 'pipe')}" already exists and is a named pipe, not a directory; choose another path.`,
    );
  });

  it('follows a directory link that stays inside, creating in the real directory', async () => {
    sandbox.dir('real');
    sandbox.symlink('real', 'alias');
    expect(await fs.ok('create_directory', { path: 'alias/new/deeper' })).toEqual({ path: join(sandbox.root, 'alias/new/deeper'), created: true });
    expect(isRealDirectory(join(sandbox.root, 'real/new/deeper'))).toBe(true);
    expect(lstatSync(join(sandbox.root, 'alias')).isSymbolicLink()).toBe(true);
    expect(await fs.ok('create_directory', { path: 'alias' })).toEqual({ path: join(sandbox.root, 'alias'), created: false });
  });
});

describe('create_directory attacks', () => {
  it('refuses paths outside the root: absolute, with "..", and the prefix sibling', async () => {
    expect(await refusedUnchanged({ path: join(sandbox.outside, 'made') })).toMatch(/outside the allowed directories/);
    expect(await refusedUnchanged({ path: '../outside/made' })).toContain('contains ".."');
    expect(await refusedUnchanged({ path: 'a/../../outside/made' })).toContain('contains ".."');
    expect(await refusedUnchanged({ path: join(sandbox.sibling, 'made') })).toMatch(/outside the allowed directories/);
    expect(existsSync(join(sandbox.outside, 'made'))).toBe(false);
  });

  it('refuses to create through a directory link that leads outside, or a dangling link', async () => {
    sandbox.symlink(sandbox.outside, 'link_dir');
    expect(await refusedUnchanged({ path: 'link_dir/made/deeper' })).toMatch(/outside the allowed directories/);
    expect(await refusedUnchanged({ path: 'link_dir' })).toMatch(/symbolic link to a location outside/);
    sandbox.symlink(join(sandbox.outside, 'not-yet'), 'dangling');
    expect(await refusedUnchanged({ path: 'dangling' })).toMatch(/dangling link/);
    expect(await refusedUnchanged({ path: 'dangling/sub' })).toMatch(/has a component .* that is a symbolic link whose target does not exist/);
    expect(existsSync(join(sandbox.outside, 'not-yet'))).toBe(false);
  });

  it('refuses protected paths, including a protected directory on the way, before creating anything', async () => {
    expect(await refusedUnchanged({ path: 'home/.ssh' })).toMatch(/is a protected file \(it matches "\*\*\/\.ssh"\)/);
    // `.git/config/x` is not protected itself, but `.git/config` on the way is.
    expect(await refusedUnchanged({ path: 'repo/.git/config/x' })).toBe(
      `\`path\` "${join(sandbox.root, 'repo/.git/config/x')}" is a protected file (it matches "**/.git/config"); files that commonly hold credentials are never read, listed or written. An operator can change the list with FILESYSTEM_DENY or --allow-secret-files.`,
    );
    expect(existsSync(join(sandbox.root, 'repo'))).toBe(false);
  });

  it('is not offered without --write', async () => {
    await fs.close();
    fs = await openFilesystem([sandbox.root]);
    expect((await fs.client.listTools()).tools.map((tool) => tool.name)).not.toContain('create_directory');
    await expect(fs.call('create_directory', { path: 'x' })).rejects.toThrow(/Tool create_directory not found/);
    expect(existsSync(join(sandbox.root, 'x'))).toBe(false);
  });
});
