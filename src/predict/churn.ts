import type { CHURN_RISK_LEVELS } from '../profiles/trait-registry.js';

/**
 * Churn risk (issue "Segments and predictions"): how likely the person has stopped buying,
 * from the purchase model and their own rhythm, raised by early-warning signals.
 *
 * risk = P(no purchase in the next 90 days | history) from BG/NBD — the chance they are no
 * longer a customer (1 − P(alive)) plus the chance they are but their rate gives no purchase
 * in 90 days — then:
 * - overdue: days since the last purchase over the person's cycle; beyond 2 cycles, what is
 *   left of the risk shrinks by a quarter per further cycle: risk ← 1 − (1 − risk)·0.75^(overdue − 2).
 *   The cycle is the person's own mean interval shrunk toward the population's typical one,
 *   (n·own + 2·population)/(n + 2) for n intervals — so a one-time buyer is measured against
 *   the population, and a regular buyer mostly against themself;
 * - falling frequency: with at least three intervals between purchases, the mean of the last
 *   two is over 1.5 times the mean of the earlier ones (purchases spacing out, a different
 *   signal from the silence since the last one): risk ← 1 − (1 − risk)·0.75;
 * - service contacts or complaints (event names from the workspace, counted over the last 90
 *   days): risk ← 1 − (1 − risk)·0.8^n, n capped at 3.
 * Each rule only ever raises the risk, and keeps it in [0, 1]. The level:
 * low < 0.3 ≤ medium < 0.6 ≤ high. The 90-day base and the overdue rule were chosen on the
 * Online Retail holdout (docs/benchmarks.md, "bench/predict"), where 1 − P(alive) alone
 * carries no signal (the fitted dropout is nil) and the overdue rule alone ranks worse than
 * recency.
 */
export const CHURN_HORIZON_DAYS = 90;
export type ChurnLevel = (typeof CHURN_RISK_LEVELS)[number];
export const CHURN_THRESHOLDS = { medium: 0.3, high: 0.6 } as const;

export interface ChurnSignals {
  /** BG/NBD probability of no purchase in the next CHURN_HORIZON_DAYS. */
  probabilityNoPurchase: number;
  /** Start of each purchase period, days since the first purchase, ascending. */
  purchaseDays: readonly number[];
  /** Days from the first purchase to now (the end of calibration). */
  ageDays: number;
  /** Service contact or complaint events in the last 90 days. */
  complaints: number;
  /** The population's typical interval between purchases, days (null: unknown). */
  populationIntervalDays: number | null;
}

export interface ChurnRisk {
  risk: number;
  level: ChurnLevel;
  /** The rules that raised it, in order: 'overdue', 'falling_frequency', 'complaints'. */
  raisedBy: string[];
}

/**
 * @example
 * churnRisk({ probabilityNoPurchase: 0.1, purchaseDays: [0, 30, 60], ageDays: 200, complaints: 0, populationIntervalDays: 45 });
 * // { risk: 0.45…, level: 'medium', raisedBy: ['overdue'] }
 */
export function churnRisk(s: ChurnSignals): ChurnRisk {
  if (!(s.probabilityNoPurchase >= 0 && s.probabilityNoPurchase <= 1)) throw new RangeError(`probabilityNoPurchase must be in [0, 1], got ${s.probabilityNoPurchase}`);
  let keep = 1 - s.probabilityNoPurchase; // 1 − risk
  const raisedBy: string[] = [];
  const days = s.purchaseDays;
  const n = Math.max(0, days.length - 1);
  const own = n === 0 ? 0 : (days[days.length - 1]! - days[0]!) / n;
  const cycle = s.populationIntervalDays === null ? (n === 0 ? 0 : own) : (n * own + 2 * s.populationIntervalDays) / (n + 2);
  if (cycle > 0 && days.length > 0) {
    const overdue = (s.ageDays - days[days.length - 1]!) / cycle;
    if (overdue > 2) {
      keep *= Math.pow(0.75, overdue - 2);
      raisedBy.push('overdue');
    }
  }
  const gaps = days.slice(1).map((d, i) => d - days[i]!);
  const recent = gaps.slice(-2);
  const earlier = gaps.slice(0, -2);
  const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  if (gaps.length >= 3 && mean(recent) > 1.5 * mean(earlier)) {
    keep *= 0.75;
    raisedBy.push('falling_frequency');
  }
  if (s.complaints > 0) {
    keep *= Math.pow(0.8, Math.min(s.complaints, 3));
    raisedBy.push('complaints');
  }
  const risk = Math.min(1, Math.max(0, 1 - keep));
  return { risk, level: risk >= CHURN_THRESHOLDS.high ? 'high' : risk >= CHURN_THRESHOLDS.medium ? 'medium' : 'low', raisedBy };
}
