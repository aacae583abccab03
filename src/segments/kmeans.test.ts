import { describe, expect, it } from 'vitest';
import { seededRng } from '../recommend/rng.js';
import { columnStats, kmeans, sampleIndexes, seedCentroids, silhouette, standardize, type Matrix } from './kmeans.js';

/** Twelve points in the plane, three visible groups (lower left, upper middle, right). */
const POINTS = [[1, 2], [1.5, 1.8], [5, 8], [8, 8], [1, 0.6], [9, 11], [8, 2], [10, 2], [9, 3], [4, 7], [2, 2.5], [7.5, 9.5]];
const GROUPS = [0, 0, 1, 1, 0, 1, 2, 2, 2, 1, 0, 1];
const matrix = (points: number[][]): Matrix => ({ n: points.length, d: points[0]!.length, values: Float64Array.from(points.flat()) });

/** Same partition up to the names of the clusters. */
function samePartition(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  const map = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    const seen = map.get(a[i]!);
    if (seen === undefined) map.set(a[i]!, b[i]!);
    else if (seen !== b[i]) return false;
  }
  return new Set(map.values()).size === map.size;
}

describe('k-means', () => {
  it('finds the three groups with the within-cluster sum of squares computed independently', () => {
    const r = kmeans(matrix(POINTS), 3, { rng: seededRng(7) });
    expect(samePartition(r.assignments, GROUPS)).toBe(true);
    // Reference: NumPy 2.4.6, Σ over groups of Σ‖x − mean(group)‖² for GROUPS = 2.635 + 27.6 + 2.6667.
    expect(r.inertia).toBeCloseTo(32.901666666666664, 9);
    expect(r.converged).toBe(true);
    const centres = Array.from({ length: 3 }, (_, c) => [r.centroids[2 * c]!, r.centroids[2 * c + 1]!]).sort((a, b) => a[0]! - b[0]!);
    expect(centres[0]![0]).toBeCloseTo(1.375, 9); expect(centres[0]![1]).toBeCloseTo(1.725, 9);
    expect(centres[1]![0]).toBeCloseTo(6.7, 9); expect(centres[1]![1]).toBeCloseTo(8.7, 9);
    expect(centres[2]![0]).toBeCloseTo(9, 9); expect(centres[2]![1]).toBeCloseTo(7 / 3, 9);
  });

  it('is deterministic for a seed and recovers well-separated blobs', () => {
    const rng = seededRng(3);
    const truth: number[] = [];
    const points: number[][] = [];
    const centres = [[0, 0, 0], [10, 0, 5], [0, 12, -4], [8, 8, 8]];
    for (let i = 0; i < 400; i++) {
      const c = i % 4;
      truth.push(c);
      points.push(centres[c]!.map((v) => v + (rng() - 0.5) * 2));
    }
    const a = kmeans(matrix(points), 4, { rng: seededRng(11) });
    const b = kmeans(matrix(points), 4, { rng: seededRng(11) });
    expect([...a.assignments]).toEqual([...b.assignments]);
    expect(samePartition(a.assignments, truth)).toBe(true);
  });

  it('seeds k-means++ centres on distinct points, and refuses k above the number of points', () => {
    const m = matrix([[0, 0], [0, 0], [0, 0], [5, 5]]);
    const c = seedCentroids(m, 2, seededRng(1));
    expect(new Set([`${c[0]},${c[1]}`, `${c[2]},${c[3]}`])).toEqual(new Set(['0,0', '5,5']));
    expect(() => kmeans(m, 5, { rng: seededRng(1) })).toThrow(/at least k = 5 points, got 4/);
    // Fewer distinct points than k still ends with k centres and no NaN.
    const r = kmeans(m, 3, { rng: seededRng(1) });
    expect([...r.centroids].every(Number.isFinite)).toBe(true);
  });
});

describe('silhouette', () => {
  it('matches the mean silhouette computed independently', () => {
    // Reference: NumPy 2.4.6, s(i) = (b − a) / max(a, b) with Euclidean distances (Rousseeuw 1987).
    expect(silhouette(matrix(POINTS), Int32Array.from(GROUPS), 3)).toBeCloseTo(0.6814047172469331, 12);
    expect(silhouette(matrix(POINTS), Int32Array.from([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]), 2)).toBeCloseTo(0.07541945915468651, 12);
  });

  it('scores a point alone in its cluster 0, and a single cluster 0', () => {
    // Two points together (a = 1, b = 10 and 9 → s = 0.9, 0.888…) and one alone (0): mean over three.
    expect(silhouette(matrix([[0], [1], [10]]), Int32Array.of(0, 0, 1), 2)).toBeCloseTo((0.9 + (1 - 1 / 9)) / 3, 12);
    expect(silhouette(matrix([[0], [1]]), Int32Array.of(0, 0), 1)).toBe(0);
  });
});

describe('scaling and sampling', () => {
  it('z-scores columns with population deviations and zeroes a constant column', () => {
    const m = matrix([[1, 5], [3, 5], [5, 5]]);
    const stats = columnStats(m);
    expect([...stats.mean]).toEqual([3, 5]);
    expect(stats.sd[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(stats.sd[1]).toBe(0);
    const z = standardize(m, stats, Float64Array.of(2, 1));
    expect(z.values[0]).toBeCloseTo((-2 / Math.sqrt(8 / 3)) * 2, 12);
    expect(z.values[1]).toBe(0);
  });

  it('samples distinct indexes in order, the same ones for the same seed', () => {
    const a = sampleIndexes(1000, 50, seededRng(5));
    expect(new Set(a).size).toBe(50);
    expect([...a]).toEqual([...a].sort((x, y) => x - y));
    expect([...a]).toEqual([...sampleIndexes(1000, 50, seededRng(5))]);
    expect([...sampleIndexes(3, 10, seededRng(5))]).toEqual([0, 1, 2]);
  });
});
