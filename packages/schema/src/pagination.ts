import { z } from 'zod';

const DEFAULT_LIMIT = 20;
const DEFAULT_MAX_LIMIT = 100;

export const cursorSchema = z
  .string()
  .min(1)
  .max(4096)
  .describe("Opaque cursor from a previous result's nextCursor; omit for the first page.");

export interface LimitOptions {
  /** Value used when the caller omits `limit`. Defaults to 20. */
  default?: number;
  /** Largest accepted value. Defaults to 100. */
  max?: number;
}

export function limitSchema(options: LimitOptions = {}): z.ZodDefault<z.ZodInt> {
  const max = options.max ?? DEFAULT_MAX_LIMIT;
  const defaultLimit = options.default ?? Math.min(DEFAULT_LIMIT, max);
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new RangeError(`limitSchema: max must be a positive integer, got ${max}`);
  }
  if (!Number.isSafeInteger(defaultLimit) || defaultLimit < 1 || defaultLimit > max) {
    throw new RangeError(
      `limitSchema: default must be an integer between 1 and ${max}, got ${defaultLimit}`,
    );
  }
  return z
    .int()
    .min(1)
    .max(max)
    .default(defaultLimit)
    .describe(`Maximum number of items to return (1-${max}, default ${defaultLimit}).`);
}

/** Input fields for a paginated tool: `z.object({ ...page, query: z.string() })`. */
export const page = {
  cursor: cursorSchema.optional(),
  limit: limitSchema(),
};

/** Output fields for a paginated tool: `z.object({ items, ...pageInfo })`. */
export const pageInfo = {
  nextCursor: z
    .string()
    .optional()
    .describe('Cursor for the next page; pass it as cursor to continue. Absent on the last page.'),
  truncated: z
    .boolean()
    .optional()
    .describe('True when more results exist than were returned; pass nextCursor to continue.'),
};
