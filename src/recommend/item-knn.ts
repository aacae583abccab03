import { z } from 'zod';
import type { InteractionMatrix } from './interactions.js';
import { computeNeighbours, decodeNeighbours, encodeNeighbours, scoreWithNeighbours, serializedNeighboursSchema, type NeighbourLists } from './neighbours.js';
import { makeRecommender, type Recommender } from './recommender.js';
import { transpose } from './sparse.js';

/**
 * Item-based k-nearest-neighbours with cosine similarity (Sarwar et al. 2001; Deshpande &
 * Karypis 2004): two items are similar when the same people interact with both.
 *
 *   sim(i, j) = x_i · x_j / (‖x_i‖ ‖x_j‖ + shrink)
 *
 * where x_i is item i's column of the user × item matrix. The shrink term (Koren 2008, §2.2)
 * pulls similarities built on few co-buyers towards zero. Each item keeps its k most similar
 * items; a person's score for j is Σ_i history_i · sim(i, j).
 */
export interface ItemKnnOptions {
  /** Neighbours kept per item. Default 10. */
  k?: number;
  /** Shrinkage added to the cosine denominator. Default 10. */
  shrink?: number;
}

/** Tuned on the Online Retail validation split (README.md, "Tuning"). */
export const ITEM_KNN_DEFAULTS: Readonly<Required<ItemKnnOptions>> = Object.freeze({ k: 10, shrink: 10 });

export const itemKnnSchema = z.object({
  kind: z.literal('item_knn'),
  version: z.literal(1),
  itemIds: z.array(z.string()),
  k: z.number().int().positive(),
  shrink: z.number().nonnegative(),
  neighbours: serializedNeighboursSchema,
});

/**
 * Fits item-kNN cosine on a user × item matrix.
 *
 * @example
 * const model = fitItemKnn(matrix, { k: 100, shrink: 10 });
 * model.recommend({ history: rowOf(matrix, 0), n: 10 });
 */
export function fitItemKnn(matrix: InteractionMatrix, options: ItemKnnOptions = {}): Recommender {
  const { k, shrink } = { ...ITEM_KNN_DEFAULTS, ...options };
  return itemKnnFrom({ itemIds: matrix.itemIds, k, shrink, lists: itemCosineNeighbours(matrix, { k, shrink }) });
}

/**
 * The item → item cosine lists of item-kNN (k strongest per item), for uses other than
 * scoring histories: "similar items", "bought together" (on an order × item matrix), and
 * explanations.
 *
 * @example
 * const lists = itemCosineNeighbours(matrix, { k: 50, shrink: 10 });
 */
export function itemCosineNeighbours(matrix: InteractionMatrix, options: Required<ItemKnnOptions>): NeighbourLists {
  const { k, shrink } = options;
  const itemsByUsers = transpose(matrix);
  const norms = new Float64Array(itemsByUsers.rows);
  for (let i = 0; i < itemsByUsers.rows; i++) {
    let s = 0;
    for (let p = itemsByUsers.indptr[i]!; p < itemsByUsers.indptr[i + 1]!; p++) s += itemsByUsers.values[p]! ** 2;
    norms[i] = Math.sqrt(s);
  }
  return computeNeighbours({
    left: itemsByUsers,
    right: matrix,
    k,
    weigh: (i, j, dot) => dot / (norms[i]! * norms[j]! + shrink),
  });
}

/**
 * Restores an item-kNN model from its validated JSON form.
 *
 * @example
 * const model = loadItemKnn(itemKnnSchema.parse(json));
 */
export function loadItemKnn(data: z.infer<typeof itemKnnSchema>): Recommender {
  const lists = decodeNeighbours({ data: data.neighbours, itemCount: data.itemIds.length });
  return itemKnnFrom({ itemIds: data.itemIds, k: data.k, shrink: data.shrink, lists });
}

function itemKnnFrom(input: { itemIds: readonly string[]; k: number; shrink: number; lists: NeighbourLists }): Recommender {
  const { itemIds, k, shrink, lists } = input;
  return makeRecommender({
    kind: 'item_knn',
    itemIds,
    above: 0,
    personal: true,
    score: (history) => scoreWithNeighbours({ lists, history, itemCount: itemIds.length }),
    serialize: () => ({ kind: 'item_knn', version: 1, itemIds: [...itemIds], k, shrink, neighbours: encodeNeighbours(lists) }),
  });
}
