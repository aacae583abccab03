import type { JsonValue } from '../shared/json.js';
import type { SparseVector } from './sparse.js';
import { topN } from './top-n.js';

/** The model families in this folder (the `kind` of a serialized model). */
export type RecommenderKind = 'popularity' | 'item_knn' | 'rp3beta' | 'ease' | 'als' | 'content' | 'blend';

/** One recommended item. `index` is its position in the model's `itemIds`. */
export interface Recommendation {
  itemId: string;
  index: number;
  score: number;
}

export interface RecommendRequest {
  /** The person's interactions over the model's item indices (e.g. a row of the matrix). */
  history: SparseVector;
  n: number;
  /** Item indices never to return (what they already bought, out-of-stock items…). */
  exclude?: Iterable<number>;
}

/** A model in its JSON-able form: what the server stores and hot-swaps. */
export interface SerializedRecommender {
  kind: RecommenderKind;
  version: number;
  itemIds: string[];
  [key: string]: JsonValue;
}

/** A fitted model: scores every item for a history vector. */
export interface Recommender {
  readonly kind: RecommenderKind;
  readonly itemIds: readonly string[];
  readonly itemIndex: ReadonlyMap<string, number>;
  /** One score per item (higher is better). */
  score(history: SparseVector): Float64Array;
  /** The best `n` items, best first, leaving out `exclude` and items the model has no evidence for. */
  recommend(request: RecommendRequest): Recommendation[];
  serialize(): SerializedRecommender;
}

/**
 * Wraps a scoring function into a Recommender. `above` is the score an item must beat to be
 * recommended: 0 for models whose scores are sums of non-negative evidence (an item with score
 * 0 has none, and would only be noise), -Infinity for latent-factor models.
 *
 * @example
 * const model = makeRecommender({ kind: 'popularity', itemIds, above: 0, personal: false, score: () => counts, serialize });
 */
export function makeRecommender(spec: {
  kind: RecommenderKind;
  itemIds: readonly string[];
  above: number;
  /** Scores depend on the history, so an empty history gets no recommendations. */
  personal: boolean;
  score: (history: SparseVector) => Float64Array;
  serialize: () => SerializedRecommender;
}): Recommender {
  const itemIndex = new Map(spec.itemIds.map((id, i) => [id, i] as const));
  return {
    kind: spec.kind,
    itemIds: spec.itemIds,
    itemIndex,
    score: spec.score,
    serialize: spec.serialize,
    recommend(request) {
      if (spec.personal && request.history.indices.length === 0) return [];
      const scores = spec.score(request.history);
      const exclude = request.exclude === undefined ? undefined : request.exclude instanceof Set ? (request.exclude as ReadonlySet<number>) : new Set(request.exclude);
      const best = topN({ scores, n: request.n, exclude, above: spec.above });
      return Array.from(best, (index) => ({ itemId: spec.itemIds[index]!, index, score: scores[index]! }));
    },
  };
}
