// Process plumbing shared by the system and embedded engines.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { firstBlockedDirectory, formatMode, type OsIdentity } from './os-user-reach.js';

const execFileAsync = promisify(execFile);

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export interface OsUser extends OsIdentity {
  gid: number;
}

/** The `postgres` OS user, or undefined when it does not exist. */
export async function findPostgresOsUser(): Promise<OsUser | undefined> {
  try {
    const [uid, gid, groups] = await Promise.all([
      execFileAsync('id', ['-u', 'postgres']),
      execFileAsync('id', ['-g', 'postgres']),
      execFileAsync('id', ['-G', 'postgres']),
    ]);
    return {
      uid: Number(uid.stdout.trim()),
      gid: Number(gid.stdout.trim()),
      groups: groups.stdout.trim().split(/\s+/).map(Number),
    };
  } catch {
    return undefined;
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` OS user, which must be able to enter every directory
 * on the way to the path. Throws one line naming the blocking directory and the fix when it cannot.
 */
export async function assertPostgresUserReaches(path: string, what: string, fix: string): Promise<void> {
  if (!isRoot()) return;
  const blocked = await firstBlockedDirectory(path, await findPostgresOsUser());
  if (blocked) {
    const where = blocked.directory === resolve(path) ? what : `${blocked.directory} on the way to ${what}`;
    throw new Error(
      `Running as root, PostgreSQL runs as the OS user postgres, which cannot enter ${where} (mode ${formatMode(blocked.mode)}): ${fix}.`,
    );
  }
}

export interface CommandResult {
  code: number;
  output: string;
}

/**
 * Runs a PostgreSQL tool and collects its stdout and stderr. As root it runs as the `postgres` OS
 * user, since initdb and postgres refuse to run as root.
 */
export async function runPostgresTool(
  command: string,
  args: string[],
  options: { cwd: string; log: (line: string) => void },
): Promise<CommandResult> {
  const [file, fileArgs] = isRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const child = spawn(file, fileArgs, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      for (const line of text.split('\n')) if (line.trim()) options.log(line);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error) => reject(new Error(`Could not run ${file}: ${error.message}`)));
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** The last lines of a text, for error messages. */
export function lastLines(text: string, count = 20): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

export async function readLogTail(file: string): Promise<string> {
  try {
    return lastLines(await readFile(file, 'utf8'));
  } catch {
    return '(no server log was written)';
  }
}

/** The postmaster's pid from the first line of postmaster.pid in the data directory. */
export async function readPostmasterPid(dataDir: string): Promise<number> {
  const firstLine = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n', 1)[0] ?? '';
  const pid = Number(firstLine.trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`Unreadable postmaster.pid in ${dataDir}.`);
  return pid;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    // EPERM means the pid now belongs to another user's process, so it is not our server any more.
    return false;
  }
  return !isZombie(pid);
}

// A server started by pg_ctl is re-parented to pid 1 and stays a zombie until pid 1 reaps it, which
// some container inits do late; kill(pid, 0) still succeeds on a zombie.
function isZombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** Data directories are made in the temp directory, which the `postgres` OS user must reach as well. */
export async function assertPostgresUserReachesTempDir(): Promise<void> {
  await assertPostgresUserReaches(
    tmpdir(),
    `the temp directory ${tmpdir()}`,
    'point TMPDIR at a directory every user may enter, e.g. TMPDIR=/tmp, or run as a non-root user',
  );
}

/**
 * Starts a detached watchdog that, once this process is gone, stops the server whose data
 * directory is dataDir (if one runs) and removes the directory; so a process killed while it
 * starts, serves or stops the server leaves nothing behind. Returns a function that cancels it.
 */
export function guardAgainstOrphanedServer(directory: string, dataDir: string): () => void {
  if (process.platform === 'win32') return () => {};
  const script = [
    `alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }`,
    'while alive "$1"; do sleep 1; done',
    'pid=$(head -n 1 "$3/postmaster.pid" 2>/dev/null)',
    'case "$pid" in ""|*[!0-9]*) pid= ;; esac',
    // A stale postmaster.pid may name a pid reused by another process: it must be this data directory's server.
    'if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && ! tr "\\000" " " <"/proc/$pid/cmdline" | grep -qF -- "$3"; then pid=; fi',
    'if [ -n "$pid" ] && alive "$pid"; then',
    '  kill -INT "$pid" 2>/dev/null',
    '  i=0; while alive "$pid" && [ "$i" -lt 20 ]; do sleep 1; i=$((i+1)); done',
    '  if alive "$pid"; then kill -QUIT "$pid"; sleep 1; fi',
    'fi',
    'rm -rf "$2"',
  ].join('\n');
  const watchdog = spawn('/bin/sh', ['-c', script, 'bastion-pg-watchdog', String(process.pid), directory, dataDir], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.on('error', () => {});
  watchdog.unref();
  return () => {
    if (watchdog.pid !== undefined && watchdog.exitCode === null) {
      try {
        process.kill(watchdog.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
  };
}

/**
 * Whether pg_stat_statements ships with the binaries in binDir: its control file sits in the
 * share directory's extension folder.
 */
export async function hasPgStatStatementsFiles(binDir: string): Promise<boolean> {
  const shareDirs = [join(dirname(binDir), 'share', 'postgresql'), join(dirname(binDir), 'share')];
  const pgConfig = join(binDir, 'pg_config');
  if (existsSync(pgConfig)) {
    try {
      shareDirs.unshift((await execFileAsync(pgConfig, ['--sharedir'])).stdout.trim());
    } catch {
      // Fall back to the directories next to binDir.
    }
  }
  return shareDirs.some((dir) => existsSync(join(dir, 'extension', 'pg_stat_statements.control')));
}

export async function readServerVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ server_version: string }>('SHOW server_version');
    return result.rows[0]?.server_version ?? 'unknown';
  } finally {
    await client.end();
  }
}
