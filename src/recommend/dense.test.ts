import { describe, expect, it } from 'vitest';
import { gramian, solveSpd } from './dense.js';

describe('dense kernels', () => {
  it('computes YᵀY + ridge·I', () => {
    // Y = [[1, 2], [3, 4]] → YᵀY = [[1+9, 2+12], [2+12, 4+16]] = [[10, 14], [14, 20]]
    expect([...gramian({ y: [1, 2, 3, 4], n: 2, f: 2, ridge: 0.5 })]).toEqual([10.5, 14, 14, 20.5]);
  });

  it('solves a symmetric positive-definite system', () => {
    // [[4, 2], [2, 3]] x = [2, 1] → x = [0.5, 0]
    const x = solveSpd({ a: Float64Array.of(4, 2, 2, 3), b: Float64Array.of(2, 1), f: 2 });
    expect(x[0]).toBeCloseTo(0.5, 12);
    expect(x[1]).toBeCloseTo(0, 12);
    // [[2, 1, 0], [1, 2, 1], [0, 1, 2]] x = [1, 2, 3] → x = [0.5, 0, 1.5] (check: 1, 2, 3)
    const y = solveSpd({ a: Float64Array.of(2, 1, 0, 1, 2, 1, 0, 1, 2), b: Float64Array.of(1, 2, 3), f: 3 });
    expect([...y].map((v) => Number(v.toFixed(12)))).toEqual([0.5, 0, 1.5]);
  });

  it('refuses a matrix that is not positive definite', () => {
    expect(() => solveSpd({ a: Float64Array.of(1, 2, 2, 1), b: Float64Array.of(1, 1), f: 2 })).toThrow(RangeError);
  });
});
