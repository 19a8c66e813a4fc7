// packages/logging/audit-event.schema.json against what the runtime writes, what docs/audit.md says, and
// what assertAuditEvents reports when an event does not match.
import { readFileSync } from 'node:fs';
import { buildAuditEvent } from '@bastion-mcp/logging';
import type { AuditInput } from '@bastion-mcp/logging';
import { afterEach, describe, expect, it } from 'vitest';
import { AUDIT_EVENT_SCHEMA_PATH, assertAuditEvents, createTestClient } from '../src/index.js';
import type { TestClient } from '../src/index.js';
import { DEMO_ENV, demoConnector } from './support/demo-connector.js';

const AUDIT_DOC = new URL('../../../docs/audit.md', import.meta.url);
const SERVER = { connector: 'demo', name: 'bastion-demo', version: '1.0.0' };
const schema = JSON.parse(readFileSync(AUDIT_EVENT_SCHEMA_PATH, 'utf8')) as {
  properties: Record<string, { enum?: string[] }>;
  additionalProperties: boolean;
};
const doc = readFileSync(AUDIT_DOC, 'utf8');

const event = (overrides: Partial<AuditInput> = {}) =>
  buildAuditEvent({ tool: 'get_item', principal: 'alice', transport: 'stdio', args: { id: 1 }, outcome: 'ok', durationMs: 1, ...overrides } as AuditInput, SERVER);

let session: TestClient | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
});

describe('the published schema', () => {
  it('accepts every event the runtime writes, on both protocol eras', async () => {
    for (const era of ['legacy', 'modern'] as const) {
      session = await createTestClient(demoConnector(), { env: DEMO_ENV, era, argv: ['--max-result-bytes', '1024'] });
      await session.callTool('get_item', { id: 1 });
      await session.callTool('get_item', { id: 999 });
      await session.callTool('get_item', { id: 'one' });
      await session.callTool('read_note', { note: 'n'.repeat(5_000) });
      await session.callTool('fail_upstream');
      await session.callTool('fail_internally');
      await session.callTool('break_contract');
      const controller = new AbortController();
      const slow = session.client.callTool({ name: 'slow_count', arguments: { to: 100 } }, { signal: controller.signal });
      setTimeout(() => controller.abort('enough'), 30);
      await slow.catch(() => undefined);
      await expect.poll(async () => (await session!.auditEvents()).length).toBe(8);
      const events = assertAuditEvents(await session.auditEvents());
      expect(events.map((item) => [item.outcome, item.reason])).toEqual([
        ['ok', undefined],
        ['refused', 'tool_error'],
        ['refused', 'invalid_input'],
        ['refused', 'result_too_large'],
        ['error', 'upstream_error'],
        ['error', 'internal_error'],
        ['error', 'invalid_output'],
        ['cancelled', undefined],
      ]);
      expect(new Set(events.map((item) => JSON.stringify(item.client)))).toEqual(new Set([JSON.stringify({ name: 'bastion-test-client', version: '0.0.0' })]));
      await session.close();
      session = undefined;
    }
  });

  it('rejects fields it does not publish, so the events cannot drift from it', () => {
    expect(schema.additionalProperties).toBe(false);
    expect(() => assertAuditEvents([{ ...event(), sessionId: 'abc' }])).toThrow('(event): unknown field "sessionId"');
  });

  it('is described field by field, with every outcome and reason, in docs/audit.md', () => {
    for (const field of Object.keys(schema.properties)) expect(doc, field).toContain(`| \`${field}\` |`);
    for (const value of [...(schema.properties.outcome?.enum ?? []), ...(schema.properties.reason?.enum ?? [])]) {
      expect(doc, value).toContain(`| \`${value}\` |`);
    }
  });

  it('accepts the examples in docs/audit.md', () => {
    const examples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => JSON.parse(match[1]!.replaceAll('\n', '')) as object);
    expect(examples).toHaveLength(4);
    expect(assertAuditEvents(examples)).toHaveLength(4);
  });
});

describe('assertAuditEvents', () => {
  it('reads audit file text, log lines with the event under "audit", and parsed events', () => {
    const file = `${JSON.stringify(event())}\n${JSON.stringify(event({ outcome: 'refused', reason: 'tool_error', error: 'no' }))}\n`;
    expect(assertAuditEvents(file)).toHaveLength(2);
    const logLine = JSON.stringify({ level: 30, time: 1, stream: 'audit', audit: event(), msg: 'audit' });
    expect(assertAuditEvents([logLine, event()])).toEqual([event(), event()].map((item) => ({ ...item, time: expect.any(String) })));
  });

  it('names each failing event, its tool and outcome, and each failing field', () => {
    const ok = event();
    const bad = [
      ok,
      { ...event({ outcome: 'refused', reason: 'upstream_error' as never, error: 'x' }) },
      { ...event({ outcome: 'denied', decision: 'allowed' }), reason: 'tool_error', time: 'yesterday' },
      { ...event(), server: { name: 'bastion-demo' }, argsDigest: 'md5:abc' },
      '{"schema": "bastion.audit/1",',
    ];
    let message = '';
    try {
      assertAuditEvents(bad);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`4 of 5 audit events do not match ${AUDIT_EVENT_SCHEMA_PATH}`);
    expect(message).not.toContain('audit event 1 ');
    expect(message).toContain('audit event 2 (tool "get_item", outcome "refused"):\n    - reason: "upstream_error" is not one of "invalid_input", "tool_error", "not_found", "result_too_large" (outcome "refused")');
    expect(message).toContain('audit event 3 (tool "get_item", outcome "denied")');
    expect(message).toContain('    - time: "yesterday" must match format "date-time"');
    expect(message).toContain('    - reason: not allowed (outcome "denied")');
    expect(message).toContain('    - decision: "allowed" must match pattern "^denied"');
    expect(message).toContain('    - error: missing (outcome "denied")');
    expect(message).toContain('    - server.version: missing');
    expect(message).toContain('    - argsDigest: "md5:abc" must match pattern');
    expect(message).toMatch(/audit event 5: not JSON \(.+\): \{"schema": "bastion.audit\/1",/);
  });

  it('says which schema file it could not read', () => {
    expect(() => assertAuditEvents([event()], { schemaPath: '/nonexistent/audit.schema.json' })).toThrow(
      /^cannot read the audit event schema \/nonexistent\/audit.schema.json: ENOENT/,
    );
  });
});
