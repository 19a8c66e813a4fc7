import { ToolError, UpstreamError } from '@bastion-mcp/core';

/** What PostgreSQL (or the driver) reported, as node-postgres exposes it. */
interface PgErrorFields {
  code?: string;
  message: string;
  detail?: string;
  hint?: string;
  position?: string;
}

export interface ErrorScene {
  /** The database's configured name, e.g. `default`. */
  readonly database: string;
  /** Where it lives, without credentials (see describeTarget). */
  readonly target: string;
  readonly limits: { statementTimeoutMs: number; lockTimeoutMs: number };
  /** The caller's SQL, when the failure is about it: positions become line and column. */
  readonly sql?: string;
  /** The call was cancelled by the client, so a 57014 is not a timeout. */
  readonly cancelled?: boolean;
}

// 08P01 (protocol violation) concerns the statement, not the connection: PostgreSQL sends it when
// the number of bound parameters differs from the $n the statement uses.
const CONNECTION_CODES = /^(08(?!P01)|28|3D|53|57P)/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/**
 * An error PostgreSQL reported (an ErrorResponse), as node-postgres hands it on: a SQLSTATE
 * `code` and a `severity`. Checked by shape, so that pg need not be loaded to ask.
 */
export function isDatabaseError(error: unknown): error is PgErrorFields & Error & { code: string; severity: string } {
  return isPgError(error) && typeof (error as { severity?: unknown }).severity === 'string';
}

function isPgError(error: unknown): error is PgErrorFields & Error {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}

function lineAndColumn(sql: string, position: number): string {
  const before = sql.slice(0, Math.max(0, position - 1));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

function withDetails(error: PgErrorFields, sql: string | undefined): string {
  const parts = [error.message.replace(/\.$/, '')];
  if (error.position && sql) parts[0] += ` (at ${lineAndColumn(sql, Number(error.position))})`;
  if (error.detail) parts.push(`Detail: ${error.detail.replace(/\.$/, '')}`);
  if (error.hint) parts.push(`Hint: ${error.hint.replace(/\.$/, '')}`);
  return `${parts.join('. ')}.`;
}

/**
 * Turns a failure while talking to PostgreSQL into what the caller can act on: a ToolError for
 * problems with the query (the caller fixes the SQL), an UpstreamError when the database is
 * unreachable or refuses the server (the operator fixes it). Never includes credentials.
 */
export function mapPgError(error: unknown, scene: ErrorScene): Error {
  if (ToolError.isInstance(error) || UpstreamError.isInstance(error)) return error;
  const db = `database "${scene.database}"`;
  if (isPgError(error) && error.code !== undefined && /^[0-9A-Z]{5}$/.test(error.code)) {
    const code = error.code;
    if (code === '57014') {
      return new ToolError(
        scene.cancelled
          ? 'The query was cancelled because the client cancelled the call.'
          : `The query ran longer than the statement timeout (${scene.limits.statementTimeoutMs} ms) and PostgreSQL cancelled it. ` +
            'Make it cheaper (filter with WHERE, add LIMIT, avoid cross joins, check its plan with explain), or ask the operator to raise POSTGRES_STATEMENT_TIMEOUT_MS.',
        { cause: error },
      );
    }
    if (code === '55P03') {
      return new ToolError(
        `The query waited longer than the lock timeout (${scene.limits.lockTimeoutMs} ms) for a lock held by another session. Retry later, or find the blocker with the locks tool.`,
        { cause: error },
      );
    }
    if (code === '25006') {
      return new ToolError(`${db} refused a write: ${withDetails(error, scene.sql)} This server only reads.`, { cause: error });
    }
    if (code === '42501') {
      return new ToolError(
        `Permission denied on ${db}: ${withDetails(error, scene.sql)} The server's role may not read this; ask the operator to GRANT SELECT on it, or query something else.`,
        { cause: error },
      );
    }
    if (code === '08P01' && /^bind message supplies/.test(error.message)) {
      return new ToolError(
        `\`params\` does not fit the query: ${error.message}. Pass exactly one value in \`params\` for each of $1, $2... the SQL uses (none when it uses none).`,
        { cause: error },
      );
    }
    if (CONNECTION_CODES.test(code)) {
      return new UpstreamError(`${db} (${scene.target}) refused the connection: ${error.message} [${code}]`, {
        service: 'PostgreSQL',
        hint: code.startsWith('28') ? 'Check the role and password in the database URL.' : 'Check that the database is up and accepts connections; retry later.',
        ...(code === '53300' || code.startsWith('57P') ? { retryAfterSeconds: 5 } : {}),
        cause: error,
      });
    }
    return new ToolError(`PostgreSQL rejected the query [${code}]: ${withDetails(error, scene.sql)}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  if ((typeof code === 'string' && NETWORK_CODES.has(code)) || /timeout exceeded when trying to connect|Connection terminated/i.test(message)) {
    return new UpstreamError(`${db} (${scene.target}) is unreachable: ${message}`, {
      service: 'PostgreSQL',
      hint: 'Check that the database is up and reachable from this server; retry later.',
      retryAfterSeconds: 5,
      cause: error,
    });
  }
  return error instanceof Error ? error : new Error(message);
}

/** The call outlived its deadline (the statement timeout and a grace) without PostgreSQL answering. */
export function callTimedOut(statementTimeoutMs: number, deadlineMs: number): ToolError {
  return new ToolError(
    `The query ran longer than the statement timeout (${statementTimeoutMs} ms) and PostgreSQL did not end it in time, so the call was ended after ${deadlineMs} ms and its connection closed. ` +
      'Make it cheaper (filter with WHERE, add LIMIT, avoid cross joins, check its plan with explain); a function that catches the cancellation keeps running. ' +
      'Or ask the operator to raise POSTGRES_STATEMENT_TIMEOUT_MS.',
  );
}

/** No connection was free or could be opened before the call's deadline. */
export function noConnectionInTime(database: string, target: string, deadlineMs: number): UpstreamError {
  return new UpstreamError(`database "${database}" (${target}) gave no connection within ${deadlineMs} ms: every connection is busy or the server is slow to accept one.`, {
    service: 'PostgreSQL',
    hint: 'Retry later; if calls often wait, ask the operator to raise POSTGRES_POOL_SIZE.',
    retryAfterSeconds: 5,
  });
}
