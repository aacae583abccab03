import { describe, expect, it } from 'vitest';
import { csrFromEntries, mapValues, rowOf, rowSums, transpose } from './sparse.js';

// [[0, 2, 0],
//  [1, 0, 3]]
const m = csrFromEntries({
  rows: 2,
  cols: 3,
  entries: [
    { row: 1, col: 2, value: 1 },
    { row: 0, col: 1, value: 2 },
    { row: 1, col: 0, value: 1 },
    { row: 1, col: 2, value: 2 },
  ],
});

describe('csr matrices', () => {
  it('sorts entries into rows and sums duplicates', () => {
    expect([...m.indptr]).toEqual([0, 1, 3]);
    expect([...m.indices]).toEqual([1, 0, 2]);
    expect([...m.values]).toEqual([2, 1, 3]);
  });

  it('transposes: [[0,1],[2,0],[0,3]]', () => {
    const t = transpose(m);
    expect(t.rows).toBe(3);
    expect([...t.indptr]).toEqual([0, 1, 2, 3]);
    expect([...t.indices]).toEqual([1, 0, 1]);
    expect([...t.values]).toEqual([1, 2, 3]);
  });

  it('reads rows, maps values and sums rows', () => {
    expect(Array.from(rowOf(m, 1).indices)).toEqual([0, 2]);
    expect([...mapValues(m, (v, r, c) => v * 10 + r + c).values]).toEqual([21, 11, 33]);
    expect([...rowSums(m)]).toEqual([2, 4]);
  });

  it('refuses entries outside the shape', () => {
    expect(() => csrFromEntries({ rows: 1, cols: 1, entries: [{ row: 0, col: 1, value: 1 }] })).toThrow(RangeError);
  });
});
