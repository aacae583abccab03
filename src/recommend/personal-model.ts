import { z } from 'zod';
import { ALS_DEFAULTS, fitAls } from './als.js';
import { blendRecommenders } from './blend.js';
import { CONTENT_DEFAULTS, fitContent } from './content.js';
import { buildInteractionMatrix, DEFAULT_CAP, DEFAULT_HALF_LIFE_DAYS, DEFAULT_SIGNAL_WEIGHTS, recencyWeight, type Interaction, type InteractionKind } from './interactions.js';
import type { Recommender } from './recommender.js';
import type { Rng } from './rng.js';
import { fitRp3beta, RP3BETA_DEFAULTS } from './rp3beta.js';
import type { SparseVector } from './sparse.js';
import type { ItemAttributes } from './text-features.js';

/**
 * The personalized model the platform trains and serves (the choice and its evidence:
 * README.md "Which model, and why"), and how a person's live history is turned into the
 * vector it scores.
 */

/** How a person's interactions become a history vector: signal weights, recency half-life (null: none), cap per item. */
export const historyRecipeSchema = z.object({
  halfLifeDays: z.number().positive().nullable(),
  cap: z.number().positive().nullable(),
  signalWeights: z.object({ purchase: z.number().nonnegative(), add_to_cart: z.number().nonnegative(), view: z.number().nonnegative() }),
});
export type HistoryRecipe = z.infer<typeof historyRecipeSchema>;

/** Blend weights of the chosen hybrid (tuned on the validation split; README "Tuning"). */
export const PERSONAL_MODEL = Object.freeze({ alsWeight: 0.5, contentWeight: 0.3 });

/**
 * Fits the personalized model on interactions over `itemIds` (the catalog, so items nobody
 * has touched still get a column and a content score).
 *
 * @example
 * const { model, history } = fitPersonalModel({ interactions, items, itemIds, referenceTime, rng: seededRng(1) });
 */
export function fitPersonalModel(input: { interactions: readonly Interaction[]; items: readonly ItemAttributes[]; itemIds: readonly string[]; referenceTime: number; rng: Rng }): { model: Recommender; history: HistoryRecipe } {
  const history: HistoryRecipe = { halfLifeDays: DEFAULT_HALF_LIFE_DAYS, cap: DEFAULT_CAP, signalWeights: { ...DEFAULT_SIGNAL_WEIGHTS } };
  const matrix = buildInteractionMatrix({ interactions: input.interactions, referenceTime: input.referenceTime, itemIds: input.itemIds, halfLifeDays: history.halfLifeDays ?? Infinity, cap: history.cap ?? Infinity });
  const model = blendRecommenders([
    { model: fitRp3beta(matrix, RP3BETA_DEFAULTS), weight: 1 },
    { model: fitAls(matrix, { ...ALS_DEFAULTS, rng: input.rng }), weight: PERSONAL_MODEL.alsWeight },
    { model: fitContent(matrix, { items: input.items, k: CONTENT_DEFAULTS.k }), weight: PERSONAL_MODEL.contentWeight },
  ]);
  return { model, history };
}

/**
 * A person's history vector over a model's items, weighed by the recipe the model was
 * trained with (items the model does not know are skipped).
 *
 * @example
 * const h = historyVector({ recipe, itemIndex: model.itemIndex, interactions: mine, now: clock.now() });
 */
export function historyVector(input: { recipe: HistoryRecipe; itemIndex: ReadonlyMap<string, number>; interactions: Iterable<{ itemId: string; kind: InteractionKind; at: number }>; now: number }): SparseVector {
  const { recipe } = input;
  const acc = new Map<number, number>();
  for (const e of input.interactions) {
    const i = input.itemIndex.get(e.itemId);
    const signal = recipe.signalWeights[e.kind];
    if (i === undefined || !(signal > 0)) continue;
    const w = signal * recencyWeight({ at: e.at, referenceTime: input.now, halfLifeDays: recipe.halfLifeDays ?? Infinity });
    acc.set(i, (acc.get(i) ?? 0) + w);
  }
  const cap = recipe.cap ?? Infinity;
  const entries = [...acc.entries()].sort((a, b) => a[0] - b[0]);
  return { indices: Int32Array.from(entries, (e) => e[0]), values: Float64Array.from(entries, (e) => Math.min(cap, e[1])) };
}
