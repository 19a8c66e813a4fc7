import { textOf } from '@bastion-mcp/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, openFilesystem } from './support/sandbox.js';
import type { FilesystemSession, Sandbox } from './support/sandbox.js';

let sandbox: Sandbox;
let fs: FilesystemSession;
beforeEach(async () => {
  sandbox = createSandbox();
  sandbox.file('src/app.ts', 'const a = 1; // TODO: tidy\nexport { a };\n');
  sandbox.file('src/lib/util.ts', 'export const b = 2;\n');
  sandbox.file('notes.txt', 'TODO: ship\n');
  sandbox.symlink('notes.txt', 'latest');
  fs = await openFilesystem([sandbox.root], { argv: ['--write'] });
});
afterEach(async () => {
  await fs.close();
  sandbox.remove();
});

/** The fenced data of a text block: between the markers. */
function fenced(text: string): string {
  return /<untrusted-data id="[0-9a-f]+">\n([\s\S]*)\n<\/untrusted-data id=/.exec(text)?.[1] ?? '';
}

describe('text blocks read like the tools that inspired them', () => {
  it('list_directory: ls -F lines under a note', async () => {
    const text = textOf(await fs.call('list_directory', { path: '.' }));
    expect(text.split('\n')[0]).toBe(`${sandbox.root}: 3 of 3 entries (directories end in /, links in @, other special files in |)`);
    expect(fenced(text)).toBe('latest@\nnotes.txt\nsrc/');
  });

  it('directory_tree: an indented tree', async () => {
    expect(fenced(textOf(await fs.call('directory_tree', { path: '.', respect_gitignore: false })))).toBe(
      'latest@\nnotes.txt\nsrc/\n  app.ts\n  lib/\n    util.ts',
    );
  });

  it('search_files and grep_files: paths, and path:line:text', async () => {
    expect(fenced(textOf(await fs.call('search_files', { path: '.', pattern: '*.ts' })))).toBe('src/app.ts\nsrc/lib/util.ts');
    expect(fenced(textOf(await fs.call('grep_files', { path: '.', pattern: 'TODO', literal: true })))).toBe(
      'notes.txt:1:TODO: ship\nsrc/app.ts:1:const a = 1; // TODO: tidy',
    );
  });

  it('read_text_file: the content itself, with the range in the note', async () => {
    const text = textOf(await fs.call('read_text_file', { path: 'src/app.ts', head: 1 }));
    expect(text.split('\n')[0]).toBe(`${sandbox.root}/src/app.ts: lines 1-1; more follow: call again with offset 2`);
    expect(fenced(text)).toBe('const a = 1; // TODO: tidy');
  });

  it('edit_file: the diff, with what was done in the note', async () => {
    const text = textOf(await fs.call('edit_file', { path: 'notes.txt', edits: [{ old_text: 'ship', new_text: 'launch' }], dry_run: true }));
    expect(text.split('\n')[0]).toBe(`${sandbox.root}/notes.txt: 1 replacement (dry run, nothing written)`);
    expect(fenced(text)).toContain('-TODO: ship\n+TODO: launch');
  });
});
