import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, openFilesystem } from './support/sandbox.js';
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

const OUTSIDE = /outside the allowed directories/;

describe('containment (CVE-2025-53110 class: prefix siblings and traversal)', () => {
  it('refuses a sibling that shares the root as a string prefix, in every form', async () => {
    for (const path of [
      join(sandbox.sibling, 'secret.txt'),
      `${sandbox.root}_evil/secret.txt`,
      `${sandbox.root}/../allowed_evil/secret.txt`,
      '../allowed_evil/secret.txt',
    ]) {
      const message = await fs.refused('read_text_file', { path });
      expect(message).not.toContain('SIBLING-SECRET');
      expect(message).toMatch(/outside the allowed directories|contains "\.\."/);
    }
  });

  it('refuses "..", absolute paths elsewhere, repeated separators that climb, NUL bytes and Windows forms', async () => {
    expect(await fs.refused('read_text_file', { path: 'a/../../outside/secret.txt' })).toContain('contains ".."');
    expect(await fs.refused('read_text_file', { path: join(sandbox.outside, 'secret.txt') })).toMatch(OUTSIDE);
    expect(await fs.refused('read_text_file', { path: '/etc/passwd' })).toMatch(OUTSIDE);
    expect(await fs.refused('read_text_file', { path: `${sandbox.root}//..//outside/secret.txt` })).toContain('contains ".."');
    expect(await fs.refused('read_text_file', { path: 'a\u0000b' })).toMatch(/NUL/);
    expect(await fs.refused('read_text_file', { path: 'C:\\Windows\\win.ini' })).toContain('Windows drive or UNC');
    expect(await fs.refused('read_text_file', { path: '\\\\server\\share\\x' })).toContain('Windows drive or UNC');
    expect(await fs.refused('write_file', { path: '../outside/new.txt', content: 'x' })).toContain('contains ".."');
  });

  it('accepts paths relative to the first root and through the root itself', async () => {
    sandbox.file('dir/a.txt', 'A\n');
    expect(await fs.ok('read_text_file', { path: 'dir/a.txt' })).toMatchObject({ content: 'A' });
    expect(await fs.ok('read_text_file', { path: `${sandbox.root}/./dir//a.txt` })).toMatchObject({ content: 'A' });
    expect(relative(sandbox.root, join(sandbox.root, 'dir/a.txt'))).toBe('dir/a.txt');
  });
});

describe('symbolic links (CVE-2025-53109 class)', () => {
  it('refuses to read through a file link, a directory link and a relative link that escape', async () => {
    sandbox.symlink(join(sandbox.outside, 'secret.txt'), 'link_to_secret');
    sandbox.symlink(sandbox.outside, 'link_dir');
    sandbox.symlink('../outside/secret.txt', 'relative_link');
    for (const path of ['link_to_secret', 'link_dir/secret.txt', 'relative_link']) {
      const message = await fs.refused('read_text_file', { path });
      expect(message).toMatch(/symbolic link to a location outside/);
      expect(message).not.toContain('OUTSIDE-SECRET');
    }
  });

  it('follows links that stay inside the root', async () => {
    sandbox.file('real.txt', 'REAL\n');
    sandbox.symlink('real.txt', 'alias.txt');
    expect(await fs.ok('read_text_file', { path: 'alias.txt' })).toMatchObject({ content: 'REAL' });
  });

  it('never writes through a link, even one whose target is inside, and leaves the target untouched', async () => {
    sandbox.symlink(join(sandbox.outside, 'secret.txt'), 'link_to_secret');
    expect(await fs.refused('write_file', { path: 'link_to_secret', content: 'OVERWRITTEN', overwrite: true })).toMatch(
      /outside the allowed|symbolic link/,
    );
    sandbox.file('inside.txt', 'keep\n');
    sandbox.symlink('inside.txt', 'inside_link');
    expect(await fs.refused('write_file', { path: 'inside_link', content: 'x', overwrite: true })).toMatch(/is a symbolic link; writing through links is refused/);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(sandbox.outside, 'secret.txt'), 'utf8')).toBe('OUTSIDE-SECRET\n');
    expect(readFileSync(join(sandbox.root, 'inside.txt'), 'utf8')).toBe('keep\n');
  });

  it('refuses to create a file through a dangling link, with an accurate message, and creates nothing outside', async () => {
    sandbox.symlink(join(sandbox.outside, 'newfile.txt'), 'dangling');
    const message = await fs.refused('write_file', { path: 'dangling', content: 'PWNED' });
    expect(message).toMatch(/dangling link/);
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(sandbox.outside, 'newfile.txt'))).toBe(false);
    sandbox.symlink(join(sandbox.outside, 'nodir'), 'dangling_dir');
    expect(await fs.refused('write_file', { path: 'dangling_dir/file.txt', content: 'x' })).toMatch(/component .* dangling link/);
  });

  it('reports a link loop', async () => {
    sandbox.symlink('loop_b', 'loop_a');
    sandbox.symlink('loop_a', 'loop_b');
    expect(await fs.refused('read_text_file', { path: 'loop_a' })).toMatch(/loop/);
  });
});

describe('hard links', () => {
  it('refuses a file with several links unless --allow-hardlinks', async () => {
    sandbox.hardlink(join(sandbox.outside, 'secret.txt'), 'hardlink');
    const message = await fs.refused('read_text_file', { path: 'hardlink' });
    expect(message).toMatch(/has 2 hard links/);
    expect(message).not.toContain('OUTSIDE-SECRET');
    expect(await fs.refused('write_file', { path: 'hardlink', content: 'x', overwrite: true })).toMatch(/hard links/);
    await fs.close();
    fs = await openFilesystem([sandbox.root], { argv: ['--allow-hardlinks'] });
    expect(await fs.ok('read_text_file', { path: 'hardlink' })).toMatchObject({ content: 'OUTSIDE-SECRET' });
  });
});

describe('protected secret files', () => {
  it('refuses to read or write them, without saying whether they exist', async () => {
    sandbox.file('.env', 'API_KEY=sk_live_123\n');
    sandbox.file('config/.env.production', 'X=1\n');
    sandbox.file('home/.ssh/id_ed25519', 'KEY\n');
    sandbox.file('certs/server.pem', 'PEM\n');
    sandbox.file('repo/.git/config', '[remote]\n url = https://token@github.com/x\n');
    for (const path of ['.env', 'config/.env.production', 'home/.ssh/id_ed25519', 'certs/server.pem', 'repo/.git/config', '.env.missing', 'home/.ssh']) {
      const message = await fs.refused('read_text_file', { path });
      expect(message).toMatch(/is a protected file/);
      expect(message).not.toContain('sk_live');
    }
    expect(await fs.refused('write_file', { path: '.aws/credentials', content: 'x' })).toMatch(/protected file/);
  });

  it('refuses a link that points at a protected file', async () => {
    sandbox.file('.env', 'API_KEY=1\n');
    sandbox.symlink('.env', 'harmless.txt');
    expect(await fs.refused('read_text_file', { path: 'harmless.txt' })).toMatch(/protected file/);
  });

  it('can be widened by an operator and extended with FILESYSTEM_DENY', async () => {
    sandbox.file('.env', 'A=1\n');
    sandbox.file('private/notes.txt', 'n\n');
    await fs.close();
    fs = await openFilesystem([sandbox.root], { argv: ['--allow-secret-files'], env: { FILESYSTEM_DENY: 'private/**' } });
    expect(await fs.ok('read_text_file', { path: '.env' })).toMatchObject({ content: 'A=1' });
    expect(await fs.refused('read_text_file', { path: 'private/notes.txt' })).toMatch(/protected file \(it matches "private\/\*\*"\)/);
  });
});
