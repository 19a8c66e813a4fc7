import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cursorSchema, limitSchema, page, pageInfo } from '../src/index.js';

describe('cursorSchema', () => {
  it('accepts a non-empty string up to 4096 characters', () => {
    expect(cursorSchema.parse('c1.abc')).toBe('c1.abc');
    expect(cursorSchema.safeParse('x'.repeat(4096)).success).toBe(true);
  });

  it('rejects empty and over-long strings', () => {
    expect(cursorSchema.safeParse('').success).toBe(false);
    expect(cursorSchema.safeParse('x'.repeat(4097)).success).toBe(false);
  });

  it('is described for the model', () => {
    expect(cursorSchema.description).toBe(
      "Opaque cursor from a previous result's nextCursor; omit for the first page.",
    );
  });
});

describe('limitSchema', () => {
  it('defaults to 20 with a maximum of 100', () => {
    const limit = limitSchema();
    expect(limit.parse(undefined)).toBe(20);
    expect(limit.parse(100)).toBe(100);
    expect(limit.safeParse(101).success).toBe(false);
    expect(limit.safeParse(0).success).toBe(false);
    expect(limit.safeParse(2.5).success).toBe(false);
    expect(limit.description).toBe('Maximum number of items to return (1-100, default 20).');
  });

  it('honours custom default and max', () => {
    const limit = limitSchema({ default: 5, max: 50 });
    expect(limit.parse(undefined)).toBe(5);
    expect(limit.parse(50)).toBe(50);
    expect(limit.safeParse(51).success).toBe(false);
    expect(limit.description).toBe('Maximum number of items to return (1-50, default 5).');
  });

  it('lowers the default to max when only a smaller max is given', () => {
    expect(limitSchema({ max: 10 }).parse(undefined)).toBe(10);
  });

  it('rejects an impossible configuration', () => {
    expect(() => limitSchema({ default: 200, max: 100 })).toThrow(RangeError);
    expect(() => limitSchema({ max: 0 })).toThrow(RangeError);
  });

  it('shows as an integer with bounds and default in JSON Schema', () => {
    const json = z.toJSONSchema(limitSchema({ max: 50 }), { io: 'input' });
    expect(json).toMatchObject({ type: 'integer', minimum: 1, maximum: 50, default: 20 });
  });
});

describe('page and pageInfo', () => {
  it('spread into a tool input schema', () => {
    const input = z.object({ query: z.string(), ...page });
    expect(input.parse({ query: 'q' })).toEqual({ query: 'q', limit: 20 });
    expect(input.parse({ query: 'q', cursor: 'c1.e30', limit: 3 })).toEqual({
      query: 'q',
      cursor: 'c1.e30',
      limit: 3,
    });
    expect(input.safeParse({ query: 'q', cursor: '' }).success).toBe(false);
  });

  it('spread into a tool output schema', () => {
    const output = z.object({ items: z.array(z.string()), ...pageInfo });
    expect(output.parse({ items: [] })).toEqual({ items: [] });
    expect(output.parse({ items: ['a'], nextCursor: 'c1.x', truncated: true })).toEqual({
      items: ['a'],
      nextCursor: 'c1.x',
      truncated: true,
    });
    expect(pageInfo.truncated.description).toBe(
      'True when more results exist than were returned; pass nextCursor to continue.',
    );
    expect(pageInfo.nextCursor.description).toMatch(/cursor/);
  });
});
