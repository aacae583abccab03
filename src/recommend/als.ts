import { z } from 'zod';
import { gramian, solveSpd } from './dense.js';
import { decodeFloat32, encodeFloat32 } from './encoding.js';
import type { InteractionMatrix } from './interactions.js';
import { makeRecommender, type Recommender } from './recommender.js';
import type { Rng } from './rng.js';
import { transpose, type CsrMatrix, type SparseVector } from './sparse.js';

/**
 * Implicit-feedback matrix factorisation (Hu, Koren & Volinsky 2008, "Collaborative Filtering
 * for Implicit Feedback Datasets"). Every (user, item) pair has a preference p = 1 if they
 * interacted, else 0, trusted with confidence c = 1 + α·r (r = the matrix value); the factors
 * minimise Σ c (p − xᵤ·yᵢ)² + λ(‖X‖² + ‖Y‖²) over all pairs, by alternating least squares.
 *
 * Each least-squares step uses the paper's trick (§4): (YᵀCᵤY + λI) = YᵀY + Yᵀ(Cᵤ − I)Y + λI,
 * where only the user's own items enter the second term, and solves it approximately with a
 * few conjugate-gradient steps warm-started at the previous factors (Takács, Pilászy & Tikk
 * 2011, "Applications of the conjugate gradient method for implicit feedback collaborative
 * filtering"). Only item factors are kept: at serving time a person's factors are solved
 * exactly from their current history ("fold-in", Hu et al. §4 eq. 4), so new purchases count
 * without refitting.
 */
export interface AlsOptions {
  /** Seeded randomness for the initial item factors. */
  rng: Rng;
  /** Number of latent factors. Default 64. */
  factors?: number;
  /** λ, the L2 penalty. Default 50. */
  regularization?: number;
  /** α in c = 1 + α·r. Default 10. */
  alpha?: number;
  /** Alternating sweeps (users then items). Default 10. */
  iterations?: number;
  /** Conjugate-gradient steps per least-squares solve. Default 3. */
  cgSteps?: number;
}

/**
 * Tuned on the Online Retail validation split (README.md, "Tuning"); 128 factors score a
 * little higher but take twice as long.
 */
export const ALS_DEFAULTS: Readonly<Required<Omit<AlsOptions, 'rng'>>> = Object.freeze({
  factors: 64,
  regularization: 50,
  alpha: 10,
  iterations: 10,
  cgSteps: 3,
});

export const alsSchema = z.object({
  kind: z.literal('als'),
  version: z.literal(1),
  itemIds: z.array(z.string()),
  factors: z.number().int().positive(),
  regularization: z.number().positive(),
  alpha: z.number().nonnegative(),
  itemFactors: z.string(),
});

/**
 * Fits implicit ALS.
 *
 * @example
 * const model = fitAls(matrix, { rng: seededRng(7), factors: 64 });
 * model.recommend({ history: rowOf(matrix, 0), n: 20 });
 */
export function fitAls(matrix: InteractionMatrix, options: AlsOptions): Recommender {
  const p = { ...ALS_DEFAULTS, ...options };
  const f = p.factors;
  const itemsByUsers = transpose(matrix);
  const userFactors = new Float64Array(matrix.rows * f);
  const itemFactors = new Float64Array(matrix.cols * f);
  for (let q = 0; q < itemFactors.length; q++) itemFactors[q] = 0.01 * p.rng();
  const step = { f, lambda: p.regularization, alpha: p.alpha, cgSteps: p.cgSteps };
  for (let it = 0; it < p.iterations; it++) {
    leastSquaresSweep({ ...step, ratings: matrix, fixed: itemFactors, target: userFactors });
    leastSquaresSweep({ ...step, ratings: itemsByUsers, fixed: userFactors, target: itemFactors });
  }
  return alsFrom({ itemIds: matrix.itemIds, factors: f, regularization: p.regularization, alpha: p.alpha, itemFactors: Float32Array.from(itemFactors) });
}

/**
 * Restores an ALS model from its validated JSON form.
 *
 * @example
 * const model = loadAls(alsSchema.parse(json));
 */
export function loadAls(data: z.infer<typeof alsSchema>): Recommender {
  const itemFactors = decodeFloat32(data.itemFactors);
  if (itemFactors.length !== data.itemIds.length * data.factors) {
    throw new RangeError(`als.itemFactors has ${itemFactors.length} values, expected ${data.itemIds.length} × ${data.factors}`);
  }
  return alsFrom({ itemIds: data.itemIds, factors: data.factors, regularization: data.regularization, alpha: data.alpha, itemFactors });
}

interface SweepInput {
  ratings: CsrMatrix;
  fixed: Float64Array;
  target: Float64Array;
  f: number;
  lambda: number;
  alpha: number;
  cgSteps: number;
}

/** One half-step: every row of `target` re-solved against the `fixed` factors by CG. */
function leastSquaresSweep(input: SweepInput): void {
  const { ratings, fixed, target, f, alpha, cgSteps } = input;
  const g = gramian({ y: fixed, n: fixed.length / f, f, ridge: input.lambda });
  const x = new Float64Array(f);
  const r = new Float64Array(f);
  const dir = new Float64Array(f);
  const ap = new Float64Array(f);
  for (let u = 0; u < ratings.rows; u++) {
    const start = ratings.indptr[u]!;
    const end = ratings.indptr[u + 1]!;
    const o = u * f;
    for (let a = 0; a < f; a++) x[a] = target[o + a]!;
    // r = b − A x, with b = Σᵢ cᵢ yᵢ and A x = (YᵀY + λI) x + Σᵢ (cᵢ − 1)(yᵢ·x) yᵢ.
    multiplyDense(g, x, r, f);
    for (let a = 0; a < f; a++) r[a] = -r[a]!;
    for (let q = start; q < end; q++) {
      const yo = ratings.indices[q]! * f;
      const c = 1 + alpha * ratings.values[q]!;
      let yx = 0;
      for (let a = 0; a < f; a++) yx += fixed[yo + a]! * x[a]!;
      const coef = c - (c - 1) * yx;
      for (let a = 0; a < f; a++) r[a]! += coef * fixed[yo + a]!;
    }
    dir.set(r);
    let rs = dot(r, r, f);
    for (let s = 0; s < cgSteps && rs > 1e-20; s++) {
      multiplyDense(g, dir, ap, f);
      for (let q = start; q < end; q++) {
        const yo = ratings.indices[q]! * f;
        const c1 = alpha * ratings.values[q]!;
        let yp = 0;
        for (let a = 0; a < f; a++) yp += fixed[yo + a]! * dir[a]!;
        const coef = c1 * yp;
        for (let a = 0; a < f; a++) ap[a]! += coef * fixed[yo + a]!;
      }
      const stepSize = rs / dot(dir, ap, f);
      for (let a = 0; a < f; a++) {
        x[a]! += stepSize * dir[a]!;
        r[a]! -= stepSize * ap[a]!;
      }
      const rsNew = dot(r, r, f);
      for (let a = 0; a < f; a++) dir[a] = r[a]! + (rsNew / rs) * dir[a]!;
      rs = rsNew;
    }
    for (let a = 0; a < f; a++) target[o + a] = x[a]!;
  }
}

function multiplyDense(m: Float64Array, v: Float64Array, out: Float64Array, f: number): void {
  for (let a = 0; a < f; a++) {
    let s = 0;
    const o = a * f;
    for (let b = 0; b < f; b++) s += m[o + b]! * v[b]!;
    out[a] = s;
  }
}

function dot(a: Float64Array, b: Float64Array, f: number): number {
  let s = 0;
  for (let i = 0; i < f; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * A person's factors from their history, solved exactly:
 * x = (YᵀY + λI + Σᵢ (cᵢ − 1) yᵢyᵢᵀ)⁻¹ Σᵢ cᵢ yᵢ (Hu et al. 2008, eq. 4).
 *
 * @example
 * const x = foldIn({ history, itemFactors, gram, f: 64, alpha: 10 });
 */
export function foldIn(input: { history: SparseVector; itemFactors: Float32Array; gram: Float64Array; f: number; alpha: number }): Float64Array {
  const { history, itemFactors: y, f, alpha } = input;
  const itemCount = y.length / f;
  const a = Float64Array.from(input.gram);
  const b = new Float64Array(f);
  for (let h = 0; h < history.indices.length; h++) {
    const i = history.indices[h]!;
    if (i < 0 || i >= itemCount) continue;
    const c1 = alpha * history.values[h]!;
    const yo = i * f;
    // A is symmetric: update the upper triangle only, mirror once at the end.
    for (let p = 0; p < f; p++) {
      const yp = y[yo + p]!;
      b[p]! += (1 + c1) * yp;
      const cyp = c1 * yp;
      const ap = p * f;
      for (let q = p; q < f; q++) a[ap + q]! += cyp * y[yo + q]!;
    }
  }
  for (let p = 0; p < f; p++) for (let q = 0; q < p; q++) a[p * f + q] = a[q * f + p]!;
  return solveSpd({ a, b, f });
}

function alsFrom(input: { itemIds: readonly string[]; factors: number; regularization: number; alpha: number; itemFactors: Float32Array }): Recommender {
  const { itemIds, factors: f, regularization, alpha, itemFactors } = input;
  const gram = gramian({ y: itemFactors, n: itemIds.length, f, ridge: regularization });
  return makeRecommender({
    kind: 'als',
    itemIds,
    above: -Infinity,
    personal: true,
    score: (history) => {
      const scores = new Float64Array(itemIds.length);
      if (history.indices.length === 0) return scores;
      const x = foldIn({ history, itemFactors, gram, f, alpha });
      for (let i = 0; i < itemIds.length; i++) {
        let s = 0;
        const o = i * f;
        for (let a = 0; a < f; a++) s += itemFactors[o + a]! * x[a]!;
        scores[i] = s;
      }
      return scores;
    },
    serialize: () => ({ kind: 'als', version: 1, itemIds: [...itemIds], factors: f, regularization, alpha, itemFactors: encodeFloat32(itemFactors) }),
  });
}
