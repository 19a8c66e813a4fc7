import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDenyList } from '../src/access/deny-list.js';
import { FileAccess } from '../src/access/file-access.js';
import { openVerified } from '../src/access/open-verified.js';
import { resolveAllowedRoots } from '../src/access/roots.js';
import { writableTarget, writeAtomically } from '../src/access/write-atomic.js';
import { createSandbox } from './support/sandbox.js';
import type { Sandbox } from './support/sandbox.js';

let sandbox: Sandbox;
let access: FileAccess;
beforeEach(async () => {
  sandbox = createSandbox();
  access = new FileAccess(await resolveAllowedRoots([sandbox.root]), createDenyList({ extra: [], includeDefaults: true }), false);
  mkdirSync(join(sandbox.outside, 'dir'));
  writeFileSync(join(sandbox.outside, 'dir', 'file.txt'), 'OUTSIDE\n');
});
afterEach(() => sandbox.remove());

/** Replaces the directory `root/dir` by a link to `outside/dir` (the attacker's move). */
function swapDirectoryForLink(): void {
  renameSync(join(sandbox.root, 'dir'), join(sandbox.root, 'dir-moved'));
  symlinkSync(join(sandbox.outside, 'dir'), join(sandbox.root, 'dir'));
}

describe('check-then-use races', () => {
  it('refuses a read when the file was swapped for a link after validation', async () => {
    sandbox.file('dir/file.txt', 'INSIDE\n');
    const resolved = await access.resolve('path', 'dir/file.txt', 'read');
    rmSync(join(sandbox.root, 'dir/file.txt'));
    symlinkSync(join(sandbox.outside, 'dir', 'file.txt'), join(sandbox.root, 'dir/file.txt'));
    await expect(openVerified(resolved, false)).rejects.toThrow(/replaced by a symbolic link/);
  });

  it('refuses a read when a parent directory was swapped for a link after validation', async () => {
    sandbox.file('dir/file.txt', 'INSIDE\n');
    const resolved = await access.resolve('path', 'dir/file.txt', 'read');
    swapDirectoryForLink();
    await expect(openVerified(resolved, false)).rejects.toThrow(/changed while it was being opened/);
  });

  it('writes nothing outside when a parent directory was swapped for a link after validation', async () => {
    sandbox.file('dir/file.txt', 'INSIDE\n');
    const resolved = await access.resolve('path', 'dir/file.txt', 'write');
    const target = writableTarget(resolved, false);
    swapDirectoryForLink();
    await expect(writeAtomically(resolved, target, (put) => put('PWNED'))).rejects.toThrow(/directory changed during the write/);
    expect(readFileSync(join(sandbox.outside, 'dir', 'file.txt'), 'utf8')).toBe('OUTSIDE\n');
    expect(readdirSync(join(sandbox.outside, 'dir'))).toEqual(['file.txt']);
    expect(readFileSync(join(sandbox.root, 'dir-moved', 'file.txt'), 'utf8')).toBe('INSIDE\n');
  });

  it('leaves the old file whole and no temporary file when writing fails midway', async () => {
    sandbox.file('keep.txt', 'ORIGINAL\n');
    const resolved = await access.resolve('path', 'keep.txt', 'write');
    await expect(
      writeAtomically(resolved, writableTarget(resolved, false), async (put) => {
        await put('half of the new');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(readFileSync(join(sandbox.root, 'keep.txt'), 'utf8')).toBe('ORIGINAL\n');
    expect(readdirSync(sandbox.root)).toEqual(['keep.txt']);
    expect(existsSync(join(sandbox.root, 'dir'))).toBe(false);
  });
});
