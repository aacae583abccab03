import { z } from 'zod';
import type { InteractionMatrix } from './interactions.js';
import { decodeNeighbours, encodeNeighbours, scoreWithNeighbours, serializedNeighboursSchema, type NeighbourLists } from './neighbours.js';
import { makeRecommender, type Recommender } from './recommender.js';
import { invertSpd } from './spd-inverse.js';
import { topN } from './top-n.js';

/**
 * EASE, "Embarrassingly Shallow Autoencoders for Sparse Data" (Steck 2019): the item × item
 * weights B that best rebuild the user × item matrix X from itself without using an item to
 * predict itself,
 *
 *   min ‖X − XB‖² + λ‖B‖²  subject to diag(B) = 0,
 *
 * have the closed form B = I − P · diagMat(1 / diag(P)) with P = (XᵀX + λI)⁻¹, i.e.
 * B_ij = −P_ij / P_jj off the diagonal (eq. 8 of the paper). A person's score for j is
 * Σ_i history_i · B_ij.
 *
 * The inverse is dense, so the fit costs about n³/2 multiply-adds for n items. Only items with
 * at least `minBuyers` buyers take part (rarely bought items carry little co-purchase evidence
 * and would cost as much as the others); the rest get no EASE score — in a blend they are
 * still scored by the other components. For serving, each row of B keeps its k largest
 * positive weights (as the neighbourhood models do), so the model is stored as neighbour
 * lists rather than a dense matrix.
 */
export interface EaseOptions {
  /** λ, the L2 penalty on B. Default 200. */
  lambda?: number;
  /** Items with fewer distinct buyers are left out of the inverse. Default 20. */
  minBuyers?: number;
  /** Weights kept per row of B. Default 50. */
  k?: number;
}

/** Tuned on the Online Retail validation split (README.md, "Tuning"). */
export const EASE_DEFAULTS: Readonly<Required<EaseOptions>> = Object.freeze({ lambda: 200, minBuyers: 20, k: 50 });

export const easeSchema = z.object({
  kind: z.literal('ease'),
  version: z.literal(1),
  itemIds: z.array(z.string()),
  lambda: z.number().positive(),
  minBuyers: z.number().int().nonnegative(),
  k: z.number().int().positive(),
  neighbours: serializedNeighboursSchema,
});

/**
 * Fits EASE on a user × item matrix.
 *
 * @example
 * const model = fitEase(matrix, { lambda: 200, minBuyers: 20, k: 100 });
 * model.recommend({ history: rowOf(matrix, 0), n: 20, exclude: rowOf(matrix, 0).indices });
 */
export function fitEase(matrix: InteractionMatrix, options: EaseOptions = {}): Recommender {
  const params = { ...EASE_DEFAULTS, ...options };
  if (!(params.lambda > 0)) throw new RangeError(`EASE needs a positive λ, got ${params.lambda}`);
  const buyers = new Int32Array(matrix.cols);
  for (let p = 0; p < matrix.indices.length; p++) if (matrix.values[p]! > 0) buyers[matrix.indices[p]!]!++;
  // Dense positions of the items that take part.
  const local = new Int32Array(matrix.cols).fill(-1);
  const columns: number[] = [];
  for (let i = 0; i < matrix.cols; i++) {
    if (buyers[i]! >= Math.max(1, params.minBuyers)) {
      local[i] = columns.length;
      columns.push(i);
    }
  }
  const n = columns.length;
  // G = XᵀX + λI over those items, summed person by person.
  const g = new Float64Array(n * n);
  const rowLocal: number[] = [];
  const rowValues: number[] = [];
  for (let u = 0; u < matrix.rows; u++) {
    rowLocal.length = 0;
    rowValues.length = 0;
    for (let p = matrix.indptr[u]!; p < matrix.indptr[u + 1]!; p++) {
      const a = local[matrix.indices[p]!]!;
      if (a < 0) continue;
      rowLocal.push(a);
      rowValues.push(matrix.values[p]!);
    }
    for (let x = 0; x < rowLocal.length; x++) {
      const o = rowLocal[x]! * n;
      const v = rowValues[x]!;
      for (let y = 0; y < rowLocal.length; y++) g[o + rowLocal[y]!]! += v * rowValues[y]!;
    }
  }
  for (let a = 0; a < n; a++) g[a * n + a]! += params.lambda;
  invertSpd({ a: g, n });
  // Row a of B: −P[a][b] / P[b][b] for b ≠ a; keep the k largest positive ones.
  const rowOfB = new Float64Array(n);
  const indptr = new Int32Array(matrix.cols + 1);
  const indices: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < matrix.cols; i++) {
    const a = local[i]!;
    if (a >= 0) {
      const o = a * n;
      for (let b = 0; b < n; b++) rowOfB[b] = b === a ? 0 : -g[o + b]! / g[b * n + b]!;
      for (const b of topN({ scores: rowOfB, n: params.k, above: 0 })) {
        indices.push(columns[b]!);
        weights.push(rowOfB[b]!);
      }
    }
    indptr[i + 1] = indices.length;
  }
  return easeFrom({ itemIds: matrix.itemIds, params, lists: { indptr, indices: Int32Array.from(indices), weights: Float32Array.from(weights) } });
}

/**
 * Restores an EASE model from its validated JSON form.
 *
 * @example
 * const model = loadEase(easeSchema.parse(json));
 */
export function loadEase(data: z.infer<typeof easeSchema>): Recommender {
  const lists = decodeNeighbours({ data: data.neighbours, itemCount: data.itemIds.length });
  return easeFrom({ itemIds: data.itemIds, params: { lambda: data.lambda, minBuyers: data.minBuyers, k: data.k }, lists });
}

function easeFrom(input: { itemIds: readonly string[]; params: Required<EaseOptions>; lists: NeighbourLists }): Recommender {
  const { itemIds, params, lists } = input;
  return makeRecommender({
    kind: 'ease',
    itemIds,
    above: 0,
    personal: true,
    score: (history) => scoreWithNeighbours({ lists, history, itemCount: itemIds.length }),
    serialize: () => ({ kind: 'ease', version: 1, itemIds: [...itemIds], ...params, neighbours: encodeNeighbours(lists) }),
  });
}
