/**
 * The few dense linear-algebra kernels the factor model needs, on row-major Float64Arrays.
 * f (the number of factors) is small (≤ 256), so plain loops are enough.
 */

/**
 * Gram matrix YᵀY (f × f) of an n × f row-major matrix, plus `ridge` on the diagonal.
 *
 * @example
 * gramian({ y: Float64Array.of(1, 2), n: 1, f: 2, ridge: 0 }); // [1, 2, 2, 4]
 */
export function gramian(input: { y: ArrayLike<number>; n: number; f: number; ridge: number }): Float64Array {
  const { y, n, f } = input;
  const g = new Float64Array(f * f);
  for (let r = 0; r < n; r++) {
    const o = r * f;
    for (let a = 0; a < f; a++) {
      const ya = y[o + a]!;
      if (ya === 0) continue;
      const ga = a * f;
      for (let b = a; b < f; b++) g[ga + b]! += ya * y[o + b]!;
    }
  }
  for (let a = 0; a < f; a++) {
    g[a * f + a]! += input.ridge;
    for (let b = 0; b < a; b++) g[a * f + b] = g[b * f + a]!;
  }
  return g;
}

/**
 * Solves A x = b for a symmetric positive-definite f × f matrix A by Cholesky factorisation
 * (A is overwritten with its factor). Throws when A is not positive definite.
 *
 * @example
 * solveSpd({ a: Float64Array.of(4, 2, 2, 3), b: Float64Array.of(2, 1), f: 2 }); // [0.5, 0]
 */
export function solveSpd(input: { a: Float64Array; b: Float64Array; f: number }): Float64Array {
  const { a, f } = input;
  for (let i = 0; i < f; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * f + j]!;
      for (let k = 0; k < j; k++) s -= a[i * f + k]! * a[j * f + k]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError(`matrix is not positive definite (pivot ${i} is ${s})`);
        a[i * f + i] = Math.sqrt(s);
      } else {
        a[i * f + j] = s / a[j * f + j]!;
      }
    }
  }
  const x = Float64Array.from(input.b);
  for (let i = 0; i < f; i++) {
    let s = x[i]!;
    for (let k = 0; k < i; k++) s -= a[i * f + k]! * x[k]!;
    x[i] = s / a[i * f + i]!;
  }
  for (let i = f - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < f; k++) s -= a[k * f + i]! * x[k]!;
    x[i] = s / a[i * f + i]!;
  }
  return x;
}
