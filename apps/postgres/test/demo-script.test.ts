// The main job (scripts/demo.mjs after a build) as a terminal runs it: a Ctrl-C reaches its whole
// process group, and it must exit 0 with both servers and the embedded PostgreSQL gone and
// nothing left in the temp directory; also from a private working directory as root. And the
// postgres bin's --demo: killed outright, it leaves nothing behind either; as root with a temp
// directory its database user cannot enter, it says so in one line with the fix.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requires, runBin, spawnHttp } from '@bastion-mcp/testing';
import { afterEach, expect, it } from 'vitest';
import { findFreePort } from '../src/demo/local-cluster.js';

const script = fileURLToPath(new URL('../../../scripts/demo.mjs', import.meta.url));
const bins = ['filesystem', 'postgres'].map((app) => fileURLToPath(new URL(`../../${app}/dist/index.js`, import.meta.url)));
const isRoot = process.getuid?.() === 0;
const notBuilt = !bins.every((bin) => existsSync(bin)) && 'apps/filesystem and apps/postgres are not built: run pnpm build';
const notRoot = !isRoot && 'not running as root (a private directory, the postgres OS user)';
const built = requires(notBuilt);
const asRoot = requires(notRoot);
const builtAsRoot = requires([notBuilt, notRoot]);

const cleanup: string[] = [];
afterEach(async () => {
  for (const directory of cleanup.splice(0)) await rm(directory, { recursive: true, force: true });
});

/** A fresh directory only its owner may list; as root, others may still pass through it (0711). */
async function privateDirectory(mode: number): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'bastion-demo-test-'));
  await chmod(directory, mode);
  cleanup.push(directory);
  return directory;
}

/** Processes whose command line mentions the text (the demo's servers name their ports, PostgreSQL its data directory). */
async function processesMentioning(texts: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (texts.some((text) => commandLine.includes(text))) found.push(`${pid}: ${commandLine.replaceAll('\0', ' ')}`);
  }
  return found;
}

async function eventually(check: () => Promise<string[]>, ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = await check();
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function runDemoAndPressCtrlC(cwd: string, temp: string): Promise<void> {
  const [port, databasePort] = [String(await findFreePort()), String(await findFreePort())];
  // Its own process group, like a terminal's foreground job, so the SIGINT goes to the whole group.
  const demo = spawn(process.execPath, [script], {
    cwd,
    detached: true,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/', TMPDIR: temp, PORT: port, POSTGRES_DEMO_PORT: databasePort },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  demo.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  demo.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = once(demo, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const deadline = Date.now() + 60_000;
  while (!output.includes('Press Ctrl-C to stop.') && demo.exitCode === null && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(output, output.slice(-3000)).toContain('Press Ctrl-C to stop.');
  expect((await readdir(temp)).some((name) => name.startsWith('bastion-pg-'))).toBe(true);

  process.kill(-demo.pid!, 'SIGINT');
  const [code, signal] = await exited;
  expect({ code, signal }, output.slice(-3000)).toEqual({ code: 0, signal: null });
  expect(await readdir(temp)).toEqual([]);
  expect(await eventually(() => processesMentioning([temp, `--port ${port}`, `--port ${databasePort}`]), 3000)).toEqual([]);
}

built.describe('scripts/demo.mjs', () => {
  it('stops on Ctrl-C with exit 0, its servers and embedded PostgreSQL gone, the temp directory left empty', async () => {
    await runDemoAndPressCtrlC(process.cwd(), await privateDirectory(isRoot ? 0o711 : 0o700));
  }, 90_000);

  asRoot.it('does the same when run as root from a private (0700) working directory', async () => {
    await runDemoAndPressCtrlC(await privateDirectory(0o700), await privateDirectory(0o711));
  }, 90_000);
});

built.describe('bastion-postgres --demo killed outright', () => {
  it('has its embedded PostgreSQL stopped and its files removed by the watchdog', async () => {
    const temp = await privateDirectory(isRoot ? 0o711 : 0o700);
    const server = await spawnHttp(bins[1]!, { args: ['--demo'], env: { TMPDIR: temp } });
    expect((await readdir(temp)).some((name) => name.startsWith('bastion-pg-'))).toBe(true);
    await server.kill('SIGKILL');
    expect(await eventually(() => processesMentioning([temp]), 15_000)).toEqual([]);
    expect(await eventually(async () => readdir(temp), 5000)).toEqual([]);
  }, 60_000);
});

builtAsRoot.describe('bastion-postgres --demo as root', () => {
  it('names the temp directory its database user cannot enter, with the fix, in one line, and leaves nothing behind', async () => {
    const temp = await privateDirectory(0o700);
    const result = await runBin(bins[1]!, { args: ['--demo'], env: { TMPDIR: temp }, timeoutMs: 60_000 });
    expect(result.code).toBe(1);
    const problem = result.stderr.split('\n').filter((line) => line.trim() && !line.startsWith('{'));
    expect(problem).toEqual([
      `bastion-postgres: failed to start: Running as root, PostgreSQL runs as the OS user postgres, which cannot enter the temp directory ${temp} ` +
        '(mode 700): point TMPDIR at a directory every user may enter, e.g. TMPDIR=/tmp, or run as a non-root user.',
    ]);
    expect(await readdir(temp)).toEqual([]);
  }, 60_000);
});
