import { describe, expect, it } from 'vitest';
import { AUDIT_SCHEMA, MAX_CLIENT_TEXT, REDACTED, argsDigest, buildAuditEvent, createAuditLog, createLogger } from '../src/index.js';
import type { AuditInput } from '../src/index.js';

const SERVER = { connector: 'postgres', name: 'bastion-postgres', version: '2.1.0' };
const NOW = new Date('2026-03-04T05:06:07.890Z');
const SECRET = 'Pw-0c7e19';

function input(overrides: Partial<AuditInput> = {}): AuditInput {
  return {
    tool: 'run_query',
    principal: 'alice',
    transport: 'http',
    args: { sql: 'select 1', password: SECRET },
    outcome: 'ok',
    durationMs: 3,
    ...overrides,
  } as AuditInput;
}

describe('buildAuditEvent', () => {
  it('names the schema, the connector and the server on every event', () => {
    expect(buildAuditEvent(input(), SERVER, NOW)).toMatchObject({
      schema: AUDIT_SCHEMA,
      time: '2026-03-04T05:06:07.890Z',
      connector: 'postgres',
      server: { name: 'bastion-postgres', version: '2.1.0' },
    });
    expect(AUDIT_SCHEMA).toBe('bastion.audit/1');
  });

  it('digests the arguments as received and records them redacted', () => {
    const args = { sql: 'select 1', password: SECRET };
    const event = buildAuditEvent(input({ args }), SERVER, NOW);
    expect(event.args).toEqual({ sql: 'select 1', password: REDACTED });
    expect(event.argsDigest).toBe(argsDigest(args));
    // Another replica receiving the same call with its keys in another order records the same digest.
    const reordered = buildAuditEvent(input({ args: { password: SECRET, sql: 'select 1' } }), SERVER, NOW);
    expect(reordered.argsDigest).toBe(event.argsDigest);
    expect(buildAuditEvent(input({ args: { sql: 'select 1', password: 'other' } }), SERVER, NOW).argsDigest).not.toBe(event.argsDigest);
  });

  it('records the declared client name and version, redacted and bounded, and nothing for a half declaration', () => {
    const declared = buildAuditEvent(input({ client: { name: 'claude-code', version: '2.0.1', title: 'Claude Code' } }), SERVER, NOW);
    expect(declared.client).toEqual({ name: 'claude-code', version: '2.0.1' });
    const long = buildAuditEvent(input({ client: { name: 'x'.repeat(10_000), version: `token=${SECRET}` } }), SERVER, NOW);
    expect(long.client?.name).toHaveLength(MAX_CLIENT_TEXT);
    expect(long.client?.name.endsWith('…')).toBe(true);
    expect(JSON.stringify(long)).not.toContain(SECRET);
    expect(buildAuditEvent(input({ client: { name: 'only-a-name' } }), SERVER, NOW)).not.toHaveProperty('client');
    expect(buildAuditEvent(input({ client: 'cli' }), SERVER, NOW)).not.toHaveProperty('client');
  });

  it('keeps the OAuth client id apart from the declared client', () => {
    const event = buildAuditEvent(input({ clientId: 'app-123', client: { name: 'cursor', version: '1.0' } }), SERVER, NOW);
    expect(event).toMatchObject({ clientId: 'app-123', client: { name: 'cursor', version: '1.0' } });
  });

  it('records a refusal and a failure with their reason, and no reason otherwise', () => {
    const refused = buildAuditEvent(input({ outcome: 'refused', reason: 'tool_error', error: 'path is outside the allowed roots' }), SERVER, NOW);
    expect(refused).toMatchObject({ outcome: 'refused', reason: 'tool_error', error: 'path is outside the allowed roots' });
    const failed = buildAuditEvent(input({ outcome: 'error', reason: 'upstream_error', error: `from https://u:${SECRET}@db/x` }), SERVER, NOW);
    expect(failed).toMatchObject({ outcome: 'error', reason: 'upstream_error', error: `from https://u:${REDACTED}@db/x` });
    const denied = buildAuditEvent(input({ outcome: 'denied', decision: 'denied by rate:principal' }), SERVER, NOW);
    expect(denied).not.toHaveProperty('reason');
    expect(denied.decision).toBe('denied by rate:principal');
  });

  it('leaves absent fields out instead of writing them as null or undefined', () => {
    const event = buildAuditEvent(input({ clientId: undefined, requestId: undefined, error: undefined, decision: undefined }), SERVER, NOW);
    expect(Object.keys(event)).toEqual(['schema', 'time', 'connector', 'server', 'tool', 'principal', 'transport', 'args', 'argsDigest', 'outcome', 'durationMs']);
  });
});

describe('createAuditLog', () => {
  it('refuses to start without the connector and server every event must name', () => {
    const logger = createLogger({ name: 'audit-test', destination: { write: () => undefined } });
    expect(() => createAuditLog({ logger } as never)).toThrow(
      'createAuditLog needs server.connector, server.name, server.version as non-empty strings',
    );
    expect(() => createAuditLog({ logger, server: { ...SERVER, version: '' } })).toThrow('createAuditLog needs server.version as non-empty strings');
  });
});
