// The built bastion-postgres bin as a host runs it: --help and --version, a bad configuration and
// a privileged role refused (exit 2, every problem named, no secret printed, no call served even
// though initialize is answered during the role check), and --demo over HTTP shutting down cleanly
// on SIGTERM, its embedded cluster and files gone.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { hashApiKey } from '@bastion-mcp/auth';
import { requires, runBin, spawnHttp, spawnStdio, textOf } from '@bastion-mcp/testing';
import { expect, inject, it } from 'vitest';
import { heldProxy } from './support/held-proxy.js';
import { withSuperuser } from './support/pg.js';

const bin = fileURLToPath(new URL('../dist/index.js', import.meta.url));

const built = requires(!existsSync(bin) && 'apps/postgres/dist is not built: run pnpm --filter @bastion-mcp/postgres build');

built.describe('bastion-postgres bin', () => {
  it('prints help naming every setting, and its version, exiting 0', async () => {
    const help = await runBin(bin, { args: ['--help'] });
    expect(help.code).toBe(0);
    for (const setting of ['POSTGRES_URL', 'POSTGRES_URL_<NAME>', '--demo', '--allow-privileged-role', '--statement-timeout-ms', '--max-rows']) {
      expect(help.stdout).toContain(setting);
    }
    const version = await runBin(bin, { args: ['--version'] });
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
  });

  it('generates an API key with the BASTION_API_KEYS entry that admits it', async () => {
    const result = await runBin(bin, { args: ['--generate-api-key'] });
    expect(result.code).toBe(0);
    const key = /(bsk_[A-Za-z0-9_-]{43})/.exec(result.stdout)?.[1];
    const entry = /^NAME:([0-9a-f]{64}):(.+)$/m.exec(result.stdout);
    expect(key).toBeDefined();
    expect(entry?.[1]).toBe(hashApiKey(key!));
    expect(entry?.[2]).toBe('postgres:query postgres:schema postgres:performance postgres:health');
  });

  it('exits 2 naming every bad setting at once, without printing the password', async () => {
    const result = await runBin(bin, { env: { POSTGRES_URL: 'mysql://reader:hunter2@db/x', POSTGRES_MAX_ROWS: '0', POSTGRES_POOL_SIZE_NOPE: '3' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/POSTGRES_URL/);
    expect(result.stderr).toMatch(/POSTGRES_MAX_ROWS/);
    expect(result.stderr).toMatch(/POSTGRES_POOL_SIZE_<NAME>.*NOPE|NOPE.*no database named/);
    expect(result.stderr + result.stdout).not.toContain('hunter2');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
  });

  it('names a bad flag beside a missing required setting, and no missing one when --demo is given', async () => {
    const problems = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('  - ')).map((line) => line.slice(4));
    const missingUrl = await runBin(bin, { args: ['--max-rows', 'abc', '--bogus'] });
    expect(missingUrl.code).toBe(2);
    expect(problems(missingUrl.stderr)).toEqual([
      '--bogus: unknown option (run with --help to see every option)',
      '--max-rows / POSTGRES_MAX_ROWS: must be a number (got "abc")',
      'POSTGRES_URL: required: set POSTGRES_URL (or POSTGRES_URL_<NAME>) to a postgres:// URL, or pass --demo to try the server on sample data',
    ]);
    const withDemo = await runBin(bin, { args: ['--demo', '--bogus', '--max-rows', '-5', '--pool-size'] });
    expect(withDemo.code).toBe(2);
    expect(problems(withDemo.stderr)).toEqual([
      '--bogus: unknown option (run with --help to see every option)',
      '--pool-size / POSTGRES_POOL_SIZE: --pool-size needs a value; give one after it',
      '--max-rows / POSTGRES_MAX_ROWS: must be at least 1 (got -5)',
    ]);
  });

  it('refuses to serve as a superuser, with the fix, exiting 2, never printing its password', async () => {
    const role = 'bastion_bin_superuser';
    const password = randomBytes(12).toString('hex');
    await withSuperuser((client) => client.query(`CREATE ROLE ${role} LOGIN SUPERUSER PASSWORD '${password}'`));
    try {
      const url = new URL(inject('superuserUrl'));
      url.username = role;
      url.password = password;
      const result = await runBin(bin, { env: { POSTGRES_URL: url.toString() }, input: '', timeoutMs: 20_000 });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/superuser/);
      expect(result.stderr).toMatch(/--allow-privileged-role/);
      expect(result.stderr).toContain(role);
      expect(result.stderr + result.stdout).not.toContain(password);
    } finally {
      await withSuperuser((client) => client.query(`DROP ROLE ${role}`));
    }
  });

  it('answers initialize during the role check, never serves a call as a superuser, and exits 2 on its own', async () => {
    const proxy = await heldProxy(inject('superuserUrl'));
    try {
      const server = await spawnStdio(bin, { env: { POSTGRES_URL: proxy.url } });
      const closed = new Promise<void>((resolve) => (server.client.onclose = resolve));
      const call = server.client.callTool({ name: 'query', arguments: { sql: 'select 1' } });
      await delay(200);
      proxy.release();
      const result = await call;
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/No call is served: The role "[^"]+" of database "default" is a superuser/);
      await closed;
      expect(await server.kill()).toEqual({ code: 2, signal: null });
      expect(server.stderr()).toMatch(/invalid configuration \(1 problem\):\n {2}- POSTGRES_URL: The role "[^"]+" of database "default" is a superuser/);
      expect(server.nonProtocolLines()).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('serves --demo over HTTP and on SIGTERM stops its cluster and removes its files', async () => {
    const server = await spawnHttp(bin, { args: ['--demo'] });
    let directory: string | undefined;
    try {
      // The cluster's initdb output names its data directory inside the temp directory.
      directory = new RegExp(`${tmpdir()}/(bastion-pg-[A-Za-z0-9]+)`).exec(server.stderr())?.[0];
      expect(directory, server.stderr().slice(-2000)).toBeDefined();
      expect(existsSync(directory!)).toBe(true);
      const client = await server.connect('modern');
      const result = await client.callTool({ name: 'query', arguments: { sql: 'select count(*) from shop.customers' } });
      expect(result.isError).toBeFalsy();
    } finally {
      expect(await server.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    }
    expect(existsSync(directory!)).toBe(false);
  }, 60_000);
});
