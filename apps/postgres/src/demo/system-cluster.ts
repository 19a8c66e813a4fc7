// The system engine: the PostgreSQL server binaries installed on this machine (initdb, pg_ctl).
import { accessSync, constants, existsSync, readdirSync, realpathSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import {
  assertPostgresUserReachesTempDir,
  findPostgresOsUser,
  guardAgainstOrphanedServer,
  hasPgStatStatementsFiles,
  isProcessAlive,
  isRoot,
  lastLines,
  readLogTail,
  readPostmasterPid,
  readServerVersion,
  runPostgresTool,
  type OsUser,
} from './cluster-process.js';
import type { EngineStartOptions, LocalCluster } from './local-cluster.js';

const INSTALL_HINT =
  'Install PostgreSQL (Debian/Ubuntu: `apt-get install postgresql`; macOS: `brew install postgresql`) or use the embedded engine.';

/** The directory holding initdb and pg_ctl: from the PATH, else the newest /usr/lib/postgresql/<major>/bin. */
export function findPostgresBinDir(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, 'initdb'))) {
      // Resolve symlinks such as /usr/local/bin/initdb so pg_ctl and the share directory are found beside it.
      const binDir = dirname(realpathSync(join(dir, 'initdb')));
      if (isExecutable(join(binDir, 'pg_ctl'))) return binDir;
    }
  }
  const debianRoot = '/usr/lib/postgresql';
  if (!existsSync(debianRoot)) return undefined;
  const majors = readdirSync(debianRoot)
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const binDir = join(debianRoot, major, 'bin');
    if (isExecutable(join(binDir, 'initdb')) && isExecutable(join(binDir, 'pg_ctl'))) return binDir;
  }
  return undefined;
}

export async function startSystemCluster({ port, log, binDir: explicitBinDir }: EngineStartOptions): Promise<LocalCluster> {
  const binDir = resolveBinDir(explicitBinDir);
  const owner = isRoot() ? await requirePostgresOsUser() : undefined;
  await assertPostgresUserReachesTempDir();
  const directory = await mkdtemp(join(tmpdir(), 'bastion-pg-'));
  const dataDir = join(directory, 'data');
  // Armed before initdb, so a process killed at any point from here on leaves no files behind.
  const cancelWatchdog = guardAgainstOrphanedServer(directory, dataDir);
  const logFile = join(directory, 'server.log');
  const pgCtl = join(binDir, 'pg_ctl');
  const run = (command: string, args: string[]) => runPostgresTool(command, args, { cwd: directory, log });

  const stopServer = async (): Promise<void> => {
    if (!existsSync(join(dataDir, 'postmaster.pid'))) return;
    const pid = await readPostmasterPid(dataDir).catch(() => undefined);
    const fast = await run(pgCtl, ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']);
    if (fast.code !== 0 && pid !== undefined && isProcessAlive(pid)) {
      await run(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop']);
    }
    if (pid !== undefined && isProcessAlive(pid)) {
      throw new Error(`PostgreSQL (pid ${pid}) did not stop; stop it with \`kill -QUIT ${pid}\`.`);
    }
  };

  try {
    if (owner) await chown(directory, owner.uid, owner.gid);
    const locale = process.platform === 'darwin' ? 'C' : 'C.UTF-8';
    const init = await run(join(binDir, 'initdb'), [
      '-D', dataDir, '-U', 'postgres', '--auth=trust', `--locale=${locale}`, '-E', 'UTF8', '--no-sync',
    ]);
    if (init.code !== 0) {
      throw new Error(`initdb (${binDir}) failed with exit code ${init.code}:\n${lastLines(init.output)}`);
    }

    const hasPgStatStatements = await hasPgStatStatementsFiles(binDir);
    const serverOptions = [
      '-c listen_addresses=127.0.0.1',
      `-p ${port}`,
      `-k ${shellQuote(directory)}`,
      '-c fsync=off -c full_page_writes=off -c synchronous_commit=off',
      ...(hasPgStatStatements ? ['-c shared_preload_libraries=pg_stat_statements'] : []),
    ].join(' ');
    const start = await run(pgCtl, ['-D', dataDir, '-o', serverOptions, '-w', '-t', '60', '-l', logFile, 'start']);
    if (start.code !== 0) {
      throw new Error(
        `PostgreSQL (${binDir}) did not start on 127.0.0.1:${port}; pg_ctl exited with ${start.code}:\n` +
          `${lastLines(start.output, 5)}\nLast lines of the server log:\n${await readLogTail(logFile)}`,
      );
    }

    const superuserUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const version = await readServerVersion(superuserUrl);
    let stopping: Promise<void> | undefined;
    return {
      engine: 'system',
      host: '127.0.0.1',
      port,
      superuserUrl,
      version,
      hasPgStatStatements,
      directory,
      stop: () =>
        (stopping ??= (async () => {
          try {
            await stopServer();
          } finally {
            await rm(directory, { recursive: true, force: true, maxRetries: 3 });
          }
          cancelWatchdog();
        })()),
    };
  } catch (error) {
    await stopServer().catch(() => {});
    await rm(directory, { recursive: true, force: true, maxRetries: 3 });
    cancelWatchdog();
    throw error;
  }
}

function resolveBinDir(explicitBinDir: string | undefined): string {
  if (explicitBinDir === undefined) {
    const found = findPostgresBinDir();
    if (!found) {
      throw new Error(
        `No PostgreSQL server binaries found: initdb is neither on the PATH nor in /usr/lib/postgresql/*/bin. ${INSTALL_HINT}`,
      );
    }
    return found;
  }
  for (const tool of ['initdb', 'pg_ctl']) {
    if (!isExecutable(join(explicitBinDir, tool))) {
      throw new Error(
        `${tool} was not found in binDir ${explicitBinDir}: point binDir at the directory that holds initdb and pg_ctl ` +
          `(e.g. /usr/lib/postgresql/15/bin). ${INSTALL_HINT}`,
      );
    }
  }
  return explicitBinDir;
}

async function requirePostgresOsUser(): Promise<OsUser> {
  const user = await findPostgresOsUser();
  if (!user) {
    throw new Error(
      'Running as root, the system engine runs initdb and postgres as the `postgres` OS user (PostgreSQL refuses to run as root), ' +
        `but that user does not exist. ${INSTALL_HINT} (Installing PostgreSQL creates the user.)`,
    );
  }
  return user;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// pg_ctl hands its -o string to /bin/sh.
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
