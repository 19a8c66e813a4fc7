import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { argsDigest, canonicalJson } from '../src/index.js';

const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

describe('canonicalJson', () => {
  it('writes the example of RFC 8785 section 3.2.2 exactly as the RFC does', () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    expect(canonicalJson(JSON.parse(input))).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it('sorts keys by UTF-16 code units, as RFC 8785 section 3.2.3 orders them', () => {
    const value = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const rfcOrder = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'] as const;
    const expected = `{${rfcOrder.map((key) => `${JSON.stringify(key)}:${JSON.stringify(value[key])}`).join(',')}}`;
    expect(canonicalJson(value)).toBe(expected);
  });

  it('keeps integer-like keys in string order, where a rebuilt object would put them first', () => {
    expect(canonicalJson({ b: 1, '10': 2, '9': 3, a: { z: [3, { y: 1, x: 2 }], '2': null } })).toBe(
      '{"10":2,"9":3,"a":{"2":null,"z":[3,{"x":2,"y":1}]},"b":1}',
    );
  });

  it('converts what JSON cannot hold as JSON.stringify does, and bigints to decimal strings', () => {
    expect(canonicalJson({ gone: undefined, f: () => 1, n: Number.NaN, big: 12345678901234567890n, list: [undefined] })).toBe(
      '{"big":"12345678901234567890","list":[null],"n":null}',
    );
    expect(canonicalJson(undefined)).toBe('null');
  });
});

describe('argsDigest', () => {
  it('is sha256 of the canonical form, the same whatever the key order and spacing', () => {
    const digest = argsDigest({ path: '/srv/a', options: { depth: 2, all: true } });
    expect(digest).toBe(sha256('{"options":{"all":true,"depth":2},"path":"/srv/a"}'));
    expect(argsDigest(JSON.parse('{ "options": { "depth": 2, "all": true }, "path": "/srv/a" }'))).toBe(digest);
    expect(argsDigest({ path: '/srv/b', options: { depth: 2, all: true } })).not.toBe(digest);
  });

  it('is absent for arguments with no JSON form', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(argsDigest(cyclic)).toBeUndefined();
  });
});
