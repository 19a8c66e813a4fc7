import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  decodeCursor,
  findExcessJsonNesting,
  InvalidCursorError,
  JsonTooDeepError,
  MAX_JSON_DEPTH,
  parseJsonWithinDepth,
  valueExceedsDepth,
} from '../src/index.js';

const arrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const objects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('findExcessJsonNesting', () => {
  it('is 64 levels by default', () => {
    expect(MAX_JSON_DEPTH).toBe(64);
    expect(findExcessJsonNesting(arrays(64))).toBeUndefined();
    expect(findExcessJsonNesting(arrays(65))).toBe(64);
    expect(findExcessJsonNesting(objects(64))).toBeUndefined();
    expect(findExcessJsonNesting(objects(65))).toBe(64 * 5);
  });

  it('counts arrays and objects together, and only open levels', () => {
    expect(findExcessJsonNesting('[{"a":[{"b":[]}]}]', 5)).toBeUndefined();
    expect(findExcessJsonNesting('[{"a":[{"b":[[]]}]}]', 5)).toBe(13);
    expect(findExcessJsonNesting(`[${Array.from({ length: 1000 }, () => arrays(3)).join(',')}]`, 4)).toBeUndefined();
  });

  it('ignores brackets inside strings, escaped quotes and backslashes included', () => {
    expect(findExcessJsonNesting(JSON.stringify({ text: '[[[[{{{{' }), 1)).toBeUndefined();
    expect(findExcessJsonNesting(JSON.stringify(['a"[[[[', 'b\\', '[[[[']), 1)).toBeUndefined();
    expect(findExcessJsonNesting('["\\\\"]', 1)).toBeUndefined();
    // After an escaped backslash the quote closes the string, so the brackets that follow count.
    expect(findExcessJsonNesting('["\\\\", [[]]]', 2)).toBe(8);
    expect(findExcessJsonNesting('["\\"[[[["]', 1)).toBeUndefined();
  });

  it('does not let stray closing brackets buy room for deeper nesting', () => {
    expect(findExcessJsonNesting(']]]]' + arrays(3), 2)).toBe(6);
  });

  it('scans a pathological document in one linear pass', () => {
    expect(findExcessJsonNesting('['.repeat(2_000_000))).toBe(64);
    expect(findExcessJsonNesting(`"${'['.repeat(2_000_000)}"`)).toBeUndefined();
  });

  it('refuses a bound that is not a whole number of at least 1', () => {
    expect(() => findExcessJsonNesting('[]', 0)).toThrow(RangeError);
    expect(() => findExcessJsonNesting('[]', 1.5)).toThrow(/maxDepth/);
  });
});

describe('parseJsonWithinDepth', () => {
  it('parses JSON within the bound', () => {
    expect(parseJsonWithinDepth('{"a":[1,{"b":"[[["}]}')).toEqual({ a: [1, { b: '[[[' }] });
  });

  it('throws JsonTooDeepError naming the bound before JSON.parse runs', () => {
    const thrown = (() => {
      try {
        parseJsonWithinDepth(arrays(100_000));
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(JsonTooDeepError.isInstance(thrown)).toBe(true);
    expect((thrown as JsonTooDeepError).maxDepth).toBe(64);
    expect((thrown as Error).message).toMatch(/deeper than 64 levels/);
  });

  it('leaves malformed JSON to JSON.parse', () => {
    expect(() => parseJsonWithinDepth('{"a":')).toThrow(SyntaxError);
  });
});

describe('valueExceedsDepth', () => {
  const nested = (depth: number): unknown => {
    let value: unknown = 'leaf';
    for (let level = 0; level < depth; level += 1) value = level % 2 === 0 ? [value] : { a: value };
    return value;
  };

  it('measures arrays and plain objects like the text check does', () => {
    expect(valueExceedsDepth(nested(64))).toBe(false);
    expect(valueExceedsDepth(nested(65))).toBe(true);
    expect(valueExceedsDepth(nested(100_000))).toBe(true);
    expect(valueExceedsDepth('text')).toBe(false);
  });

  it('treats a cycle as too deep', () => {
    const cycle: unknown[] = [];
    cycle.push({ back: cycle });
    expect(valueExceedsDepth(cycle)).toBe(true);
  });

  it('walks shared values a bounded number of times', () => {
    let shared: unknown = 'leaf';
    for (let level = 0; level < 60; level += 1) shared = [shared, shared];
    expect(valueExceedsDepth(shared)).toBe(false);
    expect(valueExceedsDepth([[[[[shared]]]]])).toBe(true);
  });
});

describe('cursors', () => {
  it('refuses a cursor whose JSON nests too deeply as invalid JSON', () => {
    const cursor = `c1.${Buffer.from(arrays(1_000)).toString('base64url')}`;
    const thrown = (() => {
      try {
        decodeCursor(cursor, z.unknown());
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(InvalidCursorError);
    expect((thrown as InvalidCursorError).reason).toBe('json');
  });
});
