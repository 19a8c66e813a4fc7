import pino from 'pino';
import { openAuditFile } from './audit-file.js';
import type { AuditFile } from './audit-file.js';
import { buildAuditEvent } from './audit-event.js';
import type { AuditEvent, AuditInput, AuditServer } from './audit-event.js';
import type { Logger } from './logger.js';

export interface AuditLogOptions {
  logger: Logger;
  /** The connector and server every event names. */
  server: AuditServer;
  /** Append JSON lines here instead of logging them; opened (mode 0600) when the log is created. */
  file?: string;
}

export interface AuditLog {
  /** Builds the event (see buildAuditEvent) and queues it for writing. */
  record(input: AuditInput): void;
  /**
   * With a file: writes what is pending to the current file, then opens the path again, so a
   * rotated-away file is replaced by a new one (send SIGHUP after logrotate). A failure is logged
   * and the old file kept. Without a file it does nothing.
   */
  reopen(): void;
  /** Resolves once every recorded event is in the file and the file is closed. */
  close(): Promise<void>;
}

/**
 * Audit events are written after the call's response has gone out: the lines recorded during one
 * turn of the event loop go out together in one write, so auditing adds no latency to a call and
 * one system call per batch under load. `close()` writes whatever is pending, synchronously.
 */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  const { logger, file } = options;
  const server = checkedServer(options.server);
  const sink = file === undefined ? loggerSink(logger) : fileSink(openAuditFile(file), logger, file);
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    sink.write(batch);
  };
  return {
    record(input) {
      pending.push(sink.line(buildAuditEvent(input, server)));
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    reopen() {
      flush();
      sink.reopen();
    },
    async close() {
      flush();
      await sink.close();
    },
  };
}

interface AuditSink {
  line(event: AuditEvent): string;
  write(lines: string[]): void;
  reopen(): void;
  close(): Promise<void>;
}

/**
 * Lines in the logger's own format and destination, whatever its level: quieting the logs must
 * not silence the audit. The event is already redacted, so it skips the logger's redaction pass.
 */
function loggerSink(logger: Logger): AuditSink {
  const stream = (logger as unknown as Record<symbol, { write(chunk: string): unknown }>)[pino.symbols.streamSym];
  const bindings = (logger as unknown as Record<symbol, string>)[pino.symbols.chindingsSym] ?? '';
  if (!stream) {
    return {
      line: (event) => JSON.stringify(event, jsonSafe),
      write: (lines) => lines.forEach((line) => logger.info({ audit: JSON.parse(line) as unknown }, 'audit')),
      reopen: () => undefined,
      close: () => Promise.resolve(),
    };
  }
  return {
    line: (event) =>
      `{"level":30,"time":${JSON.stringify(event.time)}${bindings},"stream":"audit","audit":${JSON.stringify(event, jsonSafe)},"msg":"audit"}\n`,
    write: (lines) => {
      stream.write(lines.join(''));
    },
    reopen: () => undefined,
    close: () => Promise.resolve(),
  };
}

function fileSink(auditFile: AuditFile, logger: Logger, file: string): AuditSink {
  return {
    line: (event) => `${JSON.stringify(event, jsonSafe)}\n`,
    write(lines) {
      try {
        auditFile.append(lines.join(''));
      } catch (err) {
        // Failing the tool call would not undo it; keep the events in the log instead of losing them.
        for (const line of lines) {
          logger.error({ err, audit: JSON.parse(line) as unknown, file }, 'audit log write failed; event logged here instead');
        }
      }
    },
    reopen() {
      try {
        auditFile.reopen();
        logger.info({ file }, 'audit log reopened');
      } catch (err) {
        logger.error({ err, file }, 'audit log could not be reopened; still writing to the file open before');
      }
    },
    close: () => auditFile.close(),
  };
}

function checkedServer(server: AuditServer | undefined): AuditServer {
  const { connector, name, version } = server ?? ({} as Partial<AuditServer>);
  const given = { connector, name, version };
  const missing = Object.entries(given).filter(([, value]) => typeof value !== 'string' || value.length === 0);
  if (missing.length > 0 || connector === undefined || name === undefined || version === undefined) {
    const fields = missing.map(([field]) => `server.${field}`).join(', ');
    throw new TypeError(`createAuditLog needs ${fields} as non-empty strings: every audit event names the connector and server that wrote it`);
  }
  return { connector, name, version };
}

function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
