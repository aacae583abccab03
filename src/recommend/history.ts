import { z } from 'zod';
import { DEFAULT_SIGNAL_WEIGHTS, recencyWeight, type Interaction, type InteractionKind, type InteractionMatrix } from './interactions.js';
import type { SparseVector } from './sparse.js';

/**
 * How a person's events become the history vector a model scores (the "query"), kept apart
 * from how the training matrix was weighted: the matrix a model learns item relations from
 * and the vector that asks it for a person need not decay alike. On the Online Retail
 * validation split, relations learned with a 30-day half-life but queried with the person's
 * whole purchase history plus twice its last month scored better than one matrix for both
 * (README.md, "Which model, and why").
 *
 * An entry is Σ over terms of weight × min(cap, Σ over the person's events on the item of
 * signal weight × 2^(−age / half-life)), with age measured from the time the history is asked
 * for. One term with the matrix's half-life and cap gives back the matrix row.
 */
export interface HistoryTerm {
  /** Half-life in days; `null`: no decay. */
  halfLifeDays: number | null;
  /** Upper bound of the term's per-item sum; `null`: none. */
  cap: number | null;
  weight: number;
}

/** A history weighting: JSON-safe (no Infinity), so it can be stored next to a model. */
export interface HistoryWeighting {
  signalWeights: Readonly<Record<InteractionKind, number>>;
  terms: readonly HistoryTerm[];
}

export const historyWeightingSchema = z.object({
  signalWeights: z.object({ purchase: z.number().nonnegative(), add_to_cart: z.number().nonnegative(), view: z.number().nonnegative() }),
  terms: z
    .array(z.object({ halfLifeDays: z.number().positive().nullable(), cap: z.number().positive().nullable(), weight: z.number().positive() }))
    .min(1),
});

/**
 * The weighting that reproduces a matrix row: one term with the matrix's half-life and cap.
 *
 * @example
 * sameAsMatrix({ halfLifeDays: 30, cap: 1 }); // { signalWeights: DEFAULT_SIGNAL_WEIGHTS, terms: [{ halfLifeDays: 30, cap: 1, weight: 1 }] }
 */
export function sameAsMatrix(matrix: { halfLifeDays: number; cap: number }): HistoryWeighting {
  return {
    signalWeights: DEFAULT_SIGNAL_WEIGHTS,
    terms: [{ halfLifeDays: Number.isFinite(matrix.halfLifeDays) ? matrix.halfLifeDays : null, cap: Number.isFinite(matrix.cap) ? matrix.cap : null, weight: 1 }],
  };
}

/**
 * Per-item term sums of one person's events, folded into the weighted, capped entries.
 * `termSums` holds one running sum per term for each item index met.
 */
function accumulate(input: {
  weighting: HistoryWeighting;
  events: Iterable<{ itemId: string; kind: InteractionKind; at: number }>;
  itemIndex: (itemId: string) => number | undefined;
  referenceTime: number;
}): Map<number, Float64Array> {
  const { terms, signalWeights } = input.weighting;
  const sums = new Map<number, Float64Array>();
  for (const e of input.events) {
    const signal = signalWeights[e.kind];
    if (!(signal > 0)) continue;
    const i = input.itemIndex(e.itemId);
    if (i === undefined) continue;
    let s = sums.get(i);
    if (s === undefined) sums.set(i, (s = new Float64Array(terms.length)));
    for (let t = 0; t < terms.length; t++) {
      s[t]! += signal * recencyWeight({ at: e.at, referenceTime: input.referenceTime, halfLifeDays: terms[t]!.halfLifeDays ?? Infinity });
    }
  }
  return sums;
}

function entryOf(weighting: HistoryWeighting, sums: Float64Array): number {
  let v = 0;
  weighting.terms.forEach((term, t) => {
    v += term.weight * Math.min(term.cap ?? Infinity, sums[t]!);
  });
  return v;
}

/**
 * One person's history vector over a model's items (items the model does not know are
 * skipped), weighed as `weighting` says with ages measured from `now`.
 *
 * @example
 * const h = historyVectorOf({ weighting, itemIndex: model.itemIndex, interactions: mine, now: clock.now() });
 * model.recommend({ history: h, n: 10 });
 */
export function historyVectorOf(input: {
  weighting: HistoryWeighting;
  itemIndex: ReadonlyMap<string, number>;
  interactions: Iterable<{ itemId: string; kind: InteractionKind; at: number }>;
  now: number;
}): SparseVector & { indices: Int32Array; values: Float64Array } {
  const sums = accumulate({ weighting: input.weighting, events: input.interactions, itemIndex: (id) => input.itemIndex.get(id), referenceTime: input.now });
  const entries = [...sums.entries()].sort((a, b) => a[0] - b[0]);
  return { indices: Int32Array.from(entries, (e) => e[0]), values: Float64Array.from(entries, (e) => entryOf(input.weighting, e[1])) };
}

/**
 * Every person's history vector at once, as a matrix over `itemIds` (events on other items
 * are skipped): what an offline evaluation passes as `histories` to `evaluateRecommenders`.
 * Users are numbered in order of first appearance, as in `buildInteractionMatrix`.
 *
 * @example
 * const histories = buildHistoryMatrix({ interactions: split.train, referenceTime: split.splitAt, itemIds: matrix.itemIds, weighting });
 */
export function buildHistoryMatrix(input: { interactions: Iterable<Interaction>; referenceTime: number; itemIds: readonly string[]; weighting: HistoryWeighting }): InteractionMatrix {
  const itemIndex = new Map(input.itemIds.map((id, i) => [id, i] as const));
  const byUser = new Map<string, Interaction[]>();
  for (const e of input.interactions) {
    let list = byUser.get(e.userId);
    if (list === undefined) byUser.set(e.userId, (list = []));
    list.push(e);
  }
  const userIds = [...byUser.keys()];
  const indptr = new Int32Array(userIds.length + 1);
  const indices: number[] = [];
  const values: number[] = [];
  userIds.forEach((userId, u) => {
    const row = historyVectorOf({ weighting: input.weighting, itemIndex, interactions: byUser.get(userId)!, now: input.referenceTime });
    for (let p = 0; p < row.indices.length; p++) {
      indices.push(row.indices[p]!);
      values.push(row.values[p]!);
    }
    indptr[u + 1] = indices.length;
  });
  return {
    rows: userIds.length,
    cols: input.itemIds.length,
    indptr,
    indices: Int32Array.from(indices),
    values: Float64Array.from(values),
    userIds,
    itemIds: input.itemIds,
    userIndex: new Map(userIds.map((id, u) => [id, u] as const)),
    itemIndex,
  };
}
