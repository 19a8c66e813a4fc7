// A real redis-server for tests: found on PATH or in /usr/bin (CI installs Debian's package), on
// 127.0.0.1 with a port of its own and a temp dir, persisting nothing.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** The password every test server requires. */
export const TEST_REDIS_PASSWORD = 'test-only-redis-password-7f3a';
const INSTALL_HINT = 'install it with: apt-get install -y --no-install-recommends redis-server';

export function findRedisServer(): string {
  const directories = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/local/bin'];
  for (const directory of directories) {
    const candidate = join(directory, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`redis-server was not found on PATH or in /usr/bin; the Redis rate-limit tests need a real server: ${INSTALL_HINT}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface RedisProcess {
  readonly port: number;
  stop(): Promise<void>;
}

/** A private redis-server on 127.0.0.1, in its own temp dir, persisting nothing. */
export function startRedis(binary: string, port: number, dir: string, password = TEST_REDIS_PASSWORD): Promise<RedisProcess> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--requirepass', password, '--loglevel', 'notice'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start on port ${port}: ${output.slice(-500)}`));
    }, 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve({
          port,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGKILL');
            }),
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}) before it was ready: ${output.slice(-500)}`));
    });
  });
}

