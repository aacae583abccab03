import { z } from 'zod';
import { computeNeighbours, decodeNeighbours, encodeNeighbours, scoreWithNeighbours, serializedNeighboursSchema, type NeighbourLists } from './neighbours.js';
import { makeRecommender, type Recommender } from './recommender.js';
import { transpose } from './sparse.js';
import { buildTfIdf, type ItemAttributes } from './text-features.js';

/**
 * Content-based similarity (Lops, de Gemmis & Semeraro 2011, "Content-based recommender
 * systems"): items are TF-IDF vectors of their words, category, brand and tags; two items are
 * similar when their vectors point the same way (cosine). Each item keeps its k most similar
 * items and a person's score for j is Σ_i history_i · cos(i, j). Needs no interactions, so a
 * product added to the catalog this morning can be recommended before anyone has bought it.
 */
export interface ContentOptions {
  /** Attributes by item; items of the matrix without attributes get no neighbours. */
  items: Iterable<ItemAttributes>;
  /** Neighbours kept per item. Default 20. */
  k?: number;
}

/** Tuned on the Online Retail validation split (README.md, "Tuning"). */
export const CONTENT_DEFAULTS = Object.freeze({ k: 20 });

export const contentSchema = z.object({
  kind: z.literal('content'),
  version: z.literal(1),
  itemIds: z.array(z.string()),
  k: z.number().int().positive(),
  neighbours: serializedNeighboursSchema,
});

/**
 * Fits the content model over the matrix's items (only its `itemIds` are read, so build the
 * matrix with the whole catalog as `itemIds` to include items nobody has bought yet).
 *
 * @example
 * const model = fitContent({ itemIds: ['a', 'b'] }, { items: [{ itemId: 'a', name: 'red mug' }, { itemId: 'b', name: 'red cup' }] });
 * model.recommend({ history: { indices: [0], values: [1] }, n: 5 }); // [{ itemId: 'b', … }]
 */
export function fitContent(matrix: { readonly itemIds: readonly string[] }, options: ContentOptions): Recommender {
  const k = options.k ?? CONTENT_DEFAULTS.k;
  return contentFrom({ itemIds: matrix.itemIds, k, lists: contentNeighbours({ itemIds: matrix.itemIds, items: options.items, k }) });
}

/**
 * The item → item content cosine lists (k most similar per item) over `itemIds`, for uses
 * other than scoring histories: "similar items" and serving over a catalog that changed
 * since the last training.
 *
 * @example
 * const lists = contentNeighbours({ itemIds, items, k: 20 });
 */
export function contentNeighbours(input: { itemIds: readonly string[]; items: Iterable<ItemAttributes>; k: number }): NeighbourLists {
  const byId = new Map<string, ItemAttributes>();
  for (const item of input.items) byId.set(item.itemId, item);
  const { matrix: tfidf } = buildTfIdf(input.itemIds.map((itemId) => byId.get(itemId) ?? { itemId }));
  return computeNeighbours({ left: tfidf, right: transpose(tfidf), k: input.k });
}

/**
 * Restores a content model from its validated JSON form.
 *
 * @example
 * const model = loadContent(contentSchema.parse(json));
 */
export function loadContent(data: z.infer<typeof contentSchema>): Recommender {
  return contentFrom({ itemIds: data.itemIds, k: data.k, lists: decodeNeighbours({ data: data.neighbours, itemCount: data.itemIds.length }) });
}

function contentFrom(input: { itemIds: readonly string[]; k: number; lists: NeighbourLists }): Recommender {
  const { itemIds, k, lists } = input;
  return makeRecommender({
    kind: 'content',
    itemIds,
    above: 0,
    personal: true,
    score: (history) => scoreWithNeighbours({ lists, history, itemCount: itemIds.length }),
    serialize: () => ({ kind: 'content', version: 1, itemIds: [...itemIds], k, neighbours: encodeNeighbours(lists) }),
  });
}
