import { createHash } from 'node:crypto';
import { ToolError } from '@bastion-mcp/core';
import { decodeCursor, encodeCursor } from '@bastion-mcp/schema';
import { z } from 'zod';

/**
 * Offset paging for the catalog tools. A cursor carries a fingerprint of the arguments that shape
 * the list, so a cursor handed to a different call is refused instead of skipping the wrong rows.
 * Queries fetch `limit + 1` rows from the offset: the extra row only says whether more follow.
 */
const offsetCursor = z.strictObject({ k: z.string(), o: z.number().int().min(0) });

export function pageKey(tool: string, parts: unknown): string {
  return createHash('sha256').update(JSON.stringify([tool, parts])).digest('base64url').slice(0, 16);
}

/** Where the page starts: 0 without a cursor. */
export function pageOffset(cursor: string | undefined, key: string, tool: string): number {
  if (cursor === undefined) return 0;
  const state = decodeCursor(cursor, offsetCursor);
  if (state.k !== key) {
    throw new ToolError(`\`cursor\` belongs to another ${tool} call; pass the same other arguments as the call that returned it, or omit cursor to start over.`);
  }
  return state.o;
}

/** The page out of `limit + 1` fetched rows, with `truncated` and `nextCursor` when more follow. */
export function pageOf<T>(fetched: readonly T[], offset: number, limit: number, key: string): { items: T[]; truncated?: true; nextCursor?: string } {
  if (fetched.length <= limit) return { items: [...fetched] };
  return { items: fetched.slice(0, limit), truncated: true, nextCursor: encodeCursor({ k: key, o: offset + limit }) };
}
