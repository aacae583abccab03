import { describe, expect, it } from 'vitest';
import { seededRng } from './rng.js';
import { invertSpd } from './spd-inverse.js';

/** A random SPD matrix XᵀX + I from a seeded n × (n + 3) X. */
function randomSpd(n: number, seed: number): Float64Array {
  const rng = seededRng(seed);
  const x = Array.from({ length: n + 3 }, () => Array.from({ length: n }, () => rng() - 0.5));
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = x.reduce((s, row) => s + row[i]! * row[j]!, i === j ? 1 : 0);
  return a;
}

describe('invertSpd', () => {
  it('inverts a 2 × 2 matrix worked by hand', () => {
    // [[4, 2], [2, 3]]⁻¹ = 1/(4·3 − 2·2) · [[3, −2], [−2, 4]] = [[0.375, −0.25], [−0.25, 0.5]]
    const a = Float64Array.of(4, 2, 2, 3);
    invertSpd({ a, n: 2 });
    [0.375, -0.25, -0.25, 0.5].forEach((v, i) => expect(a[i]).toBeCloseTo(v, 14));
  });

  it('inverts the second-difference matrix to its known closed form', () => {
    // tridiag(−1, 2, −1) of order n has inverse (min(i, j) + 1)(n − max(i, j)) / (n + 1) (0-based).
    for (const n of [3, 9]) {
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        a[i * n + i] = 2;
        if (i > 0) a[i * n + i - 1] = a[(i - 1) * n + i] = -1;
      }
      invertSpd({ a, n });
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(a[i * n + j]).toBeCloseTo(((Math.min(i, j) + 1) * (n - Math.max(i, j))) / (n + 1), 12);
    }
  });

  it('gives A·A⁻¹ = I for every size around the 4-row and 2-row blocks', () => {
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 17, 31]) {
      const a = randomSpd(n, n);
      const inverse = a.slice();
      invertSpd({ a: inverse, n });
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += a[i * n + k]! * inverse[k * n + j]!;
          expect(s).toBeCloseTo(i === j ? 1 : 0, 9);
          expect(inverse[i * n + j]).toBe(inverse[j * n + i]);
        }
      }
    }
  });

  it('refuses a matrix that is not positive definite', () => {
    expect(() => invertSpd({ a: Float64Array.of(1, 2, 2, 1), n: 2 })).toThrow(/not positive definite/);
    expect(() => invertSpd({ a: new Float64Array(3), n: 2 })).toThrow(RangeError);
  });
});
