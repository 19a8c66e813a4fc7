import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, openFilesystem } from './support/sandbox.js';
import type { FilesystemSession, Sandbox } from './support/sandbox.js';

interface Found {
  path: string;
  matches: string[];
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

const search = (args: Record<string, unknown>) => fs.ok<Found>('search_files', { path: '.', ...args });

async function everything(args: Record<string, unknown>): Promise<{ matches: string[]; pages: Found[] }> {
  const pages: Found[] = [];
  let cursor: string | undefined;
  do {
    const page = await search({ ...args, ...(cursor ? { cursor } : {}) });
    pages.push(page);
    cursor = page.nextCursor;
    expect(pages.length).toBeLessThan(200);
  } while (cursor);
  return { matches: pages.flatMap((page) => page.matches), pages };
}

function layout(): void {
  for (const path of [
    'README.md', 'src/index.ts', 'src/index.test.ts', 'src/lib/util.ts', 'src/lib/util.md', 'docs/guide.md', 'docs/api/ref.md',
    '.github/workflows/ci.yml', 'config/.eslintrc.json',
  ]) {
    sandbox.file(path, 'x');
  }
}

describe('search_files', () => {
  it('matches a glob without "/" against names at any depth, dot files included', async () => {
    layout();
    expect((await search({ pattern: '*.md' })).matches).toEqual(['README.md', 'docs/api/ref.md', 'docs/guide.md', 'src/lib/util.md']);
    expect((await search({ pattern: '*.yml' })).matches).toEqual(['.github/workflows/ci.yml']);
    expect((await search({ pattern: '.eslintrc*' })).matches).toEqual(['config/.eslintrc.json']);
    expect((await search({ pattern: 'lib' })).matches).toEqual(['src/lib']);
  });

  it('matches a glob with "/" against the path relative to path', async () => {
    layout();
    expect((await search({ pattern: 'src/*.ts' })).matches).toEqual(['src/index.test.ts', 'src/index.ts']);
    expect((await search({ pattern: 'src/**/*.ts' })).matches).toEqual(['src/index.test.ts', 'src/index.ts', 'src/lib/util.ts']);
    expect((await search({ pattern: '**/*.{ts,yml}', exclude: ['*.test.ts'] })).matches).toEqual([
      '.github/workflows/ci.yml', 'src/index.ts', 'src/lib/util.ts',
    ]);
    expect((await search({ pattern: 'docs/**' })).matches).toEqual(['docs', 'docs/api', 'docs/api/ref.md', 'docs/guide.md']);
    expect((await fs.ok<Found>('search_files', { path: 'src', pattern: 'lib/*' })).matches).toEqual(['lib/util.md', 'lib/util.ts']);
    expect((await search({ pattern: '*.ts', exclude: ['src/lib'] })).matches).toEqual(['src/index.test.ts', 'src/index.ts']);
  });

  it('continues with a cursor, in a stable order, without losing or repeating a match', async () => {
    const expected: string[] = [];
    for (const dir of ['a', 'b', 'c']) {
      for (let index = 0; index < 7; index += 1) {
        sandbox.file(`${dir}/sub/f${index}.txt`, 'x');
        expected.push(`${dir}/sub/f${index}.txt`);
      }
      sandbox.file(`${dir}/other.md`, 'x');
    }
    const { matches, pages } = await everything({ pattern: '*.txt', max_results: 4 });
    expect(matches).toEqual(expected);
    expect(pages).toHaveLength(6);
    expect(pages.slice(0, -1).every((page) => page.truncated && page.matches.length === 4)).toBe(true);
    expect(pages.at(-1)?.truncated).toBe(false);
    // A cursor is bound to its query.
    const first = pages[0] as Found;
    expect(await fs.refused('search_files', { path: '.', pattern: '*.md', cursor: first.nextCursor })).toMatch(/belongs to another search_files call/);
    // An exact fit is not reported as truncated.
    expect(await search({ pattern: '*.md', max_results: 3 })).toMatchObject({ truncated: false, matches: ['a/other.md', 'b/other.md', 'c/other.md'] });
  });

  it('keeps within the response budget and continues from where the budget cut', async () => {
    const expected: string[] = [];
    for (let index = 0; index < 120; index += 1) {
      const path = `dir-${String(index).padStart(3, '0')}/${'long-name-'.repeat(4)}${index}.txt`;
      sandbox.file(path, 'x');
      expected.push(path);
    }
    await fs.close();
    fs = await openFilesystem([sandbox.root], { argv: ['--max-result-bytes', '2048'] });
    const { matches, pages } = await everything({ pattern: '*.txt', max_results: 10_000 });
    expect(pages.length).toBeGreaterThan(3);
    expect(matches).toEqual(expected);
    await fs.close();
    fs = await openFilesystem([sandbox.root], { argv: ['--max-result-items', '25'] });
    const byItems = await everything({ pattern: '*.txt' });
    expect(byItems.pages[0]?.matches).toHaveLength(25);
    expect(byItems.matches).toEqual(expected);
  });

  it('honours .gitignore and skips .git unless respect_gitignore is false', async () => {
    sandbox.file('.gitignore', 'dist/\n*.tmp\n');
    sandbox.file('dist/app.js', 'x');
    sandbox.file('src/app.js', 'x');
    sandbox.file('src/app.tmp', 'x');
    sandbox.file('src/.gitignore', 'legacy.js\n');
    sandbox.file('src/legacy.js', 'x');
    sandbox.file('.git/hooks/pre-commit.js', 'x');
    expect((await search({ pattern: '*.js' })).matches).toEqual(['src/app.js']);
    expect((await search({ pattern: '*.{js,tmp}', respect_gitignore: false })).matches).toEqual([
      '.git/hooks/pre-commit.js', 'dist/app.js', 'src/app.js', 'src/app.tmp', 'src/legacy.js',
    ]);
  });

  it('never descends into a link to outside, survives link loops, and never returns protected files', async () => {
    sandbox.symlink(sandbox.outside, 'escape');
    sandbox.symlink(join(sandbox.outside, 'secret.txt'), 'secret-link.txt');
    sandbox.symlink('..', 'sub/up');
    sandbox.symlink('loop2', 'loop1');
    sandbox.symlink('loop1', 'loop2');
    sandbox.file('.env', 'A=1');
    sandbox.file('deploy/.env.production', 'A=1');
    sandbox.file('home/.ssh/secret.txt', 'KEY');
    sandbox.file('keys/secret.pem', 'PEM');
    sandbox.file('keys/secret.txt', 'fine');
    expect((await search({ pattern: '*secret*', respect_gitignore: false })).matches).toEqual(['keys/secret.txt', 'secret-link.txt']);
    expect((await search({ pattern: '**', respect_gitignore: false })).matches).toEqual([
      'deploy', 'escape', 'home', 'keys', 'keys/secret.txt', 'loop1', 'loop2', 'secret-link.txt', 'sub', 'sub/up',
    ]);
    expect((await search({ pattern: '.env*' })).matches).toEqual([]);
  });

  it('sanitizes the paths it returns', async () => {
    sandbox.file('dir\u001b[2J/evil\u202e.txt', 'x');
    const found = await search({ pattern: '*.txt' });
    expect(found.matches).toEqual(['dir/evil.txt']);
    expect(JSON.stringify(found)).not.toMatch(/\\u001b|\\u202e|\u001b|\u202e/);
  });

  it('refuses bad patterns and non-directories, and is not slowed down by hostile patterns', async () => {
    sandbox.file(`${'a'.repeat(250)}`, 'x');
    sandbox.file('file.txt', 'x');
    expect(await fs.refused('search_files', { path: '.', pattern: '/etc/*' })).toMatch(/`pattern`.*relative to `path`/);
    expect(await fs.refused('search_files', { path: '.', pattern: '' })).toMatch(/pattern/);
    expect(await fs.refused('search_files', { path: 'file.txt', pattern: '*' })).toMatch(/not a directory; use read_text_file/);
    const started = performance.now();
    expect((await search({ pattern: '*a*a*a*a*a*a*a*b' })).matches).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
