// The built bastion-filesystem bin as operators run it (stdout a pipe, audit log in a file; over
// HTTP with tokens, a policy file and Redis-backed rate limits), every tool called. Run with
// BASTION_TEST_IMAGE set (scripts/image/test-images.sh), the same cases run against the image.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeDeployed } from '@bastion-mcp/testing';
import { connector } from '../src/connector.js';

// A 1x1 transparent PNG.
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

/** The served directory, with a file outside it that every escape would reach. */
function servedDirectory(): { base: string; root: string } {
  const base = mkdtempSync(join(tmpdir(), 'bastion-fs-deployed-'));
  const root = join(base, 'root');
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(join(base, 'outside.txt'), 'OUTSIDE\n');
  writeFileSync(join(root, 'notes.txt'), 'hello\nworld\n');
  writeFileSync(join(root, 'docs', 'guide.md'), '# Guide\nthe needle is here\n');
  writeFileSync(join(root, 'pixel.png'), PIXEL);
  for (const name of ['edit-me.txt', 'append-me.txt', 'move-me.txt', 'delete-me.txt']) writeFileSync(join(root, name), 'alpha\nbeta\n');
  return { base, root };
}

const outside = /outside|not allowed|allowed director/i;

describeDeployed(connector, {
  bin: fileURLToPath(new URL('../dist/index.js', import.meta.url)),
  setup(run) {
    const { base, root } = servedDirectory();
    return {
      args: ['--write', '--allow-delete', run.share(root, '/projects/work')],
      cleanup: () => rmSync(base, { recursive: true, force: true }),
    };
  },
  policy: { tool: 'read_text_file', argument: 'path', allow: { kind: 'path', allow: ['notes.txt', 'docs/**'] }, denied: { path: 'edit-me.txt' } },
  calls: {
    read_text_file: { valid: { path: 'notes.txt' }, refused: { path: 'docs/missing.md' }, refusal: /not found|does not exist|no such/i },
    list_allowed_directories: { valid: {}, refused: { path: '/' } },
    read_media_file: { valid: { path: 'pixel.png' }, refused: { path: '/etc/passwd' }, refusal: outside },
    read_multiple_files: { valid: { paths: ['notes.txt', 'docs/guide.md'] }, refused: { paths: [] } },
    get_file_info: { valid: { path: 'notes.txt' }, refused: { path: '/etc' }, refusal: outside },
    list_directory: { valid: { path: '.' }, refused: { path: '/' }, refusal: outside },
    directory_tree: { valid: { path: 'docs' }, refused: { path: '..' }, refusal: outside },
    search_files: { valid: { path: '.', pattern: '*.md' }, refused: { path: '..', pattern: '*.txt' }, refusal: outside },
    grep_files: { valid: { path: '.', pattern: 'needle' }, refused: { path: '..', pattern: 'OUTSIDE' }, refusal: outside },
    write_file: { valid: { path: 'written.txt', content: 'new\n' }, refused: { path: '../escape.txt', content: 'x' }, refusal: outside },
    append_file: { valid: { path: 'append-me.txt', content: 'gamma\n' }, refused: { path: '../outside.txt', content: 'x' }, refusal: outside },
    edit_file: {
      valid: { path: 'edit-me.txt', edits: [{ old_text: 'alpha', new_text: 'ALPHA' }] },
      refused: { path: 'edit-me.txt', edits: [{ old_text: 'not in the file', new_text: 'x' }] },
    },
    create_directory: { valid: { path: 'new-dir' }, refused: { path: '../escape-dir' }, refusal: outside },
    copy_file: { valid: { source: 'notes.txt', destination: 'copy.txt' }, refused: { source: 'notes.txt', destination: '../escape.txt' }, refusal: outside },
    move_file: { valid: { source: 'move-me.txt', destination: 'moved.txt' }, refused: { source: '../outside.txt', destination: 'inside.txt' }, refusal: outside },
    delete_path: { valid: { path: 'delete-me.txt' }, refused: { path: '../outside.txt' }, refusal: outside },
  },
});
