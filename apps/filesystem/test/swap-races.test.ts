import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { textOf } from '@bastion-mcp/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, openFilesystem } from './support/sandbox.js';
import type { FilesystemSession, Sandbox } from './support/sandbox.js';

/*
 * A local process that can write inside an allowed directory swaps a directory there with a
 * symbolic link to a directory outside, atomically (renameat2 RENAME_EXCHANGE), in a tight loop,
 * while the tools change paths through that directory. Whatever each call answers, nothing
 * outside the allowed directory may change.
 */

const TRIES = 300;
const BUDGET_MS = 3_000;

// Exchanges two names forever; x86_64 and arm64 glibc both export renameat2.
const SWAPPER = `
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD, RENAME_EXCHANGE = -100, 2
a, b = (os.fsencode(p) for p in sys.argv[1:3])
print("ready", flush=True)
while True:
    if libc.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) != 0:
        sys.exit("renameat2: " + os.strerror(ctypes.get_errno()))
`;

let sandbox: Sandbox;
let fs: FilesystemSession;
let swapper: ChildProcess | undefined;

beforeEach(async () => {
  sandbox = createSandbox();
  sandbox.dir('dir');
  sandbox.dir('elsewhere');
  mkdirSync(join(sandbox.outside, 'dir'));
  symlinkSync(join(sandbox.outside, 'dir'), join(sandbox.root, 'swap'));
  fs = await openFilesystem([sandbox.root], { argv: ['--write', '--allow-delete'] });
});
afterEach(async () => {
  await stopSwapping();
  await fs.close();
  sandbox.remove();
});

async function startSwapping(): Promise<void> {
  const child = spawn('python3', ['-c', SWAPPER, join(sandbox.root, 'dir'), join(sandbox.root, 'swap')], { stdio: ['ignore', 'pipe', 'inherit'] });
  swapper = child;
  await new Promise<void>((ready, fail) => {
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`the swapping process exited early (${code})`)));
    child.stdout?.once('data', () => ready());
  });
}

async function stopSwapping(): Promise<void> {
  const child = swapper;
  swapper = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGKILL');
  await exited;
}

/** Everything outside the allowed directory. */
function outsideContents(): Record<string, string> {
  return Object.fromEntries(Object.entries(sandbox.contents()).filter(([key]) => !key.startsWith('allowed/')));
}

/** Puts `name` into the directory inside (before swapping starts) and the same name, other content, outside. */
function seed(name: string, inside: string | undefined, outside = `OUTSIDE ${name}\n`): void {
  if (inside !== undefined) sandbox.file(`dir/${name}`, inside);
  writeFileSync(join(sandbox.outside, 'dir', name), outside);
}

/**
 * Runs `call(index)` while the directory is swapped back and forth, `TRIES` times or for
 * `BUDGET_MS`, whichever ends first; then nothing outside may have changed, and every refusal
 * must be a clear message, not an unexpected failure.
 */
async function race(name: string, call: (index: number) => Record<string, unknown>): Promise<void> {
  const before = outsideContents();
  await startSwapping();
  const started = Date.now();
  const failures: string[] = [];
  let tries = 0;
  for (; tries < TRIES && Date.now() - started < BUDGET_MS; tries += 1) {
    const result = await fs.call(name, call(tries));
    if (result.isError) failures.push(textOf(result));
  }
  await stopSwapping();
  expect(tries).toBeGreaterThan(20);
  expect(outsideContents()).toEqual(before);
  expect(failures.filter((message) => /unexpectedly/.test(message))).toEqual([]);
}

describe.skipIf(process.platform !== 'linux')('changes while a directory on the path is swapped for a link to outside', () => {
  it('delete_path deletes nothing outside', async () => {
    for (let index = 0; index < TRIES; index += 1) {
      seed(`f${index}`, 'inside\n');
      sandbox.file(`dir/t${index}/inner.txt`, 'inside\n');
      mkdirSync(join(sandbox.outside, 'dir', `t${index}`));
      writeFileSync(join(sandbox.outside, 'dir', `t${index}`, 'inner.txt'), 'OUTSIDE\n');
    }
    await race('delete_path', (index) =>
      index % 2 === 0 ? { path: `dir/f${index}` } : { path: `dir/t${index}`, recursive: true },
    );
  }, 30_000);

  it('move_file moves nothing in from outside and nothing out', async () => {
    for (let index = 0; index < TRIES; index += 1) {
      seed(`m${index}`, 'inside\n');
      sandbox.file(`elsewhere/s${index}`, 'inside\n');
    }
    await race('move_file', (index) =>
      index % 2 === 0
        ? { source: `dir/m${index}`, destination: `elsewhere/m${index}` }
        : { source: `elsewhere/s${index}`, destination: `dir/s${index}` },
    );
  }, 30_000);

  it('create_directory creates nothing outside', async () => {
    await race('create_directory', (index) => ({ path: `dir/c${index}/sub` }));
  }, 30_000);

  it('write_file writes nothing outside', async () => {
    for (let index = 0; index < TRIES; index += 1) seed(`w${index}`, index % 2 === 0 ? 'inside\n' : undefined);
    await race('write_file', (index) => ({ path: `dir/w${index}`, content: 'WRITTEN\n', overwrite: true }));
  }, 30_000);

  it('append_file appends nothing outside', async () => {
    for (let index = 0; index < TRIES; index += 1) seed(`a${index}`, 'inside\n');
    await race('append_file', (index) => ({ path: `dir/a${index}`, content: 'APPENDED\n' }));
  }, 30_000);

  it('copy_file copies nothing outside', async () => {
    sandbox.file('source.txt', 'COPIED\n');
    for (let index = 0; index < TRIES; index += 1) seed(`k${index}`, index % 2 === 0 ? 'inside\n' : undefined);
    await race('copy_file', (index) => ({ source: 'source.txt', destination: `dir/k${index}`, overwrite: true }));
  }, 30_000);

  it('edit_file changes nothing outside', async () => {
    for (let index = 0; index < TRIES; index += 1) seed(`e${index}`, 'OLD\n', 'OLD\n');
    await race('edit_file', (index) => ({ path: `dir/e${index}`, edits: [{ old_text: 'OLD', new_text: 'NEW' }] }));
  }, 30_000);
});
