import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { textOf } from '@bastion-mcp/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, openFilesystem } from './support/sandbox.js';
import type { FilesystemSession, Sandbox } from './support/sandbox.js';

interface Entry {
  name: string;
  type: string;
  size?: number;
  modified?: string;
}
interface Listing {
  path: string;
  entries: Entry[];
  total: number;
  truncated?: boolean;
  nextCursor?: string;
}

let sandbox: Sandbox;
let fs: FilesystemSession;
beforeEach(async () => {
  sandbox = createSandbox();
  fs = await openFilesystem([sandbox.root]);
});
afterEach(async () => {
  await fs.close();
  sandbox.remove();
});

async function reopen(argv: string[]): Promise<void> {
  await fs.close();
  fs = await openFilesystem([sandbox.root], { argv });
}

/** Follows nextCursor to the end; returns the names of every page and the pages. */
async function allPages(args: Record<string, unknown>): Promise<{ names: string[]; pages: Listing[] }> {
  const pages: Listing[] = [];
  let cursor: string | undefined;
  do {
    const page: Listing = await fs.ok<Listing>('list_directory', { ...args, ...(cursor ? { cursor } : {}) });
    pages.push(page);
    cursor = page.nextCursor;
    expect(pages.length).toBeLessThan(500);
  } while (cursor);
  return { names: pages.flatMap((page) => page.entries.map((entry) => entry.name)), pages };
}

const names = (listing: Listing) => listing.entries.map((entry) => entry.name);

describe('list_directory', () => {
  it('lists names and types sorted by name, links and pipes included but not followed; sizes and times on request', async () => {
    sandbox.file('b.txt', '12345');
    sandbox.file('a.txt', '1');
    sandbox.dir('sub');
    sandbox.symlink(sandbox.outside, 'out_link');
    sandbox.fifo('pipe');
    const plain = await fs.ok<Listing>('list_directory', { path: sandbox.root });
    expect(plain.entries).toEqual([
      { name: 'a.txt', type: 'file' },
      { name: 'b.txt', type: 'file' },
      { name: 'out_link', type: 'symlink' },
      { name: 'pipe', type: 'other' },
      { name: 'sub', type: 'directory' },
    ]);
    const listing = await fs.ok<Listing>('list_directory', { path: sandbox.root, details: true });
    expect(listing.path).toBe(sandbox.root);
    expect(listing.total).toBe(5);
    expect(listing.truncated).toBeUndefined();
    expect(listing.nextCursor).toBeUndefined();
    expect(listing.entries.map(({ name, type, size }) => ({ name, type, size }))).toEqual([
      { name: 'a.txt', type: 'file', size: 1 },
      { name: 'b.txt', type: 'file', size: 5 },
      { name: 'out_link', type: 'symlink', size: undefined },
      { name: 'pipe', type: 'other', size: undefined },
      { name: 'sub', type: 'directory', size: undefined },
    ]);
    for (const entry of listing.entries) expect(entry.modified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('sorts by size and by modification time, in either order, and can leave hidden entries out', async () => {
    sandbox.file('small', '1');
    sandbox.file('large', '1234567890');
    sandbox.file('medium', '12345');
    sandbox.file('.hidden', '123');
    sandbox.dir('dir');
    const at = (path: string, seconds: number) => utimesSync(join(sandbox.root, path), seconds, seconds);
    at('small', 3_000);
    at('large', 1_000);
    at('medium', 2_000);
    at('.hidden', 4_000);
    at('dir', 500);
    const bySize = await fs.ok<Listing>('list_directory', { path: '.', sort_by: 'size' });
    expect(names(bySize)).toEqual(['dir', 'small', '.hidden', 'medium', 'large']);
    expect(bySize.entries.map((entry) => entry.size)).toEqual([undefined, 1, 3, 5, 10]);
    expect(bySize.entries[1]?.modified).toBe(new Date(3_000_000).toISOString());
    expect(names(await fs.ok<Listing>('list_directory', { path: '.', sort_by: 'size', order: 'desc' }))).toEqual([
      'large', 'medium', '.hidden', 'small', 'dir',
    ]);
    expect(names(await fs.ok<Listing>('list_directory', { path: '.', sort_by: 'modified' }))).toEqual(['dir', 'large', 'medium', 'small', '.hidden']);
    expect(names(await fs.ok<Listing>('list_directory', { path: '.', order: 'desc' }))).toEqual(['small', 'medium', 'large', 'dir', '.hidden']);
    const visible = await fs.ok<Listing>('list_directory', { path: '.', include_hidden: false });
    expect(names(visible)).toEqual(['dir', 'large', 'medium', 'small']);
    expect(visible.total).toBe(4);
  });

  it('pages through a large directory with its own cursor, losing and repeating nothing', async () => {
    const all = Array.from({ length: 57 }, (_, index) => `f${String(index).padStart(3, '0')}.txt`);
    for (const name of all) sandbox.file(name, name);
    const { names: seen, pages } = await allPages({ path: '.', limit: 10 });
    expect(pages).toHaveLength(6);
    expect(seen).toEqual(all);
    expect(pages.slice(0, -1).every((page) => page.truncated === true && page.total === 57)).toBe(true);
    const descending = await allPages({ path: '.', limit: 20, sort_by: 'size', order: 'desc' });
    expect([...descending.names].sort()).toEqual(all);
    expect(new Set(descending.names).size).toBe(57);
  });

  it('refuses a cursor from a different listing, and a limit over 10,000', async () => {
    for (let index = 0; index < 5; index += 1) sandbox.file(`f${index}`, '');
    const first = await fs.ok<Listing>('list_directory', { path: '.', limit: 2 });
    expect(await fs.refused('list_directory', { path: '.', limit: 2, sort_by: 'size', cursor: first.nextCursor })).toMatch(
      /cursor.*belongs to another list_directory call/,
    );
    expect(await fs.refused('list_directory', { path: '.', cursor: 'c1.bm90LWEtY3Vyc29y' })).toMatch(/cursor/);
    expect(await fs.refused('list_directory', { path: '.', limit: 10_001 })).toMatch(/limit/);
    expect((await fs.ok<Listing>('list_directory', { path: '.', limit: 10_000 })).entries).toHaveLength(5);
  });

  it('keeps within the response budget: a huge listing is cut, marked truncated, and continues', async () => {
    const all = Array.from({ length: 300 }, (_, index) => `entry-with-a-rather-long-name-${String(index).padStart(4, '0')}.txt`);
    for (const name of all) sandbox.file(name, 'x');
    await reopen(['--max-result-bytes', '2048']);
    const first = await fs.ok<Listing>('list_directory', { path: '.', limit: 10_000 });
    expect(first.truncated).toBe(true);
    expect(first.entries.length).toBeGreaterThan(0);
    expect(first.entries.length).toBeLessThan(300);
    const { names: seen } = await allPages({ path: '.', limit: 10_000 });
    expect(seen).toEqual(all);

    await reopen(['--max-result-items', '7']);
    const { names: byItems, pages } = await allPages({ path: '.', limit: 500 });
    expect(pages[0]?.entries).toHaveLength(7);
    expect(byItems).toEqual(all);
  });

  it('leaves protected files out entirely and refuses to list a protected directory', async () => {
    sandbox.file('.env', 'SECRET=1');
    sandbox.file('.env.production', 'SECRET=2');
    sandbox.file('.ssh/id_ed25519', 'KEY');
    sandbox.file('server.pem', 'PEM');
    sandbox.file('id_rsa', 'KEY');
    sandbox.file('.npmrc', '//registry/:_authToken=x');
    sandbox.file('notes.txt', 'ok');
    const listing = await fs.ok<Listing>('list_directory', { path: '.' });
    expect(names(listing)).toEqual(['notes.txt']);
    expect(listing.total).toBe(1);
    expect(await fs.refused('list_directory', { path: '.ssh' })).toMatch(/protected file/);
  });

  it('removes terminal escapes and bidi controls from names', async () => {
    sandbox.file('evil\u001b[31mred\u001b[0m.txt', 'x');
    sandbox.file('invoice\u202etxt.exe', 'x');
    sandbox.file('zero\u200bwidth', 'x');
    const result = await fs.call('list_directory', { path: '.' });
    const listing = result.structuredContent as unknown as Listing;
    expect(names(listing)).toEqual(['evilred.txt', 'invoicetxt.exe', 'zerowidth']);
    const everything = JSON.stringify(result);
    expect(everything).not.toMatch(/\u001b|\\u001b|\u202e|\\u202e|\u200b|\\u200b/);
    expect(textOf(result)).toContain('Untrusted');
  });

  it('requires a directory inside the allowed directories', async () => {
    sandbox.file('file.txt', 'x');
    sandbox.file('real/inside.txt', 'x');
    sandbox.symlink('real', 'alias');
    sandbox.symlink(sandbox.outside, 'escape');
    expect(await fs.refused('list_directory', { path: 'file.txt' })).toMatch(/is a file, not a directory; use read_text_file/);
    expect(await fs.refused('list_directory', { path: 'missing' })).toMatch(/does not exist/);
    expect(await fs.refused('list_directory', { path: sandbox.outside })).toMatch(/outside the allowed directories/);
    expect(await fs.refused('list_directory', { path: 'escape' })).toMatch(/outside the allowed directories/);
    expect(await fs.refused('list_directory', { path: sandbox.sibling })).toMatch(/outside the allowed directories/);
    expect(names(await fs.ok<Listing>('list_directory', { path: 'alias' }))).toEqual(['inside.txt']);
  });
});
