import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOG_LEVELS, REDACTED, SECRET_MARKER, createLogger } from '../src/index.js';
import type { LogLevel } from '../src/index.js';
import { FAKE } from './support/fake-secrets.js';
import { jsonLines, runWithLogging } from './support/run-node.js';

const PASSWORD = 'Pw-4f1c9e';

function capturingLogger(level: LogLevel = 'info') {
  const lines: string[] = [];
  const destination = { write: (line: string) => lines.push(line) };
  const logger = createLogger({ name: 'test-connector', level, destination });
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, records };
}

describe('createLogger: redaction', () => {
  it('redacts the merge object and the message', () => {
    const { logger, lines, records } = capturingLogger();
    logger.info(
      {
        dsn: `postgres://app:${PASSWORD}@db/prod`,
        upstream: { url: `https://u:${PASSWORD}@api/x` },
      },
      `connect to postgres://app:${PASSWORD}@db/prod`,
    );
    expect(lines.join('')).not.toContain(PASSWORD);
    expect(records()[0]).toMatchObject({
      dsn: REDACTED,
      upstream: { url: `https://u:${REDACTED}@api/x` },
      msg: `connect to postgres://app:${REDACTED}@db/prod`,
    });
  });

  it('redacts interpolated arguments, also a secret split across template and argument', () => {
    const { logger, lines, records } = capturingLogger();
    logger.info('token %s and body %j', FAKE.githubClassic, { password: PASSWORD, n: 1 });
    logger.warn('postgres://app:%s@db/prod', PASSWORD);
    expect(lines.join('')).not.toContain(PASSWORD);
    expect(lines.join('')).not.toContain(FAKE.githubClassic);
    expect(records().map((record) => record.msg)).toEqual([
      `token ${REDACTED} and body {"password":"${REDACTED}","n":1}`,
      `postgres://app:${REDACTED}@db/prod`,
    ]);
  });

  it('interpolates like pino does', () => {
    const { logger, records } = capturingLogger();
    // pino's typings reject a surplus argument and misparse '%%', which is the point here.
    Reflect.apply(logger.info, logger, ['%d%% of %i items, %s', 12.5, 7.9, 'done', 'ignored']);
    logger.info({ a: 1 }, 'plain %s');
    expect(records().map((record) => record.msg)).toEqual(['12.5% of 7 items, done', 'plain %s']);
  });

  it('redacts marked secrets passed as merge fields or arguments', () => {
    const { logger, lines, records } = capturingLogger();
    const secret = { [SECRET_MARKER]: true, toString: () => PASSWORD };
    logger.info({ upstreamKey: secret }, 'using %s', secret);
    expect(lines.join('')).not.toContain(PASSWORD);
    expect(records()[0]).toMatchObject({ upstreamKey: REDACTED, msg: `using ${REDACTED}` });
  });

  it('keeps the stack of an { err } but redacts its message, stack and fields', () => {
    const { logger, lines, records } = capturingLogger();
    const err = Object.assign(new Error(`login failed for postgres://app:${PASSWORD}@db`), {
      request: { headers: { Authorization: `Bearer ${PASSWORD}` } },
    });
    logger.error({ err }, 'upstream failed');
    logger.error(err);
    expect(lines.join('')).not.toContain(PASSWORD);
    const [withMessage, alone] = records() as { err: Record<string, unknown>; msg: string }[];
    expect(withMessage?.msg).toBe('upstream failed');
    expect(withMessage?.err).toMatchObject({
      type: 'Error',
      message: `login failed for postgres://app:${REDACTED}@db`,
      request: { headers: { Authorization: REDACTED } },
    });
    expect(withMessage?.err.stack).toMatch(
      /^Error: login failed for postgres:\/\/app:\[REDACTED\]@db\n\s+at /,
    );
    expect(alone?.msg).toBe(`login failed for postgres://app:${REDACTED}@db`);
    expect(alone?.err.stack).toContain('logger.test.ts');
  });

  it('redacts child bindings', () => {
    const { logger, lines, records } = capturingLogger();
    const child = logger.child({ requestToken: PASSWORD, tool: 'search' });
    child.child({ connection: `redis://:${PASSWORD}@cache` }).info('hello');
    child.setBindings({ apiKey: PASSWORD });
    child.info('again');
    expect(lines.join('')).not.toContain(PASSWORD);
    expect(records()[0]).toMatchObject({
      requestToken: REDACTED,
      tool: 'search',
      connection: `redis://:${REDACTED}@cache`,
    });
    expect(records()[1]).toMatchObject({ apiKey: REDACTED });
  });

  it('does not mutate what it logs', () => {
    const { logger } = capturingLogger();
    const payload = { password: PASSWORD, nested: { token: PASSWORD } };
    logger.info(payload, 'payload');
    expect(payload).toEqual({ password: PASSWORD, nested: { token: PASSWORD } });
  });
});

describe('createLogger: record shape', () => {
  it('writes name, pid and an ISO time, and no hostname', () => {
    const { logger, records } = capturingLogger();
    logger.info('hello');
    const [record] = records();
    expect(record).toMatchObject({
      level: 30,
      name: 'test-connector',
      pid: process.pid,
      msg: 'hello',
    });
    expect(record?.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(record).not.toHaveProperty('hostname');
  });

  it('honours the level', () => {
    const { logger, records } = capturingLogger('warn');
    logger.info('dropped');
    logger.warn('kept');
    expect(records().map((record) => record.msg)).toEqual(['kept']);
    expect(logger.level).toBe('warn');
  });

  it('lists the levels from most to least severe', () => {
    expect(LOG_LEVELS).toEqual(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
  });
});

describe('createLogger: default destination', () => {
  it('writes to stderr (fd 2) and never to stdout', () => {
    const run = runWithLogging(`
      const logger = logging.createLogger({ name: 'child-connector' });
      logger.info({ password: 'pw-in-child' }, 'from the child');
      logger.error(new Error('boom'));
    `);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    const records = jsonLines(run.stderr);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      name: 'child-connector',
      msg: 'from the child',
      password: REDACTED,
    });
    expect(records[1]).toMatchObject({ level: 50, msg: 'boom' });
  });

  it('has every line on fd 2 by the time the log call returns', () => {
    const stderrFile = join(mkdtempSync(join(tmpdir(), 'bastion-log-')), 'stderr.log');
    try {
      // stdout is only the probe's report channel here.
      const run = runWithLogging(
        `
        import { fstatSync } from 'node:fs';
        const logger = logging.createLogger({ name: 'sync' });
        const before = fstatSync(2).size;
        for (let i = 0; i < 200; i += 1) logger.info({ i }, 'written now');
        process.stdout.write(JSON.stringify({ before, after: fstatSync(2).size }));
      `,
        { stderrFile },
      );
      const { before, after } = JSON.parse(run.stdout) as { before: number; after: number };
      expect(before).toBe(0);
      expect(after).toBe(Buffer.byteLength(run.stderr));
      expect(jsonLines(run.stderr)).toHaveLength(200);
    } finally {
      rmSync(dirname(stderrFile), { recursive: true, force: true });
    }
  });

  it('loses nothing written right before process.exit', () => {
    const run = runWithLogging(`
      const logger = logging.createLogger({ name: 'exiting' });
      for (let i = 0; i < 500; i += 1) logger.info({ i }, 'line');
      process.exit(3);
    `);
    expect(run.status).toBe(3);
    expect(jsonLines(run.stderr)).toHaveLength(500);
  });
});
