import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: [1, 'x', { z: 1, y: [] }], a: { d: null, c: true } })).toBe('{"a":{"c":true,"d":null},"b":[1,"x",{"y":[],"z":1}]}');
  });

  it('orders keys by UTF-16 code units (the example of RFC 8785 section 3.2.3)', () => {
    const value = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalJson(value)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",'
      + '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('writes numbers in their shortest round-trip form', () => {
    expect(canonicalJson([0, -0, 1, -1.5, 0.1, 1e21, 1e-7])).toBe('[0,0,1,-1.5,0.1,1e+21,1e-7]');
    // The numbers of the example in RFC 8785 section 3.2.2, parsed from their text because
    // some do not round-trip as literals.
    const rfc = ['333333333.33333329', '1E30', '4.50', '2e-3', '0.000000000000000000000000001'].map(Number);
    expect(canonicalJson(rfc)).toBe('[333333333.3333333,1e+30,4.5,0.002,1e-27]');
  });

  it('escapes strings as JSON.stringify does and keeps other characters', () => {
    expect(canonicalJson('a"b\\c\n\t\u0001\u001f é € \u2028 😀')).toBe('"a\\"b\\\\c\\n\\t\\u0001\\u001f é € \u2028 😀"');
    expect(canonicalJson('\ud800')).toBe('"\\ud800"');
  });

  it('leaves out undefined members, as JSON.stringify does', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('refuses values without one JSON form, naming where they are', () => {
    expect(() => canonicalJson({ a: [1, undefined] })).toThrow('$.a[1]: undefined in an array has no canonical form');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow('$.n: NaN has no JSON form');
    expect(() => canonicalJson(Infinity)).toThrow(TypeError);
    expect(() => canonicalJson({ big: 1n })).toThrow('$.big: a bigint has no JSON form');
    expect(() => canonicalJson({ at: new Date(0) })).toThrow('$.at: only plain objects are allowed, got [object Date]');
    expect(() => canonicalJson(new Map())).toThrow(TypeError);
    expect(() => canonicalJson(() => 1)).toThrow(TypeError);
  });

  it('accepts objects without a prototype', () => {
    const o = Object.create(null) as Record<string, unknown>;
    o['k'] = 'v';
    expect(canonicalJson(o)).toBe('{"k":"v"}');
  });
});
