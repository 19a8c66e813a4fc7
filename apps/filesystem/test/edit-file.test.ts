import { chmodSync, readFileSync, readdirSync, statSync } from 'node:fs';
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

const refusedUnchanged = (args: Record<string, unknown>) => refusedWithoutChange(fs, sandbox, 'edit_file', args);

interface EditResult {
  path: string;
  applied: boolean;
  replacements: number;
  diff: string;
}

const edit = (old_text: string, new_text: string, replace_all?: boolean) => ({ old_text, new_text, ...(replace_all === undefined ? {} : { replace_all }) });

describe('edit_file', () => {
  it('replaces text that occurs once and returns a git-style unified diff', async () => {
    const path = sandbox.file('notes.txt', 'alpha\nbeta\ngamma\n');
    expect(await fs.ok<EditResult>('edit_file', { path: 'notes.txt', edits: [edit('beta', 'BETA')] })).toEqual({
      path,
      applied: true,
      replacements: 1,
      diff: 'diff --git a/notes.txt b/notes.txt\n--- a/notes.txt\n+++ b/notes.txt\n@@ -1,3 +1,3 @@\n alpha\n-beta\n+BETA\n gamma\n',
    });
    expect(readFileSync(path, 'utf8')).toBe('alpha\nBETA\ngamma\n');
    expect(readdirSync(sandbox.root)).toEqual(['notes.txt']);
  });

  it('applies edits in order, each to the result of the previous one, with one diff of the whole change', async () => {
    const path = sandbox.file('src/app.ts', 'let a = 1;\nlet b = 2;\n');
    const result = await fs.ok<EditResult>('edit_file', {
      path: 'src/app.ts',
      edits: [edit('let a = 1;', 'let a = 10;'), edit('a = 10;\nlet b', 'a = 10;\nconst b')],
    });
    expect(result.replacements).toBe(2);
    expect(readFileSync(path, 'utf8')).toBe('let a = 10;\nconst b = 2;\n');
    expect(result.diff).toBe(
      'diff --git a/src/app.ts b/src/app.ts\n--- a/src/app.ts\n+++ b/src/app.ts\n@@ -1,2 +1,2 @@\n-let a = 1;\n-let b = 2;\n+let a = 10;\n+const b = 2;\n',
    );
  });

  it('replaces every occurrence with replace_all, and counts them', async () => {
    const path = sandbox.file('list.txt', 'x\ny\nx\nz\nx\n');
    expect(await fs.ok<EditResult>('edit_file', { path: 'list.txt', edits: [edit('x', 'X', true)] })).toMatchObject({
      applied: true,
      replacements: 3,
    });
    expect(readFileSync(path, 'utf8')).toBe('X\ny\nX\nz\nX\n');
  });

  it('dry_run returns the diff and writes nothing', async () => {
    const path = sandbox.file('notes.txt', 'alpha\nbeta\n');
    const before = statSync(path).mtimeMs;
    const snapshot = sandbox.contents();
    expect(await fs.ok<EditResult>('edit_file', { path: 'notes.txt', edits: [edit('beta', 'BETA')], dry_run: true })).toEqual({
      path,
      applied: false,
      replacements: 1,
      diff: 'diff --git a/notes.txt b/notes.txt\n--- a/notes.txt\n+++ b/notes.txt\n@@ -1,2 +1,2 @@\n alpha\n-beta\n+BETA\n',
    });
    expect(sandbox.contents()).toEqual(snapshot);
    expect(statSync(path).mtimeMs).toBe(before);
  });

  it('keeps new_text literal: $& and $1 are not replacement patterns', async () => {
    const path = sandbox.file('price.txt', 'price: 5\n');
    await fs.ok('edit_file', { path: 'price.txt', edits: [edit('5', "$& and $1 and $$ and $'")] });
    expect(readFileSync(path, 'utf8')).toBe("price: $& and $1 and $$ and $'\n");
    await fs.ok('edit_file', { path: 'price.txt', edits: [edit('$$', '$&', true)] });
    expect(readFileSync(path, 'utf8')).toBe("price: $& and $1 and $& and $'\n");
  });

  it('edits unicode text', async () => {
    const path = sandbox.file('i18n.txt', 'greeting = "héllo"\nemoji = "🙂"\ncjk = "日本語"\n');
    await fs.ok('edit_file', { path: 'i18n.txt', edits: [edit('"🙂"', '"🎉🎉"'), edit('日本語', '中文')] });
    expect(readFileSync(path, 'utf8')).toBe('greeting = "héllo"\nemoji = "🎉🎉"\ncjk = "中文"\n');
  });

  it('keeps the permissions of the file', async () => {
    const path = sandbox.file('run.sh', '#!/bin/sh\necho old\n');
    chmodSync(path, 0o751);
    await fs.ok('edit_file', { path: 'run.sh', edits: [edit('old', 'new')] });
    expect(statSync(path).mode & 0o7777).toBe(0o751);
    expect(readFileSync(path, 'utf8')).toBe('#!/bin/sh\necho new\n');
  });
});

describe('edit_file diff', () => {
  it('shortens a diff that would not fit the response budget, but applies the whole edit', async () => {
    await fs.close();
    fs = await openFilesystem([sandbox.root], { argv: ['--write'], env: { BASTION_MAX_RESULT_BYTES: '2048' } });
    const lines = Array.from({ length: 300 }, (_, index) => `value ${index}`);
    const path = sandbox.file('many.txt', `${lines.join('\n')}\n`);
    const result = await fs.ok<EditResult>('edit_file', { path: 'many.txt', edits: [edit('value', 'VALUE', true)] });
    expect(result.replacements).toBe(300);
    expect(readFileSync(path, 'utf8')).toBe(`${lines.map((line) => line.toUpperCase()).join('\n')}\n`);
    expect(result.diff.startsWith('diff --git a/many.txt b/many.txt\n--- a/many.txt\n+++ b/many.txt\n@@ -1,300 +1,300 @@\n-value 0\n')).toBe(true);
    expect(result.diff).toMatch(/\n… diff truncated: \d+ more lines not shown; read the file to see the result\.\n$/);
    expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThanOrEqual(2048);
  });

  it('gives an empty diff when the edits change nothing', async () => {
    const path = sandbox.file('same.txt', 'same\n');
    expect(await fs.ok<EditResult>('edit_file', { path: 'same.txt', edits: [edit('same', 'same')] })).toEqual({
      path,
      applied: true,
      replacements: 1,
      diff: '',
    });
    expect(readFileSync(path, 'utf8')).toBe('same\n');
  });
});

describe('edit_file line endings', () => {
  it('matches LF text in a CRLF file and writes the replacement with CRLF', async () => {
    const path = sandbox.file('win.txt', 'one\r\ntwo\r\nthree\r\n');
    const result = await fs.ok<EditResult>('edit_file', { path: 'win.txt', edits: [edit('one\ntwo', 'one\n1.5\ntwo')] });
    expect(readFileSync(path, 'utf8')).toBe('one\r\n1.5\r\ntwo\r\nthree\r\n');
    expect(result.diff).toBe('diff --git a/win.txt b/win.txt\n--- a/win.txt\n+++ b/win.txt\n@@ -1,3 +1,4 @@\n one\r\n+1.5\r\n two\r\n three\r\n');
  });

  it('writes new line breaks as CRLF in a CRLF file even when old_text has none', async () => {
    const path = sandbox.file('win.txt', 'a\r\nb\r\n');
    await fs.ok('edit_file', { path: 'win.txt', edits: [edit('b', 'b\nc')] });
    expect(readFileSync(path, 'utf8')).toBe('a\r\nb\r\nc\r\n');
  });

  it('matches CRLF text in an LF file', async () => {
    const path = sandbox.file('unix.txt', 'one\ntwo\nthree\n');
    await fs.ok('edit_file', { path: 'unix.txt', edits: [edit('one\r\ntwo\r\n', 'uno\r\ndos\r\n')] });
    expect(readFileSync(path, 'utf8')).toBe('uno\ndos\nthree\n');
  });

  it('keeps the final newline when an edit removes it', async () => {
    const path = sandbox.file('end.txt', 'keep\nlast line\n');
    await fs.ok('edit_file', { path: 'end.txt', edits: [edit('last line\n', 'final line')] });
    expect(readFileSync(path, 'utf8')).toBe('keep\nfinal line\n');
    const crlf = sandbox.file('end-crlf.txt', 'keep\r\nlast\r\n');
    await fs.ok('edit_file', { path: 'end-crlf.txt', edits: [edit('last\r\n', 'final')] });
    expect(readFileSync(crlf, 'utf8')).toBe('keep\r\nfinal\r\n');
    const none = sandbox.file('no-end.txt', 'no newline');
    await fs.ok('edit_file', { path: 'no-end.txt', edits: [edit('newline', 'final newline')] });
    expect(readFileSync(none, 'utf8')).toBe('no final newline');
  });
});

describe('edit_file failures change nothing and say how to fix them', () => {
  it('reports several matches with their lines', async () => {
    const lines = Array.from({ length: 45 }, (_, index) => ([4, 19, 40].includes(index + 1) ? 'retry = 3' : `line ${index + 1}`));
    const path = sandbox.file('config.txt', `${lines.join('\n')}\n`);
    expect(await refusedUnchanged({ path: 'config.txt', edits: [edit('retry = 3', 'retry = 5')] })).toBe(
      `\`edits[0].old_text\` matches 3 times at lines 4, 19, 40 of "${path}": add surrounding lines to make it unique, or pass replace_all: true to replace every one. Nothing was written.`,
    );
  });

  it('counts overlapping matches as ambiguous', async () => {
    const path = sandbox.file('aaa.txt', 'aaa\n');
    expect(await refusedUnchanged({ path: 'aaa.txt', edits: [edit('aa', 'b')] })).toBe(
      `\`edits[0].old_text\` matches 2 times at line 1 of "${path}": add surrounding lines to make it unique, or pass replace_all: true to replace every one. Nothing was written.`,
    );
  });

  it('says when the file indents with tabs where old_text uses spaces', async () => {
    const path = sandbox.file('tabs.js', 'function f() {\n\tif (x) {\n\t\treturn 1;\n\t}\n}\n');
    expect(await refusedUnchanged({ path: 'tabs.js', edits: [edit('  if (x) {\n    return 1;\n  }', '  if (y) {}')] })).toBe(
      `\`edits[0].old_text\` was not found in "${path}". The closest text is at lines 2-4 and differs only in whitespace: the file indents with tabs where old_text uses spaces (line 2). Nothing was written.`,
    );
  });

  it('says when the file indents with spaces where old_text uses tabs, and when the width differs', async () => {
    const path = sandbox.file('spaces.py', 'def f():\n    if x:\n        return 1\n');
    expect(await refusedUnchanged({ path: 'spaces.py', edits: [edit('def f():\n\tif x:', 'def g():\n\tif x:')] })).toBe(
      `\`edits[0].old_text\` was not found in "${path}". The closest text is at lines 1-2 and differs only in whitespace: the file indents with spaces where old_text uses tabs (line 2). Nothing was written.`,
    );
    expect(await refusedUnchanged({ path: 'spaces.py', edits: [edit('    if x:\n      return 1', 'x')] })).toBe(
      `\`edits[0].old_text\` was not found in "${path}". The closest text is at lines 2-3 and differs only in whitespace: indentation differs (line 3 of the file has 8 spaces, old_text 6 spaces). Nothing was written.`,
    );
  });

  it('says when trailing whitespace differs', async () => {
    const path = sandbox.file('trailing.md', '# Title  \nbody\n');
    expect(await refusedUnchanged({ path: 'trailing.md', edits: [edit('# Title\nbody', '# New\nbody')] })).toBe(
      `\`edits[0].old_text\` was not found in "${path}". The closest text is at lines 1-2 and differs only in whitespace: trailing whitespace differs (line 1 of the file ends with 2 spaces, old_text with none). Nothing was written.`,
    );
  });

  it('says when whitespace inside a line differs, and where else such text is', async () => {
    const path = sandbox.file('spacing.txt', 'a  = 1\nb\na =  1\n');
    expect(await refusedUnchanged({ path: 'spacing.txt', edits: [edit('a = 1', 'a = 2')] })).toBe(
      `\`edits[0].old_text\` was not found in "${path}". The closest text is at line 1 and differs only in whitespace: whitespace inside the line differs (line 1). Text that differs only in whitespace is also at line 3. Nothing was written.`,
    );
  });

  it('says when line endings differ in a file that mixes CRLF and LF', async () => {
    const path = sandbox.file('mixed.txt', 'one\r\ntwo\nthree\r\n');
    expect(await refusedUnchanged({ path: 'mixed.txt', edits: [edit('one\ntwo\nthree', '1\n2\n3')] })).toBe(
      `\`edits[0].old_text\` was not found in "${path}". The closest text is at lines 1-3 and differs only in whitespace: line endings differ (CRLF in the file at line 1, LF in old_text). Nothing was written.`,
    );
  });

  it('says when old_text wraps lines differently or expects a final line break', async () => {
    const path = sandbox.file('wrap.txt', 'call(a,\n     b)\nend');
    expect(await refusedUnchanged({ path: 'wrap.txt', edits: [edit('call(a, b)', 'x')] })).toBe(
      `\`edits[0].old_text\` was not found in "${path}". The closest text is at lines 1-2 and differs only in whitespace: line breaks differ (old_text has 1 line where the file has 2, at lines 1-2). Nothing was written.`,
    );
    expect(await refusedUnchanged({ path: 'wrap.txt', edits: [edit('b)\nend\n', 'x')] })).toBe(
      `\`edits[0].old_text\` was not found in "${path}". The closest text is at lines 2-3 and differs only in whitespace: old_text ends with a line break but line 3, the last line of the file, has none. Nothing was written.`,
    );
  });

  it('points at the nearest text and quotes the first line that differs', async () => {
    const path = sandbox.file(
      'calc.js',
      'const price = 10;\nconst total = price * quantity;\nconst tax = total * 0.2;\nconsole.log(total + tax);\n',
    );
    expect(
      await refusedUnchanged({ path: 'calc.js', edits: [edit('const tax = total * 0.25;\nconsole.log(total + tax);', 'x')] }),
    ).toBe(
      `\`edits[0].old_text\` was not found in "${path}". The closest text is at lines 3-4 (about 97% similar); the first difference is on line 3: ` +
        'the file has "const tax = total * 0.2;" where old_text has "const tax = total * 0.25;". ' +
        'Read those lines again (read_text_file with offset) and copy old_text from them exactly. Nothing was written.',
    );
  });

  it('says when nothing similar exists', async () => {
    const path = sandbox.file('calc.js', 'const price = 10;\n');
    expect(await refusedUnchanged({ path: 'calc.js', edits: [edit('completely unrelated words', 'x')] })).toBe(
      `\`edits[0].old_text\` was not found in "${path}". No similar text was found; the file may have changed. Read it again with read_text_file and copy old_text from it exactly. Nothing was written.`,
    );
  });

  it('leaves the file unchanged when a later edit fails (all or nothing)', async () => {
    const path = sandbox.file('notes.txt', 'alpha\nbeta\n');
    expect(await refusedUnchanged({ path: 'notes.txt', edits: [edit('alpha', 'ALPHA'), edit('ALPHA\nbeta\ngamma', 'x')] })).toBe(
      `\`edits[1].old_text\` was not found in "${path}" (after the earlier edits). The closest text is at lines 1-2 (about 67% similar); ` +
        'old_text goes on past the end of the file, which ends at line 2. Read those lines again (read_text_file with offset) and copy old_text from them exactly. Nothing was written.',
    );
    expect(readFileSync(path, 'utf8')).toBe('alpha\nbeta\n');
    // Before the first edit 'beta' is unique; after it, it is not.
    expect(await refusedUnchanged({ path: 'notes.txt', edits: [edit('alpha', 'beta'), edit('beta', 'x')] })).toBe(
      `\`edits[1].old_text\` matches 2 times at lines 1, 2 of "${path}" (after the earlier edits): add surrounding lines to make it unique, or pass replace_all: true to replace every one. Nothing was written.`,
    );
  });

  it('refuses an empty old_text and an empty or oversized list of edits', async () => {
    sandbox.file('notes.txt', 'alpha\n');
    expect(await refusedUnchanged({ path: 'notes.txt', edits: [edit('', 'x')] })).toBe(
      'Invalid arguments for edit_file:\n- `edits[0].old_text`: old_text is empty; give the exact text to replace (to add text, include a neighbouring line and repeat it in new_text)',
    );
    expect(await refusedUnchanged({ path: 'notes.txt', edits: [] })).toMatch(/^Invalid arguments for edit_file:\n- `edits`: /);
    expect(await refusedUnchanged({ path: 'notes.txt', edits: Array.from({ length: 101 }, () => edit('alpha', 'beta')) })).toMatch(
      /^Invalid arguments for edit_file:\n- `edits`: /,
    );
  });

  it('refuses binary and non-UTF-8 files, and missing files', async () => {
    const binary = sandbox.file('image.bin', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
    expect(await refusedUnchanged({ path: 'image.bin', edits: [edit('PNG', 'JPG')] })).toBe(
      `\`path\` "${binary}" looks binary (it contains NUL bytes); edit_file edits text files only.`,
    );
    const latin1 = sandbox.file('latin1.txt', Buffer.from('caf\xe9 au lait', 'latin1'));
    expect(await refusedUnchanged({ path: 'latin1.txt', edits: [edit('lait', 'milk')] })).toBe(
      `\`path\` "${latin1}" is not valid UTF-8 text; edit_file edits UTF-8 text files only.`,
    );
    expect(await refusedUnchanged({ path: 'nope.txt', edits: [edit('a', 'b')] })).toBe(
      `\`path\` "${join(sandbox.root, 'nope.txt')}" does not exist; create it with write_file.`,
    );
  });

  it('caps the size of the result, and of the file it reads', async () => {
    await fs.close();
    fs = await openFilesystem([sandbox.root], { argv: ['--write'], env: { FILESYSTEM_MAX_WRITE_BYTES: '20' } });
    const path = sandbox.file('small.txt', 'hello world\n');
    expect(await refusedUnchanged({ path: 'small.txt', edits: [edit('world', 'wide wide world')] })).toBe(
      `\`path\` "${path}": the edited file would be 22 bytes, over the limit of 20 bytes per write (--max-write-bytes); nothing was written.`,
    );
    await fs.ok('edit_file', { path: 'small.txt', edits: [edit('world', 'there')] });
    expect(readFileSync(path, 'utf8')).toBe('hello there\n');
    const big = sandbox.file('big.txt', 'x'.repeat(21));
    expect(await refusedUnchanged({ path: 'big.txt', edits: [edit('x', 'y', true)] })).toBe(
      `\`path\` "${big}": the file is 21 bytes, over the limit of 20 bytes per write (--max-write-bytes); nothing was written.`,
    );
  });

  it('refuses chained replace_all edits that outgrow the limit before building their result, dry run or not', async () => {
    const path = sandbox.file('grow.txt', 'ab\n');
    const doubling = Array.from({ length: 100 }, () => edit('a', 'aa', true));
    for (const dry_run of [true, false]) {
      expect(await refusedUnchanged({ path: 'grow.txt', edits: doubling, dry_run })).toBe(
        `\`path\` "${path}": the edited file would be 16777218 bytes at \`edits[23]\`, over the limit of 10485760 bytes per write (--max-write-bytes); nothing was written.`,
      );
    }
    expect(await fs.ok<EditResult>('edit_file', { path: 'grow.txt', edits: doubling.slice(0, 3) })).toMatchObject({ replacements: 7 });
    expect(readFileSync(path, 'utf8')).toBe(`${'a'.repeat(8)}b\n`);
  });
});

describe('edit_file attacks', () => {
  it('never edits through a symbolic link, inside or outside, and leaves the target untouched', async () => {
    sandbox.file('real.txt', 'keep me\n');
    sandbox.symlink('real.txt', 'alias.txt');
    expect(await refusedUnchanged({ path: 'alias.txt', edits: [edit('keep', 'lose')] })).toBe(
      `\`path\` "${join(sandbox.root, 'alias.txt')}" is a symbolic link; writing through links is refused. Write to the file it points to instead.`,
    );
    sandbox.symlink(join(sandbox.outside, 'secret.txt'), 'to_secret');
    expect(await refusedUnchanged({ path: 'to_secret', edits: [edit('OUTSIDE', 'PWNED')] })).toMatch(/symbolic link to a location outside/);
    sandbox.symlink(sandbox.outside, 'link_dir');
    expect(await refusedUnchanged({ path: 'link_dir/secret.txt', edits: [edit('OUTSIDE', 'PWNED')] })).toMatch(
      /symbolic link to a location outside/,
    );
    sandbox.symlink(join(sandbox.outside, 'nothing.txt'), 'dangling');
    expect(await refusedUnchanged({ path: 'dangling', edits: [edit('a', 'b')] })).toMatch(/dangling link/);
    expect(readFileSync(join(sandbox.outside, 'secret.txt'), 'utf8')).toBe('OUTSIDE-SECRET\n');
  });

  it('refuses paths outside the root and hard-linked files', async () => {
    expect(await refusedUnchanged({ path: join(sandbox.outside, 'secret.txt'), edits: [edit('OUTSIDE', 'x')] })).toMatch(
      /outside the allowed directories/,
    );
    expect(await refusedUnchanged({ path: '../outside/secret.txt', edits: [edit('OUTSIDE', 'x')] })).toContain('contains ".."');
    sandbox.hardlink(join(sandbox.outside, 'secret.txt'), 'hardlink');
    expect(await refusedUnchanged({ path: 'hardlink', edits: [edit('OUTSIDE', 'x')] })).toMatch(/has 2 hard links/);
    expect(await refusedUnchanged({ path: 'hardlink', edits: [edit('OUTSIDE', 'x')], dry_run: true })).toMatch(/has 2 hard links/);
  });

  it('refuses protected files', async () => {
    sandbox.file('.env', 'API_KEY=sk_live_1\n');
    const message = await refusedUnchanged({ path: '.env', edits: [edit('API_KEY', 'X')], dry_run: true });
    expect(message).toMatch(/is a protected file/);
    expect(message).not.toContain('sk_live');
  });
});
