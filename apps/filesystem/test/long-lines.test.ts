import { open } from 'node:fs/promises';
import { textOf } from '@bastion-mcp/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLineRange } from '../src/tools/read/line-reader.js';
import { createSandbox, openFilesystem } from './support/sandbox.js';
import type { FilesystemSession, Sandbox } from './support/sandbox.js';

const BUDGET = 4096;
/** The text read_text_file allows itself of a 4096-byte response budget. */
const MAX_LINE_BYTES = Math.floor(BUDGET * 0.8);

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = createSandbox();
});
afterEach(() => {
  sandbox.remove();
});

async function rangeOf(content: string | Buffer, from: number, limit: number, maxBytes: number) {
  const handle = await open(sandbox.file('range.txt', content), 'r');
  try {
    return await readLineRange(handle, from, limit, maxBytes);
  } finally {
    await handle.close();
  }
}

interface FileRange {
  content: string;
  startLine: number;
  endLine: number;
  totalLines?: number;
  truncated: boolean;
  nextOffset?: number;
  cutLines?: number[];
  maxLineBytes?: number;
}

describe('readLineRange with a line longer than maxBytes', () => {
  it('cuts it at a UTF-8 character boundary, never inside a character', async () => {
    // Two-, three- and four-byte characters, with the bound falling at every position inside one.
    for (const character of ['é', '€', '😀']) {
      const width = Buffer.byteLength(character);
      for (let shift = 0; shift < width; shift += 1) {
        const maxBytes = 1000 + shift;
        const range = await rangeOf(`x${character.repeat(2000)}\nnext\n`, 1, 10, maxBytes);
        const whole = 1 + Math.floor((maxBytes - 1) / width);
        expect(range.lines).toEqual([`x${character.repeat(whole - 1)}`]);
        expect(range.cutLines).toEqual([1]);
        expect(range).toMatchObject({ reachedEnd: false, totalLines: undefined });
      }
    }
  });

  it('keeps a line that fits exactly, and ends the range before a later line that does not fit', async () => {
    expect(await rangeOf(`${'a'.repeat(1000)}\n`, 1, 10, 1000)).toEqual({
      lines: ['a'.repeat(1000)],
      reachedEnd: true,
      totalLines: 1,
      stoppedForBytes: false,
      cutLines: [],
    });
    expect(await rangeOf(`short\n${'b'.repeat(5000)}\nafter\n`, 1, 10, 1000)).toEqual({
      lines: ['short'],
      reachedEnd: false,
      totalLines: undefined,
      stoppedForBytes: true,
      cutLines: [],
    });
  });

  it('measures a line as it travels in JSON, so escapes cannot push the result over the budget', async () => {
    const range = await rangeOf(`${'"'.repeat(1000)}\n`, 1, 10, 1000);
    expect(range.lines).toEqual(['"'.repeat(500)]);
    expect(range).toMatchObject({ cutLines: [1], reachedEnd: true, totalLines: 1 });
  });

});

describe('read_text_file with a line longer than the response budget allows', () => {
  let fs: FilesystemSession;
  beforeEach(async () => {
    fs = await openFilesystem([sandbox.root], { argv: ['--max-result-bytes', String(BUDGET)] });
  });
  afterEach(async () => {
    await fs.close();
  });

  it('says which line was cut and at what bound, in the result and in its text, and continues after it', async () => {
    const path = sandbox.file('minified.txt', `short\n${'é'.repeat(50_000)}\nafter\n`);
    const first = await fs.ok<FileRange>('read_text_file', { path: 'minified.txt' });
    expect(first).toEqual({ path, content: 'short', startLine: 1, endLine: 1, truncated: true, nextOffset: 2 });

    const cut = await fs.call('read_text_file', { path: 'minified.txt', offset: 2 });
    const second = cut.structuredContent as unknown as FileRange;
    expect(second).toMatchObject({ startLine: 2, endLine: 2, truncated: true, nextOffset: 3, cutLines: [2], maxLineBytes: MAX_LINE_BYTES });
    expect(second.content).toBe('é'.repeat(MAX_LINE_BYTES / 2));
    expect(textOf(cut)).toContain(`${path}: lines 2-2; line 2 cut at ${MAX_LINE_BYTES} bytes (the rest of it is not shown); more follow: call again with offset 3`);

    expect(await fs.ok<FileRange>('read_text_file', { path: 'minified.txt', offset: 3 })).toEqual({
      path,
      content: 'after',
      startLine: 3,
      endLine: 3,
      totalLines: 3,
      truncated: false,
    });
  });

  it('cuts a long line read by head or tail as well', async () => {
    sandbox.file('one-line.txt', 'z'.repeat(100_000));
    for (const args of [{ head: 1 }, { tail: 1 }, { offset: 1, limit: 5 }]) {
      const result = await fs.ok<FileRange>('read_text_file', { path: 'one-line.txt', ...args });
      expect(result).toMatchObject({ content: 'z'.repeat(MAX_LINE_BYTES), startLine: 1, endLine: 1, totalLines: 1, truncated: false, cutLines: [1] });
    }
    sandbox.file('long-last.txt', `first\n${'y'.repeat(100_000)}\n`);
    expect(await fs.ok<FileRange>('read_text_file', { path: 'long-last.txt', tail: 1 })).toMatchObject({
      content: 'y'.repeat(MAX_LINE_BYTES),
      startLine: 2,
      endLine: 2,
      totalLines: 2,
      truncated: false,
      cutLines: [2],
    });
  });

  it('knows a head that ends at the end of the file is not truncated', async () => {
    sandbox.file('two.txt', 'one\ntwo\n');
    expect(await fs.ok<FileRange>('read_text_file', { path: 'two.txt', head: 2 })).toMatchObject({ content: 'one\ntwo', totalLines: 2, truncated: false });
    expect(await fs.ok<FileRange>('read_text_file', { path: 'two.txt', head: 1 })).toMatchObject({ content: 'one', truncated: true, nextOffset: 2 });
  });
});
