import { describe, expect, it } from 'vitest';
import { findExcessJsonNesting, JsonTooDeepError, parseJsonWithinDepth, valueExceedsDepth } from '../src/index.js';

describe('findExcessJsonNesting, level by level', () => {
  it('gives closed siblings their level back', () => {
    expect(findExcessJsonNesting('[[],[],{},[{}]]', 3)).toBeUndefined();
    expect(findExcessJsonNesting('[[],[],[[]]]', 2)).toBe(8);
  });
});

describe('JsonTooDeepError', () => {
  it('names itself, the bound and the offset of the first level too deep', () => {
    let caught: unknown;
    try {
      parseJsonWithinDepth('{"a":[[1]]}', 2);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(JsonTooDeepError);
    expect((caught as JsonTooDeepError).name).toBe('JsonTooDeepError');
    expect((caught as JsonTooDeepError).message).toBe('JSON nests arrays and objects deeper than 2 levels (level 3 opens at offset 6)');
  });

  it('recognises its instances, also from another copy of the module, and nothing else', () => {
    expect(JsonTooDeepError.isInstance(new JsonTooDeepError(1, 0))).toBe(true);
    const foreign = new Error('too deep');
    foreign.name = 'JsonTooDeepError';
    expect(JsonTooDeepError.isInstance(foreign)).toBe(true);
    expect(JsonTooDeepError.isInstance(new SyntaxError('JsonTooDeepError'))).toBe(false);
    expect(JsonTooDeepError.isInstance({ name: 'JsonTooDeepError', message: 'too deep' })).toBe(false);
    expect(JsonTooDeepError.isInstance('JsonTooDeepError')).toBe(false);
    expect(JsonTooDeepError.isInstance(undefined)).toBe(false);
  });
});

describe('valueExceedsDepth, with nulls', () => {
  it('treats null as a leaf', () => {
    expect(valueExceedsDepth([null, { a: null }], 2)).toBe(false);
    expect(valueExceedsDepth(null, 1)).toBe(false);
  });
});
