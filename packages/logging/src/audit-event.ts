import { argsDigest } from './audit-digest.js';
import { redact, redactString } from './redact.js';

/** The `schema` of every event; it changes only when a field changes meaning or is removed. */
export const AUDIT_SCHEMA = 'bastion.audit/1';

export type AuditTransport = 'stdio' | 'http' | 'memory';

/** Why a call was refused as the caller's fault: fixing the call makes it succeed. */
export type AuditRefusalReason = 'invalid_input' | 'tool_error' | 'not_found' | 'result_too_large';

/** Why a call failed on the server's or the upstream's side. */
export type AuditErrorReason = 'upstream_error' | 'internal_error' | 'invalid_output';

export type AuditReason = AuditRefusalReason | AuditErrorReason;

/**
 * How a call ended. `denied` is decided before the tool runs (authentication, scopes, policy,
 * limits) and says by what in `decision`; `refused` and `error` come from the tool's run.
 */
export type AuditVerdict =
  | { outcome: 'ok' }
  | { outcome: 'refused'; reason: AuditRefusalReason }
  | { outcome: 'error'; reason: AuditErrorReason }
  | { outcome: 'denied'; decision: string }
  | { outcome: 'cancelled' };

export type AuditOutcome = AuditVerdict['outcome'];

/** The connector process that writes the events, fixed when the audit log is created. */
export interface AuditServer {
  /** The connector's short name, e.g. `filesystem`. */
  connector: string;
  /** The MCP server name it announces, e.g. `bastion-filesystem`. */
  name: string;
  version: string;
}

/** What the caller of `AuditLog.record` knows about one call; everything else is added by the builder. */
export type AuditInput = AuditVerdict & {
  /** The tool, `resource:<name>`, `resource:<name>:list` or `prompt:<name>`; empty when a refused request named none. */
  tool: string;
  principal: string;
  /** The OAuth client id (token `client_id` or `azp`). */
  clientId?: string | undefined;
  /** The `clientInfo` the client declared (initialize, or the request's `_meta`), as received. */
  client?: unknown;
  requestId?: string | number | undefined;
  transport: AuditTransport;
  /** The arguments as received: digested as they are, recorded redacted. */
  args: unknown;
  durationMs: number;
  error?: string | undefined;
  decision?: string | undefined;
  resultBytes?: number | undefined;
  truncated?: boolean | undefined;
  upstreamRequestId?: string | undefined;
  remoteAddress?: string | undefined;
};

/** One line of the audit log, as docs/audit.md and packages/logging/audit-event.schema.json publish it. */
export interface AuditEvent {
  schema: typeof AUDIT_SCHEMA;
  time: string;
  connector: string;
  server: { name: string; version: string };
  tool: string;
  principal: string;
  clientId?: string;
  client?: { name: string; version: string };
  requestId?: string | number;
  transport: AuditTransport;
  args: unknown;
  argsDigest?: string;
  outcome: AuditOutcome;
  reason?: AuditReason;
  decision?: string;
  error?: string;
  durationMs: number;
  resultBytes?: number;
  truncated?: boolean;
  upstreamRequestId?: string;
  remoteAddress?: string;
}

/** Declared client names and versions are the peer's own text: kept short in the log. */
export const MAX_CLIENT_TEXT = 256;

/**
 * The one place an audit event is shaped: every field in a fixed order, arguments digested
 * before they are redacted, free text redacted, absent fields left out.
 */
export function buildAuditEvent(input: AuditInput, server: AuditServer, now: Date = new Date()): AuditEvent {
  const client = clientOf(input.client);
  const digest = argsDigest(input.args);
  const event: AuditEvent = {
    schema: AUDIT_SCHEMA,
    time: now.toISOString(),
    connector: server.connector,
    server: { name: server.name, version: server.version },
    tool: input.tool,
    principal: input.principal,
    ...(input.clientId === undefined ? {} : { clientId: input.clientId }),
    ...(client === undefined ? {} : { client }),
    ...(input.requestId === undefined ? {} : { requestId: input.requestId }),
    transport: input.transport,
    args: redact(input.args),
    ...(digest === undefined ? {} : { argsDigest: digest }),
    outcome: input.outcome,
    ...('reason' in input && input.reason !== undefined ? { reason: input.reason } : {}),
    ...(input.decision === undefined ? {} : { decision: redactString(String(input.decision)) }),
    ...(input.error === undefined ? {} : { error: redactString(String(input.error)) }),
    durationMs: Math.max(0, Math.round(input.durationMs * 1000) / 1000),
    ...(input.resultBytes === undefined ? {} : { resultBytes: input.resultBytes }),
    ...(input.truncated === undefined ? {} : { truncated: input.truncated }),
    ...(input.upstreamRequestId === undefined ? {} : { upstreamRequestId: input.upstreamRequestId }),
    ...(input.remoteAddress === undefined ? {} : { remoteAddress: input.remoteAddress }),
  };
  return event;
}

/** Both name and version, as strings, or nothing: a half-declared client is not an identity. */
function clientOf(declared: unknown): { name: string; version: string } | undefined {
  if (typeof declared !== 'object' || declared === null) return undefined;
  const { name, version } = declared as { name?: unknown; version?: unknown };
  if (typeof name !== 'string' || typeof version !== 'string') return undefined;
  return { name: clientText(name), version: clientText(version) };
}

function clientText(text: string): string {
  const redacted = redactString(text);
  if (redacted.length <= MAX_CLIENT_TEXT) return redacted;
  let end = MAX_CLIENT_TEXT - 1;
  // Never end on the first half of a surrogate pair.
  if (/[\uD800-\uDBFF]/.test(redacted.charAt(end - 1))) end -= 1;
  return `${redacted.slice(0, end)}…`;
}
