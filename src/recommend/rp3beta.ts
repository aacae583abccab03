import { z } from 'zod';
import type { InteractionMatrix } from './interactions.js';
import {
  computeNeighbours,
  decodeNeighbours,
  encodeNeighbours,
  normalizeNeighbourRows,
  scoreWithNeighbours,
  serializedNeighboursSchema,
  type NeighbourLists,
} from './neighbours.js';
import { makeRecommender, type Recommender } from './recommender.js';
import { mapValues, rowSums, transpose } from './sparse.js';

/**
 * RP3beta (Christoffel et al. 2015; Paudel et al. 2017): a three-step random walk on the
 * bipartite user–item graph, item i → a user who has i → an item j of that user, with
 * transition probabilities raised to α (P³α, Cooper et al. 2014), and the arrival
 * probability divided by popularity(j)^β to push the long tail:
 *
 *   W_ij = Σ_u (P_iu)^α (P_uj)^α / deg(j)^β,   P_iu = x_ui / Σ_v x_vi,   P_uj = x_uj / Σ_l x_ul
 *
 * deg(j) is the number of people who interacted with j. Each row keeps its k largest
 * weights and can then be scaled to sum to 1, as Dacrema, Cremonesi & Jannach (2019) do.
 * A person's score for j is Σ_i history_i · W_ij. No iterations, no random initialisation.
 */
export interface Rp3betaOptions {
  /** Exponent on the transition probabilities. Default 0.5. */
  alpha?: number;
  /** Popularity penalty exponent; 0 gives P³α. Default 0.6. */
  beta?: number;
  /** Neighbours kept per item. Default 100. */
  k?: number;
  /** Scale each row of W to sum to 1. Default false. */
  normalizeRows?: boolean;
}

/** Tuned on the Online Retail validation split (README.md, "Tuning"). */
export const RP3BETA_DEFAULTS: Readonly<Required<Rp3betaOptions>> = Object.freeze({ alpha: 0.5, beta: 0.6, k: 100, normalizeRows: false });

export const rp3betaSchema = z.object({
  kind: z.literal('rp3beta'),
  version: z.literal(1),
  itemIds: z.array(z.string()),
  alpha: z.number(),
  beta: z.number(),
  k: z.number().int().positive(),
  normalizeRows: z.boolean(),
  neighbours: serializedNeighboursSchema,
});

/**
 * Fits RP3beta on a user × item matrix.
 *
 * @example
 * const model = fitRp3beta(matrix, { alpha: 0.5, beta: 0.6, k: 100 });
 * model.recommend({ history: rowOf(matrix, 0), n: 20, exclude: rowOf(matrix, 0).indices });
 */
export function fitRp3beta(matrix: InteractionMatrix, options: Rp3betaOptions = {}): Recommender {
  const params = { ...RP3BETA_DEFAULTS, ...options };
  const { alpha, beta } = params;
  const userTotals = rowSums(matrix);
  const itemsByUsers = transpose(matrix);
  const itemTotals = rowSums(itemsByUsers);
  const userToItem = mapValues(matrix, (v, u) => (v / userTotals[u]!) ** alpha);
  const itemToUser = mapValues(itemsByUsers, (v, i) => (v / itemTotals[i]!) ** alpha);
  const penalty = new Float64Array(matrix.cols);
  for (let j = 0; j < matrix.cols; j++) {
    const degree = itemsByUsers.indptr[j + 1]! - itemsByUsers.indptr[j]!;
    penalty[j] = degree > 0 ? degree ** -beta : 0;
  }
  let lists = computeNeighbours({ left: itemToUser, right: userToItem, k: params.k, weigh: (_i, j, walk) => walk * penalty[j]! });
  if (params.normalizeRows) lists = normalizeNeighbourRows(lists);
  return rp3betaFrom({ itemIds: matrix.itemIds, params, lists });
}

/**
 * Restores an RP3beta model from its validated JSON form.
 *
 * @example
 * const model = loadRp3beta(rp3betaSchema.parse(json));
 */
export function loadRp3beta(data: z.infer<typeof rp3betaSchema>): Recommender {
  const lists = decodeNeighbours({ data: data.neighbours, itemCount: data.itemIds.length });
  const { alpha, beta, k, normalizeRows } = data;
  return rp3betaFrom({ itemIds: data.itemIds, params: { alpha, beta, k, normalizeRows }, lists });
}

function rp3betaFrom(input: { itemIds: readonly string[]; params: Required<Rp3betaOptions>; lists: NeighbourLists }): Recommender {
  const { itemIds, params, lists } = input;
  return makeRecommender({
    kind: 'rp3beta',
    itemIds,
    above: 0,
    personal: true,
    score: (history) => scoreWithNeighbours({ lists, history, itemCount: itemIds.length }),
    serialize: () => ({ kind: 'rp3beta', version: 1, itemIds: [...itemIds], ...params, neighbours: encodeNeighbours(lists) }),
  });
}
