import { isMarkedSecret, REDACTED } from './redaction-markers.js';
import { redactString } from './redact-string.js';
import { isSecretField } from './secret-keys.js';

export { REDACTED, SECRET_MARKER } from './redaction-markers.js';
export { redactString } from './redact-string.js';

const MAX_DEPTH = 32;
const CIRCULAR = '[Circular]';
const TOO_DEEP = '[MaxDepth]';
const UNREADABLE = '[Unreadable]';

export interface RedactedError {
  name: string;
  message: string;
  code?: string | number;
  cause?: unknown;
}

/**
 * A deep copy of `value` that is safe to log: secret-named fields and marked secrets become
 * REDACTED, other strings go through redactString, errors lose their stacks, binary data is
 * summarised, cycles and excessive depth are cut. The input is never modified.
 */
export function redact(value: unknown): unknown {
  return redactValue(value, 0, new Set());
}

function redactValue(value: unknown, depth: number, ancestors: Set<object>): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value !== 'object' || value === null) return value;
  if (isMarkedSecret(value)) return REDACTED;
  if (ancestors.has(value)) return CIRCULAR;
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  ancestors.add(value);
  try {
    return redactObject(value, depth + 1, ancestors);
  } catch {
    // Getters, proxies and toJSON can throw; the log line must still be written.
    return UNREADABLE;
  } finally {
    ancestors.delete(value);
  }
}

function redactObject(value: object, childDepth: number, ancestors: Set<object>): unknown {
  if (ArrayBuffer.isView(value)) return describeBinary(value.byteLength);
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
    return describeBinary(value.byteLength);
  }
  if (value instanceof Error) return redactError(value, childDepth, ancestors);
  if (Array.isArray(value)) {
    return value.map((item: unknown) => redactValue(item, childDepth, ancestors));
  }
  if (value instanceof Map) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of value as Map<unknown, unknown>) {
      defineField(copy, String(key), redactField(String(key), item, childDepth, ancestors));
    }
    return copy;
  }
  if (value instanceof Set) {
    return Array.from(value, (item: unknown) => redactValue(item, childDepth, ancestors));
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    // Date, URL and friends log as their JSON form; a URL's href may carry a password.
    return redactValue(toJSON.call(value), childDepth, ancestors);
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    defineField(copy, key, redactField(key, readField(value, key), childDepth, ancestors));
  }
  return copy;
}

function redactField(key: string, item: unknown, childDepth: number, ancestors: Set<object>) {
  return isSecretField(key, item) ? REDACTED : redactValue(item, childDepth, ancestors);
}

function readField(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return UNREADABLE;
  }
}

function defineField(target: Record<string, unknown>, key: string, value: unknown): void {
  // Stryker disable next-line ConditionalExpression,BlockStatement: defining every key, as below, gives the same result; assignment is the fast path
  if (key !== '__proto__') {
    target[key] = value;
    return;
  }
  // Plain assignment of an own "__proto__" key would replace the copy's prototype instead.
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function redactError(error: Error, childDepth: number, ancestors: Set<object>): RedactedError {
  const copy: RedactedError = {
    name: String(error.name),
    message: redactString(String(error.message)),
  };
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  if (typeof code === 'string' || typeof code === 'number') copy.code = code;
  if (cause !== undefined) copy.cause = redactValue(cause, childDepth, ancestors);
  return copy;
}

function describeBinary(byteLength: number): string {
  return `[binary ${byteLength} bytes]`;
}
