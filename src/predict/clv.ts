import { conditionalExpectedPurchases, type BgNbdParams, type CustomerSummary } from './bgnbd.js';
import { conditionalExpectedSpend, type GammaGammaParams, type SpendSummary } from './gamma-gamma.js';
import { UNIT_DAYS, type TimeUnit } from './summaries.js';

/** Days per month in the CLV sum (the `lifetimes` convention). */
export const CLV_MONTH_DAYS = 30;

/**
 * The expected value of one purchase for this person: the Gamma-Gamma conditional
 * expectation when they have repeat purchases, the population mean p·γ/(q − 1) otherwise
 * (the model's prior mean; undefined for q ≤ 1, then null).
 *
 * @example
 * expectedSpend({ p: 6.25, q: 3.74, gamma: 15.44 }, null); // 35.22…
 */
export function expectedSpend(params: GammaGammaParams, spend: SpendSummary | null): number | null {
  if (spend !== null) return conditionalExpectedSpend(params, spend);
  return params.q > 1 ? (params.p * params.gamma) / (params.q - 1) : null;
}

/**
 * Predicted customer lifetime value over `horizonDays`, discounted monthly (the approach of
 * Fader, Hardie & Lee's CLV note and the `lifetimes` library): the sum over months i = 1…M of
 * (E[Y(i·30 d)] − E[Y((i−1)·30 d)]) · E[spend] / (1 + d)^i, where E[Y(t)] is the BG/NBD
 * conditional expectation of purchases in the next t, E[spend] the Gamma-Gamma expected value
 * of one purchase and d the monthly rate equivalent to `annualDiscountRate`
 * ((1 + annual)^(1/12) − 1). M = ceil(horizonDays / 30); the last month is partial.
 *
 * @example
 * predictedClv({ purchase, spend, customer, spendSummary: null, unit: 'day', horizonDays: 365, annualDiscountRate: 0.1 });
 */
export function predictedClv(input: {
  purchase: BgNbdParams; spend: GammaGammaParams; customer: CustomerSummary; spendSummary: SpendSummary | null;
  unit: TimeUnit; horizonDays: number; annualDiscountRate: number;
}): number | null {
  if (!(input.horizonDays > 0)) throw new RangeError(`horizonDays must be positive, got ${input.horizonDays}`);
  if (!(input.annualDiscountRate >= 0)) throw new RangeError(`annualDiscountRate must be ≥ 0, got ${input.annualDiscountRate}`);
  const value = expectedSpend(input.spend, input.spendSummary);
  if (value === null) return null;
  const monthly = Math.pow(1 + input.annualDiscountRate, 1 / 12) - 1;
  const unitDays = UNIT_DAYS[input.unit];
  let clv = 0;
  let previous = 0;
  for (let i = 1; (i - 1) * CLV_MONTH_DAYS < input.horizonDays; i++) {
    const days = Math.min(i * CLV_MONTH_DAYS, input.horizonDays);
    const expected = conditionalExpectedPurchases(input.purchase, input.customer, days / unitDays);
    clv += ((expected - previous) * value) / Math.pow(1 + monthly, i);
    previous = expected;
  }
  return clv;
}
