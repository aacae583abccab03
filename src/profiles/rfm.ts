import { DAY_MS } from './inputs.js';
import { fmScore, rfmSegment, type RfmSegment, type Score } from './rfm-segments.js';
import { midRankQuintile } from './statistics.js';
import type { TraitValues } from './trait-registry.js';

/** One person of the workspace population, as the RFM job reads it from commerce traits. */
export interface RfmInput {
  profileId: string;
  /** Time of the latest counted order; null when there is none. */
  lastOrderAt: number | null;
  /** Counted orders (commerce trait orders_count). */
  ordersCount: number;
  /** Net revenue in the workspace's reporting currency (commerce trait revenue_total, converted). */
  revenue: number;
}

export interface RfmScore {
  profileId: string;
  /** Whole days from the latest order to `now` (0 when the order is in the future). */
  recencyDays: number;
  recency: Score;
  frequency: Score;
  monetary: Score;
  /** floor((F + M) / 2), the column of the segment grid. */
  fm: Score;
  /** R, F and M as one string, e.g. "545". */
  cell: string;
  segment: RfmSegment;
}

export interface RfmResult {
  /** Scored people, in input order. */
  scored: RfmScore[];
  /** People without a counted order (or with a non-finite value): not part of the population. */
  unscored: string[];
}

/**
 * Scores recency, frequency and monetary value 1–5 by quintile within the population and
 * names each person's segment.
 *
 * Quintiles are rank-based with mid-ranks (statistics.ts `midRankQuintile`): a value's
 * percentile is (people strictly worse + half the people equal) / n and its score is
 * floor(5 × percentile) + 1. Equal values therefore always get equal scores, a large tie
 * sits where its middle falls, and the result does not depend on input order. Recency
 * counts whole days since the latest order, fewer days scoring higher; frequency is the
 * orders count and monetary the net revenue, more scoring higher. Only people with at least
 * one counted order take part.
 *
 * @example
 * scoreRfm({ population: [{ profileId: 'p1', lastOrderAt: t, ordersCount: 3, revenue: 120 }, …], now });
 * // { scored: [{ profileId: 'p1', recency: 5, frequency: 4, monetary: 4, cell: '544', segment: 'Champions', … }], unscored: [] }
 */
export function scoreRfm(input: { population: readonly RfmInput[]; now: number }): RfmResult {
  const seen = new Set<string>();
  const eligible: Array<RfmInput & { lastOrderAt: number; recencyDays: number }> = [];
  const unscored: string[] = [];
  for (const person of input.population) {
    if (seen.has(person.profileId)) throw new Error(`scoreRfm: profile ${person.profileId} appears twice in the population`);
    seen.add(person.profileId);
    const { lastOrderAt, ordersCount, revenue } = person;
    if (lastOrderAt === null || !(ordersCount >= 1) || !Number.isFinite(lastOrderAt) || !Number.isFinite(revenue)) {
      unscored.push(person.profileId);
      continue;
    }
    eligible.push({ ...person, lastOrderAt, recencyDays: Math.max(0, Math.floor((input.now - lastOrderAt) / DAY_MS)) });
  }
  const ascending = (values: number[]) => values.sort((a, b) => a - b);
  // Recency is scored on minus the days, so that "more recent" is "larger" like F and M.
  const recencies = ascending(eligible.map((p) => -p.recencyDays));
  const frequencies = ascending(eligible.map((p) => p.ordersCount));
  const monetaries = ascending(eligible.map((p) => p.revenue));
  const scored = eligible.map((p): RfmScore => {
    const recency = midRankQuintile(recencies, -p.recencyDays);
    const frequency = midRankQuintile(frequencies, p.ordersCount);
    const monetary = midRankQuintile(monetaries, p.revenue);
    return {
      profileId: p.profileId, recencyDays: p.recencyDays, recency, frequency, monetary,
      fm: fmScore(frequency, monetary), cell: `${recency}${frequency}${monetary}`, segment: rfmSegment({ recency, frequency, monetary }),
    };
  });
  return { scored, unscored };
}

/**
 * One person's RFM score as declared trait values.
 *
 * @example
 * rfmTraitValues(score); // { rfm_recency_score: 5, rfm_cell: '545', rfm_segment: 'Champions', … }
 */
export function rfmTraitValues(score: RfmScore): TraitValues {
  return {
    rfm_recency_score: score.recency,
    rfm_frequency_score: score.frequency,
    rfm_monetary_score: score.monetary,
    rfm_cell: score.cell,
    rfm_segment: score.segment,
  };
}
