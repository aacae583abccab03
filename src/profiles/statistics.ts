/**
 * Small descriptive statistics shared by the trait modules. Kept here so that every trait
 * uses one definition of "median" and "percentile position".
 */

/**
 * Arithmetic mean, or `null` for no values.
 *
 * @example
 * mean([1, 2, 6]); // 3
 */
export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Median (the mean of the two middle values for an even count), or `null` for no values.
 *
 * @example
 * median([5, 1, 3, 10]); // 4
 */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Index of the first element of `sorted` (ascending) that is `>= x` (or `> x` when `strict`). */
function lowerBound(sorted: readonly number[], x: number, strict: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (strict ? v <= x : v < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * How many values of `sorted` (ascending) are below `x` and how many equal it.
 *
 * @example
 * countBelowAndEqual([1, 2, 2, 5], 2); // { below: 1, equal: 2 }
 */
export function countBelowAndEqual(sorted: readonly number[], x: number): { below: number; equal: number } {
  const below = lowerBound(sorted, x, false);
  return { below, equal: lowerBound(sorted, x, true) - below };
}

/**
 * The quintile (1–5) of `x` within `sorted` (ascending, non-empty) by its mid-rank
 * percentile p = (below + equal / 2) / n: quintile = floor(5p) + 1. Equal values always get
 * the same quintile, a value in the middle of a tie lands where the middle of the tie is,
 * and the result does not depend on input order. A value outside the distribution lands in
 * quintile 1 or 5. With n distinct values each quintile
 * holds n/5 of them (the Hazen plotting position; Hyndman & Fan 1996, definition 5).
 * Computed in integers, so there is no rounding at the quintile edges.
 *
 * @example
 * midRankQuintile([10, 20, 30, 40, 50], 40); // 4
 * midRankQuintile([7, 7, 7], 7); // 3
 */
export function midRankQuintile(sorted: readonly number[], x: number): 1 | 2 | 3 | 4 | 5 {
  const n = sorted.length;
  if (n === 0) throw new Error('midRankQuintile: empty distribution');
  const { below, equal } = countBelowAndEqual(sorted, x);
  // floor(5 · (below + equal/2) / n) = floor((10·below + 5·equal) / (2n)). It is < 5 for a
  // value of the distribution; a value above all of them (below = n) would give 5, hence the cap.
  return (Math.min(4, Math.floor((10 * below + 5 * equal) / (2 * n))) + 1) as 1 | 2 | 3 | 4 | 5;
}

/**
 * The UTC calendar day of a time, as whole days since 1970-01-01.
 *
 * @example
 * utcDay(Date.parse('1970-01-02T23:59:59Z')); // 1
 */
export function utcDay(ms: number): number {
  return Math.floor(ms / 86_400_000);
}
