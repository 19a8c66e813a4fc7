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

describe('races during a walk', () => {
  it('reads nothing from a directory swapped for a link after it was listed', async () => {
    const { FileReader } = await import('../src/tools/read/walk/file-reader.js');
    sandbox.file('dir/file.txt', 'INSIDE\n');
    const reader = new FileReader(false);
    const path = join(sandbox.root, 'dir', 'file.txt');
    const first = reader.read(path, 1024);
    expect(first.kind === 'read' && first.data.toString()).toBe('INSIDE\n');
    reader.close();
    swapDirectoryForLink();
    const second = reader.read(path, 1024);
    expect(second.kind).toBe('unreadable');
    reader.close();
  });

  it('keeps using a verified directory even if its path is swapped while it is cached', async () => {
    const { FileReader } = await import('../src/tools/read/walk/file-reader.js');
    sandbox.file('dir/file.txt', 'INSIDE\n');
    const reader = new FileReader(false);
    const path = join(sandbox.root, 'dir', 'file.txt');
    reader.read(path, 1024);
    swapDirectoryForLink();
    const read = reader.read(path, 1024);
    expect(read.kind === 'read' && read.data.toString()).toBe('INSIDE\n');
    reader.close();
  });

  it('leaves no descriptor open after a walk', async () => {
    const { readdirSync: list } = await import('node:fs');
    const open = () => list('/proc/self/fd').length;
    for (let index = 0; index < 40; index += 1) sandbox.file(`d${index % 8}/f${index}.txt`, 'x\n');
    const { FileReader } = await import('../src/tools/read/walk/file-reader.js');
    const before = open();
    const reader = new FileReader(false);
    for (let index = 0; index < 40; index += 1) reader.read(join(sandbox.root, `d${index % 8}`, `f${index}.txt`), 1024);
    expect(open()).toBeGreaterThan(before);
    reader.close();
    expect(open()).toBe(before);
  });
});
