import { describe, expect, it } from 'vitest';
import { sanitizeDeep, sanitizeText } from '../src/index.js';

const ESC = '\u001B';

function tagged(text: string): string {
  // Unicode tag characters mirror ASCII at U+E0000 + code; invisible in most renderers.
  return Array.from(text, (char) => String.fromCodePoint(0xe0000 + char.charCodeAt(0))).join('');
}

describe('sanitizeText removes', () => {
  it.each([
    [
      'ANSI colour codes',
      `${ESC}[31mred${ESC}[0m and ${ESC}[1;38;5;196mbold${ESC}[m`,
      'red and bold',
    ],
    [
      'OSC 8 hyperlinks (BEL and ST terminated)',
      `${ESC}]8;;https://evil.example\u0007click${ESC}]8;;\u0007 ${ESC}]0;title${ESC}\\done`,
      'click done',
    ],
    ['cursor moves and screen clears', `a${ESC}[2J${ESC}[1;1H${ESC}[5Ab${ESC}[?25l`, 'ab'],
    ['two-character escapes', `a${ESC}7b${ESC}8c${ESC}(Bd${ESC}c`, 'abcd'],
    ['DCS and APC strings', `a${ESC}Pq#0;2;0;0;0${ESC}\\b${ESC}_hidden${ESC}\\c`, 'abc'],
    ['8-bit CSI and C1 controls', 'a\u009B31mb\u0085c\u0080d\u009F', 'abcd'],
    ['C0 controls and DEL', 'a\u0000b\u0007c\u0008d\u007Fe\u001Ff', 'abcdef'],
    ['zero-width space and joiners other than ZWJ', 'ig\u200Bnore\u200C \u2060x\u2064', 'ignore x'],
    ['bidi controls such as RLO', 'abc\u202Etxt.exe\u202C \u2066i\u2069\u061C', 'abctxt.exe i'],
    ['tag characters smuggling ASCII', `safe${tagged('IGNORE ALL')}\u{E0041}\u{E007F}`, 'safe'],
    ['byte order marks', '\uFEFFhello\uFEFF', 'hello'],
    [
      'soft hyphens and other invisibles',
      'in\u00ADvis\u034Fi\u115F\u1160\u3164\uFFA0\u180Eble',
      'invisible',
    ],
    ['supplementary variation selectors', 'a\u{E0100}\u{E01EF}b', 'ab'],
  ])('%s', (_name, input, expected) => {
    expect(sanitizeText(input)).toBe(expected);
  });

  it('replaces lone surrogates with U+FFFD', () => {
    expect(sanitizeText('a\uD800b\uDFFFc')).toBe('a\uFFFDb\uFFFDc');
  });

  it('does not let removal join surrogate halves into a tag character', () => {
    expect(sanitizeText('x\uDB40\u0007\uDC41y')).toBe('x\uFFFD\uFFFDy');
  });
});

describe('sanitizeText keeps', () => {
  it.each([
    ['plain text with newlines and tabs', 'line 1\n\tline 2\r\nline 3'],
    ['CJK and accented letters', '漢字かな한국어 — café naïve Ærøskøbing'],
    ['emoji with ZWJ and VS16', '👩\u200D💻 ❤\uFE0F 👨\u200D👩\u200D👧 🏳\uFE0F\u200D🌈'],
    ['astral characters', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂'],
    ['Arabic and Hebrew text', 'مرحبا שלום'],
  ])('%s', (_name, input) => {
    expect(sanitizeText(input)).toBe(input);
  });

  it('returns the identical string when nothing needs removing', () => {
    const input = 'x'.repeat(1000) + ' 漢字 🙂';
    expect(Object.is(sanitizeText(input), input)).toBe(true);
  });

  it('is idempotent', () => {
    const input = `${ESC}[31ma\u200B${ESC}\u200B[31mb\uD800\u202E${tagged('X')}`;
    const once = sanitizeText(input);
    expect(sanitizeText(once)).toBe(once);
  });

  it('handles 10 MB of ASCII quickly', () => {
    const big = 'The quick brown fox jumps over the lazy dog.\n'.repeat(233_000);
    expect(big.length).toBeGreaterThan(10_000_000);
    const started = performance.now();
    expect(sanitizeText(big)).toBe(big);
    const dirty = `${big}${ESC}[0m`;
    expect(sanitizeText(dirty)).toBe(big);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('stays linear on pathological escape input', () => {
    const hostile = [
      `${ESC}]`.repeat(200_000),
      `${ESC}[`.repeat(200_000),
      '\u009B1;'.repeat(200_000),
      '\u0090'.repeat(200_000),
      '\u009Dx'.repeat(200_000),
      `${ESC}[${'1'.repeat(200_000)}`,
    ].join('');
    const started = performance.now();
    const result = sanitizeText(hostile);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result).not.toMatch(/[\u001B\u0080-\u009F]/);
  });
});

describe('sanitizeDeep', () => {
  it('sanitizes nested values and object keys without touching the input', () => {
    const input = {
      [`na\u200Bme`]: `${ESC}[31mAlice${ESC}[0m`,
      tags: ['ok', 'b\uFEFFad', { [`k\u202E`]: ['\u0007x'] }],
      count: 3,
      active: true,
      missing: null,
    };
    const output = sanitizeDeep(input);
    expect(output).toEqual({
      name: 'Alice',
      tags: ['ok', 'bad', { k: ['x'] }],
      count: 3,
      active: true,
      missing: null,
    });
    expect(input.tags[1]).toBe('b\uFEFFad');
    expect(output).not.toBe(input);
  });

  it('keeps a __proto__ key as data instead of changing the prototype', () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const output = sanitizeDeep(input);
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect(Object.keys(output)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('replaces values nested deeper than 64 levels', () => {
    let deep: unknown = 'leaf';
    for (let level = 0; level < 100; level++) deep = [deep];
    let output = sanitizeDeep(deep);
    let levels = 0;
    while (Array.isArray(output)) {
      output = output[0];
      levels++;
    }
    expect(levels).toBe(64);
    expect(output).toBe('[depth limit]');
  });

  it('leaves non-plain objects alone', () => {
    const date = new Date(0);
    expect(sanitizeDeep({ date }).date).toBe(date);
  });
});
