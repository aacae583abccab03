import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { numberIn, wholeNumber } from './options.js';

describe('numeric option parsers', () => {
  it('take whole numbers in range and refuse the rest by rule', () => {
    const limit = wholeNumber(1, 200);
    expect(limit('20')).toBe(20);
    for (const bad of ['abc', '2.5', '0', '201', '', '-1']) expect(() => limit(bad), bad).toThrow(InvalidArgumentError);
    expect(() => limit('abc')).toThrow('must be a whole number 1–200');
  });
  it('take numbers in a half-open range', () => {
    const rate = numberIn(0, 10, { maxExclusive: true });
    expect(rate('0.1')).toBe(0.1);
    for (const bad of ['10', 'abc', '-0.5', '']) expect(() => rate(bad), bad).toThrow(InvalidArgumentError);
  });
});
