import { describe, expect, it } from 'vitest';
import { conditionalExpectedPurchases } from './bgnbd.js';
import { expectedSpend, predictedClv } from './clv.js';

/** Published CDNOW estimates (Fader, Hardie & Lee 2005): BG/NBD and Gamma-Gamma. */
const PURCHASE = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const SPEND = { p: 6.25, q: 3.74, gamma: 15.44 };
const customer = { x: 2, tx: 30.43, T: 38.86 };

describe('predicted CLV', () => {
  it('matches an independent Python computation (2F1 by its series, FHL eq. 10, monthly discounting)', () => {
    // Python 3, plain math: weekly unit, 365-day horizon, 10% a year, spend summary x=2, m=35 →
    // 52.14631454386011; undiscounted E[Y(365/7)]·E[M] = 54.73935435759951; E[M] = 35.039370078740156.
    expect(expectedSpend(SPEND, { x: 2, m: 35 })).toBeCloseTo(35.039370078740156, 10);
    const clv = predictedClv({ purchase: PURCHASE, spend: SPEND, customer, spendSummary: { x: 2, m: 35 }, unit: 'week', horizonDays: 365, annualDiscountRate: 0.1 });
    expect(clv).toBeCloseTo(52.14631454386011, 8);
    const flat = predictedClv({ purchase: PURCHASE, spend: SPEND, customer, spendSummary: { x: 2, m: 35 }, unit: 'week', horizonDays: 365, annualDiscountRate: 0 });
    expect(flat).toBeCloseTo(54.73935435759951, 8);
  });

  it('telescopes to E[Y(H)]·E[spend] without discounting, and discounting only lowers it', () => {
    const flat = predictedClv({ purchase: PURCHASE, spend: SPEND, customer, spendSummary: null, unit: 'day', horizonDays: 200, annualDiscountRate: 0 })!;
    expect(flat).toBeCloseTo(conditionalExpectedPurchases(PURCHASE, customer, 200) * expectedSpend(SPEND, null)!, 10);
    const discounted = predictedClv({ purchase: PURCHASE, spend: SPEND, customer, spendSummary: null, unit: 'day', horizonDays: 200, annualDiscountRate: 0.2 })!;
    expect(discounted).toBeLessThan(flat);
  });

  it('uses the population mean spend p·γ/(q − 1) for people without repeat purchases, and refuses bad options', () => {
    expect(expectedSpend(SPEND, null)).toBeCloseTo((6.25 * 15.44) / 2.74, 12);
    expect(expectedSpend({ p: 1, q: 0.5, gamma: 1 }, null)).toBeNull();
    expect(() => predictedClv({ purchase: PURCHASE, spend: SPEND, customer, spendSummary: null, unit: 'day', horizonDays: 0, annualDiscountRate: 0.1 })).toThrow(/horizonDays/);
    expect(() => predictedClv({ purchase: PURCHASE, spend: SPEND, customer, spendSummary: null, unit: 'day', horizonDays: 10, annualDiscountRate: -1 })).toThrow(/annualDiscountRate/);
  });
});
