import { describe, expect, it } from 'vitest';
import { safeParseJson } from './json.js';

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
