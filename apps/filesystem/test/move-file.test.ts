import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requires } from '@bastion-mcp/testing';
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

const refusedUnchanged = (args: Record<string, unknown>) => refusedWithoutChange(fs, sandbox, 'move_file', args);

const at = (relativePath: string) => join(sandbox.root, relativePath);

/** /dev/shm is usually a tmpfs, another file system than the temporary directory: a real EXDEV. */
const crossDevice = requires(
  !(existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(tmpdir()).dev) &&
    'no second file system: /dev/shm is missing or on the same device as the temp directory',
  { optionalInCi: true },
);

describe('move_file', () => {
  it('renames a file', async () => {
    sandbox.file('old.txt', 'content');
    expect(await fs.ok('move_file', { source: 'old.txt', destination: 'new.txt' })).toEqual({ source: at('old.txt'), destination: at('new.txt') });
    expect(existsSync(at('old.txt'))).toBe(false);
    expect(readFileSync(at('new.txt'), 'utf8')).toBe('content');
  });

  it('moves a directory with everything in it, and unicode names', async () => {
    sandbox.file('project/src/main.ts', 'main');
    sandbox.file('project/README.md', 'readme');
    sandbox.dir('archive');
    await fs.ok('move_file', { source: 'project', destination: 'archive/projet 日本 🙂' });
    expect(existsSync(at('project'))).toBe(false);
    expect(readFileSync(at('archive/projet 日本 🙂/src/main.ts'), 'utf8')).toBe('main');
    expect(readFileSync(at('archive/projet 日本 🙂/README.md'), 'utf8')).toBe('readme');
  });

  it('replaces an existing file only with overwrite: true', async () => {
    sandbox.file('a.txt', 'A');
    sandbox.file('b.txt', 'B');
    expect(await refusedUnchanged({ source: 'a.txt', destination: 'b.txt' })).toBe(
      `\`destination\` "${at('b.txt')}" already exists; pass overwrite: true to replace it, or choose another path.`,
    );
    await fs.ok('move_file', { source: 'a.txt', destination: 'b.txt', overwrite: true });
    expect(existsSync(at('a.txt'))).toBe(false);
    expect(readFileSync(at('b.txt'), 'utf8')).toBe('A');
  });

  it('never replaces a non-empty directory; an empty one only with overwrite, by a directory', async () => {
    sandbox.file('src/a.txt', 'A');
    sandbox.file('full/keep.txt', 'keep');
    sandbox.dir('empty');
    sandbox.file('file.txt', 'F');
    expect(await refusedUnchanged({ source: 'src', destination: 'full', overwrite: true })).toBe(
      `\`destination\` "${at('full')}" is a directory that is not empty (1 entry); overwrite never replaces a non-empty directory.`,
    );
    expect(await refusedUnchanged({ source: 'src', destination: 'empty' })).toBe(
      `\`destination\` "${at('empty')}" already exists; pass overwrite: true to replace it, or choose another path.`,
    );
    expect(await refusedUnchanged({ source: 'file.txt', destination: 'empty', overwrite: true })).toBe(
      `\`destination\` "${at('empty')}" is a directory; give the full new path, including the name (e.g. "${at('empty')}/name").`,
    );
    expect(await refusedUnchanged({ source: 'src', destination: 'file.txt', overwrite: true })).toBe(
      `\`destination\` "${at('file.txt')}" is a file; a directory cannot replace a file.`,
    );
    await fs.ok('move_file', { source: 'src', destination: 'empty', overwrite: true });
    expect(readFileSync(at('empty/a.txt'), 'utf8')).toBe('A');
    expect(existsSync(at('src'))).toBe(false);
  });

  it('moves a symbolic link itself, never its target', async () => {
    sandbox.file('target.txt', 'target');
    sandbox.symlink('target.txt', 'link');
    sandbox.dir('links');
    await fs.ok('move_file', { source: 'link', destination: 'links/moved-link' });
    expect(lstatSync(at('links/moved-link')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(at('links/moved-link'))).toBe('target.txt');
    expect(existsSync(at('link'))).toBe(false);
    expect(readFileSync(at('target.txt'), 'utf8')).toBe('target');
    // A link to a directory: the link moves, the directory stays.
    sandbox.file('data/file.txt', 'data');
    sandbox.symlink('data', 'data-link');
    await fs.ok('move_file', { source: 'data-link', destination: 'renamed-link' });
    expect(lstatSync(at('renamed-link')).isSymbolicLink()).toBe(true);
    expect(readFileSync(at('data/file.txt'), 'utf8')).toBe('data');
  });

  it('refuses to move a link onto its own target', async () => {
    sandbox.file('target.txt', 'target');
    sandbox.symlink('target.txt', 'link');
    expect(await refusedUnchanged({ source: 'link', destination: 'target.txt', overwrite: true })).toBe(
      `\`destination\` "${at('target.txt')}" is the target of the link \`source\` "${at('link')}"; moving the link onto it would destroy the file.`,
    );
  });

  it('refuses a missing source, the same path, and a missing destination directory', async () => {
    sandbox.file('a.txt', 'A');
    expect(await refusedUnchanged({ source: 'missing.txt', destination: 'b.txt' })).toBe(`\`source\` "${at('missing.txt')}" does not exist.`);
    expect(await refusedUnchanged({ source: 'a.txt', destination: at('a.txt'), overwrite: true })).toBe(
      `\`source\` and \`destination\` are the same entry ("${at('a.txt')}"); nothing was moved.`,
    );
    expect(await refusedUnchanged({ source: 'a.txt', destination: 'no/dir/a.txt' })).toBe(
      `\`destination\` "${at('no/dir/a.txt')}": its directory does not exist; create it with create_directory first.`,
    );
  });
});

describe('move_file attacks', () => {
  it('refuses to move an allowed directory, or a directory into itself', async () => {
    sandbox.file('dir/sub/a.txt', 'A');
    for (const source of [sandbox.root, '.', `${sandbox.root}/`]) {
      expect(await refusedUnchanged({ source, destination: 'elsewhere' })).toBe(
        `\`source\` "${sandbox.root}" is an allowed directory itself; it is never moved. Name an entry inside it.`,
      );
    }
    expect(await refusedUnchanged({ source: 'dir', destination: 'dir/sub/dir' })).toBe(
      `\`destination\` "${at('dir/sub/dir')}" is inside \`source\` "${at('dir')}"; a directory cannot be moved into itself.`,
    );
    expect(await refusedUnchanged({ source: 'dir/sub/a.txt', destination: sandbox.root, overwrite: true })).toBe(
      `\`destination\` "${sandbox.root}" is an allowed directory itself; it is never replaced.`,
    );
  });

  it('refuses destinations outside the root: absolute, with "..", through a directory link, and the sibling', async () => {
    sandbox.file('a.txt', 'A');
    sandbox.symlink(sandbox.outside, 'link_dir');
    expect(await refusedUnchanged({ source: 'a.txt', destination: join(sandbox.outside, 'a.txt') })).toMatch(/outside the allowed directories/);
    expect(await refusedUnchanged({ source: 'a.txt', destination: '../outside/a.txt' })).toContain('contains ".."');
    expect(await refusedUnchanged({ source: 'a.txt', destination: 'link_dir/a.txt' })).toMatch(/outside the allowed directories/);
    expect(await refusedUnchanged({ source: 'a.txt', destination: join(sandbox.sibling, 'a.txt') })).toMatch(/outside the allowed directories/);
  });

  it('refuses sources outside the root, and links whose target is outside', async () => {
    sandbox.symlink(join(sandbox.outside, 'secret.txt'), 'to_secret');
    sandbox.symlink(sandbox.outside, 'link_dir');
    expect(await refusedUnchanged({ source: join(sandbox.outside, 'secret.txt'), destination: 'stolen.txt' })).toMatch(
      /outside the allowed directories/,
    );
    expect(await refusedUnchanged({ source: 'link_dir/secret.txt', destination: 'stolen.txt' })).toMatch(/symbolic link to a location outside/);
    expect(await refusedUnchanged({ source: 'to_secret', destination: 'moved-link' })).toMatch(/symbolic link to a location outside/);
    expect(await refusedUnchanged({ source: 'link_dir', destination: 'moved-dir-link' })).toMatch(/symbolic link to a location outside/);
  });

  it('never moves onto a symbolic link, dangling or not', async () => {
    sandbox.file('a.txt', 'PAYLOAD');
    sandbox.file('target.txt', 'keep');
    sandbox.symlink('target.txt', 'alias.txt');
    expect(await refusedUnchanged({ source: 'a.txt', destination: 'alias.txt', overwrite: true })).toBe(
      `\`destination\` "${at('alias.txt')}" is a symbolic link; moving onto links is refused. Choose another path, or delete the link first.`,
    );
    sandbox.symlink(join(sandbox.outside, 'planted.txt'), 'dangling');
    expect(await refusedUnchanged({ source: 'a.txt', destination: 'dangling', overwrite: true })).toMatch(/dangling link/);
    expect(existsSync(join(sandbox.outside, 'planted.txt'))).toBe(false);
  });

  it('replacing a hard-linked destination replaces only that name, never the other file', async () => {
    sandbox.file('a.txt', 'PAYLOAD');
    sandbox.hardlink(join(sandbox.outside, 'secret.txt'), 'hardlink');
    await fs.ok('move_file', { source: 'a.txt', destination: 'hardlink', overwrite: true });
    expect(readFileSync(at('hardlink'), 'utf8')).toBe('PAYLOAD');
    expect(readFileSync(join(sandbox.outside, 'secret.txt'), 'utf8')).toBe('OUTSIDE-SECRET\n');
  });

  it('refuses protected files as source or destination', async () => {
    sandbox.file('.env', 'API_KEY=1\n');
    sandbox.file('a.txt', 'A');
    expect(await refusedUnchanged({ source: '.env', destination: 'env.txt' })).toMatch(/`source` .* is a protected file/);
    expect(await refusedUnchanged({ source: 'a.txt', destination: 'server.key' })).toMatch(/`destination` .* is a protected file/);
    expect(await refusedUnchanged({ source: 'a.txt', destination: '.env', overwrite: true })).toMatch(/`destination` .* is a protected file/);
  });

  it('refuses to move a directory that holds protected files, or one that would put files at protected paths', async () => {
    sandbox.file('app/config.json', '{}');
    sandbox.file('app/.env', 'API_KEY=1\n');
    sandbox.file('app/deep/certs/server.pem', 'PEM');
    expect(await refusedUnchanged({ source: 'app', destination: 'app2' })).toBe(
      `\`source\` "${at('app')}" contains protected files or would place files at protected paths: ".env" (it matches "**/.env"), "deep/certs/server.pem" (it matches "**/*.pem"); moving credentials is refused. Move the other entries individually.`,
    );
    sandbox.file('kube/config', 'apiVersion: v1');
    expect(await refusedUnchanged({ source: 'kube', destination: '.kube' })).toBe(
      `\`source\` "${at('kube')}" contains protected files or would place files at protected paths: "config" (it matches "**/.kube/config"); moving credentials is refused. Move the other entries individually.`,
    );
  });

  crossDevice.it('explains that moving across file systems needs copy_file and delete_path', async () => {
    const other = realpathSync(mkdtempSync('/dev/shm/bastion-fs-move-'));
    try {
      expect(statSync(other).dev).not.toBe(statSync(sandbox.root).dev);
      await fs.close();
      fs = await openFilesystem([sandbox.root, other], { argv: ['--write'] });
      sandbox.file('a.txt', 'A');
      const before = sandbox.contents();
      expect(await fs.refused('move_file', { source: 'a.txt', destination: join(other, 'a.txt') })).toBe(
        `\`source\` "${at('a.txt')}" and \`destination\` "${join(other, 'a.txt')}" are on different file systems, so they cannot be renamed into each other; copy the file with copy_file, then remove the original with delete_path.`,
      );
      expect(sandbox.contents()).toEqual(before);
      expect(readdirSync(other)).toEqual([]);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('is not offered without --write', async () => {
    await fs.close();
    fs = await openFilesystem([sandbox.root]);
    expect((await fs.client.listTools()).tools.map((tool) => tool.name)).not.toContain('move_file');
  });
});
