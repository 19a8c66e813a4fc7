export {
  redact,
  redactString,
  REDACTED,
  SECRET_MARKER,
  type RedactedError,
} from './redact.js';
export {
  createLogger,
  LOG_LEVELS,
  type CreateLoggerOptions,
  type Logger,
  type LogLevel,
} from './logger.js';
export {
  createAuditLog,
  type AuditEvent,
  type AuditLog,
  type AuditLogOptions,
  type AuditOutcome,
} from './audit.js';
export { installStdoutGuard, type StdoutGuard } from './stdout-guard.js';
