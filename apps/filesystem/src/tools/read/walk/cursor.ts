import { createHash } from 'node:crypto';
import { ToolError } from '@bastion-mcp/core';
import { decodeCursor, encodeCursor } from '@bastion-mcp/schema';
import { z } from 'zod';

/**
 * Continuation cursors of the walking tools. A cursor carries a fingerprint of the arguments
 * that shape the result (the directory, patterns, filters), so a cursor handed to a different
 * query is refused rather than silently skipping the wrong entries.
 */
export function fingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

function mismatch(tool: string): ToolError {
  return new ToolError(
    `\`cursor\` belongs to another ${tool} call (a different path, pattern or filter); pass the same arguments as the call that returned it, or omit cursor to start over.`,
  );
}

export function readCursor<T extends { k: string }>(cursor: string, schema: z.ZodType<T>, key: string, tool: string): T {
  const state = decodeCursor(cursor, schema);
  if (state.k !== key) throw mismatch(tool);
  return state;
}

export const offsetCursor = z.strictObject({ k: z.string(), o: z.number().int().min(0) });
export const walkCursor = z.strictObject({ k: z.string(), after: z.array(z.string()).min(1) });
export const grepCursor = z.strictObject({ k: z.string(), file: z.array(z.string()).min(1), line: z.number().int().min(0) });

/** Encodes a cursor; undefined when it would be too long (a pathologically deep or long path). */
export function writeCursor(state: unknown): string | undefined {
  try {
    return encodeCursor(state);
  } catch {
    return undefined;
  }
}
