import { describe, expect, it } from 'vitest';
import { hyp2f1, logAddExp, logBeta, logGamma } from './special-functions.js';

describe('special functions', () => {
  it('ln Γ matches factorials and Γ(1/2) = √π', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(11)).toBeCloseTo(Math.log(3_628_800), 11);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    // Python math.lgamma(0.3) = 1.0957979948180756
    expect(logGamma(0.3)).toBeCloseTo(1.0957979948180756, 12);
    expect(() => logGamma(0)).toThrow(RangeError);
  });

  it('ln B and log-add-exp', () => {
    expect(logBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 12);
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.log(2), 10);
    expect(logAddExp(-Infinity, 3)).toBe(3);
  });

  it('₂F₁ matches its closed forms', () => {
    // ₂F₁(1, 1; 2; z) = −ln(1 − z)/z; ₂F₁(a, b; b; z) = (1 − z)^(−a).
    for (const z of [0.1, 0.5, 0.9, 0.99]) {
      expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(-Math.log(1 - z) / z, 8);
      expect(hyp2f1(0.7, 2.5, 2.5, z)).toBeCloseTo((1 - z) ** -0.7, 8);
    }
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(RangeError);
  });
});
