import type { VALUE_TIER_NAMES } from '../profiles/trait-registry.js';
import type { ChurnLevel } from './churn.js';

/**
 * Value tiers (the seeds' three groups), from predicted CLV and churn risk:
 * - `high_value_nurture`: predicted CLV in the workspace's top 20% of customers with a CLV;
 * - `potential_convert`: not high value, CLV at or above the median, churn risk not high —
 *   worth an offer to buy again;
 * - `low_value_maintain`: everyone else with a prediction (low CLV, or at risk below the top).
 * Thresholds are quantiles of the current population, so tiers keep their sizes as the
 * business grows; `valueTierThresholds` computes them once per run.
 */
export type ValueTier = (typeof VALUE_TIER_NAMES)[number];

export interface ValueTierThresholds {
  /** CLV at the 80th percentile: at or above it is high value. */
  high: number;
  /** Median CLV. */
  median: number;
}

/**
 * @example
 * valueTierThresholds([10, 20, 30, 40, 50]); // { high: 42, median: 30 }
 */
export function valueTierThresholds(clvs: readonly number[]): ValueTierThresholds | null {
  const sorted = clvs.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const q = (p: number) => {
    const pos = (sorted.length - 1) * p;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
  };
  return { high: q(0.8), median: q(0.5) };
}

/**
 * @example
 * valueTier(120, 'low', { high: 100, median: 40 }); // 'high_value_nurture'
 */
export function valueTier(clv: number, churn: ChurnLevel, t: ValueTierThresholds): ValueTier {
  if (clv >= t.high) return 'high_value_nurture';
  if (clv >= t.median && churn !== 'high') return 'potential_convert';
  return 'low_value_maintain';
}
