// The audit file a deployed connector wrote, held to what the suite did: every line one JSON
// event, and exactly one event per tools/call request, with the tool, caller and outcome expected.
import { readFile, stat } from 'node:fs/promises';
import { assertAuditEvents } from './audit-schema.js';

/** How a call the suite made must have ended. `refused`: a tool error or invalid input, not a crash. */
export type ExpectedOutcome = 'ok' | 'refused' | 'denied';

export interface ExpectedAuditCall {
  /** The tool as called; empty for a request refused before a tool was named (a 401). */
  readonly tool: string;
  /** The caller the event must name; any caller when left out (stdio). */
  readonly principal?: string;
  readonly outcome: ExpectedOutcome;
  /** The event's decision must start with this (`denied by rate:tool`, `denied by <rule>`...). */
  readonly decision?: string;
}

export interface AuditFileExpectations {
  readonly connector: string;
  readonly transport: 'http' | 'stdio';
  readonly calls: readonly ExpectedAuditCall[];
}

type Event = Record<string, unknown>;

const REFUSED_OUTCOMES = new Set(['refused', 'tool_error', 'invalid_input', 'upstream_error', 'error']);

/** Events for resources and prompts are named `resource:...` and `prompt:...`; the rest are tools/call. */
function isToolCall(event: Event): boolean {
  return typeof event.tool === 'string' && !/^(resource|prompt):/.test(event.tool);
}

function outcomeClass(event: Event): string {
  const { outcome, reason } = event;
  if (outcome === 'internal_error' || reason === 'internal_error') return 'crashed';
  if (outcome === 'ok' || outcome === 'denied') return outcome;
  return typeof outcome === 'string' && REFUSED_OUTCOMES.has(outcome) ? 'refused' : `unexpected outcome ${JSON.stringify(outcome)}`;
}

const label = (tool: unknown, principal: unknown, outcome: string) => `${JSON.stringify(tool)} by ${JSON.stringify(principal)}: ${outcome}`;

function shapeProblems(event: Event, expected: AuditFileExpectations): string[] {
  const problems: string[] = [];
  if (event.connector !== expected.connector) problems.push(`connector is ${JSON.stringify(event.connector)}, not "${expected.connector}"`);
  if (event.transport !== expected.transport) problems.push(`transport is ${JSON.stringify(event.transport)}, not "${expected.transport}"`);
  if (typeof event.tool !== 'string') problems.push('tool is missing');
  if (typeof event.principal !== 'string' || event.principal === '') problems.push('principal is missing');
  if (typeof event.outcome !== 'string' || event.outcome === '') problems.push('outcome is missing');
  if (typeof event.time !== 'string' || Number.isNaN(Date.parse(event.time))) problems.push(`time ${JSON.stringify(event.time)} is not a timestamp`);
  if (typeof event.durationMs !== 'number' || !(event.durationMs >= 0)) problems.push(`durationMs ${JSON.stringify(event.durationMs)} is not a duration`);
  if (!('args' in event)) problems.push('args is missing');
  return problems;
}

/**
 * Parses an audit file's text and checks it against the calls made: each line a JSON object with
 * the connector, transport, tool, principal, outcome, time and duration, and exactly one tools/call
 * event per expected call. Throws one error listing every problem; returns the events.
 */
export function assertAuditFile(text: string, expected: AuditFileExpectations): Event[] {
  const problems: string[] = [];
  const events: Event[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push(`line ${index + 1} is not JSON: ${line.slice(0, 120)}`);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`line ${index + 1} is not a JSON object: ${line.slice(0, 120)}`);
      return;
    }
    const event = value as Event;
    events.push(event);
    for (const problem of shapeProblems(event, expected)) problems.push(`line ${index + 1} (${JSON.stringify(event.tool)}): ${problem}`);
  });

  const missing = [...expected.calls];
  const unexpected: string[] = [];
  for (const event of events.filter(isToolCall)) {
    const outcome = outcomeClass(event);
    const at = missing.findIndex(
      (call) =>
        call.tool === event.tool &&
        call.outcome === outcome &&
        (call.principal === undefined || call.principal === event.principal) &&
        (call.decision === undefined || (typeof event.decision === 'string' && event.decision.startsWith(call.decision))),
    );
    if (at >= 0) missing.splice(at, 1);
    else unexpected.push(`${label(event.tool, event.principal, outcome)} (${JSON.stringify(event.decision)})`);
  }
  if (missing.length > 0) {
    const calls = missing.map((call) => `${label(call.tool, call.principal ?? '(any caller)', call.outcome)}${call.decision ? ` (${call.decision}...)` : ''}`);
    problems.push(`no audit event for ${missing.length} call(s):\n      ${calls.join('\n      ')}`);
  }
  if (unexpected.length > 0) problems.push(`${unexpected.length} audit event(s) match no call made:\n      ${unexpected.join('\n      ')}`);
  if (problems.length > 0) {
    throw new Error(`the ${expected.transport} audit file of ${expected.connector} (${events.length} events, ${expected.calls.length} calls made):\n  ${problems.join('\n  ')}`);
  }
  return events;
}

/**
 * Reads the audit file a stopped server left at `path` and checks it: mode 0600, the calls made
 * (assertAuditFile) and the published event schema (assertAuditEvents).
 */
export async function checkAuditFile(path: string, expected: AuditFileExpectations): Promise<void> {
  const mode = (await stat(path)).mode & 0o777;
  if (mode !== 0o600) throw new Error(`the audit file ${path} has mode ${mode.toString(8)}, not 600`);
  const text = await readFile(path, 'utf8');
  assertAuditFile(text, expected);
  assertAuditEvents(text);
}
