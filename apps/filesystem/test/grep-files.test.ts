import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { textOf } from '@bastion-mcp/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, openFilesystem } from './support/sandbox.js';
import type { FilesystemSession, Sandbox } from './support/sandbox.js';

interface Match {
  path: string;
  line: number;
  text: string;
  before?: string[];
  after?: string[];
}
interface Grep {
  path: string;
  matches: Match[];
  filesSearched: number;
  filesSkipped: { binary: number; tooLarge: number; unreadable: number; hardLinked: number };
  truncated: boolean;
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

const grep = (args: Record<string, unknown>) => fs.ok<Grep>('grep_files', { path: '.', ...args });
const where = (result: Grep) => result.matches.map((match) => `${match.path}:${match.line}`);

async function everything(args: Record<string, unknown>): Promise<{ matches: Match[]; pages: Grep[] }> {
  const pages: Grep[] = [];
  let cursor: string | undefined;
  do {
    const page = await grep({ ...args, ...(cursor ? { cursor } : {}) });
    pages.push(page);
    cursor = page.nextCursor;
    expect(pages.length).toBeLessThan(200);
  } while (cursor);
  return { matches: pages.flatMap((page) => page.matches), pages };
}

describe('grep_files', () => {
  beforeEach(() => {
    sandbox.file('src/app.ts', 'import x from "y";\nexport function main() {\n  return TODO;\n}\n');
    sandbox.file('src/util.ts', 'export const a = 1; // todo: fix\nexport const b = 2;\n');
    sandbox.file('README.md', '# Title\nTODO: write docs\n');
  });

  it('finds a regular expression line by line, with relative paths and 1-based line numbers', async () => {
    const result = await grep({ pattern: 'export (const|function) \\w+' });
    expect(result).toEqual({
      path: sandbox.root,
      matches: [
        { path: 'src/app.ts', line: 2, text: 'export function main() {' },
        { path: 'src/util.ts', line: 1, text: 'export const a = 1; // todo: fix' },
        { path: 'src/util.ts', line: 2, text: 'export const b = 2;' },
      ],
      filesSearched: 3,
      filesSkipped: { binary: 0, tooLarge: 0, unreadable: 0, hardLinked: 0 },
      truncated: false,
    });
  });

  it('searches literally, ignores case on request, filters by glob and exclude, and adds context', async () => {
    expect(where(await grep({ pattern: 'TODO' }))).toEqual(['README.md:2', 'src/app.ts:3']);
    expect(where(await grep({ pattern: 'todo', case_sensitive: false }))).toEqual(['README.md:2', 'src/app.ts:3', 'src/util.ts:1']);
    expect(where(await grep({ pattern: 'x from "y"', literal: true }))).toEqual(['src/app.ts:1']);
    expect(where(await grep({ pattern: '(', literal: true }))).toEqual(['src/app.ts:2']);
    expect(where(await grep({ pattern: 'TODO', glob: '*.ts' }))).toEqual(['src/app.ts:3']);
    expect(where(await grep({ pattern: 'TODO', glob: 'src/**' }))).toEqual(['src/app.ts:3']);
    expect(where(await grep({ pattern: 'todo', case_sensitive: false, exclude: ['src/app.ts', '*.md'] }))).toEqual(['src/util.ts:1']);
    const [withContext] = (await grep({ pattern: 'return', context_lines: 2 })).matches;
    expect(withContext).toEqual({
      path: 'src/app.ts',
      line: 3,
      text: '  return TODO;',
      before: ['import x from "y";', 'export function main() {'],
      after: ['}'],
    });
  });

  it('skips and counts binary files and files over max_file_bytes, and never blocks on a pipe', async () => {
    sandbox.file('image.bin', Buffer.concat([Buffer.from('TODO\u0000'), Buffer.alloc(100, 1)]));
    sandbox.file('big.txt', `TODO\n${'x'.repeat(2000)}\n`);
    sandbox.fifo('pipe.txt');
    sandbox.fifo('src/fifo');
    const result = await grep({ pattern: 'TODO', max_file_bytes: 1000 });
    expect(where(result)).toEqual(['README.md:2', 'src/app.ts:3']);
    expect(result.filesSkipped).toEqual({ binary: 1, tooLarge: 1, unreadable: 0, hardLinked: 0 });
    expect(result.filesSearched).toBe(3);
  });

  it('never searches protected files, hard links or links to outside', async () => {
    sandbox.file('.env', 'TODO=secret');
    sandbox.file('config/.env.local', 'TODO=secret');
    sandbox.file('home/.ssh/config', 'TODO secret');
    sandbox.file('tls/server.pem', 'TODO secret');
    sandbox.file('tls/id_ed25519', 'TODO secret');
    writeFileSync(join(sandbox.outside, 'secret.txt'), 'TODO OUTSIDE-SECRET\n');
    mkdirSync(join(sandbox.outside, 'dir'));
    writeFileSync(join(sandbox.outside, 'dir', 'more.txt'), 'TODO OUTSIDE-SECRET\n');
    sandbox.symlink(join(sandbox.outside, 'secret.txt'), 'linked.txt');
    sandbox.symlink(join(sandbox.outside, 'dir'), 'linked-dir');
    sandbox.hardlink(join(sandbox.outside, 'secret.txt'), 'hard.txt');
    const result = await grep({ pattern: 'TODO', respect_gitignore: false });
    expect(where(result)).toEqual(['README.md:2', 'src/app.ts:3']);
    expect(result.filesSkipped.hardLinked).toBe(1);
    expect(JSON.stringify(result)).not.toMatch(/secret/i);
  });

  it('answers patterns that backtrack exponentially at once, and refuses invalid ones with a way out', async () => {
    sandbox.file('evil.txt', `${'a'.repeat(30)}!\n${'x'.repeat(40)}\n`);
    expect((await grep({ pattern: '(a+)+$' })).matches).toEqual([]);
    expect((await grep({ pattern: '(x+x+)+y' })).matches).toEqual([]);
    expect(await fs.refused('grep_files', { path: '.', pattern: 'a(?!b)' })).toMatch(/lookahead .* is not supported.*literal: true/);
    expect(await fs.refused('grep_files', { path: '.', pattern: '[unclosed' })).toMatch(/not a regular expression this server can run: missing closing \]/);
    expect(await fs.refused('grep_files', { path: '.', pattern: 'x'.repeat(1001) })).toMatch(/pattern/);
    expect(await fs.refused('grep_files', { path: 'README.md', pattern: 'x' })).toMatch(/not a directory; use read_text_file/);
    expect((await grep({ pattern: '(a+)+$', literal: true })).matches).toEqual([]);
  });

  it('honours .gitignore and skips .git unless told not to', async () => {
    sandbox.file('.gitignore', 'generated/\n');
    sandbox.file('generated/out.ts', 'TODO generated');
    sandbox.file('.git/COMMIT_EDITMSG', 'TODO message');
    sandbox.file('src/.gitignore', 'util.ts\n');
    expect(where(await grep({ pattern: 'TODO|todo' }))).toEqual(['README.md:2', 'src/app.ts:3']);
    expect(where(await grep({ pattern: 'TODO|todo', respect_gitignore: false }))).toEqual([
      '.git/COMMIT_EDITMSG:1', 'README.md:2', 'generated/out.ts:1', 'src/app.ts:3', 'src/util.ts:1',
    ]);
  });

  it('continues with a cursor across and within files, losing and repeating nothing', async () => {
    const expected: string[] = [];
    for (const file of ['a.txt', 'b/c.txt', 'b/d.txt', 'e.txt']) {
      const lines = Array.from({ length: 5 }, (_, index) => (index % 2 === 0 ? `hit ${file} ${index + 1}` : 'miss'));
      sandbox.file(`many/${file}`, `${lines.join('\n')}\n`);
      for (let index = 0; index < 5; index += 2) expected.push(`${file}:${index + 1}`);
    }
    const { matches, pages } = await everything({ path: 'many', pattern: 'hit', max_matches: 4 });
    expect(matches.map((match) => `${match.path}:${match.line}`)).toEqual(expected);
    expect(pages.map((page) => page.matches.length)).toEqual([4, 4, 4]);
    expect(pages.slice(0, -1).every((page) => page.truncated)).toBe(true);
    expect(await fs.refused('grep_files', { path: 'many', pattern: 'miss', cursor: pages[0]?.nextCursor })).toMatch(/belongs to another grep_files call/);
  });

  it('keeps within the response budget, cutting between matches and continuing', async () => {
    const expected: string[] = [];
    for (let index = 0; index < 40; index += 1) {
      sandbox.file(`big/f${String(index).padStart(2, '0')}.txt`, `${'context line\n'.repeat(5)}needle ${'y'.repeat(200)}\n${'after\n'.repeat(5)}`);
      expected.push(`f${String(index).padStart(2, '0')}.txt:6`);
    }
    await fs.close();
    fs = await openFilesystem([sandbox.root], { argv: ['--max-result-bytes', '4096'] });
    const { matches, pages } = await everything({ path: 'big', pattern: 'needle', context_lines: 5, max_matches: 5000 });
    expect(pages.length).toBeGreaterThanOrEqual(4);
    expect(matches.map((match) => `${match.path}:${match.line}`)).toEqual(expected);
    expect(matches.every((match) => match.before?.length === 5 && match.after?.length === 5)).toBe(true);
  });

  it('sanitizes matched text and paths: no terminal escapes or bidi controls reach the client', async () => {
    sandbox.file('evil\u001b[31m.txt', 'needle \u001b]0;pwned\u0007 and \u202eeulav\u202c\n');
    const result = await fs.call('grep_files', { path: '.', pattern: 'needle' });
    const grepResult = result.structuredContent as unknown as Grep;
    expect(grepResult.matches).toEqual([{ path: 'evil.txt', line: 1, text: 'needle  and eulav' }]);
    expect(JSON.stringify(result)).not.toMatch(/\u001b|\\u001b|\u202e|\\u202e|\u0007|\\u0007/);
    expect(textOf(result)).toContain('Untrusted');
  });

  it('stops promptly when the client cancels a search over a large tree', async () => {
    for (let dir = 0; dir < 40; dir += 1) {
      mkdirSync(join(sandbox.root, 'large', `d${dir}`), { recursive: true });
      for (let file = 0; file < 250; file += 1) writeFileSync(join(sandbox.root, 'large', `d${dir}`, `f${file}.txt`), 'nothing to see here\n');
    }
    const startedFull = performance.now();
    const full = await grep({ path: 'large', pattern: 'needle', literal: true });
    const fullMs = performance.now() - startedFull;
    expect(full.filesSearched).toBe(10_000);

    const controller = new AbortController();
    const call = fs.client.callTool({ name: 'grep_files', arguments: { path: 'large', pattern: 'needle', literal: true } }, { signal: controller.signal });
    setTimeout(() => controller.abort('user gave up'), 5);
    await expect(call).rejects.toThrow();
    let audit: { outcome: string; durationMs: number } | undefined;
    await expect
      .poll(
        async () => {
          audit = (await fs.auditEvents()).filter((event) => event.tool === 'grep_files').at(-1) as typeof audit;
          return audit?.outcome;
        },
        { timeout: 5_000 },
      )
      .toBe('cancelled');
    expect(audit?.durationMs).toBeLessThan(Math.max(fullMs * 0.7, 50));
    // Writing and searching 10,000 files takes seconds on a busy machine.
  }, 30_000);
});
