import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnHttp, spawnStdio, textOf } from '@bastion-mcp/testing';
import type { Client } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// The built bin as operators run it: stdout a pipe or socket, the audit log in a file. Opening
// that file, or stat-ing a named pipe in a root, once broke every module loaded lazily afterwards
// (the regular-expression checker of grep_files, the HTTP server adapter).
const bin = fileURLToPath(new URL('../dist/index.js', import.meta.url));

let base: string;
let root: string;
let auditLog: string;
beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'bastion-fs-resolve-')));
  root = join(base, 'root');
  mkdirSync(root);
  writeFileSync(join(root, 'notes.txt'), 'alpha 12\nbeta 345\n');
  auditLog = join(base, 'audit.jsonl');
});
afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

async function grepWithRegex(client: Client): Promise<string> {
  const result = await client.callTool({ name: 'grep_files', arguments: { path: root, pattern: 'beta [0-9]+' } });
  expect(result.isError ?? false, textOf(result)).toBe(false);
  return textOf(result);
}

function auditedTools(): string[] {
  return readFileSync(auditLog, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { tool?: string }).tool ?? '');
}

describe('the built bin with the audit log in a file', () => {
  it('greps with a regular expression over stdio', async () => {
    const session = await spawnStdio(bin, { args: [root], env: { BASTION_AUDIT_LOG: auditLog } });
    try {
      expect(await grepWithRegex(session.client)).toContain('beta 345');
    } finally {
      await session.close();
    }
    expect(auditedTools()).toContain('grep_files');
  });

  it('serves Streamable HTTP and greps with a regular expression', async () => {
    const server = await spawnHttp(bin, { args: [root], env: { BASTION_AUDIT_LOG: auditLog } });
    try {
      const client = await server.connect();
      expect(await grepWithRegex(client)).toContain('beta 345');
    } finally {
      await server.kill();
    }
    expect(auditedTools()).toContain('grep_files');
  });
});

describe('a root holding a named pipe', () => {
  it('lists it and still loads modules lazily afterwards', async () => {
    execFileSync('mkfifo', [join(root, 'pipe')]);
    const session = await spawnStdio(bin, { args: [root] });
    try {
      const listing = await session.client.callTool({ name: 'list_directory', arguments: { path: root, details: true } });
      expect(textOf(listing)).toContain('pipe');
      expect(await grepWithRegex(session.client)).toContain('beta 345');
    } finally {
      await session.close();
    }
  });
});
