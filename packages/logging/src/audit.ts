import { openAuditFile } from './audit-file.js';
import type { Logger } from './logger.js';
import { redact, redactString } from './redact.js';

export type AuditOutcome =
  | 'ok'
  | 'tool_error'
  | 'upstream_error'
  | 'invalid_input'
  | 'internal_error'
  | 'cancelled'
  | 'denied';

export interface AuditEvent {
  time: string;
  connector: string;
  tool: string;
  principal: string;
  clientId?: string;
  requestId?: string | number;
  transport: 'stdio' | 'http' | 'memory';
  args: unknown;
  outcome: AuditOutcome;
  durationMs: number;
  error?: string;
  decision?: string;
  resultBytes?: number;
  truncated?: boolean;
  upstreamRequestId?: string;
}

export interface AuditLogOptions {
  logger: Logger;
  /** Append JSON lines here instead of logging them; opened (mode 0600) when the log is created. */
  file?: string;
}

export interface AuditLog {
  record(event: AuditEvent): void;
  /** Resolves once every recorded event is in the file and the file is closed. */
  close(): Promise<void>;
}

export function createAuditLog(options: AuditLogOptions): AuditLog {
  const { logger, file } = options;
  if (file === undefined) {
    return {
      record: (event) => logger.info({ audit: sanitizeAuditEvent(event) }, 'audit'),
      close: () => Promise.resolve(),
    };
  }

  const auditFile = openAuditFile(file);
  return {
    record(event) {
      const audit = sanitizeAuditEvent(event);
      try {
        auditFile.append(`${JSON.stringify(audit, jsonSafe)}\n`);
      } catch (err) {
        // Failing the tool call would not undo it; keep the event in the log instead of losing it.
        logger.error({ err, audit, file }, 'audit log write failed; event logged here instead');
      }
    },
    close: () => auditFile.close(),
  };
}

/**
 * A copy holding only the known fields, with arguments and free text redacted. Absent optional
 * fields stay undefined, which JSON serialisation drops.
 */
function sanitizeAuditEvent(event: AuditEvent): AuditEvent {
  return {
    time: event.time,
    connector: event.connector,
    tool: event.tool,
    principal: event.principal,
    clientId: event.clientId,
    requestId: event.requestId,
    transport: event.transport,
    args: redact(event.args),
    outcome: event.outcome,
    durationMs: Math.round(event.durationMs * 1000) / 1000,
    error: redactOptionalText(event.error),
    decision: redactOptionalText(event.decision),
    resultBytes: event.resultBytes,
    truncated: event.truncated,
    upstreamRequestId: event.upstreamRequestId,
  };
}

function redactOptionalText(text: string | undefined): string | undefined {
  return text === undefined ? undefined : redactString(String(text));
}

function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
