// The built bastion-filesystem bin as a host runs it: a bad configuration is refused before
// serving with exit 2, every bad setting named once with what is wrong and how to fix it, and no
// setting named that is not bad; an allowed directory that does not exist is one of them.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requires, runBin } from '@bastion-mcp/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** The problem lines of a configuration error, `setting: message` each. */
function problemLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('  - '))
    .map((line) => line.slice(4));
}

const built = requires(!existsSync(bin) && 'apps/filesystem/dist is not built: run pnpm --filter @bastion-mcp/filesystem build');

built.describe('bastion-filesystem bin', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'bastion-fs-bin-'));
    await writeFile(join(root, 'notes.txt'), 'x');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('names every bad setting at once, each once, and no setting that is fine', async () => {
    const result = await runBin(bin, {
      args: ['--max-write-bytes', '-5', '--max-media-bytes', 'abc', '--allow-delete', '--transport', 'smoke-signals', '--bogus', root],
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(problemLines(result.stderr)).toEqual([
      '--bogus: unknown option (run with --help to see every option)',
      '--transport / BASTION_TRANSPORT: must be one of stdio, http (got "smoke-signals")',
      '--max-write-bytes / FILESYSTEM_MAX_WRITE_BYTES: must be at least 1 (got -5)',
      '--max-media-bytes / FILESYSTEM_MAX_MEDIA_BYTES: must be a number (got "abc")',
      '--allow-delete / FILESYSTEM_ALLOW_DELETE: needs --write as well (deleting is a write)',
    ]);
    expect(result.stderr).toMatch(/invalid configuration \(5 problems\)/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('names a flag left without its value once, and does not call the roots missing', async () => {
    const result = await runBin(bin, { args: [root, '--max-write-bytes'] });
    expect(result.code).toBe(2);
    expect(problemLines(result.stderr)).toEqual(['--max-write-bytes / FILESYSTEM_MAX_WRITE_BYTES: --max-write-bytes needs a value; give one after it']);
  });

  it('exits 2 for an allowed directory that does not exist or is a file, saying what to do, beside the other problems', async () => {
    const missing = join(root, 'no-such-dir');
    const file = join(root, 'notes.txt');
    const alone = await runBin(bin, { args: [missing] });
    expect(alone.code).toBe(2);
    expect(problemLines(alone.stderr)).toEqual([`--roots / FILESYSTEM_ROOTS: "${missing}" does not exist: create it or fix the path`]);

    const together = await runBin(bin, { args: [root, missing, '--max-write-bytes=0'] });
    expect(together.code).toBe(2);
    expect(problemLines(together.stderr)).toEqual([
      '--max-write-bytes / FILESYSTEM_MAX_WRITE_BYTES: must be at least 1 (got 0)',
      `--roots / FILESYSTEM_ROOTS: "${missing}" does not exist: create it or fix the path`,
    ]);

    const fromEnvironment = await runBin(bin, { env: { FILESYSTEM_ROOTS: `${file},${root}` } });
    expect(fromEnvironment.code).toBe(2);
    expect(problemLines(fromEnvironment.stderr)).toEqual([
      `--roots / FILESYSTEM_ROOTS: "${file}" is a file, not a directory: give the directory to serve`,
    ]);
  });

  it('still serves a valid configuration', async () => {
    const result = await runBin(bin, { args: [root], input: '' });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('invalid configuration');
  });
});
