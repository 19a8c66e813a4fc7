import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDenyList } from '../src/access/deny-list.js';
import { FileAccess } from '../src/access/file-access.js';
import { HELD_BY_DESCRIPTOR, HeldDirectory } from '../src/access/held-directory.js';
import { openVerified } from '../src/access/open-verified.js';
import { resolveAllowedRoots } from '../src/access/roots.js';
import type { AllowedRoot } from '../src/access/roots.js';
import { writableTarget, writeAtomically } from '../src/access/write-atomic.js';
import { removeContents } from '../src/tools/write/tree.js';
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
    await expect(writeAtomically(resolved, target, (put) => put('PWNED'))).rejects.toThrow(
      /changed while it was being written: a directory on the path was replaced by a symbolic link; nothing outside the allowed directories was touched/,
    );
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

describe.skipIf(!HELD_BY_DESCRIPTOR)('changes made inside a held directory', () => {
  const subject = { argument: 'path', path: 'dir/file.txt', doing: 'deleted' };
  const root = async () => (await resolveAllowedRoots([sandbox.root]))[0] as AllowedRoot;

  it('acts in the directory it holds, wherever that directory went, never through the link now at its path', async () => {
    sandbox.file('dir/file.txt', 'INSIDE\n');
    const { parent, name } = await HeldDirectory.reachParent(await root(), 'dir/file.txt', subject);
    swapDirectoryForLink();
    await unlink(parent.at(name));
    await parent.close();
    expect(readdirSync(join(sandbox.root, 'dir-moved'))).toEqual([]);
    expect(readFileSync(join(sandbox.outside, 'dir', 'file.txt'), 'utf8')).toBe('OUTSIDE\n');
  });

  it('refuses to reach through a directory swapped for a link, with a message that says so', async () => {
    sandbox.file('dir/file.txt', 'INSIDE\n');
    swapDirectoryForLink();
    await expect(HeldDirectory.reachParent(await root(), 'dir/file.txt', subject)).rejects.toThrow(
      '`path` "dir/file.txt" changed while it was being deleted: a directory on the path was replaced by a symbolic link; nothing outside the allowed directories was touched. Try again.',
    );
  });

  it('a recursive removal unlinks a link swapped in for a subdirectory after the scan, never what it points to', async () => {
    sandbox.file('top/dir/file.txt', 'INSIDE\n');
    sandbox.file('top/first.txt', 'INSIDE\n');
    const top = await HeldDirectory.reach(await root(), 'top', subject);
    renameSync(join(sandbox.root, 'top', 'dir'), join(sandbox.root, 'top-dir-moved'));
    symlinkSync(join(sandbox.outside, 'dir'), join(sandbox.root, 'top', 'dir'));
    const outside = () => Object.entries(sandbox.contents()).filter(([key]) => key.startsWith('outside/'));
    const before = outside();
    const progress = { removed: 0 };
    await removeContents(top, () => undefined, progress, subject);
    await top.close();
    expect(progress.removed).toBe(2);
    expect(readdirSync(join(sandbox.root, 'top'))).toEqual([]);
    expect(outside()).toEqual(before);
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
