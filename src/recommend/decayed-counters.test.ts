import { describe, expect, it } from 'vitest';
import { createDecayedCounters } from './decayed-counters.js';

const DAY = 86_400_000;
const T0 = Date.parse('2024-05-01T00:00:00Z');

describe('createDecayedCounters', () => {
  it('halves a value every half-life', () => {
    const counters = createDecayedCounters({ halfLifeDays: 7, reference: T0 });
    counters.add('mug', 4, T0);
    expect(counters.valueAt('mug', T0)).toBeCloseTo(4, 12);
    expect(counters.valueAt('mug', T0 + 7 * DAY)).toBeCloseTo(2, 12);
    expect(counters.valueAt('mug', T0 + 14 * DAY)).toBeCloseTo(1, 12);
    expect(counters.valueAt('mug', T0 + 3.5 * DAY)).toBeCloseTo(4 * Math.SQRT1_2, 12);
  });

  it('equals the closed-form sum Σ wₖ · 2^(−(t − tₖ)/h) for events added at different times', () => {
    // h = 7 days, read at T0 + 14 days: 1 · 2^(−14/7) + 2 · 2^(−11/7) + 0.5 · 2^(−4/7)
    //   = 0.25 + 2 · 0.33647504815808904 + 0.5 · 0.6729500963161781 = 1.259425144474267 (Python 3, 2 ** x).
    // The reference time lies between the events: events before it are scaled down, after it up.
    const counters = createDecayedCounters({ halfLifeDays: 7, reference: T0 + 5 * DAY });
    counters.add('mug', 1, T0);
    counters.add('mug', 2, T0 + 3 * DAY);
    counters.add('mug', 0.5, T0 + 10 * DAY);
    counters.add('tea', 3, T0 + 14 * DAY);
    expect(counters.valueAt('mug', T0 + 14 * DAY)).toBeCloseTo(1.259425144474267, 12);
    expect(counters.valuesAt(T0 + 14 * DAY).get('tea')).toBeCloseTo(3, 12);
    expect(counters.size).toBe(2);
  });

  it('ignores weights that are not positive and times that are not finite', () => {
    const counters = createDecayedCounters({ halfLifeDays: 7, reference: T0 });
    counters.add('a', 0, T0);
    counters.add('b', -1, T0);
    counters.add('c', NaN, T0);
    counters.add('d', 1, NaN);
    counters.add('e', 1, Infinity);
    expect(counters.size).toBe(0);
    expect(counters.valueAt('a', T0)).toBe(0);
    expect(counters.valuesAt(T0).size).toBe(0);
  });

  it('moves the reference forward after a long gap and keeps the values', () => {
    const counters = createDecayedCounters({ halfLifeDays: 1, reference: T0 });
    counters.add('a', 1, T0 + 30 * DAY);
    // 45 half-lives past the reference is beyond 2^40: the reference moves to T0 + 45 days.
    counters.add('b', 1, T0 + 45 * DAY);
    expect(counters.toJSON().reference).toBe(T0 + 45 * DAY);
    expect(counters.valueAt('a', T0 + 46 * DAY)).toBeCloseTo(2 ** -16, 18);
    expect(counters.valueAt('b', T0 + 46 * DAY)).toBeCloseTo(0.5, 12);
  });

  it('stays finite for events thousands of half-lives after the reference', () => {
    // Without moving the reference, 2^2000 would overflow to Infinity.
    const counters = createDecayedCounters({ halfLifeDays: 1, reference: T0 });
    counters.add('a', 1, T0 + 2000 * DAY);
    counters.add('a', 1, T0 + 2001 * DAY);
    expect(counters.valueAt('a', T0 + 2001 * DAY)).toBeCloseTo(1.5, 12);
    expect([...counters.relativeValues().values()].every(Number.isFinite)).toBe(true);
  });

  it('drops values below 1e-12 when it moves the reference', () => {
    const counters = createDecayedCounters({ halfLifeDays: 1, reference: T0 });
    counters.add('old', 1, T0);
    counters.add('new', 1, T0 + 45 * DAY); // 'old' is worth 2^−45 ≈ 2.8e−14 by then
    expect(counters.size).toBe(1);
    expect(counters.valueAt('old', T0 + 45 * DAY)).toBe(0);
  });

  it('round-trips through toJSON and JSON text', () => {
    const counters = createDecayedCounters({ halfLifeDays: 30, reference: T0 });
    counters.add('mug', 1, T0 + DAY);
    counters.add('tea', 2.5, T0 + 40 * DAY);
    counters.add('mug', 1, T0 + 50 * DAY);
    const restored = createDecayedCounters(JSON.parse(JSON.stringify(counters.toJSON())) as ReturnType<typeof counters.toJSON>);
    expect(restored.halfLifeDays).toBe(30);
    expect(restored.toJSON()).toEqual(counters.toJSON());
    const at = T0 + 60 * DAY;
    for (const id of ['mug', 'tea']) expect(restored.valueAt(id, at)).toBeCloseTo(counters.valueAt(id, at), 12);
  });

  it('leaves out saved amounts that are not positive finite numbers', () => {
    const counters = createDecayedCounters({ halfLifeDays: 7, reference: T0, amounts: { a: 2, b: 0, c: -1, d: NaN, e: Infinity } });
    expect([...counters.valuesAt(T0).keys()]).toEqual(['a']);
  });

  it('gives relative values proportional to the values at any time', () => {
    const counters = createDecayedCounters({ halfLifeDays: 7, reference: T0 });
    counters.add('a', 1, T0 + 2 * DAY);
    counters.add('b', 3, T0 + 9 * DAY);
    counters.add('c', 0.5, T0 - 4 * DAY);
    const relative = counters.relativeValues();
    for (const t of [T0, T0 + 20 * DAY, T0 + 400 * DAY]) {
      const values = counters.valuesAt(t);
      const ratio = values.get('a')! / relative.get('a')!;
      // The common factor is 2^(−(t − reference)/h), tiny at 400 days: compare the ratios relative to each other.
      for (const id of ['b', 'c']) expect(values.get(id)! / relative.get(id)! / ratio).toBeCloseTo(1, 12);
    }
  });

  it('refuses a half-life that is not positive', () => {
    expect(() => createDecayedCounters({ halfLifeDays: 0, reference: T0 })).toThrow(RangeError);
    expect(() => createDecayedCounters({ halfLifeDays: NaN, reference: T0 })).toThrow(RangeError);
  });
});
