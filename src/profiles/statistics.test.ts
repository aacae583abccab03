import { describe, expect, it } from 'vitest';
import { countBelowAndEqual, mean, median, midRankQuintile, utcDay } from './statistics.js';

describe('mean and median', () => {
  it('are null for no values', () => {
    expect(mean([])).toBeNull();
    expect(median([])).toBeNull();
  });

  it('take the middle value, or the mean of the two middle values', () => {
    expect(median([9, 1, 5])).toBe(5);
    // sorted 1, 3, 5, 10 → (3 + 5) / 2
    expect(median([5, 1, 3, 10])).toBe(4);
    // (1 + 2 + 6) / 3
    expect(mean([1, 2, 6])).toBe(3);
  });
});

describe('midRankQuintile', () => {
  it('splits n distinct values into five equal groups', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    // value k has below = k − 1, equal = 1: floor((10(k − 1) + 5) / 20) + 1 → 1,1,2,2,3,3,4,4,5,5
    expect(sorted.map((v) => midRankQuintile(sorted, v))).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });

  it('gives equal values equal scores, placed at the middle of the tie', () => {
    const sorted = [1, 1, 1, 1, 1, 1, 9, 9, 9, 10];
    // 1: below 0, equal 6 → floor(30 / 20) + 1 = 2; 9: below 6, equal 3 → floor(75 / 20) + 1 = 4;
    // 10: below 9, equal 1 → floor(95 / 20) + 1 = 5
    expect(midRankQuintile(sorted, 1)).toBe(2);
    expect(midRankQuintile(sorted, 9)).toBe(4);
    expect(midRankQuintile(sorted, 10)).toBe(5);
    expect(midRankQuintile([7, 7, 7], 7)).toBe(3);
    expect(midRankQuintile([42], 42)).toBe(3);
  });

  it('places values outside the distribution at the ends', () => {
    expect(midRankQuintile([10, 20, 30], 0)).toBe(1);
    expect(midRankQuintile([10, 20, 30], 99)).toBe(5);
  });

  it('refuses an empty distribution', () => {
    expect(() => midRankQuintile([], 1)).toThrow(/empty/);
  });

  it('counts below and equal by binary search', () => {
    expect(countBelowAndEqual([1, 2, 2, 2, 5], 2)).toEqual({ below: 1, equal: 3 });
    expect(countBelowAndEqual([1, 2, 2, 2, 5], 3)).toEqual({ below: 4, equal: 0 });
  });
});

describe('utcDay', () => {
  it('counts whole UTC days since the epoch', () => {
    expect(utcDay(Date.parse('1970-01-01T23:59:59.999Z'))).toBe(0);
    expect(utcDay(Date.parse('1970-01-02T00:00:00Z'))).toBe(1);
    // 2024-01-01 is 19723 days after 1970-01-01 (54 years, 13 leap days: 54 × 365 + 13)
    expect(utcDay(Date.parse('2024-01-01T12:00:00Z'))).toBe(54 * 365 + 13);
  });
});
