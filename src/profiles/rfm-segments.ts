import type { RFM_SEGMENTS } from './trait-registry.js';

export type RfmSegment = (typeof RFM_SEGMENTS)[number];
export type Score = 1 | 2 | 3 | 4 | 5;

/**
 * The one R × FM grid that names RFM segments. Rows are the recency score, columns the
 * FM score 1–5 (index 0 = FM 1). Source and derivation are in README.md "RFM segments":
 * the layout of the widely used R × F/FM segment map, with every cell inside the R, F and
 * M ranges of its segment in Putler's table as reproduced in the `rfm` R package vignette
 * (Hebbali); "Lost" is the R = 1 part of the map's bottom-left "Hibernating" block, and
 * "Can't Lose Them" keeps Putler's R ≤ 1.
 */
export const RFM_SEGMENT_GRID: Readonly<Record<Score, readonly [RfmSegment, RfmSegment, RfmSegment, RfmSegment, RfmSegment]>> = {
  5: ['New', 'Potential Loyalist', 'Potential Loyalist', 'Champions', 'Champions'],
  4: ['Promising', 'Potential Loyalist', 'Potential Loyalist', 'Loyal', 'Loyal'],
  3: ['About to Sleep', 'About to Sleep', 'Need Attention', 'Loyal', 'Loyal'],
  2: ['Hibernating', 'Hibernating', 'At Risk', 'At Risk', 'At Risk'],
  1: ['Lost', 'Lost', 'At Risk', "Can't Lose Them", "Can't Lose Them"],
};

/**
 * The combined frequency-and-monetary score: the mean of F and M rounded down, so that a
 * higher FM column needs both scores to earn it (one large order is F 1, M 5 → FM 3).
 *
 * @example
 * fmScore(4, 5); // 4
 */
export function fmScore(frequency: Score, monetary: Score): Score {
  return Math.floor((frequency + monetary) / 2) as Score;
}

/**
 * Names the segment of an R, F, M score triple from `RFM_SEGMENT_GRID`.
 *
 * @example
 * rfmSegment({ recency: 5, frequency: 1, monetary: 1 }); // 'New'
 * rfmSegment({ recency: 1, frequency: 5, monetary: 4 }); // "Can't Lose Them"
 */
export function rfmSegment(scores: { recency: Score; frequency: Score; monetary: Score }): RfmSegment {
  return RFM_SEGMENT_GRID[scores.recency][fmScore(scores.frequency, scores.monetary) - 1]!;
}
