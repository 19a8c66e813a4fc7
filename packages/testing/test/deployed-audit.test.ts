// The deployed suite's audit-file check: one event per call made, each with its tool, caller and
// outcome; anything missing, extra, malformed or crashed is named.
import { describe, expect, it } from 'vitest';
import { assertAuditFile } from '../src/index.js';
import type { ExpectedAuditCall } from '../src/index.js';

const event = (fields: Record<string, unknown>) =>
  JSON.stringify({ time: '2026-12-06T10:00:00.000Z', connector: 'demo', transport: 'http', principal: 'alice', args: {}, durationMs: 1.5, ...fields });
const expectations = (calls: ExpectedAuditCall[]) => ({ connector: 'demo', transport: 'http' as const, calls });

describe('assertAuditFile', () => {
  it('accepts one event per call, in any order, and leaves resource and prompt events aside', () => {
    const text = [
      event({ tool: 'list_items', outcome: 'refused', reason: 'invalid_input' }),
      event({ tool: 'resource:items', outcome: 'ok' }),
      event({ tool: 'list_items', outcome: 'ok' }),
      event({ tool: '', principal: 'unauthenticated', outcome: 'denied', decision: 'denied by authentication (401)' }),
      '',
    ].join('\n');
    const events = assertAuditFile(
      text,
      expectations([
        { tool: 'list_items', principal: 'alice', outcome: 'ok' },
        { tool: 'list_items', outcome: 'refused' },
        { tool: '', principal: 'unauthenticated', outcome: 'denied', decision: 'denied by authentication' },
      ]),
    );
    expect(events).toHaveLength(4);
  });

  it('counts the earlier outcome names (tool_error, invalid_input) as refusals', () => {
    const text = [event({ tool: 'a', outcome: 'tool_error' }), event({ tool: 'b', outcome: 'invalid_input' })].join('\n');
    expect(() => assertAuditFile(text, expectations([{ tool: 'a', outcome: 'refused' }, { tool: 'b', outcome: 'refused' }]))).not.toThrow();
  });

  it('names a call without an event and an event without a call', () => {
    const text = event({ tool: 'get_item', outcome: 'ok' });
    expect(() => assertAuditFile(text, expectations([{ tool: 'list_items', principal: 'alice', outcome: 'ok' }]))).toThrow(
      /no audit event for 1 call\(s\):\s+"list_items" by "alice": ok[\s\S]*1 audit event\(s\) match no call made:\s+"get_item" by "alice": ok/,
    );
  });

  it('refuses a second event for one call', () => {
    const line = event({ tool: 'list_items', outcome: 'ok' });
    expect(() => assertAuditFile(`${line}\n${line}`, expectations([{ tool: 'list_items', outcome: 'ok' }]))).toThrow(/match no call made/);
  });

  it('tells a crash from a refusal', () => {
    const text = event({ tool: 'list_items', outcome: 'error', reason: 'internal_error' });
    expect(() => assertAuditFile(text, expectations([{ tool: 'list_items', outcome: 'refused' }]))).toThrow(/"list_items" by "alice": crashed/);
  });

  it('holds a denial to its decision', () => {
    const text = event({ tool: 'list_items', outcome: 'denied', decision: 'denied by rate:principal' });
    expect(() => assertAuditFile(text, expectations([{ tool: 'list_items', outcome: 'denied', decision: 'denied by rate:tool' }]))).toThrow(
      /"denied by rate:principal"/,
    );
  });

  it('names lines that are not JSON objects and events missing their fields', () => {
    const text = ['not json', '[1]', JSON.stringify({ tool: 'x', connector: 'other', transport: 'stdio' })].join('\n');
    const error = (() => {
      try {
        assertAuditFile(text, expectations([]));
      } catch (caught) {
        return (caught as Error).message;
      }
      return '';
    })();
    expect(error).toMatch(/line 1 is not JSON/);
    expect(error).toMatch(/line 2 is not a JSON object/);
    for (const problem of ['connector is "other"', 'transport is "stdio"', 'principal is missing', 'outcome is missing', 'time undefined', 'durationMs undefined', 'args is missing']) {
      expect(error).toContain(problem);
    }
  });
});
