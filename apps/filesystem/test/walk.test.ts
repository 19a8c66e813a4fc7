import { renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDenyList } from '../src/access/deny-list.js';
import { FileAccess } from '../src/access/file-access.js';
import { resolveAllowedRoots } from '../src/access/roots.js';
import { fingerprint, offsetCursor, readCursor } from '../src/tools/read/walk/cursor.js';
import { FileReader } from '../src/tools/read/walk/file-reader.js';
import { isIgnored, parseGitignore } from '../src/tools/read/walk/gitignore.js';
import { compileGlob, compileGlobs } from '../src/access/glob.js';
import { resolveStartDirectory } from '../src/tools/read/walk/start.js';
import { compileTextSearch } from '../src/tools/read/walk/text-search.js';
import type { LineHit, TextSearchOptions } from '../src/tools/read/walk/text-search.js';
import { Walker } from '../src/tools/read/walk/walker.js';
import type { WalkEntry } from '../src/tools/read/walk/walker.js';
import { encodeCursor } from '@bastion-mcp/schema';
import { createSandbox } from './support/sandbox.js';
import type { Sandbox } from './support/sandbox.js';

const basename = (path: string) => path.slice(path.lastIndexOf('/') + 1);

describe('globs', () => {
  const paths = [
    'a.ts', 'b.js', '.env', '.hidden/x.ts', 'src/index.ts', 'src/lib/util.ts', 'src/lib/util.test.ts', 'src/a/b/c/d.md',
    'docs/README.md', 'README', 'readme.md', 'x/y/z', 'file1.txt', 'file10.txt', 'filea.txt', 'a b/c d.txt', 'weird[1].txt',
    'src/.config/app.json', 'node_modules/pkg/index.js', 'deep/node_modules/x.js', 'photo (1).jpg', 'a/a/a/b', 'test/foo.spec.ts',
  ];
  const patterns = [
    '*.ts', '**/*.ts', 'src/**/*.ts', 'src/*.ts', '*.{md,txt}', '**/README*', 'README', 'src/**', '**', '*', '.env', '.*',
    'file?.txt', 'file[0-9].txt', 'file[^0-9].txt', 'file{1..3}.txt', '**/lib/*.ts', 'src/**/c/*.md', '**/node_modules/**',
    'node_modules', 'x/*/z', 'a b/*', 'weird\\[1\\].txt', '**/*.test.ts', 'src/{lib,a}/**', '*.{ts,js}', 'a/**/b', '**/a/**/b',
    '*[[:digit:]].txt', '!*.ts', '**/.config/*', '*.spec.*', '*/*.md',
  ];

  it('matches like picomatch with dot: true (a pattern without "/" matching the name at any depth)', () => {
    for (const pattern of patterns) {
      const ours = compileGlob('pattern', pattern);
      // picomatch's own `basename` option also applies to patterns with a '/', so only set it without.
      const theirs = picomatch(pattern, { dot: true, basename: !pattern.includes('/') });
      for (const path of paths) {
        expect({ pattern, path, matches: ours.matches(path, basename(path)) }).toEqual({ pattern, path, matches: theirs(path) });
      }
    }
  });

  it('negates a class with a leading "!" as shells and .gitignore do (picomatch 4 reads it as a literal "!")', () => {
    const glob = compileGlob('pattern', 'file[!0-9].txt');
    expect(['file1.txt', 'filea.txt', 'file!.txt'].filter((name) => glob.matches(name, name))).toEqual(['filea.txt', 'file!.txt']);
  });

  it('takes linear time on names built to make backtracking matchers explode', () => {
    // picomatch's regular expression for this pattern takes about a minute against this name.
    const glob = compileGlob('pattern', '*a*a*a*a*a*a*b');
    const name = 'a'.repeat(250);
    const deep = `${'a/'.repeat(1000)}c`;
    const globstars = compileGlob('pattern', '**/a/**/a/**/a/**/b');
    const started = performance.now();
    expect(glob.matches(name, name)).toBe(false);
    expect(globstars.matches(deep, 'c')).toBe(false);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('refuses empty, absolute, climbing and exploding patterns, naming the argument', () => {
    expect(() => compileGlob('pattern', '')).toThrow(/`pattern` "" is empty/);
    expect(() => compileGlob('pattern', '/etc/*')).toThrow(/`pattern` .*relative to `path`/);
    expect(() => compileGlob('glob', '../*.ts')).toThrow(/`glob` .*"\.\."/);
    expect(() => compileGlob('pattern', '{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p}{q,r}')).toThrow(/alternatives/);
    expect(() => compileGlobs('exclude', ['ok', '/abs'])).toThrow(/`exclude\[1\]`/);
  });
});

describe('.gitignore rules', () => {
  it('applies name rules, path rules, directory-only rules and deeper negations', () => {
    const top = parseGitignore('# comment\n*.log\nbuild/\n/only-top.txt\n', '');
    const nested = parseGitignore('!keep.log\nlocal.txt\n', 'sub/');
    expect(top?.byName).toBe(false);
    expect(nested?.byName).toBe(true);
    const chain = [top!, nested!];
    expect(isIgnored([top!], 'x.log', 'x.log', false)).toBe(true);
    expect(isIgnored([top!], 'build', 'build', true)).toBe(true);
    expect(isIgnored([top!], 'build', 'build', false)).toBe(false);
    expect(isIgnored([top!], 'only-top.txt', 'only-top.txt', false)).toBe(true);
    expect(isIgnored(chain, 'sub/only-top.txt', 'only-top.txt', false)).toBe(false);
    expect(isIgnored(chain, 'sub/keep.log', 'keep.log', false)).toBe(false);
    expect(isIgnored(chain, 'sub/other.log', 'other.log', false)).toBe(true);
    expect(isIgnored(chain, 'sub/local.txt', 'local.txt', false)).toBe(true);
    expect(isIgnored(chain, 'sub/...', '...', false)).toBe(false);
  });

  it('drops lines that could make matching slow, and files with no rules', () => {
    const level = parseGitignore('**/a/**/a/**/a/**/b\nok.txt\n', '');
    const started = performance.now();
    expect(isIgnored([level!], `${'a/'.repeat(400)}b`, 'b', false)).toBe(false);
    expect(performance.now() - started).toBeLessThan(100);
    expect(parseGitignore('# nothing\n\n', '')).toBeUndefined();
  });
});

describe('text search', () => {
  const run = (options: Partial<TextSearchOptions> & { pattern: string }, text: string | Buffer, afterLine = 0): LineHit[] => {
    const hits: LineHit[] = [];
    compileTextSearch({ literal: false, caseSensitive: true, contextLines: 0, ...options }).search(
      Buffer.isBuffer(text) ? text : Buffer.from(text),
      afterLine,
      (hit) => {
        hits.push(hit);
        return true;
      },
    );
    return hits;
  };

  it('finds literal text, one hit per line, with 1-based line numbers and CRLF removed', () => {
    const text = 'alpha\r\nneedle needle\r\nbeta\nneedle';
    expect(run({ pattern: 'needle', literal: true }, text)).toEqual([
      { line: 2, text: 'needle needle' },
      { line: 4, text: 'needle' },
    ]);
    expect(run({ pattern: 'needle', literal: true }, text, 2)).toEqual([{ line: 4, text: 'needle' }]);
    expect(run({ pattern: 'NEEDLE', literal: true }, text)).toEqual([]);
    expect(run({ pattern: 'NEEDLE', literal: true, caseSensitive: false }, text).map((hit) => hit.line)).toEqual([2, 4]);
    expect(run({ pattern: 'a.b', literal: true }, 'axb\na.b\n').map((hit) => hit.line)).toEqual([2]);
  });

  it('matches a regular expression within one line, like grep', () => {
    // Across lines [^z]* would match from line 1 to line 3; per line only line 3 matches.
    expect(run({ pattern: 'a[^z]*b' }, 'a\nxb\nab\n')).toEqual([{ line: 3, text: 'ab' }]);
    expect(run({ pattern: '^\\s*export (const|function) (\\w+)' }, 'const a = 1;\nexport const b = 2;\n  export function c() {}\n').map((hit) => hit.line)).toEqual([2, 3]);
    expect(run({ pattern: '^$' }, 'a\n\nb\n').map((hit) => hit.line)).toEqual([2]);
    expect(run({ pattern: 'x' }, '')).toEqual([]);
    expect(run({ pattern: 'ÉTÉ', caseSensitive: false }, 'il fait été\n')).toEqual([{ line: 1, text: 'il fait été' }]);
  });

  it('gives context lines, clipped at the edges of the file', () => {
    const text = 'l1\nl2\nl3 hit\nl4\nl5\nl6 hit';
    expect(run({ pattern: 'hit', literal: true, contextLines: 2 }, text)).toEqual([
      { line: 3, text: 'l3 hit', before: ['l1', 'l2'], after: ['l4', 'l5'] },
      { line: 6, text: 'l6 hit', before: ['l4', 'l5'], after: [] },
    ]);
    expect(run({ pattern: 'l1', literal: true, contextLines: 1 }, text)).toEqual([{ line: 1, text: 'l1', before: [], after: ['l2'] }]);
  });

  it('cuts a long line around the match and sanitizes terminal escapes and bidi controls', () => {
    const long = `${'x'.repeat(5000)}NEEDLE${'y'.repeat(5000)}`;
    const [hit] = run({ pattern: 'NEEDLE', literal: true }, long);
    expect(hit?.text.length).toBeLessThanOrEqual(500);
    expect(hit?.text).toContain('NEEDLE');
    expect(hit?.text.startsWith('…')).toBe(true);
    expect(hit?.text.endsWith('…')).toBe(true);
    const [regexHit] = run({ pattern: 'NEE+DLE' }, long);
    expect(regexHit?.text).toContain('NEEDLE');
    const [evil] = run({ pattern: 'token', literal: true }, 'token \u001b[31mred\u001b[0m \u202eevil\u202c');
    expect(evil?.text).toBe('token red evil');
  });

  it('matches in linear time the patterns a backtracking engine takes exponential time on', () => {
    // Each of these takes a backtracking engine about 2^n steps on the line next to it.
    const cases: [pattern: string, line: string, matchingLines: number[]][] = [
      ['(a+)+$', `${'a'.repeat(5000)}!`, []],
      ['([a-z]+)*x', 'abcdefghij'.repeat(500), []],
      ['^(\\w+\\s?)*$', `${'word '.repeat(2000)}!`, [2]],
      ['^(a|aa)+$', `${'a'.repeat(5000)}b`, []],
      ['(.*a){20}', 'a'.repeat(5000), [1]],
      ['(x+x+)+y', 'x'.repeat(5000), []],
    ];
    for (const [pattern, line, matchingLines] of cases) {
      expect(run({ pattern }, `${line}\nsafe line\n`).map((hit) => hit.line), pattern).toEqual(matchingLines);
    }
    expect(run({ pattern: '(a+)+$' }, 'aaa\nb\n')).toHaveLength(1);
  });

  it('takes JavaScript syntax, lookbehind and \\u escapes included', () => {
    expect(run({ pattern: '(?<=user_)id\\b' }, 'user_id\nrow_id\n').map((hit) => hit.line)).toEqual([1]);
    expect(run({ pattern: '(?<!user_)id\\b' }, 'user_id\nrow_id\n').map((hit) => hit.line)).toEqual([2]);
    expect(run({ pattern: 'caf\\u00e9|na\\u{ef}ve' }, 'café\nnaïve\ncafe\n').map((hit) => hit.line)).toEqual([1, 2]);
    expect(run({ pattern: '\\\\u00e9' }, 'x\\u00e9\n')).toHaveLength(1);
    expect(run({ pattern: '(?<name>\\d{3})-\\d{4}', caseSensitive: false }, 'call 555-1234\n')).toHaveLength(1);
  });

  it('refuses what needs backtracking, invalid, multi-line and over-long patterns with a way out', () => {
    expect(() => run({ pattern: 'foo(?=bar)' }, 'a')).toThrow(/lookahead \(\(\?= or \(\?!\) is not supported.*RE2 syntax.*literal: true/);
    expect(() => run({ pattern: '(a)\\1' }, 'a')).toThrow(/backreferences \(\\1, \\k<name>\) are not supported/);
    expect(() => run({ pattern: '(?<=(a))b' }, 'a')).toThrow(/lookbehind may not contain a capturing group/);
    expect(() => run({ pattern: 'foo(' }, 'a')).toThrow(/not a regular expression this server can run: missing closing \).*literal: true/);
    expect(() => run({ pattern: 'a\nb', literal: true }, 'a')).toThrow(/line break/);
    expect(() => run({ pattern: 'x'.repeat(1001) }, 'a')).toThrow(/limit is 1000/);
    expect(run({ pattern: '(a+)+$', literal: true }, 'x(a+)+$y')).toHaveLength(1);
    expect(run({ pattern: 'A.B', literal: true, caseSensitive: false }, 'xa.by\naxb\n').map((hit) => hit.line)).toEqual([1]);
  });
});

describe('walker and file reader', () => {
  let sandbox: Sandbox;
  beforeEach(() => {
    sandbox = createSandbox();
  });
  afterEach(() => sandbox.remove());

  async function walkerFor(options: { allowHardlinks?: boolean; respectGitignore?: boolean } = {}) {
    const roots = await resolveAllowedRoots([sandbox.root]);
    const access = new FileAccess(roots, createDenyList({ extra: [], includeDefaults: true }), options.allowHardlinks ?? false);
    const start = await resolveStartDirectory(access, 'path', sandbox.root);
    return new Walker(access, start, { respectGitignore: options.respectGitignore ?? true, signal: new AbortController().signal });
  }

  async function paths(walker: Walker, resume?: { components: string[]; inclusive: boolean }): Promise<string[]> {
    const seen: string[] = [];
    await walker.depthFirst((entry) => {
      seen.push(`${entry.path}:${entry.type}`);
    }, resume);
    return seen;
  }

  it('walks depth first in name order, lists links without following them, and survives a link loop', async () => {
    sandbox.file('b/z.txt', 'z');
    sandbox.file('b/a.txt', 'a');
    sandbox.file('a.txt', 'a');
    sandbox.symlink(sandbox.outside, 'b/out');
    sandbox.symlink('.', 'b/self');
    sandbox.symlink('loop2', 'loop1');
    sandbox.symlink('loop1', 'loop2');
    sandbox.fifo('pipe');
    const walker = await walkerFor();
    expect(await paths(walker)).toEqual([
      'a.txt:file', 'b:directory', 'b/a.txt:file', 'b/out:symlink', 'b/self:symlink', 'b/z.txt:file',
      'loop1:symlink', 'loop2:symlink', 'pipe:other',
    ]);
  });

  it('resumes just after, or at, a given entry, also when that entry is gone', async () => {
    for (const path of ['a/1', 'a/2', 'b/1', 'b/c/1', 'b/c/2', 'd']) sandbox.file(path, 'x');
    const walker = await walkerFor();
    const all = await paths(walker);
    expect(await paths(walker, { components: ['b', 'c', '1'], inclusive: false })).toEqual(all.slice(all.indexOf('b/c/1:file') + 1));
    expect(await paths(walker, { components: ['b', 'c', '1'], inclusive: true })).toEqual(all.slice(all.indexOf('b/c/1:file')));
    expect(await paths(walker, { components: ['b'], inclusive: false })).toEqual(all.slice(all.indexOf('b:directory') + 1));
    expect(await paths(walker, { components: ['b', 'bb'], inclusive: false })).toEqual(all.slice(all.indexOf('b/c:directory')));
    expect(await paths(walker, { components: ['zzz'], inclusive: false })).toEqual([]);
  });

  it('refuses to enter a directory that was swapped for a link after it was listed', async () => {
    sandbox.file('dir/inside.txt', 'x');
    const walker = await walkerFor();
    const [dir] = walker.readStart() as WalkEntry[];
    expect(dir?.name).toBe('dir');
    renameSync(join(sandbox.root, 'dir'), join(sandbox.root, 'moved'));
    symlinkSync(sandbox.outside, join(sandbox.root, 'dir'));
    expect(walker.readDirectory(dir as WalkEntry)).toBeUndefined();
    expect(walker.unreadableDirectories).toBe(1);
  });

  it('hides protected entries, applies .gitignore, and skips .git', async () => {
    sandbox.file('.env', 'SECRET');
    sandbox.file('.ssh/id_ed25519', 'KEY');
    sandbox.file('keys/server.pem', 'PEM');
    sandbox.file('.git/HEAD', 'ref');
    sandbox.file('.gitignore', 'ignored.txt\n');
    sandbox.file('ignored.txt', 'x');
    sandbox.file('kept.txt', 'x');
    expect(await paths(await walkerFor())).toEqual(['.gitignore:file', 'kept.txt:file', 'keys:directory']);
    expect(await paths(await walkerFor({ respectGitignore: false }))).toEqual([
      '.git:directory', '.git/HEAD:file', '.gitignore:file', 'ignored.txt:file', 'kept.txt:file', 'keys:directory',
    ]);
  });

  it('stops when the call is cancelled', async () => {
    for (let index = 0; index < 50; index += 1) sandbox.file(`d${index}/f.txt`, 'x');
    const roots = await resolveAllowedRoots([sandbox.root]);
    const access = new FileAccess(roots, createDenyList({ extra: [], includeDefaults: true }), false);
    const controller = new AbortController();
    const walker = new Walker(access, await resolveStartDirectory(access, 'path', sandbox.root), { respectGitignore: true, signal: controller.signal });
    let visited = 0;
    await expect(
      walker.depthFirst(() => {
        visited += 1;
        if (visited === 10) controller.abort(new Error('stop now'));
      }),
    ).rejects.toThrow('stop now');
    expect(visited).toBe(10);
  });

  it('reads regular files only: no links, no pipes (without blocking), hard links only when allowed', () => {
    const reader = new FileReader(false);
    const file = sandbox.file('f.txt', 'hello');
    expect(reader.read(file, 100)).toMatchObject({ kind: 'read' });
    expect((reader.read(file, 100) as { data: Buffer }).data.toString()).toBe('hello');
    expect(reader.read(file, 4)).toEqual({ kind: 'tooLarge', size: 5 });
    expect(reader.read(sandbox.file('empty.txt', ''), 100)).toMatchObject({ kind: 'read' });
    expect(reader.read(sandbox.symlink(join(sandbox.outside, 'secret.txt'), 'link'), 100)).toEqual({ kind: 'unreadable', code: 'ELOOP' });
    expect(reader.read(sandbox.fifo('pipe'), 100)).toEqual({ kind: 'notRegular' });
    const hard = sandbox.hardlink(join(sandbox.outside, 'secret.txt'), 'hard.txt');
    expect(reader.read(hard, 100)).toEqual({ kind: 'hardLinked' });
    expect((new FileReader(true).read(hard, 100) as { data: Buffer }).data.toString()).toBe('OUTSIDE-SECRET\n');
    const big = sandbox.file('big.bin', Buffer.alloc(300_000, 65));
    expect((reader.read(big, 1_000_000) as { data: Buffer }).data.length).toBe(300_000);
    writeFileSync(big, Buffer.alloc(10, 66));
    expect((reader.read(big, 1_000_000) as { data: Buffer }).data.toString()).toBe('B'.repeat(10));
  });
});

describe('cursors', () => {
  it('are refused for another query', () => {
    const key = fingerprint(['list_directory', '/a', 'name']);
    const cursor = encodeCursor({ k: key, o: 5 });
    expect(readCursor(cursor, offsetCursor, key, 'list_directory').o).toBe(5);
    expect(() => readCursor(cursor, offsetCursor, fingerprint(['list_directory', '/b', 'name']), 'list_directory')).toThrow(
      /belongs to another list_directory call/,
    );
  });
});
