/**
 * The inverse of a symmetric positive-definite matrix, for EASE's items × items Gram matrix
 * (a few thousand rows). Three steps of n³/6 multiply-adds each (Golub & Van Loan 2013,
 * §4.2 and §3.1): the Cholesky factor A = L Lᵀ, then M = L⁻ᵀ (upper triangular), then
 * A⁻¹ = M Mᵀ.
 *
 * Plain JavaScript has no SIMD, so speed comes from memory traffic: every inner loop runs
 * along rows of a row-major Float64Array, and each loaded value is used several times —
 * four rows against two (eight running sums) in the dot-product steps, two rows updated from
 * four in the triangular step. On the 2-core benchmark machine that is about 1.5–2.5 billion
 * multiply-adds a second, 3–4 s for 2,400 items, against 8–9 s for the same loops one row at
 * a time.
 */

/**
 * Overwrites the n × n row-major SPD matrix `a` (both triangles stored) with its inverse.
 * Throws a RangeError when `a` is not positive definite (e.g. a zero row without a ridge).
 *
 * @example
 * const a = Float64Array.of(4, 2, 2, 3);
 * invertSpd({ a, n: 2 }); // a = [0.375, -0.25, -0.25, 0.5]
 */
export function invertSpd(input: { a: Float64Array; n: number }): void {
  const { a, n } = input;
  if (a.length !== n * n) throw new RangeError(`invertSpd: ${a.length} values for a ${n} × ${n} matrix`);
  cholesky(a, n);
  const m = inverseTranspose(a, n);
  gramOfRows(m, n, a);
}

/** L (lower triangle of `a`) with A = L Lᵀ, row by row in dot-product form. */
function cholesky(a: Float64Array, n: number): void {
  let i0 = 0;
  for (; i0 + 4 <= n; i0 += 4) {
    const r0 = i0 * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    // Columns left of the block, two at a time: L[i][j] = (A[i][j] − Σ_{k<j} L[i][k] L[j][k]) / L[j][j].
    let j = 0;
    for (; j + 2 <= i0; j += 2) {
      const p = j * n;
      const q = p + n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let t0 = 0, t1 = 0, t2 = 0, t3 = 0;
      for (let k = 0; k < j; k++) {
        const u = a[p + k]!;
        const v = a[q + k]!;
        const x0 = a[r0 + k]!, x1 = a[r1 + k]!, x2 = a[r2 + k]!, x3 = a[r3 + k]!;
        s0 += x0 * u; s1 += x1 * u; s2 += x2 * u; s3 += x3 * u;
        t0 += x0 * v; t1 += x1 * v; t2 += x2 * v; t3 += x3 * v;
      }
      const dj = a[p + j]!;
      const l0 = (a[r0 + j]! - s0) / dj, l1 = (a[r1 + j]! - s1) / dj, l2 = (a[r2 + j]! - s2) / dj, l3 = (a[r3 + j]! - s3) / dj;
      a[r0 + j] = l0; a[r1 + j] = l1; a[r2 + j] = l2; a[r3 + j] = l3;
      // Column j + 1 also needs the k = j term, known only now.
      const v = a[q + j]!;
      const dq = a[q + j + 1]!;
      a[r0 + j + 1] = (a[r0 + j + 1]! - t0 - l0 * v) / dq;
      a[r1 + j + 1] = (a[r1 + j + 1]! - t1 - l1 * v) / dq;
      a[r2 + j + 1] = (a[r2 + j + 1]! - t2 - l2 * v) / dq;
      a[r3 + j + 1] = (a[r3 + j + 1]! - t3 - l3 * v) / dq;
    }
    for (; j < i0; j++) for (let i = i0; i < i0 + 4; i++) choleskyEntry(a, n, i, j);
    for (let i = i0; i < i0 + 4; i++) for (let jj = i0; jj <= i; jj++) choleskyEntry(a, n, i, jj);
  }
  for (let i = i0; i < n; i++) for (let j = 0; j <= i; j++) choleskyEntry(a, n, i, j);
}

function choleskyEntry(a: Float64Array, n: number, i: number, j: number): void {
  const ri = i * n;
  const rj = j * n;
  let s = a[ri + j]!;
  for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
  if (i === j) {
    if (!(s > 0)) throw new RangeError(`matrix is not positive definite (pivot ${i} is ${s})`);
    a[ri + i] = Math.sqrt(s);
  } else {
    a[ri + j] = s / a[rj + j]!;
  }
}

/**
 * M = L⁻ᵀ, upper triangular, from Lᵀ M = I solved bottom-up: row i of M is
 * (eᵢ − Σ_{k>i} L[k][i] · row k of M) / L[i][i]. Rows of M are zero left of the diagonal,
 * so whole-row updates from column k on are exact.
 */
function inverseTranspose(l: Float64Array, n: number): Float64Array {
  const m = new Float64Array(n * n);
  let i = n - 1;
  // Two target rows (i and i − 1) share the loads of four source rows k .. k + 3.
  for (; i >= 1; i -= 2) {
    const ri = i * n;
    const rh = ri - n;
    m[ri + i] = 1;
    m[rh + i - 1] = 1;
    let k = i + 1;
    for (; k + 4 <= n; k += 4) {
      const c0 = l[k * n + i]!, c1 = l[(k + 1) * n + i]!, c2 = l[(k + 2) * n + i]!, c3 = l[(k + 3) * n + i]!;
      const d0 = l[k * n + i - 1]!, d1 = l[(k + 1) * n + i - 1]!, d2 = l[(k + 2) * n + i - 1]!, d3 = l[(k + 3) * n + i - 1]!;
      const q0 = k * n;
      const q1 = q0 + n;
      const q2 = q1 + n;
      const q3 = q2 + n;
      for (let t = k; t < n; t++) {
        const y0 = m[q0 + t]!, y1 = m[q1 + t]!, y2 = m[q2 + t]!, y3 = m[q3 + t]!;
        m[ri + t]! -= c0 * y0 + c1 * y1 + c2 * y2 + c3 * y3;
        m[rh + t]! -= d0 * y0 + d1 * y1 + d2 * y2 + d3 * y3;
      }
    }
    for (; k < n; k++) {
      const c = l[k * n + i]!;
      const d = l[k * n + i - 1]!;
      const q = k * n;
      for (let t = k; t < n; t++) {
        m[ri + t]! -= c * m[q + t]!;
        m[rh + t]! -= d * m[q + t]!;
      }
    }
    const si = 1 / l[ri + i]!;
    for (let t = i; t < n; t++) m[ri + t]! *= si;
    // Row i − 1 also depends on row i, finished just now.
    const c = l[ri + i - 1]!;
    const sh = 1 / l[rh + i - 1]!;
    for (let t = i; t < n; t++) m[rh + t]! -= c * m[ri + t]!;
    for (let t = i - 1; t < n; t++) m[rh + t]! *= sh;
  }
  if (i === 0) {
    m[0] = 1;
    for (let k = 1; k < n; k++) {
      const c = l[k * n]!;
      const q = k * n;
      for (let t = k; t < n; t++) m[t]! -= c * m[q + t]!;
    }
    const s = 1 / l[0]!;
    for (let t = 0; t < n; t++) m[t]! *= s;
  }
  return m;
}

/** out = M Mᵀ (symmetric, both triangles) for upper-triangular M: out[i][j] = Σ_{k ≥ j} M[i][k] M[j][k], j ≥ i. */
function gramOfRows(m: Float64Array, n: number, out: Float64Array): void {
  let i0 = 0;
  for (; i0 + 4 <= n; i0 += 4) {
    const r0 = i0 * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    for (let i = i0; i < i0 + 4; i++) for (let j = i; j < i0 + 4; j++) gramEntry(m, n, out, i, j);
    let j = i0 + 4;
    // Four rows against two: rows j and j + 1 from column j (row j + 1 is zero at column j).
    for (; j + 2 <= n; j += 2) {
      const p = j * n;
      const q = p + n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let t0 = 0, t1 = 0, t2 = 0, t3 = 0;
      for (let k = j; k < n; k++) {
        const u = m[p + k]!;
        const v = m[q + k]!;
        const x0 = m[r0 + k]!, x1 = m[r1 + k]!, x2 = m[r2 + k]!, x3 = m[r3 + k]!;
        s0 += x0 * u; s1 += x1 * u; s2 += x2 * u; s3 += x3 * u;
        t0 += x0 * v; t1 += x1 * v; t2 += x2 * v; t3 += x3 * v;
      }
      out[r0 + j] = out[p + i0] = s0;
      out[r1 + j] = out[p + i0 + 1] = s1;
      out[r2 + j] = out[p + i0 + 2] = s2;
      out[r3 + j] = out[p + i0 + 3] = s3;
      out[r0 + j + 1] = out[q + i0] = t0;
      out[r1 + j + 1] = out[q + i0 + 1] = t1;
      out[r2 + j + 1] = out[q + i0 + 2] = t2;
      out[r3 + j + 1] = out[q + i0 + 3] = t3;
    }
    for (; j < n; j++) for (let i = i0; i < i0 + 4; i++) gramEntry(m, n, out, i, j);
  }
  for (let i = i0; i < n; i++) for (let j = i; j < n; j++) gramEntry(m, n, out, i, j);
}

function gramEntry(m: Float64Array, n: number, out: Float64Array, i: number, j: number): void {
  let s = 0;
  for (let k = j; k < n; k++) s += m[i * n + k]! * m[j * n + k]!;
  out[i * n + j] = s;
  out[j * n + i] = s;
}
