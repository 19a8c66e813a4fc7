import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
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

const refusedUnchanged = (args: Record<string, unknown>) => refusedWithoutChange(fs, sandbox, 'copy_file', args);

describe('copy_file', () => {
  it('copies a file and leaves the source as it was', async () => {
    const source = sandbox.file('a.txt', 'content\n');
    expect(await fs.ok('copy_file', { source: 'a.txt', destination: 'b.txt' })).toEqual({
      source,
      destination: join(sandbox.root, 'b.txt'),
      bytes: 8,
    });
    expect(readFileSync(join(sandbox.root, 'b.txt'), 'utf8')).toBe('content\n');
    expect(readFileSync(source, 'utf8')).toBe('content\n');
    expect(readdirSync(sandbox.root).sort()).toEqual(['a.txt', 'b.txt']);
  });

  it('copies binary content byte for byte across many chunks, into another directory', async () => {
    const data = randomBytes(300_001);
    sandbox.file('blob.bin', data);
    sandbox.dir('backup');
    expect(await fs.ok('copy_file', { source: 'blob.bin', destination: 'backup/blob.bin' })).toMatchObject({ bytes: 300_001 });
    expect(readFileSync(join(sandbox.root, 'backup/blob.bin')).equals(data)).toBe(true);
  });

  it('copies unicode names and content', async () => {
    sandbox.file('héllo 🙂.txt', 'こんにちは\n');
    expect(await fs.ok('copy_file', { source: 'héllo 🙂.txt', destination: 'copie 日本.txt' })).toMatchObject({
      bytes: Buffer.byteLength('こんにちは\n'),
    });
    expect(readFileSync(join(sandbox.root, 'copie 日本.txt'), 'utf8')).toBe('こんにちは\n');
  });

  it('replaces an existing destination only with overwrite: true, keeping its permissions', async () => {
    sandbox.file('a.txt', 'new content');
    const destination = sandbox.file('b.txt', 'old content');
    chmodSync(destination, 0o640);
    expect(await refusedUnchanged({ source: 'a.txt', destination: 'b.txt' })).toBe(
      `\`destination\` "${destination}" already exists; pass overwrite: true to replace it, or choose another path.`,
    );
    expect(await fs.ok('copy_file', { source: 'a.txt', destination: 'b.txt', overwrite: true })).toMatchObject({ bytes: 11 });
    expect(readFileSync(destination, 'utf8')).toBe('new content');
    expect(statSync(destination).mode & 0o7777).toBe(0o640);
  });

  it('copies regular files only: a directory or a named pipe source is a clear error', async () => {
    sandbox.dir('folder');
    sandbox.file('folder/inner.txt', 'x');
    expect(await refusedUnchanged({ source: 'folder', destination: 'folder2' })).toBe(
      `\`source\` "${join(sandbox.root, 'folder')}" is a directory; copy_file copies one regular file; create the directory with create_directory and copy its files one by one.`,
    );
    sandbox.fifo('pipe');
    expect(await refusedUnchanged({ source: 'pipe', destination: 'pipe.txt' })).toBe(
      `\`source\` "${join(sandbox.root, 'pipe')}" is a named pipe; only regular files can be copied.`,
    );
  });

  it('refuses a directory destination, the same file, a missing source and a missing destination directory', async () => {
    sandbox.file('a.txt', 'a');
    sandbox.dir('folder');
    expect(await refusedUnchanged({ source: 'a.txt', destination: 'folder', overwrite: true })).toBe(
      `\`destination\` "${join(sandbox.root, 'folder')}" is a directory; give the full path of the copy, including its file name (e.g. "${join(sandbox.root, 'folder')}/name").`,
    );
    expect(await refusedUnchanged({ source: 'a.txt', destination: 'a.txt', overwrite: true })).toBe(
      `\`source\` and \`destination\` are the same file ("${join(sandbox.root, 'a.txt')}"); nothing was copied.`,
    );
    expect(await refusedUnchanged({ source: 'missing.txt', destination: 'b.txt' })).toBe(
      `\`source\` "${join(sandbox.root, 'missing.txt')}" does not exist.`,
    );
    expect(await refusedUnchanged({ source: 'a.txt', destination: 'no/such/dir/b.txt' })).toBe(
      `\`destination\` "${join(sandbox.root, 'no/such/dir/b.txt')}": its directory does not exist; create it with create_directory first.`,
    );
  });

  it('refuses a source larger than --max-write-bytes', async () => {
    await fs.close();
    fs = await openFilesystem([sandbox.root], { argv: ['--write'], env: { FILESYSTEM_MAX_WRITE_BYTES: '100' } });
    const big = sandbox.file('big.txt', 'x'.repeat(101));
    expect(await refusedUnchanged({ source: 'big.txt', destination: 'copy.txt' })).toBe(
      `\`source\` "${big}" is 101 bytes, over the limit of 100 bytes per write (--max-write-bytes); it was not copied.`,
    );
    sandbox.file('fits.txt', 'x'.repeat(100));
    expect(await fs.ok('copy_file', { source: 'fits.txt', destination: 'copy.txt' })).toMatchObject({ bytes: 100 });
  });
});

describe('copy_file attacks', () => {
  it('never copies onto a symbolic link: to a file inside, to a file outside, or a dangling one', async () => {
    sandbox.file('a.txt', 'PAYLOAD');
    sandbox.file('target.txt', 'keep');
    sandbox.symlink('target.txt', 'alias.txt');
    expect(await refusedUnchanged({ source: 'a.txt', destination: 'alias.txt', overwrite: true })).toBe(
      `\`destination\` "${join(sandbox.root, 'alias.txt')}" is a symbolic link; writing through links is refused. Write to the file it points to instead.`,
    );
    sandbox.symlink(join(sandbox.outside, 'secret.txt'), 'to_secret');
    expect(await refusedUnchanged({ source: 'a.txt', destination: 'to_secret', overwrite: true })).toMatch(/symbolic link to a location outside/);
    sandbox.symlink(join(sandbox.outside, 'planted.txt'), 'dangling');
    expect(await refusedUnchanged({ source: 'a.txt', destination: 'dangling' })).toMatch(/dangling link/);
    expect(existsSync(join(sandbox.outside, 'planted.txt'))).toBe(false);
    expect(readFileSync(join(sandbox.outside, 'secret.txt'), 'utf8')).toBe('OUTSIDE-SECRET\n');
  });

  it('refuses destinations outside the root: absolute, with "..", and through a directory link', async () => {
    sandbox.file('a.txt', 'PAYLOAD');
    sandbox.symlink(sandbox.outside, 'link_dir');
    expect(await refusedUnchanged({ source: 'a.txt', destination: join(sandbox.outside, 'copied.txt') })).toMatch(/outside the allowed directories/);
    expect(await refusedUnchanged({ source: 'a.txt', destination: '../outside/copied.txt' })).toContain('contains ".."');
    expect(await refusedUnchanged({ source: 'a.txt', destination: 'link_dir/copied.txt' })).toMatch(/outside the allowed directories/);
    expect(await refusedUnchanged({ source: 'a.txt', destination: join(sandbox.sibling, 'copied.txt') })).toMatch(/outside the allowed directories/);
  });

  it('refuses sources outside the root or behind a link leading outside', async () => {
    sandbox.symlink(join(sandbox.outside, 'secret.txt'), 'to_secret');
    sandbox.symlink(sandbox.outside, 'link_dir');
    for (const source of [join(sandbox.outside, 'secret.txt'), 'to_secret', 'link_dir/secret.txt']) {
      const message = await refusedUnchanged({ source, destination: 'stolen.txt' });
      expect(message).toMatch(/outside the allowed directories|symbolic link to a location outside/);
      expect(message).not.toContain('OUTSIDE-SECRET');
    }
  });

  it('refuses hard-linked sources and destinations', async () => {
    sandbox.file('a.txt', 'PAYLOAD');
    sandbox.hardlink(join(sandbox.outside, 'secret.txt'), 'hardlink');
    expect(await refusedUnchanged({ source: 'a.txt', destination: 'hardlink', overwrite: true })).toMatch(/`destination` .* has 2 hard links/);
    expect(await refusedUnchanged({ source: 'hardlink', destination: 'stolen.txt' })).toMatch(/`source` .* has 2 hard links/);
  });

  it('refuses protected files as source or destination', async () => {
    sandbox.file('.env', 'API_KEY=sk_live_1\n');
    sandbox.file('a.txt', 'x');
    const message = await refusedUnchanged({ source: '.env', destination: 'env-copy.txt' });
    expect(message).toMatch(/`source` .* is a protected file/);
    expect(message).not.toContain('sk_live');
    expect(await refusedUnchanged({ source: 'a.txt', destination: 'keys/id_rsa' })).toMatch(/`destination` .* is a protected file/);
    expect(await refusedUnchanged({ source: 'a.txt', destination: '.env', overwrite: true })).toMatch(/`destination` .* is a protected file/);
  });

  it('is not offered without --write', async () => {
    await fs.close();
    fs = await openFilesystem([sandbox.root]);
    expect((await fs.client.listTools()).tools.map((tool) => tool.name)).not.toContain('copy_file');
  });
});
