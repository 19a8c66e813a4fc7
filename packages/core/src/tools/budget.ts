import { decodeCursor, encodeCursor } from '@bastion-mcp/schema';
import { z } from 'zod';
import type { ResponseBudget } from './tool-context.js';

/**
 * When the core shortens a list to fit the budget, the continuation cursor it hands out wraps
 * the tool's own cursor for the page that was cut plus how many items of it were already sent.
 */
const continuationSchema = z.strictObject({
  bastionContinuation: z.literal(1),
  cursor: z.string().optional(),
  skip: z.number().int().min(1),
});

export interface Continuation {
  cursor: string | undefined;
  skip: number;
}

export function readContinuation(cursor: unknown): Continuation | undefined {
  if (typeof cursor !== 'string') return undefined;
  try {
    const state = decodeCursor(cursor, continuationSchema);
    return { cursor: state.cursor, skip: state.skip };
  } catch {
    return undefined;
  }
}

function continuationCursor(cursor: string | undefined, skip: number): string {
  return encodeCursor({ bastionContinuation: 1, ...(cursor === undefined ? {} : { cursor }), skip });
}

export type BudgetOutcome =
  | { ok: true; data: Record<string, unknown>; json: string; bytes: number; truncated: boolean }
  | { ok: false; bytes: number };

const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * Fits a result into the budget. A list tool loses items from the end of its list (never
 * silently: `truncated` and a cursor that resumes exactly after the last item sent); any other
 * result that is too large is refused so the handler can be asked for less.
 */
export function applyBudget(
  data: Record<string, unknown>,
  listKey: string | undefined,
  continuation: { pageCursor: string | undefined; skip: number },
  budget: ResponseBudget,
): BudgetOutcome {
  const items = listKey === undefined ? undefined : data[listKey];
  if (!Array.isArray(items)) {
    const json = JSON.stringify(data);
    const bytes = utf8Length(json);
    return bytes <= budget.maxBytes ? { ok: true, data, json, bytes, truncated: false } : { ok: false, bytes };
  }
  const remaining = continuation.skip > 0 ? items.slice(continuation.skip) : items;
  let kept = Math.min(remaining.length, budget.maxItems);
  let candidate: Record<string, unknown> = { ...data, [listKey as string]: remaining.slice(0, kept) };
  let json = JSON.stringify(candidate);
  let bytes = utf8Length(json);
  if (bytes > budget.maxBytes) {
    const overhead = utf8Length(JSON.stringify({ ...data, [listKey as string]: [], truncated: true, nextCursor: continuationCursor(continuation.pageCursor, continuation.skip + kept + 1) }));
    let used = overhead;
    let fit = 0;
    while (fit < kept) {
      const size = utf8Length(JSON.stringify(remaining[fit])) + (fit > 0 ? 1 : 0);
      if (used + size > budget.maxBytes) break;
      used += size;
      fit += 1;
    }
    kept = fit;
  }
  const truncated = kept < remaining.length;
  if (!truncated && continuation.skip === 0) return { ok: true, data, json, bytes, truncated: false };
  candidate = { ...data, [listKey as string]: remaining.slice(0, kept) };
  if (truncated) {
    if (kept === 0) return { ok: false, bytes: utf8Length(JSON.stringify(remaining[0])) };
    candidate.truncated = true;
    candidate.nextCursor = continuationCursor(continuation.pageCursor, continuation.skip + kept);
  }
  json = JSON.stringify(candidate);
  bytes = utf8Length(json);
  return { ok: true, data: candidate, json, bytes, truncated };
}
