import { chmodSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
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

const refusedUnchanged = (args: Record<string, unknown>) => refusedWithoutChange(fs, sandbox, 'append_file', args);

const mode = (path: string) => statSync(path).mode & 0o7777;

describe('append_file', () => {
  it('adds to the end of an existing file and reports the bytes appended and the new size', async () => {
    const path = sandbox.file('log.txt', 'first\n');
    expect(await fs.ok('append_file', { path: 'log.txt', content: 'second\n' })).toEqual({
      path,
      bytes: 7,
      totalBytes: 13,
      created: false,
    });
    expect(readFileSync(path, 'utf8')).toBe('first\nsecond\n');
    expect(await fs.ok('append_file', { path, content: 'third' })).toMatchObject({ bytes: 5, totalBytes: 18, created: false });
    expect(readFileSync(path, 'utf8')).toBe('first\nsecond\nthird');
    expect(readdirSync(sandbox.root)).toEqual(['log.txt']);
  });

  it('creates a missing file by default, and refuses to with create: false', async () => {
    expect(await fs.ok('append_file', { path: 'new.txt', content: 'hello' })).toEqual({
      path: join(sandbox.root, 'new.txt'),
      bytes: 5,
      totalBytes: 5,
      created: true,
    });
    expect(readFileSync(join(sandbox.root, 'new.txt'), 'utf8')).toBe('hello');

    expect(await refusedUnchanged({ path: 'other.txt', content: 'x', create: false })).toBe(
      `\`path\` "${join(sandbox.root, 'other.txt')}" does not exist and create is false; pass create: true to create it, or check the path.`,
    );
    expect(existsSync(join(sandbox.root, 'other.txt'))).toBe(false);
  });

  it('needs the parent directory to exist', async () => {
    expect(await refusedUnchanged({ path: 'missing/dir/new.txt', content: 'x' })).toBe(
      `\`path\` "${join(sandbox.root, 'missing/dir/new.txt')}": its directory does not exist; create it with create_directory first.`,
    );
  });

  it('keeps the permissions of the file', async () => {
    const script = sandbox.file('run.sh', '#!/bin/sh\n');
    chmodSync(script, 0o750);
    await fs.ok('append_file', { path: 'run.sh', content: 'echo hi\n' });
    expect(mode(script)).toBe(0o750);
    const secretish = sandbox.file('private.txt', 'a');
    chmodSync(secretish, 0o600);
    await fs.ok('append_file', { path: 'private.txt', content: 'b' });
    expect(mode(secretish)).toBe(0o600);
    expect(readFileSync(secretish, 'utf8')).toBe('ab');
  });

  it('counts bytes, not characters, for unicode content', async () => {
    const path = sandbox.file('unicode.txt', 'héllo ');
    expect(await fs.ok('append_file', { path: 'unicode.txt', content: 'wörld 🌍 日本' })).toMatchObject({
      bytes: Buffer.byteLength('wörld 🌍 日本'),
      totalBytes: Buffer.byteLength('héllo wörld 🌍 日本'),
    });
    expect(readFileSync(path, 'utf8')).toBe('héllo wörld 🌍 日本');
  });

  it('copies a large file across many chunks intact, including binary bytes', async () => {
    const original = Buffer.alloc(1_000_003);
    for (let index = 0; index < original.length; index += 1) original[index] = (index * 7919) % 256;
    const path = sandbox.file('big.bin', original);
    expect(await fs.ok('append_file', { path: 'big.bin', content: 'END' })).toMatchObject({ bytes: 3, totalBytes: 1_000_006 });
    const after = readFileSync(path);
    expect(after.subarray(0, original.length).equals(original)).toBe(true);
    expect(after.subarray(original.length).toString()).toBe('END');
  });

  it('caps the content, not the file, at --max-write-bytes', async () => {
    await fs.close();
    fs = await openFilesystem([sandbox.root], { argv: ['--write'], env: { FILESYSTEM_MAX_WRITE_BYTES: '10' } });
    const path = sandbox.file('log.txt', 'x'.repeat(50));
    expect(await refusedUnchanged({ path: 'log.txt', content: '12345678901' })).toBe(
      '`content` is 11 bytes, over the limit of 10 bytes per write (--max-write-bytes); write the file in parts with append_file.',
    );
    expect(await fs.ok('append_file', { path: 'log.txt', content: '1234567890' })).toMatchObject({ bytes: 10, totalBytes: 60 });
    expect(readFileSync(path, 'utf8')).toBe(`${'x'.repeat(50)}1234567890`);
  });

  it('refuses directories and named pipes without blocking', async () => {
    sandbox.dir('folder');
    expect(await refusedUnchanged({ path: 'folder', content: 'x' })).toBe(
      `\`path\` "${join(sandbox.root, 'folder')}" exists and is not a regular file; it is refused.`,
    );
    sandbox.fifo('pipe');
    expect(await refusedUnchanged({ path: 'pipe', content: 'x' })).toBe(
      `\`path\` "${join(sandbox.root, 'pipe')}" exists and is not a regular file; it is refused.`,
    );
  });
});

describe('append_file attacks', () => {
  it('never appends through a symbolic link: to a file inside, to a file outside, or through a directory link', async () => {
    sandbox.file('target.txt', 'inside\n');
    sandbox.symlink('target.txt', 'alias.txt');
    expect(await refusedUnchanged({ path: 'alias.txt', content: 'x' })).toBe(
      `\`path\` "${join(sandbox.root, 'alias.txt')}" is a symbolic link; writing through links is refused. Write to the file it points to instead.`,
    );
    sandbox.symlink(join(sandbox.outside, 'secret.txt'), 'to_secret');
    expect(await refusedUnchanged({ path: 'to_secret', content: 'x' })).toMatch(/symbolic link to a location outside/);
    sandbox.symlink(sandbox.outside, 'link_dir');
    expect(await refusedUnchanged({ path: 'link_dir/secret.txt', content: 'x' })).toMatch(/symbolic link to a location outside/);
    expect(await refusedUnchanged({ path: 'link_dir/new.txt', content: 'x' })).toMatch(/outside the allowed directories/);
    expect(readFileSync(join(sandbox.outside, 'secret.txt'), 'utf8')).toBe('OUTSIDE-SECRET\n');
  });

  it('refuses a dangling link and creates nothing where it points', async () => {
    sandbox.symlink(join(sandbox.outside, 'created.txt'), 'dangling');
    expect(await refusedUnchanged({ path: 'dangling', content: 'PWNED' })).toMatch(/dangling link/);
    expect(existsSync(join(sandbox.outside, 'created.txt'))).toBe(false);
  });

  it('refuses paths outside the root: absolute, with "..", and the prefix sibling', async () => {
    expect(await refusedUnchanged({ path: join(sandbox.outside, 'secret.txt'), content: 'x' })).toMatch(/outside the allowed directories/);
    expect(await refusedUnchanged({ path: '../outside/secret.txt', content: 'x' })).toContain('contains ".."');
    expect(await refusedUnchanged({ path: join(sandbox.sibling, 'secret.txt'), content: 'x' })).toMatch(/outside the allowed directories/);
  });

  it('refuses a hard-linked file, which could be a file outside', async () => {
    sandbox.hardlink(join(sandbox.outside, 'secret.txt'), 'hardlink');
    expect(await refusedUnchanged({ path: 'hardlink', content: 'x' })).toMatch(/has 2 hard links/);
  });

  it('refuses protected files, existing or not', async () => {
    sandbox.file('.env', 'KEY=1\n');
    expect(await refusedUnchanged({ path: '.env', content: 'EVIL=1\n' })).toMatch(/is a protected file \(it matches "\*\*\/\.env"\)/);
    expect(await refusedUnchanged({ path: 'keys/new.pem', content: 'x' })).toMatch(/is a protected file/);
  });
});

describe('append_file availability', () => {
  it('is not offered without --write', async () => {
    expect((await fs.client.listTools()).tools.map((tool) => tool.name)).toContain('append_file');
    await fs.close();
    fs = await openFilesystem([sandbox.root]);
    expect((await fs.client.listTools()).tools.map((tool) => tool.name)).not.toContain('append_file');
    writeFileSync(join(sandbox.root, 'a.txt'), 'a');
    await expect(fs.call('append_file', { path: 'a.txt', content: 'b' })).rejects.toThrow(/Tool append_file not found/);
    expect(readFileSync(join(sandbox.root, 'a.txt'), 'utf8')).toBe('a');
  });
});
