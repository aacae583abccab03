import { describe, expect, it } from 'vitest';
import { nestingDepth, safeParseJson } from './json.js';

describe('safeParseJson', () => {
  it('parses ordinary JSON', () => {
    expect(safeParseJson('{"a":[1,{"b":"x"}]}', { maxDepth: 3 })).toEqual({ ok: true, value: { a: [1, { b: 'x' }] } });
  });

  it('counts nesting on the text, ignoring brackets inside strings (escaped quotes too)', () => {
    expect(safeParseJson('{"a":{"b":{}}}', { maxDepth: 2 })).toEqual({ ok: false, reason: 'JSON nested deeper than 2 levels' });
    expect(safeParseJson('{"a":"[[[[{{{{\\"[[[["}', { maxDepth: 1 })).toEqual({ ok: true, value: { a: '[[[[{{{{"[[[[' } });
    expect(safeParseJson('['.repeat(100_000), { maxDepth: 32 })).toEqual({ ok: false, reason: 'JSON nested deeper than 32 levels' });
  });

  it('drops __proto__ keys, also when spelled with a unicode escape', () => {
    const a = safeParseJson('{"__proto__":{"polluted":1},"ok":1}', { maxDepth: 5 });
    expect(a.ok && Object.keys(a.value as object)).toEqual(['ok']);
    const b = safeParseJson('{"\\u005f_proto__":{"polluted":1},"ok":1}', { maxDepth: 5 });
    expect(b.ok && Object.keys(b.value as object)).toEqual(['ok']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names malformed JSON', () => {
    expect(safeParseJson('{"a":', { maxDepth: 5 })).toMatchObject({ ok: false, reason: expect.stringMatching(/^malformed JSON: /) });
  });
});

describe('nestingDepth', () => {
  /** The depth by looking at every character (the definition). */
  const reference = (text: string): number => {
    let depth = 0;
    let max = 0;
    let inString = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') max = Math.max(max, ++depth);
      else if (c === '}' || c === ']') depth--;
    }
    return max;
  };

  it('ignores brackets in strings, with escaped quotes and runs of backslashes', () => {
    expect(nestingDepth('{"a":"[[{"}', 10)).toBe(1);
    expect(nestingDepth('{"a\\"[[":[1]}', 10)).toBe(2);
    expect(nestingDepth('{"a\\\\":[[1]]}', 10)).toBe(3);
    expect(nestingDepth('["\\\\\\"[", {"b": "\\\\"}]', 10)).toBe(2);
    expect(nestingDepth('{"open', 10)).toBe(1);
  });

  it('agrees with looking at every character on random JSON-like text', () => {
    let seed = 99;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const alphabet = ['{', '}', '[', ']', '"', '\\', 'a', ':', ',', '1', ' '];
    for (let trial = 0; trial < 2_000; trial++) {
      const text = Array.from({ length: 1 + Math.floor(rnd() * 60) }, () => alphabet[Math.floor(rnd() * alphabet.length)]!).join('');
      expect(nestingDepth(text, 1_000), text).toBe(reference(text));
    }
    for (let trial = 0; trial < 200; trial++) {
      const value = { s: 'x"\\'.repeat(Math.floor(rnd() * 5)), a: [[{ b: ['}', '"]'] }]], n: trial };
      const text = JSON.stringify(value);
      expect(nestingDepth(text, 1_000)).toBe(reference(text));
    }
  });
});
