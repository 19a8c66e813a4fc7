import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertAuditEvents, runBin, spawnStdio } from '@bastion-mcp/testing';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('the built bin over real stdio', () => {
  it('writes nothing but JSON-RPC to stdout while listing, calling and failing', async () => {
    const session = await spawnStdio(bin);
    const { tools } = await session.client.listTools();
    expect(tools.length).toBeGreaterThan(20);
    const echo = await session.client.callTool({ name: 'echo', arguments: { message: 'hi' } });
    expect(echo.structuredContent).toEqual({ message: 'hi' });
    const failed = await session.client.callTool({ name: 'test_error_handling', arguments: {} });
    expect(failed.isError).toBe(true);
    const invalid = await session.client.callTool({ name: 'echo', arguments: { message: 42 } });
    expect(invalid.isError).toBe(true);
    await session.client.listResources();
    await session.client.listPrompts();
    const exit = await session.close();
    expect(session.stdoutLines.length).toBeGreaterThan(5);
    expect(session.nonProtocolLines()).toEqual([]);
    expect(exit.code).toBe(0);
    expect(session.stderr()).toContain('"audit"');
  });

  it('serves a 2026-07-28 client on the same bin', async () => {
    const session = await spawnStdio(bin, { era: 'modern' });
    expect(session.client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    const echo = await session.client.callTool({ name: 'echo', arguments: { message: 'modern' } });
    expect(echo.structuredContent).toEqual({ message: 'modern' });
    await session.close();
    expect(session.nonProtocolLines()).toEqual([]);
  });

  it('exits cleanly on SIGTERM', async () => {
    const session = await spawnStdio(bin);
    await session.client.listTools();
    const exit = await session.kill('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(session.stderr()).toContain('shutting down');
  });
});

describe('the audit log file', () => {
  it('gets one redacted JSON line per call, in a 0600 file, and nothing on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bastion-audit-'));
    try {
      const file = join(dir, 'audit.jsonl');
      const session = await spawnStdio(bin, { args: ['--audit-log', file] });
      await session.client.callTool({ name: 'echo', arguments: { message: 'password=hunter2' } });
      await session.client.callTool({ name: 'test_error_handling', arguments: {} });
      await session.close();
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const events = assertAuditEvents(readFileSync(file, 'utf8'));
      expect(events.map((event) => [event.tool, event.outcome, event.reason, event.principal, event.transport])).toEqual([
        ['echo', 'ok', undefined, 'local', 'stdio'],
        ['test_error_handling', 'refused', 'tool_error', 'local', 'stdio'],
      ]);
      expect(JSON.stringify(events)).not.toContain('hunter2');
      expect(session.stderr()).not.toContain('"audit"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('moves to a new file on SIGHUP, after the old one was rotated away', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bastion-audit-'));
    try {
      const file = join(dir, 'audit.jsonl');
      const session = await spawnStdio(bin, { args: ['--audit-log', file] });
      await session.client.callTool({ name: 'echo', arguments: { message: 'before' } });
      renameSync(file, `${file}.1`);
      session.signal('SIGHUP');
      for (let tries = 0; !existsSync(file) && tries < 100; tries += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      await session.client.callTool({ name: 'echo', arguments: { message: 'after' } });
      const exit = await session.close();
      expect(exit.code).toBe(0);
      const messages = (path: string) =>
        readFileSync(path, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { args: { message: string } }).args.message);
      expect(messages(`${file}.1`)).toEqual(['before']);
      expect(messages(file)).toEqual(['after']);
      expect(session.stderr()).toContain('audit log reopened');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start when the audit log cannot be opened, naming the path', async () => {
    const result = await runBin(bin, { args: ['--audit-log', '/nonexistent-dir/audit.jsonl'] });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('failed to start: cannot open audit log /nonexistent-dir/audit.jsonl: ENOENT');
  });
});

describe('the command line', () => {
  it('prints help with every flag and environment variable, and exits 0', async () => {
    const result = await runBin(bin, { args: ['--help'] });
    expect(result.code).toBe(0);
    for (const text of ['--transport', 'BASTION_TRANSPORT', '--read-only', '--toolsets', '--tools', '--exclude-tools', '--print-tools', '--max-result-bytes', 'LOG_LEVEL', 'BASTION_AUDIT_LOG', '(default: 127.0.0.1)']) {
      expect(result.stdout).toContain(text);
    }
  });

  it('prints the version and exits 0', async () => {
    const result = await runBin(bin, { args: ['--version'] });
    expect(result).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it('exits 2 and names every bad setting at once, without a stack trace', async () => {
    const result = await runBin(bin, {
      args: ['--port', 'eighty', '--transport', 'smoke-signals', '--toolsets', 'nope'],
      env: { BASTION_MAX_RESULT_ITEMS: '0', LOG_LEVEL: 'chatty' },
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    for (const setting of ['--port / BASTION_PORT', '--transport / BASTION_TRANSPORT', '--max-result-items / BASTION_MAX_RESULT_ITEMS', '--log-level / LOG_LEVEL']) {
      expect(result.stderr).toContain(setting);
    }
    expect(result.stderr).toMatch(/invalid configuration \(4 problems\)/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports an unknown toolset or tool name as a configuration error', async () => {
    const result = await runBin(bin, { args: ['--exclude-tools', 'ech0'] });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown tool ech0');
  });

  it('prints the tool manifest with a sha256 per tool', async () => {
    const result = await runBin(bin, { args: ['--print-tools', '--tools', 'echo,test_simple_text'] });
    expect(result.code).toBe(0);
    const manifest = JSON.parse(result.stdout) as { tools: { name: string; sha256: string }[] };
    expect(manifest.tools.map((tool) => tool.name)).toEqual(['echo', 'test_simple_text']);
    for (const tool of manifest.tools) expect(tool.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
