import { describe, expect, it } from 'vitest';
import { valueTier, valueTierThresholds } from './value-tiers.js';

describe('value tiers', () => {
  it('cuts at the 80th percentile and the median (linear interpolation, as numpy.quantile does by default)', () => {
    // numpy.quantile([10, 20, 30, 40, 50], [0.8, 0.5]) → [42.0, 30.0]
    expect(valueTierThresholds([50, 10, 40, 20, 30])).toEqual({ high: 42, median: 30 });
    expect(valueTierThresholds([])).toBeNull();
  });

  it('places people by CLV and churn level', () => {
    const t = { high: 100, median: 40 };
    expect(valueTier(150, 'high', t)).toBe('high_value_nurture');
    expect(valueTier(60, 'medium', t)).toBe('potential_convert');
    expect(valueTier(60, 'high', t)).toBe('low_value_maintain');
    expect(valueTier(10, 'low', t)).toBe('low_value_maintain');
  });
});
