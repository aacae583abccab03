import { z } from 'zod';
import { decodeFloat32, decodeInt32, encodeFloat32, encodeInt32 } from './encoding.js';
import type { CsrMatrix, SparseVector } from './sparse.js';
import { topN } from './top-n.js';

/**
 * Item → item weights, the k strongest per row, in CSR form: the shared artefact of the
 * neighbourhood models (item-kNN, RP3beta, content). A person's score for item j is
 * Σ_i history_i · W_ij over the items i in their history.
 */
export interface NeighbourLists {
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly weights: Float32Array;
}

export interface ComputeNeighboursOptions {
  /** rows × shared (e.g. items × users). */
  left: CsrMatrix;
  /** shared × cols (e.g. users × items). */
  right: CsrMatrix;
  /** How many neighbours to keep per row. */
  k: number;
  /** Turns the dot product of row i and column j into the weight W_ij (default: the dot itself). */
  weigh?: (row: number, col: number, dot: number) => number;
  /** Keep W_ii (default false: an item is not its own neighbour). */
  keepSelf?: boolean;
}

/**
 * W = top-k per row of weigh(left · right), computed one row at a time with a dense
 * accumulator, so memory is O(cols + rows · k) and time O(Σ over shared s of |left col s| ·
 * |right row s|). Only positive weights are kept.
 *
 * @example
 * const knn = computeNeighbours({ left: transpose(x), right: x, k: 50 });
 */
export function computeNeighbours(options: ComputeNeighboursOptions): NeighbourLists {
  const { left, right, k } = options;
  if (left.cols !== right.rows) throw new RangeError(`cannot multiply ${left.rows}×${left.cols} by ${right.rows}×${right.cols}`);
  const acc = new Float64Array(right.cols);
  const touched = new Int32Array(right.cols);
  const marked = new Uint8Array(right.cols);
  const indptr = new Int32Array(left.rows + 1);
  const outIndices: number[] = [];
  const outWeights: number[] = [];
  for (let i = 0; i < left.rows; i++) {
    let count = 0;
    for (let p = left.indptr[i]!; p < left.indptr[i + 1]!; p++) {
      const s = left.indices[p]!;
      const lv = left.values[p]!;
      for (let q = right.indptr[s]!; q < right.indptr[s + 1]!; q++) {
        const j = right.indices[q]!;
        if (marked[j] === 0) {
          marked[j] = 1;
          touched[count++] = j;
        }
        acc[j]! += lv * right.values[q]!;
      }
    }
    const candidates = touched.subarray(0, count);
    for (const j of candidates) {
      acc[j] = j === i && options.keepSelf !== true ? -Infinity : options.weigh === undefined ? acc[j]! : options.weigh(i, j, acc[j]!);
    }
    const best = topN({ scores: acc, n: k, above: 0, candidates });
    for (const j of best) {
      outIndices.push(j);
      outWeights.push(acc[j]!);
    }
    indptr[i + 1] = outIndices.length;
    for (const j of candidates) {
      acc[j] = 0;
      marked[j] = 0;
    }
  }
  return { indptr, indices: Int32Array.from(outIndices), weights: Float32Array.from(outWeights) };
}

/**
 * Scales each row to sum to 1 (Dacrema et al. 2019 do this for RP3beta so that one strongly
 * connected history item does not drown the others).
 *
 * @example
 * const normalized = normalizeNeighbourRows(lists);
 */
export function normalizeNeighbourRows(lists: NeighbourLists): NeighbourLists {
  const weights = new Float32Array(lists.weights.length);
  for (let i = 0; i + 1 < lists.indptr.length; i++) {
    let sum = 0;
    for (let p = lists.indptr[i]!; p < lists.indptr[i + 1]!; p++) sum += lists.weights[p]!;
    for (let p = lists.indptr[i]!; p < lists.indptr[i + 1]!; p++) weights[p] = sum > 0 ? lists.weights[p]! / sum : 0;
  }
  return { indptr: lists.indptr, indices: lists.indices, weights };
}

/**
 * Scores of all `itemCount` items for a history: Σ_i history_i · W_ij.
 *
 * @example
 * const scores = scoreWithNeighbours({ lists, history: rowOf(matrix, u), itemCount: matrix.cols });
 */
export function scoreWithNeighbours(input: { lists: NeighbourLists; history: SparseVector; itemCount: number }): Float64Array {
  const { lists, history } = input;
  const scores = new Float64Array(input.itemCount);
  for (let h = 0; h < history.indices.length; h++) {
    const i = history.indices[h]!;
    const v = history.values[h]!;
    if (i < 0 || i + 1 >= lists.indptr.length) continue;
    for (let p = lists.indptr[i]!; p < lists.indptr[i + 1]!; p++) scores[lists.indices[p]!]! += v * lists.weights[p]!;
  }
  return scores;
}

/** The JSON form of NeighbourLists: three base64 typed arrays. */
export const serializedNeighboursSchema = z.object({
  indptr: z.string(),
  indices: z.string(),
  weights: z.string(),
});
export type SerializedNeighbours = z.infer<typeof serializedNeighboursSchema>;

/**
 * NeighbourLists → JSON-able form.
 *
 * @example
 * const json = encodeNeighbours(lists);
 */
export function encodeNeighbours(lists: NeighbourLists): SerializedNeighbours {
  return { indptr: encodeInt32(lists.indptr), indices: encodeInt32(lists.indices), weights: encodeFloat32(lists.weights) };
}

/**
 * JSON form → NeighbourLists, checking that the arrays are consistent with `itemCount` items
 * (a corrupted model must fail at load, not at serving time).
 *
 * @example
 * const lists = decodeNeighbours({ data: json, itemCount: itemIds.length });
 */
export function decodeNeighbours(input: { data: SerializedNeighbours; itemCount: number }): NeighbourLists {
  const indptr = decodeInt32(input.data.indptr);
  const indices = decodeInt32(input.data.indices);
  const weights = decodeFloat32(input.data.weights);
  const n = input.itemCount;
  if (indptr.length !== n + 1) throw new RangeError(`neighbours.indptr has ${indptr.length} entries, expected ${n + 1}`);
  if (indptr[0] !== 0 || indptr[n] !== indices.length || indices.length !== weights.length) {
    throw new RangeError('neighbours: indptr, indices and weights disagree on the number of entries');
  }
  for (let i = 0; i < n; i++) if (indptr[i]! > indptr[i + 1]!) throw new RangeError(`neighbours.indptr decreases at row ${i}`);
  for (const j of indices) if (j < 0 || j >= n) throw new RangeError(`neighbours.indices holds ${j}, outside 0..${n - 1}`);
  return { indptr, indices, weights };
}

/**
 * The lists turned around: for each item j, the items i that have j among their neighbours,
 * with W_ij. Lets a server ask "which of this person's items point to j, and how strongly"
 * (explanations) in time proportional to j's in-degree instead of a scan of every list.
 *
 * @example
 * const incoming = transposeNeighbours(lists, itemCount); // incoming.indices[incoming.indptr[j] …] are the i
 */
export function transposeNeighbours(lists: NeighbourLists, itemCount: number): NeighbourLists {
  const indptr = new Int32Array(itemCount + 1);
  for (let q = 0; q < lists.indices.length; q++) indptr[lists.indices[q]! + 1]!++;
  for (let j = 0; j < itemCount; j++) indptr[j + 1]! += indptr[j]!;
  const fill = indptr.slice(0, itemCount);
  const indices = new Int32Array(lists.indices.length);
  const weights = new Float32Array(lists.indices.length);
  for (let i = 0; i + 1 < lists.indptr.length; i++) {
    for (let q = lists.indptr[i]!; q < lists.indptr[i + 1]!; q++) {
      const j = lists.indices[q]!;
      const at = fill[j]!++;
      indices[at] = i;
      weights[at] = lists.weights[q]!;
    }
  }
  return { indptr, indices, weights };
}
