import type { Interaction, InteractionMatrix } from './interactions.js';
import { averagePrecisionAtK, catalogCoverage, intraListDiversity, ndcgAtK, recallAtK } from './metrics.js';
import type { Recommender } from './recommender.js';
import { rowOf, type SparseVector } from './sparse.js';

/**
 * A temporal hold-out: everything before `splitAt` trains, and each person is then asked to
 * predict what they bought next that was NEW to them. Re-purchases are left out of the test
 * on purpose: "buy again" is a different (and much easier) task, and counting it would reward
 * models for echoing a person's history.
 */
export interface TemporalSplit {
  splitAt: number;
  /** Interactions with `at < splitAt` (and not before `from`). */
  train: Interaction[];
  /** userId → items purchased in [splitAt, until) that the person had not purchased in train. */
  test: Map<string, Set<string>>;
  /** userId → items purchased in train: excluded from that person's recommendations. */
  trainPurchases: Map<string, Set<string>>;
}

/**
 * Splits interactions at a time. `from` and `until` bound the train start and the test end, so
 * that a validation split can be carved out of a training period without touching the test
 * period: `temporalSplit({ interactions, from, splitAt: validationStart, until: testStart })`.
 *
 * @example
 * const split = temporalSplit({ interactions, splitAt: Date.parse('2011-09-01T00:00:00Z') });
 */
export function temporalSplit(input: { interactions: Iterable<Interaction>; splitAt: number; from?: number; until?: number }): TemporalSplit {
  const from = input.from ?? -Infinity;
  const until = input.until ?? Infinity;
  const train: Interaction[] = [];
  const later: Interaction[] = [];
  const trainPurchases = new Map<string, Set<string>>();
  for (const event of input.interactions) {
    if (event.at < from || event.at >= until) continue;
    if (event.at < input.splitAt) {
      train.push(event);
      if (event.kind === 'purchase') addTo(trainPurchases, event.userId, event.itemId);
    } else if (event.kind === 'purchase') {
      later.push(event);
    }
  }
  const test = new Map<string, Set<string>>();
  for (const event of later) {
    if (trainPurchases.get(event.userId)?.has(event.itemId) === true) continue;
    addTo(test, event.userId, event.itemId);
  }
  return { splitAt: input.splitAt, train, test, trainPurchases };
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  set.add(value);
}

export interface EvaluationInput {
  /** The interaction matrix built from `split.train`; all models share its item indices. */
  matrix: InteractionMatrix;
  /**
   * Where each person's history vector comes from, when it should be weighted differently from
   * the matrix the models learned from (e.g. a shorter half-life, so recent interests dominate
   * the query): a matrix over the same items, looked up by user id. Default: `matrix`.
   */
  histories?: InteractionMatrix;
  split: Pick<TemporalSplit, 'test' | 'trainPurchases'>;
  models: ReadonlyArray<{ name: string; model: Recommender }>;
  /** Cut-offs, e.g. [10, 20]. */
  ks: readonly number[];
  /** Item-index similarity for intra-list diversity (e.g. content cosine); omitted → null. */
  similarity?: (a: number, b: number) => number;
}

/** One model at one cut-off: metrics averaged over the evaluated people. */
export interface EvaluationRow {
  model: string;
  k: number;
  users: number;
  recall: number;
  ndcg: number;
  map: number;
  /** Share of the matrix's items (the catalog) in at least one list. */
  coverage: number;
  /** Mean intra-list diversity over lists with at least two items, or null. */
  diversity: number | null;
}

/**
 * Evaluates every model on the same people: those with at least one training interaction and
 * at least one new test purchase (people without history cannot be personalized; they get
 * popularity in production). Each person's history is their row of the training matrix (or of
 * `histories`) and their training purchases are excluded from the list. Relevant items the models have never
 * seen still count in the denominators — an honest miss.
 *
 * @example
 * const rows = evaluateRecommenders({ matrix, split, models: [{ name: 'popularity', model: fitPopularity(matrix) }], ks: [10, 20] });
 */
export function evaluateRecommenders(input: EvaluationInput): EvaluationRow[] {
  const { matrix, split, ks } = input;
  const histories = input.histories ?? matrix;
  if (histories.cols !== matrix.cols || histories.itemIds.some((id, i) => matrix.itemIds[i] !== id)) {
    throw new Error('the history matrix does not share the items of the training matrix');
  }
  for (const { name, model } of input.models) {
    if (model.itemIds.length !== matrix.cols || model.itemIds.some((id, i) => matrix.itemIds[i] !== id)) {
      throw new Error(`model "${name}" was not fitted on this matrix's items`);
    }
  }
  const maxK = Math.max(0, ...ks);
  const people: Array<{ history: SparseVector; relevant: Set<number>; exclude: Set<number> }> = [];
  // A relevant item outside the catalog can never be hit; it gets an index no list can hold.
  let unseen = matrix.cols;
  for (const [userId, items] of [...split.test.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const row = matrix.userIndex.get(userId);
    if (row === undefined || matrix.indptr[row + 1] === matrix.indptr[row] || items.size === 0) continue;
    const relevant = new Set<number>();
    for (const itemId of items) relevant.add(matrix.itemIndex.get(itemId) ?? unseen++);
    const exclude = new Set<number>();
    for (const itemId of split.trainPurchases.get(userId) ?? []) {
      const i = matrix.itemIndex.get(itemId);
      if (i !== undefined) exclude.add(i);
    }
    const historyRow = histories.userIndex.get(userId);
    const history = historyRow === undefined ? { indices: new Int32Array(0), values: new Float64Array(0) } : rowOf(histories, historyRow);
    people.push({ history, relevant, exclude });
  }
  const rows: EvaluationRow[] = [];
  for (const { name, model } of input.models) {
    const lists = people.map((p) => model.recommend({ history: p.history, n: maxK, exclude: p.exclude }).map((r) => r.index));
    for (const k of ks) {
      let recall = 0;
      let ndcg = 0;
      let map = 0;
      let diversity = 0;
      let diverseLists = 0;
      people.forEach((p, u) => {
        const ranked = { recommended: lists[u]!, relevant: p.relevant, k };
        recall += recallAtK(ranked);
        ndcg += ndcgAtK(ranked);
        map += averagePrecisionAtK(ranked);
        if (input.similarity !== undefined) {
          const d = intraListDiversity({ list: lists[u]!, k, similarity: input.similarity });
          if (d !== undefined) {
            diversity += d;
            diverseLists++;
          }
        }
      });
      const n = Math.max(1, people.length);
      rows.push({
        model: name,
        k,
        users: people.length,
        recall: recall / n,
        ndcg: ndcg / n,
        map: map / n,
        coverage: catalogCoverage({ lists, catalogSize: matrix.cols, k }),
        diversity: diverseLists > 0 ? diversity / diverseLists : null,
      });
    }
  }
  return rows;
}
