import type { Rng } from '../recommend/rng.js';

/**
 * k-means for customer clustering: k-means++ seeding (Arthur & Vassilvitskii 2007), Lloyd
 * iterations, several restarts keeping the lowest within-cluster sum of squares, and the
 * silhouette (Rousseeuw 1987) to choose k. Pure: data in, numbers out; randomness is passed in.
 *
 * Points are rows of a dense row-major matrix (`n` rows of `d` values).
 */
export interface Matrix {
  n: number;
  d: number;
  values: Float64Array;
}

export interface KMeansResult {
  k: number;
  /** k rows of d values. */
  centroids: Float64Array;
  /** Cluster index of each point. */
  assignments: Int32Array;
  /** Within-cluster sum of squared distances. */
  inertia: number;
  iterations: number;
  /** Whether the assignments stopped changing before the iteration limit. */
  converged: boolean;
}

export interface KMeansOptions {
  rng: Rng;
  /** Lloyd iterations per restart at most (default 100). */
  maxIterations?: number;
  /** Independent seedings; the best by inertia wins (default 3). */
  restarts?: number;
}

/** Squared Euclidean distance between row `i` of `a` and row `j` of `b` (both `d` wide). */
function distance2(a: Float64Array, i: number, b: Float64Array, j: number, d: number): number {
  let s = 0;
  const ai = i * d;
  const bj = j * d;
  for (let x = 0; x < d; x++) {
    const t = a[ai + x]! - b[bj + x]!;
    s += t * t;
  }
  return s;
}

/**
 * k-means++ seeding: the first centre uniformly, each next one with probability proportional
 * to the squared distance to the nearest centre chosen so far.
 */
export function seedCentroids(m: Matrix, k: number, rng: Rng): Float64Array {
  const { n, d, values } = m;
  const centroids = new Float64Array(k * d);
  const nearest = new Float64Array(n).fill(Infinity);
  let pick = Math.min(n - 1, Math.floor(rng() * n));
  for (let c = 0; c < k; c++) {
    centroids.set(values.subarray(pick * d, pick * d + d), c * d);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const dist = distance2(values, i, centroids, c, d);
      if (dist < nearest[i]!) nearest[i] = dist;
      total += nearest[i]!;
    }
    if (c === k - 1) break;
    if (total === 0) { pick = Math.min(n - 1, Math.floor(rng() * n)); continue; } // fewer distinct points than k
    let target = rng() * total;
    pick = n - 1;
    for (let i = 0; i < n; i++) {
      target -= nearest[i]!;
      if (target < 0) { pick = i; break; }
    }
  }
  return centroids;
}

/** Assigns each point to its nearest centroid; returns the inertia. */
export function assign(m: Matrix, centroids: Float64Array, k: number, out: Int32Array): number {
  const { n, d, values } = m;
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestDist = Infinity;
    for (let c = 0; c < k; c++) {
      const dist = distance2(values, i, centroids, c, d);
      if (dist < bestDist) { bestDist = dist; best = c; }
    }
    out[i] = best;
    inertia += bestDist;
  }
  return inertia;
}

function lloyd(m: Matrix, k: number, centroids: Float64Array, maxIterations: number): KMeansResult {
  const { n, d, values } = m;
  const assignments = new Int32Array(n).fill(-1);
  const next = new Int32Array(n);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  let inertia = assign(m, centroids, k, next);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    let changed = 0;
    for (let i = 0; i < n; i++) if (next[i] !== assignments[i]) { changed++; assignments[i] = next[i]!; }
    if (changed === 0) { converged = true; break; }
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = assignments[i]!;
      counts[c]!++;
      for (let x = 0; x < d; x++) sums[c * d + x]! += values[i * d + x]!;
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        // An empty cluster takes the point farthest from its centre.
        let far = 0;
        let farDist = -1;
        for (let i = 0; i < n; i++) {
          const dist = distance2(values, i, centroids, assignments[i]!, d);
          if (dist > farDist) { farDist = dist; far = i; }
        }
        centroids.set(values.subarray(far * d, far * d + d), c * d);
        continue;
      }
      for (let x = 0; x < d; x++) centroids[c * d + x] = sums[c * d + x]! / counts[c]!;
    }
    inertia = assign(m, centroids, k, next);
  }
  if (!converged) assignments.set(next);
  return { k, centroids, assignments, inertia, iterations, converged };
}

/**
 * Clusters the rows of `m` into `k` groups: the best of `restarts` k-means++ seedings
 * followed by Lloyd iterations. Deterministic for a given `rng` sequence.
 *
 * @example
 * kmeans({ n: 4, d: 1, values: Float64Array.of(0, 0.1, 10, 10.1) }, 2, { rng: seededRng(1) }).assignments; // e.g. [0, 0, 1, 1]
 */
export function kmeans(m: Matrix, k: number, options: KMeansOptions): KMeansResult {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (m.n < k) throw new RangeError(`k-means needs at least k = ${k} points, got ${m.n}`);
  const restarts = options.restarts ?? 3;
  let best: KMeansResult | null = null;
  for (let r = 0; r < restarts; r++) {
    const result = lloyd(m, k, seedCentroids(m, k, options.rng), options.maxIterations ?? 100);
    if (best === null || result.inertia < best.inertia) best = result;
  }
  return best!;
}

/**
 * Mean silhouette of a clustering (Rousseeuw 1987): for each point, a = mean distance to the
 * other points of its cluster, b = the smallest mean distance to the points of another
 * cluster, s = (b − a) / max(a, b); a point alone in its cluster scores 0. Exact, O(n²·d):
 * callers pass a sample of a large population.
 *
 * @example
 * silhouette({ n: 4, d: 1, values: Float64Array.of(0, 1, 10, 11) }, Int32Array.of(0, 0, 1, 1), 2); // ≈ 0.9
 */
export function silhouette(m: Matrix, assignments: Int32Array, k: number): number {
  const { n, d, values } = m;
  if (n < 2 || k < 2) return 0;
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; i++) sizes[assignments[i]!]!++;
  const sums = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    for (let j = 0; j < n; j++) if (j !== i) sums[assignments[j]!]! += Math.sqrt(distance2(values, i, values, j, d));
    const own = assignments[i]!;
    if (sizes[own]! <= 1) continue;
    const a = sums[own]! / (sizes[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c]! > 0) b = Math.min(b, sums[c]! / sizes[c]!);
    if (b === Infinity) continue;
    const denominator = Math.max(a, b);
    total += denominator === 0 ? 0 : (b - a) / denominator;
  }
  return total / n;
}

/**
 * Column means and standard deviations (population), for z-scores. A column with no spread
 * gets deviation 0: it says nothing about who differs from whom.
 */
export function columnStats(m: Matrix): { mean: Float64Array; sd: Float64Array } {
  const { n, d, values } = m;
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let x = 0; x < d; x++) mean[x]! += values[i * d + x]!;
  for (let x = 0; x < d; x++) mean[x]! /= Math.max(1, n);
  for (let i = 0; i < n; i++) for (let x = 0; x < d; x++) { const t = values[i * d + x]! - mean[x]!; sd[x]! += t * t; }
  for (let x = 0; x < d; x++) { const s = Math.sqrt(sd[x]! / Math.max(1, n)); sd[x] = s < 1e-12 ? 0 : s; }
  return { mean, sd };
}

/**
 * Rows scaled to z-scores and multiplied by a per-column weight (columns with no spread
 * become 0).
 */
export function standardize(m: Matrix, stats: { mean: Float64Array; sd: Float64Array }, weights: Float64Array): Matrix {
  const { n, d, values } = m;
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let x = 0; x < d; x++) {
      const sd = stats.sd[x]!;
      out[i * d + x] = sd === 0 ? 0 : ((values[i * d + x]! - stats.mean[x]!) / sd) * weights[x]!;
    }
  }
  return { n, d, values: out };
}

/**
 * `count` distinct row indexes out of `n`, in ascending order, drawn uniformly (a partial
 * Fisher–Yates shuffle); all of them when `count >= n`.
 */
export function sampleIndexes(n: number, count: number, rng: Rng): Int32Array {
  if (count >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const pool = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng() * (n - i));
    const t = pool[i]!; pool[i] = pool[j]!; pool[j] = t;
  }
  return pool.subarray(0, count).sort();
}

/** The rows of `m` at `indexes`. */
export function rows(m: Matrix, indexes: Int32Array): Matrix {
  const out = new Float64Array(indexes.length * m.d);
  for (let r = 0; r < indexes.length; r++) out.set(m.values.subarray(indexes[r]! * m.d, indexes[r]! * m.d + m.d), r * m.d);
  return { n: indexes.length, d: m.d, values: out };
}
