import pino from 'pino';
import { formatMessage } from './format-message.js';
import { redact, redactString } from './redact.js';
import { isMarkedSecret, REDACTED } from './redaction-markers.js';

const ERROR_KEY = 'err';

/**
 * pino `formatters.log`: redacts the merge object. An Error under `err` is serialised here,
 * with its stack, because the generic redactor would drop the stack operators need.
 */
export function redactLogRecord(record: Record<string, unknown>): Record<string, unknown> {
  if (isMarkedSecret(record)) return { value: REDACTED };
  const error = record[ERROR_KEY];
  const prepared =
    error instanceof Error ? { ...record, [ERROR_KEY]: pino.stdSerializers.err(error) } : record;
  const safe = redact(prepared);
  return typeof safe === 'object' && safe !== null ? (safe as Record<string, unknown>) : {};
}

/**
 * pino `hooks.logMethod`: formats the message from its template and parameters, then redacts
 * the finished text, so a secret split across template and arguments is still caught.
 */
export function redactLogArguments(args: readonly unknown[]): unknown[] {
  const [first, ...rest] = args;
  if (typeof first === 'object' || first === undefined) {
    // (mergeObject, message?, ...params); a lone Error or { err } supplies the message itself.
    if (rest.length === 0) {
      const implicit = implicitMessage(first);
      return implicit === undefined ? [first] : [first, redactString(implicit)];
    }
    return [first, ...redactMessage(rest)];
  }
  return redactMessage(args);
}

function redactMessage([message, ...params]: readonly unknown[]): unknown[] {
  if (typeof message === 'string') {
    const safeParams = params.map((param) =>
      typeof param === 'object' && param !== null && isMarkedSecret(param) ? REDACTED : param,
    );
    return [redactString(formatMessage(message, safeParams, stringifyRedacted))];
  }
  return [message, ...params].map((value) => redact(value));
}

function implicitMessage(mergeObject: unknown): string | undefined {
  if (mergeObject instanceof Error) return mergeObject.message;
  if (typeof mergeObject !== 'object' || mergeObject === null) return undefined;
  const { msg, [ERROR_KEY]: error } = mergeObject as Record<string, unknown>;
  if (msg !== undefined || !error) return undefined;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' ? message : undefined;
}

function stringifyRedacted(value: unknown): string {
  try {
    return JSON.stringify(redact(value), (_key, item: unknown) =>
      typeof item === 'bigint' ? item.toString() : item,
    );
  } catch {
    return '"[Unserializable]"';
  }
}
