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
export { createAuditLog, type AuditLog, type AuditLogOptions } from './audit.js';
export {
  AUDIT_SCHEMA,
  MAX_CLIENT_TEXT,
  buildAuditEvent,
  type AuditErrorReason,
  type AuditEvent,
  type AuditInput,
  type AuditOutcome,
  type AuditReason,
  type AuditRefusalReason,
  type AuditServer,
  type AuditTransport,
  type AuditVerdict,
} from './audit-event.js';
export { argsDigest, canonicalJson } from './audit-digest.js';
export { installStdoutGuard, type StdoutGuard } from './stdout-guard.js';
