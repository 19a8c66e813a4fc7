import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REDACTED, createAuditLog, createLogger } from '../src/index.js';
import type { AuditInput, AuditLogOptions } from '../src/index.js';
import { jsonLines, runWithLogging } from './support/run-node.js';

const PASSWORD = 'Pw-77ab31';
const SERVER = { connector: 'github', name: 'bastion-github', version: '1.4.0' };
const NOW = '2025-01-02T03:04:05.678Z';

function auditEvent(overrides: Partial<AuditInput> = {}): AuditInput {
  return {
    tool: 'search_issues',
    principal: 'alice@example.com',
    requestId: 7,
    transport: 'stdio',
    args: { query: 'is:open', apiToken: PASSWORD, upstream: `https://bot:${PASSWORD}@api/x` },
    outcome: 'ok',
    durationMs: 12.3456789,
    ...overrides,
  } as AuditInput;
}

function auditLog(options: Omit<AuditLogOptions, 'server'>) {
  return createAuditLog({ ...options, server: SERVER });
}

function capturingLogger() {
  const lines: string[] = [];
  const destination = { write: (line: string) => lines.push(line) };
  const logger = createLogger({ name: 'audit-test', destination });
  return { logger, lines, records: () => jsonLines(lines.join('')) };
}

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'bastion-audit-'));
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(directory, { recursive: true, force: true });
});

describe('createAuditLog without a file', () => {
  it('logs each event as { audit } with redacted args, error and a rounded duration', async () => {
    const { logger, lines, records } = capturingLogger();
    const audit = auditLog({ logger });
    audit.record(
      auditEvent({ outcome: 'error', reason: 'upstream_error', error: `401 from https://bot:${PASSWORD}@api/x` }),
    );
    await nextTurn();
    expect(lines.join('')).not.toContain(PASSWORD);
    expect(records()[0]).toMatchObject({
      msg: 'audit',
      audit: {
        tool: 'search_issues',
        principal: 'alice@example.com',
        outcome: 'error',
        reason: 'upstream_error',
        durationMs: 12.346,
        args: { query: 'is:open', apiToken: REDACTED, upstream: `https://bot:${REDACTED}@api/x` },
        error: `401 from https://bot:${REDACTED}@api/x`,
      },
    });
  });

  it('writes only the known fields, in the published order', async () => {
    const { logger, records } = capturingLogger();
    const event = { ...auditEvent(), headers: { cookie: PASSWORD } } as unknown as AuditInput;
    auditLog({ logger }).record(event);
    await nextTurn();
    expect(Object.keys(records()[0]?.audit as object)).toEqual([
      'schema',
      'time',
      'connector',
      'server',
      'tool',
      'principal',
      'requestId',
      'transport',
      'args',
      'argsDigest',
      'outcome',
      'durationMs',
    ]);
  });
});

describe('when audit events are written', () => {
  it('writes after the current turn, in one write per batch, whatever the log level', async () => {
    const { logger, lines, records } = capturingLogger();
    logger.level = 'silent';
    const audit = auditLog({ logger });
    audit.record(auditEvent({ tool: 'first' }));
    audit.record(auditEvent({ tool: 'second' }));
    expect(lines).toEqual([]);
    await nextTurn();
    expect(records().map((record) => (record.audit as { tool: string }).tool)).toEqual(['first', 'second']);
  });

  it('writes pending events on close', async () => {
    const { logger, records } = capturingLogger();
    const audit = auditLog({ logger });
    audit.record(auditEvent({ tool: 'pending' }));
    await audit.close();
    expect(records()).toHaveLength(1);
  });
});

describe('createAuditLog with a file', () => {
  it('appends one redacted JSON line per event to a 0600 file', async () => {
    const file = join(directory, 'audit.jsonl');
    const { logger, lines } = capturingLogger();
    const audit = auditLog({ logger, file });
    audit.record(auditEvent());
    audit.record(auditEvent({ tool: 'get_issue', outcome: 'denied', decision: 'denied by scopes' }));
    await audit.close();

    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(PASSWORD);
    expect(text.endsWith('\n')).toBe(true);
    const records = jsonLines(text);
    expect(records).toHaveLength(2);
    expect(records[0]).toEqual({
      schema: 'bastion.audit/1',
      time: NOW,
      connector: 'github',
      server: { name: 'bastion-github', version: '1.4.0' },
      tool: 'search_issues',
      principal: 'alice@example.com',
      requestId: 7,
      transport: 'stdio',
      args: { query: 'is:open', apiToken: REDACTED, upstream: `https://bot:${REDACTED}@api/x` },
      argsDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      outcome: 'ok',
      durationMs: 12.346,
    });
    expect(records[1]).toMatchObject({
      tool: 'get_issue',
      outcome: 'denied',
      decision: 'denied by scopes',
    });
    expect(lines).toEqual([]);
  });

  it('appends to an existing file instead of truncating it', async () => {
    const file = join(directory, 'audit.jsonl');
    writeFileSync(file, '{"earlier":true}\n', { mode: 0o600 });
    const audit = auditLog({ logger: capturingLogger().logger, file });
    audit.record(auditEvent());
    await audit.close();
    expect(jsonLines(readFileSync(file, 'utf8'))).toHaveLength(2);
  });

  it('keeps all of 1,000 rapid events once closed', async () => {
    const file = join(directory, 'burst.jsonl');
    const audit = auditLog({ logger: capturingLogger().logger, file });
    for (let index = 0; index < 1_000; index += 1) {
      audit.record(auditEvent({ requestId: index, args: { index, padding: 'x'.repeat(200) } }));
    }
    await audit.close();
    const records = jsonLines(readFileSync(file, 'utf8'));
    expect(records).toHaveLength(1_000);
    expect(records.map((record) => record.requestId)).toEqual(
      Array.from({ length: 1_000 }, (_, index) => index),
    );
  });

  it('throws at creation, naming the path and the reason, when the file cannot be opened', () => {
    const { logger } = capturingLogger();
    const missing = join(directory, 'no-such-dir', 'audit.jsonl');
    expect(() => auditLog({ logger, file: missing })).toThrow(
      `cannot open audit log ${missing}: ENOENT: no such file or directory`,
    );
    expect(() => auditLog({ logger, file: directory })).toThrow(
      new RegExp(`^cannot open audit log ${directory}: EISDIR`),
    );
  });

  it('refuses to write the audit log to the protocol stdout', () => {
    const run = runWithLogging(
      `
      const logger = logging.createLogger({ name: 'x' });
      try {
        logging.createAuditLog({ logger, server: { connector: 'x', name: 'bastion-x', version: '1.0.0' }, file: '/dev/stdout' });
        console.error('opened');
      } catch (error) {
        console.error(error.message);
      }
    `,
      { stdoutIsOsPipe: true },
    );
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('cannot open audit log /dev/stdout: it is this process');
  });

  it('writes to a new file after reopen, once the old one was rotated away, losing nothing', async () => {
    const file = join(directory, 'audit.jsonl');
    const rotated = join(directory, 'audit.jsonl.1');
    const { logger, records } = capturingLogger();
    const audit = auditLog({ logger, file });
    audit.record(auditEvent({ requestId: 1 }));
    await nextTurn();
    renameSync(file, rotated);
    audit.record(auditEvent({ requestId: 2 }));
    audit.reopen();
    audit.record(auditEvent({ requestId: 3 }));
    await audit.close();
    // Events recorded before the reopen go to the file they were meant for; later ones to the new file.
    expect(jsonLines(readFileSync(rotated, 'utf8')).map((record) => record.requestId)).toEqual([1, 2]);
    expect(jsonLines(readFileSync(file, 'utf8')).map((record) => record.requestId)).toEqual([3]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(records()).toEqual([expect.objectContaining({ level: 30, msg: 'audit log reopened', file })]);
  });

  it('keeps writing to the open file when the path cannot be opened again, and says so', async () => {
    const sub = join(directory, 'logs');
    mkdirSync(sub);
    const file = join(sub, 'audit.jsonl');
    const { logger, records } = capturingLogger();
    const audit = auditLog({ logger, file });
    renameSync(sub, join(directory, 'moved'));
    audit.reopen();
    audit.record(auditEvent({ requestId: 4 }));
    await audit.close();
    expect(jsonLines(readFileSync(join(directory, 'moved', 'audit.jsonl'), 'utf8')).map((record) => record.requestId)).toEqual([4]);
    expect(records()[0]).toMatchObject({ level: 50, msg: 'audit log could not be reopened; still writing to the file open before', file });
    expect(String(records()[0]?.err && JSON.stringify(records()[0]?.err))).toContain('ENOENT');
  });

  it('does nothing on reopen without a file', async () => {
    const { logger, records } = capturingLogger();
    const audit = auditLog({ logger });
    audit.record(auditEvent({ requestId: 5 }));
    audit.reopen();
    await audit.close();
    expect(records().map((record) => (record.audit as { requestId?: number } | undefined)?.requestId)).toEqual([5]);
  });

  it('falls back to the logger for events recorded after close', async () => {
    const file = join(directory, 'audit.jsonl');
    const { logger, lines, records } = capturingLogger();
    const audit = auditLog({ logger, file });
    await audit.close();
    await audit.close();
    expect(() => audit.record(auditEvent({ tool: 'late' }))).not.toThrow();
    await nextTurn();
    expect(readFileSync(file, 'utf8')).toBe('');
    expect(lines.join('')).not.toContain(PASSWORD);
    expect(records()[0]).toMatchObject({
      level: 50,
      msg: 'audit log write failed; event logged here instead',
      audit: { tool: 'late', args: { apiToken: REDACTED } },
    });
  });
});

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
