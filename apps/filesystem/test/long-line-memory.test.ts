// The built bin reading a 64 MiB file that is one line (no newline): every read path must stay
// bounded in memory whatever the line length. Growth is measured as the rise of the server's
// peak resident set (VmHWM in /proc/<pid>/status), which does not depend on timing.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { ChildProcessTransport, textOf } from '@bastion-mcp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const MIB = 1024 * 1024;
const LINE_BYTES = 64 * MIB;
const MAX_GROWTH = 40 * MIB;
const BUDGET = 256 * 1024;

let root: string;
let child: ChildProcessWithoutNullStreams;
let client: Client;

/** Peak resident set of the server so far, in bytes. */
function peakRss(): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmHWM in /proc/${child.pid}/status`);
  return Number(kib) * 1024;
}

async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

function structured(result: CallToolResult): Record<string, unknown> {
  if (result.isError) throw new Error(`the call failed: ${textOf(result)}`);
  return result.structuredContent as Record<string, unknown>;
}

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing; build it first: pnpm --filter @bastion-mcp/filesystem build`);
  root = realpathSync(mkdtempSync(join(tmpdir(), 'bastion-fs-long-line-')));
  // Written a mebibyte at a time: é (two bytes) so the cut has characters to respect.
  const chunk = Buffer.from('é'.repeat(MIB / 2));
  const fd = openSync(join(root, 'one-line.txt'), 'w');
  for (let written = 0; written < LINE_BYTES; written += chunk.length) writeSync(fd, chunk);
  closeSync(fd);
  // A small response budget: building each response leaves a few copies of it as garbage until
  // V8 collects, which would blur the measure of what the reader itself holds.
  child = spawn(process.execPath, [bin, '--max-result-bytes', String(BUDGET), root], { env: { PATH: process.env.PATH ?? '' }, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr.resume();
  client = new Client({ name: 'long-line-memory', version: '0.0.0' });
  await client.connect(new ChildProcessTransport(child));
  // Load the read paths once on a small file, so the baseline holds the server's own code.
  writeFileSync(join(root, 'small.txt'), 'one\ntwo\n');
  for (const args of [{}, { head: 1 }, { tail: 1 }]) structured(await call('read_text_file', { path: 'small.txt', ...args }));
  structured(await call('read_multiple_files', { paths: ['small.txt'] }));
}, 60_000);

afterAll(async () => {
  if (child) {
    child.stdin.end();
    if (child.exitCode === null) await once(child, 'exit');
  }
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.runIf(process.platform === 'linux')('reading a 64 MiB single-line file through the bin', () => {
  it('keeps the server within 40 MiB of growth on every read path, and says where the line was cut', async () => {
    const baseline = peakRss();
    const whole = await call('read_text_file', { path: 'one-line.txt' });
    const head = await call('read_text_file', { path: 'one-line.txt', head: 1 });
    const tail = await call('read_text_file', { path: 'one-line.txt', tail: 1 });
    const concurrent = await Promise.all(Array.from({ length: 4 }, () => call('read_text_file', { path: 'one-line.txt', head: 1 })));
    const several = await call('read_multiple_files', { paths: ['one-line.txt', 'one-line.txt'] });
    const growth = peakRss() - baseline;

    expect(growth).toBeLessThan(MAX_GROWTH);
    for (const result of [whole, head, tail, ...concurrent].map(structured)) {
      expect(result).toMatchObject({ startLine: 1, endLine: 1, totalLines: 1, truncated: false, cutLines: [1], maxLineBytes: expect.any(Number) });
      expect(result.maxLineBytes).toBeLessThan(BUDGET);
      expect(Buffer.byteLength(result.content as string)).toBeLessThanOrEqual(result.maxLineBytes as number);
      expect(result.content).toMatch(/^(é)+$/);
    }
    for (const file of structured(several).files as { truncated: boolean; content: string }[]) {
      expect(file.truncated).toBe(true);
      expect(file.content).toMatch(/^(é)+$/);
    }
  }, 120_000);
});
