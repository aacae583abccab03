import { z } from 'zod';
import { decodeFloat32, encodeFloat32 } from './encoding.js';
import type { InteractionMatrix } from './interactions.js';
import { makeRecommender, type Recommender } from './recommender.js';
import { rowSums, transpose } from './sparse.js';

/**
 * Time-decayed popularity: an item's score is the sum of its interaction weights over all
 * people, and the weights already decay with age (see buildInteractionMatrix), so this is
 * "what is selling now". The same list for everyone: the baseline every personalized model
 * must beat, and the fallback for people with no history.
 */
export const popularitySchema = z.object({
  kind: z.literal('popularity'),
  version: z.literal(1),
  itemIds: z.array(z.string()),
  scores: z.string(),
});

/**
 * Fits the popularity model.
 *
 * @example
 * const model = fitPopularity(matrix);
 * model.recommend({ history: { indices: [], values: [] }, n: 10 });
 */
export function fitPopularity(matrix: InteractionMatrix): Recommender {
  return popularityFrom({ itemIds: matrix.itemIds, scores: rowSums(transpose(matrix)) });
}

/**
 * Restores a popularity model from its validated JSON form.
 *
 * @example
 * const model = loadPopularity(popularitySchema.parse(json));
 */
export function loadPopularity(data: z.infer<typeof popularitySchema>): Recommender {
  const scores = decodeFloat32(data.scores);
  if (scores.length !== data.itemIds.length) throw new RangeError(`popularity has ${scores.length} scores for ${data.itemIds.length} items`);
  return popularityFrom({ itemIds: data.itemIds, scores: Float64Array.from(scores) });
}

function popularityFrom(input: { itemIds: readonly string[]; scores: Float64Array }): Recommender {
  const { itemIds, scores } = input;
  return makeRecommender({
    kind: 'popularity',
    itemIds,
    above: 0,
    personal: false,
    score: () => scores.slice(),
    serialize: () => ({ kind: 'popularity', version: 1, itemIds: [...itemIds], scores: encodeFloat32(scores) }),
  });
}
