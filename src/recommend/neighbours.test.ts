import { describe, expect, it } from 'vitest';
import { transposeNeighbours, type NeighbourLists } from './neighbours.js';
import { seededRng, type Rng } from './rng.js';

/** Random lists: each row gets 0..maxDegree distinct neighbours (not itself) in random order, with float32 weights. */
function randomLists(itemCount: number, maxDegree: number, rng: Rng): NeighbourLists {
  const indptr = [0];
  const indices: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < itemCount; i++) {
    const degree = Math.floor(rng() * (maxDegree + 1));
    const chosen = new Set<number>();
    while (chosen.size < Math.min(degree, itemCount - 1)) {
      const j = Math.floor(rng() * itemCount);
      if (j !== i) chosen.add(j);
    }
    for (const j of chosen) {
      indices.push(j);
      weights.push(rng());
    }
    indptr.push(indices.length);
  }
  return { indptr: Int32Array.from(indptr), indices: Int32Array.from(indices), weights: Float32Array.from(weights) };
}

/** Brute force: for each j, the (i, W_ij) with j in row i, rows in increasing i. */
function bruteIncoming(lists: NeighbourLists, itemCount: number): Array<Array<[number, number]>> {
  const incoming = Array.from({ length: itemCount }, () => [] as Array<[number, number]>);
  for (let i = 0; i + 1 < lists.indptr.length; i++) {
    for (let q = lists.indptr[i]!; q < lists.indptr[i + 1]!; q++) incoming[lists.indices[q]!]!.push([i, lists.weights[q]!]);
  }
  return incoming;
}

const rowsOf = (lists: NeighbourLists, itemCount: number) =>
  Array.from({ length: itemCount }, (_, j) => {
    const row: Array<[number, number]> = [];
    for (let q = lists.indptr[j]!; q < lists.indptr[j + 1]!; q++) row.push([lists.indices[q]!, lists.weights[q]!]);
    return row;
  });

describe('transposeNeighbours', () => {
  it('equals a brute-force transpose of random sparse lists', () => {
    for (const [itemCount, maxDegree, seed] of [[40, 6, 1], [200, 12, 2], [7, 6, 3], [1, 0, 4]] as const) {
      const lists = randomLists(itemCount, maxDegree, seededRng(seed));
      const t = transposeNeighbours(lists, itemCount);
      expect(t.indptr).toHaveLength(itemCount + 1);
      expect(t.indptr[0]).toBe(0);
      expect(t.indptr[itemCount]).toBe(lists.indices.length);
      expect(rowsOf(t, itemCount)).toEqual(bruteIncoming(lists, itemCount));
    }
  });

  it('works out a small example by hand', () => {
    // Row 0 → 2 (0.5), 1 (0.25); row 1 → none; row 2 → 0 (1), 1 (0.75).
    const lists: NeighbourLists = { indptr: Int32Array.from([0, 2, 2, 4]), indices: Int32Array.from([2, 1, 0, 1]), weights: Float32Array.from([0.5, 0.25, 1, 0.75]) };
    const t = transposeNeighbours(lists, 3);
    // Into 0: from 2 (1); into 1: from 0 (0.25), from 2 (0.75); into 2: from 0 (0.5).
    expect([...t.indptr]).toEqual([0, 1, 3, 4]);
    expect([...t.indices]).toEqual([2, 0, 2, 0]);
    expect([...t.weights]).toEqual([1, 0.25, 0.75, 0.5]);
  });

  it('gives back the original rows (as sets) when applied twice', () => {
    const itemCount = 60;
    const lists = randomLists(itemCount, 8, seededRng(9));
    const twice = transposeNeighbours(transposeNeighbours(lists, itemCount), itemCount);
    const sorted = (rows: Array<Array<[number, number]>>) => rows.map((r) => [...r].sort((x, y) => x[0] - y[0]));
    expect(sorted(rowsOf(twice, itemCount))).toEqual(sorted(rowsOf(lists, itemCount)));
  });

  it('has empty rows for an empty list', () => {
    const t = transposeNeighbours({ indptr: new Int32Array(4), indices: new Int32Array(0), weights: new Float32Array(0) }, 3);
    expect([...t.indptr]).toEqual([0, 0, 0, 0]);
    expect(t.indices).toHaveLength(0);
  });
});
