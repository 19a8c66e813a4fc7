import type { z } from 'zod';
import { parseJsonWithinDepth } from './json-depth.js';

const CURSOR_PREFIX = 'c1.';
const MAX_CURSOR_LENGTH = 4096;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

const INVALID_CURSOR_MESSAGE =
  'cursor is not valid: it must be a nextCursor value returned by a previous call of this tool; ' +
  'omit it to start from the first page';

/** Why a cursor was rejected; for logs, never shown in the message. */
export type InvalidCursorReason = 'format' | 'encoding' | 'json' | 'schema';

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  readonly reason: InvalidCursorReason;

  constructor(reason: InvalidCursorReason, options?: { cause?: unknown }) {
    // The cursor itself is deliberately left out of the message: it is caller-controlled text
    // that would otherwise be echoed back to the model.
    super(INVALID_CURSOR_MESSAGE, options);
    this.reason = reason;
  }
}

/** Encodes pagination state as an opaque, URL-safe cursor string. */
export function encodeCursor(state: unknown): string {
  const json = JSON.stringify(state);
  if (json === undefined) {
    throw new TypeError('encodeCursor: state must be JSON-serializable');
  }
  const cursor = CURSOR_PREFIX + Buffer.from(json, 'utf8').toString('base64url');
  // cursorSchema rejects anything longer, so fail here where the bug is, not on the next call.
  if (cursor.length > MAX_CURSOR_LENGTH) {
    throw new RangeError(
      `encodeCursor: encoded cursor is ${cursor.length} characters, ` +
        `more than ${MAX_CURSOR_LENGTH}; keep pagination state small`,
    );
  }
  return cursor;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a cursor made by encodeCursor and validates it; throws InvalidCursorError. */
export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T {
  if (typeof cursor !== 'string' || !cursor.startsWith(CURSOR_PREFIX)) {
    throw new InvalidCursorError('format');
  }
  const payload = cursor.slice(CURSOR_PREFIX.length);
  // Buffer ignores characters outside the alphabet, so check the alphabet first.
  if (payload.length === 0 || payload.length % 4 === 1 || !BASE64URL.test(payload)) {
    throw new InvalidCursorError('encoding');
  }
  let json: string;
  try {
    json = strictUtf8.decode(Buffer.from(payload, 'base64url'));
  } catch (error) {
    throw new InvalidCursorError('encoding', { cause: error });
  }
  let state: unknown;
  try {
    state = parseJsonWithinDepth(json);
  } catch (error) {
    throw new InvalidCursorError('json', { cause: error });
  }
  const result = schema.safeParse(state);
  if (!result.success) {
    throw new InvalidCursorError('schema', { cause: result.error });
  }
  return result.data;
}
