import { describe, expect, it } from 'vitest';
import { applyBudget, readContinuation } from '../src/tools/budget.js';

const start = { pageCursor: undefined, skip: 0 };

describe('applyBudget', () => {
  it('leaves a result within budget untouched', () => {
    const data = { items: [1, 2, 3], nextCursor: 'next' };
    const outcome = applyBudget(data, 'items', start, { maxItems: 10, maxBytes: 1000 });
    expect(outcome).toEqual({ ok: true, data, json: JSON.stringify(data), bytes: JSON.stringify(data).length, truncated: false });
  });

  it('measures the result in UTF-8 bytes, not characters', () => {
    const data = { items: ['é', '漢'] };
    const outcome = applyBudget(data, 'items', start, { maxItems: 10, maxBytes: 1000 });
    expect(outcome.ok && outcome.bytes).toBe(Buffer.byteLength(JSON.stringify(data)));
    expect(outcome.ok && outcome.bytes).toBe(JSON.stringify(data).length + 3);
  });

  it('cuts a list at the item cap and hands out a cursor that resumes after the last item', () => {
    const data = { items: ['a', 'b', 'c', 'd', 'e'], nextCursor: 'page-2' };
    const first = applyBudget(data, 'items', { pageCursor: 'page-1', skip: 0 }, { maxItems: 2, maxBytes: 10_000 });
    if (!first.ok) throw new Error('expected ok');
    expect(first.data.items).toEqual(['a', 'b']);
    expect(first.data.truncated).toBe(true);
    const continuation = readContinuation(first.data.nextCursor);
    expect(continuation).toEqual({ cursor: 'page-1', skip: 2 });

    const second = applyBudget(data, 'items', { pageCursor: 'page-1', skip: 2 }, { maxItems: 2, maxBytes: 10_000 });
    if (!second.ok) throw new Error('expected ok');
    expect(second.data.items).toEqual(['c', 'd']);
    expect(readContinuation(second.data.nextCursor)).toEqual({ cursor: 'page-1', skip: 4 });

    const third = applyBudget(data, 'items', { pageCursor: 'page-1', skip: 4 }, { maxItems: 2, maxBytes: 10_000 });
    if (!third.ok) throw new Error('expected ok');
    expect(third.data.items).toEqual(['e']);
    expect(third.data.nextCursor).toBe('page-2');
    expect(third.truncated).toBe(false);
  });

  it('cuts a list at the byte cap and stays within it', () => {
    const items = Array.from({ length: 100 }, (_, index) => ({ id: index, text: 'x'.repeat(100) }));
    const outcome = applyBudget({ items }, 'items', start, { maxItems: 1000, maxBytes: 2_000 });
    if (!outcome.ok) throw new Error('expected ok');
    expect(Buffer.byteLength(outcome.json)).toBeLessThanOrEqual(2_000);
    expect((outcome.data.items as unknown[]).length).toBeGreaterThan(5);
    expect(outcome.truncated).toBe(true);
    expect(JSON.parse(outcome.json)).toEqual(outcome.data);
  });

  it('refuses a non-list result over the byte cap instead of cutting it', () => {
    expect(applyBudget({ text: 'y'.repeat(5_000) }, undefined, start, { maxItems: 10, maxBytes: 1_000 })).toEqual({ ok: false, bytes: 5_011 });
  });

  it('refuses when even one list item does not fit', () => {
    const outcome = applyBudget({ items: ['z'.repeat(3_000)] }, 'items', start, { maxItems: 10, maxBytes: 1_000 });
    expect(outcome.ok).toBe(false);
  });

  it('ignores cursors that are not continuations', () => {
    expect(readContinuation('c1.bm9wZQ')).toBeUndefined();
    expect(readContinuation(undefined)).toBeUndefined();
    expect(readContinuation('plain-upstream-cursor')).toBeUndefined();
  });
});
