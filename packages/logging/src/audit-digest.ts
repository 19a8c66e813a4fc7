import { createHash } from 'node:crypto';

/**
 * Canonical JSON in the manner of RFC 8785 (JCS): no whitespace, object keys sorted by UTF-16
 * code units at every level, numbers and strings as ECMAScript's JSON.stringify writes them.
 * Values JSON cannot hold are first converted as JSON.stringify converts them (`toJSON`,
 * `undefined` dropped, non-finite numbers to `null`); bigints become decimal strings, as they
 * do in the audit record. Throws on a cyclic value.
 */
export function canonicalJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, nested: unknown) => (typeof nested === 'bigint' ? nested.toString() : nested));
  // A bare `undefined` (or a function) has no JSON form; `null` is what a wire message would carry.
  return text === undefined ? 'null' : write(JSON.parse(text) as unknown);
}

function write(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(write).join(',')}]`;
  const record = value as Record<string, unknown>;
  // Written key by key: rebuilding an object would put integer-like keys ("9" before "10") first.
  const keys = Object.keys(record).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${write(record[key])}`).join(',')}}`;
}

/** `sha256:<hex>` of the canonical JSON, or undefined when the value has none (a cycle, runaway depth). */
export function argsDigest(args: unknown): string | undefined {
  let canonical: string;
  try {
    canonical = canonicalJson(args);
  } catch {
    return undefined;
  }
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}
