import { setOwnProperty } from './own-property.js';

export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

const MAX_DEPTH = 64;
const DEPTH_LIMIT_MARKER = '[depth limit]';
const CIRCULAR_MARKER = '[Circular]';

/** Marks values JSON drops from objects (undefined, functions, symbols). */
const OMIT = Symbol('omit');
type Converted = JsonValue | typeof OMIT;

/**
 * Converts any value into one that JSON.stringify round-trips without silent loss: bigint and
 * non-finite numbers become strings, dates ISO strings, binary data `{ base64 }`, maps objects,
 * sets arrays; cycles become '[Circular]' and nesting beyond 64 levels '[depth limit]'.
 */
export function toJsonSafe(value: unknown): JsonValue {
  const converted = convert(value, 0, new Set());
  return converted === OMIT ? null : converted;
}

function convert(value: unknown, depth: number, ancestors: Set<object>): Converted {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // -0 becomes 0, as JSON.stringify would write it.
      if (Number.isFinite(value)) return value === 0 ? 0 : value;
      return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
    case 'bigint':
      return value.toString();
    case 'object':
      return value === null ? null : convertObject(value, depth, ancestors);
    default:
      return OMIT;
  }
}

function convertObject(value: object, depth: number, ancestors: Set<object>): Converted {
  if (ancestors.has(value)) return CIRCULAR_MARKER;
  if (depth >= MAX_DEPTH) return DEPTH_LIMIT_MARKER;
  const prototype: unknown = Object.getPrototypeOf(value);
  const isPlain = prototype === Object.prototype || prototype === null;
  // Plain rows are the common case; skip the type checks below for them.
  if (!isPlain || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    const special = convertSpecial(value);
    if (special !== undefined) {
      if ('done' in special) return special.done;
      ancestors.add(value);
      const result = convert(special.replacement, depth + special.depthCost, ancestors);
      ancestors.delete(value);
      return result;
    }
  }
  ancestors.add(value);
  const result = Array.isArray(value)
    ? convertArray(value, depth + 1, ancestors)
    : convertRecord(value as Record<string, unknown>, depth + 1, ancestors);
  ancestors.delete(value);
  return result;
}

function convertArray(
  values: readonly unknown[],
  depth: number,
  ancestors: Set<object>,
): JsonValue {
  const result: JsonValue[] = new Array(values.length);
  for (let index = 0; index < values.length; index++) {
    const item = convert(values[index], depth, ancestors);
    result[index] = item === OMIT ? null : item;
  }
  return result;
}

function convertRecord(
  record: Record<string, unknown>,
  depth: number,
  ancestors: Set<object>,
): JsonValue {
  const result: Record<string, JsonValue> = {};
  const keys = Object.keys(record);
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    const item = convert(record[key], depth, ancestors);
    if (item !== OMIT) setOwnProperty(result, key, item);
  }
  return result;
}

type Special =
  | { done: JsonValue }
  // A value to convert in place of the original. toJSON results cost a level of depth so that
  // toJSON methods returning ever new objects still terminate.
  | { replacement: unknown; depthCost: 0 | 1 };

/** Handles non-plain objects; undefined means "convert as a plain object or array". */
function convertSpecial(value: object): Special | undefined {
  if (value instanceof Date) {
    return { done: Number.isNaN(value.getTime()) ? null : value.toISOString() };
  }
  if (ArrayBuffer.isView(value)) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return { done: { base64: bytes.toString('base64') } };
  }
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
    return { done: { base64: Buffer.from(value).toString('base64') } };
  }
  if (value instanceof Map) {
    const record: Record<string, unknown> = {};
    for (const [key, item] of value) setOwnProperty(record, mapKeyToString(key), item);
    return { replacement: record, depthCost: 0 };
  }
  if (value instanceof Set) return { replacement: Array.from(value), depthCost: 0 };
  if (value instanceof Error) {
    // JSON.stringify would give {}. Own enumerable properties (such as `code`) are kept; the
    // stack is left out on purpose, it exposes server internals.
    const fields: Record<string, unknown> = { ...value, name: value.name, message: value.message };
    if (value.cause !== undefined) fields['cause'] = value.cause;
    return { replacement: fields, depthCost: 0 };
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) {
    return { replacement: value.valueOf(), depthCost: 0 };
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    return { replacement: callToJson(value, toJSON as ToJson), depthCost: 1 };
  }
  return undefined;
}

type ToJson = (this: object, key: string) => unknown;

function callToJson(value: object, toJSON: ToJson): unknown {
  try {
    return toJSON.call(value, '');
  } catch {
    return '[toJSON failed]';
  }
}

function mapKeyToString(key: unknown): string {
  if (typeof key === 'string') return key;
  if (typeof key !== 'object' || key === null) return String(key);
  const converted = toJsonSafe(key);
  return typeof converted === 'string' ? converted : JSON.stringify(converted);
}
