import { fitAls, type AlsOptions } from './als.js';
import { blendRecommenders } from './blend.js';
import { fitContent } from './content.js';
import { fitEase, type EaseOptions } from './ease.js';
import { buildHistoryMatrix, historyVectorOf, sameAsMatrix, type HistoryWeighting } from './history.js';
import { buildInteractionMatrix, type Interaction, type InteractionKind, type InteractionMatrix } from './interactions.js';
import { fitItemKnn, type ItemKnnOptions } from './item-knn.js';
import { fitPopularity } from './popularity.js';
import type { Recommender } from './recommender.js';
import { seededRng, type Rng } from './rng.js';
import { fitRp3beta, type Rp3betaOptions } from './rp3beta.js';
import type { SparseVector } from './sparse.js';
import type { ItemAttributes } from './text-features.js';

/**
 * A model as data: the family, its settings, how its training matrix is weighted and how a
 * person's history is weighted when asking it. The offline benchmark (bench/recs) tunes
 * recipes on a validation split and the platform trains the chosen one (`DEFAULT_RECIPE`),
 * so both fit exactly the same thing.
 */

/** How the training matrix is built (see buildInteractionMatrix); `Infinity` turns decay or the cap off. */
export interface MatrixRecipe {
  halfLifeDays: number;
  cap: number;
}

/** RP3beta, plus ALS, content and EASE scores blended in with the given weights (0 or absent leaves one out). */
export interface HybridOptions {
  rp3beta: Rp3betaOptions;
  als: Omit<AlsOptions, 'rng'>;
  alsWeight: number;
  contentK: number;
  contentWeight: number;
  ease?: EaseOptions;
  easeWeight?: number;
}

interface RecipeBase {
  matrix: MatrixRecipe;
  /** How a person's history is weighted when scoring; omitted: like the matrix (`sameAsMatrix`). */
  history?: HistoryWeighting;
}

/** A model family with its settings: everything needed to refit it on new data. */
export type ModelRecipe = RecipeBase &
  (
    | { family: 'popularity' }
    | { family: 'item-knn'; options: ItemKnnOptions }
    | { family: 'rp3beta'; options: Rp3betaOptions }
    | { family: 'ease'; options: EaseOptions }
    | { family: 'als'; options: Omit<AlsOptions, 'rng'> }
    | { family: 'content'; options: { k: number } }
    | { family: 'hybrid'; options: HybridOptions }
  );

/** The seed of the ALS initialisation when none is given: fits are reproducible. */
export const DEFAULT_RECIPE_SEED = 20110901;

/**
 * The model the platform serves by default, chosen on the Online Retail validation split
 * (README.md, "Which model, and why"; `bench/recs/tune.ts`): RP3beta + 0.5·ALS + 0.3·content
 * learned from a 30-day-half-life matrix, asked with the person's whole purchase history plus
 * twice its last 30 days.
 */
export const DEFAULT_RECIPE: Readonly<ModelRecipe & { family: 'hybrid' }> = Object.freeze({
  family: 'hybrid',
  matrix: { halfLifeDays: 30, cap: 1 },
  history: {
    signalWeights: { purchase: 1, add_to_cart: 0.5, view: 0.1 },
    terms: [
      { halfLifeDays: null, cap: 1, weight: 1 },
      { halfLifeDays: 30, cap: 1, weight: 2 },
    ],
  },
  options: {
    rp3beta: { alpha: 0.5, beta: 0.6, k: 100, normalizeRows: false },
    als: { factors: 64, regularization: 50, alpha: 10, iterations: 10, cgSteps: 3 },
    alsWeight: 0.5,
    contentK: 20,
    contentWeight: 0.3,
  },
});

/**
 * The history weighting of a recipe: its own, or the matrix's.
 *
 * @example
 * historyWeightingOf(DEFAULT_RECIPE).terms.length; // 2
 */
export function historyWeightingOf(recipe: ModelRecipe): HistoryWeighting {
  return recipe.history ?? sameAsMatrix(recipe.matrix);
}

/**
 * The training matrix of a recipe. Pass the whole catalog as `itemIds` so every model shares
 * item indices and items nobody has bought yet still get a column.
 *
 * @example
 * const matrix = buildRecipeMatrix({ recipe: DEFAULT_RECIPE.matrix, interactions, referenceTime, itemIds });
 */
export function buildRecipeMatrix(input: { recipe: MatrixRecipe; interactions: Iterable<Interaction>; referenceTime: number; itemIds: readonly string[] }): InteractionMatrix {
  const { halfLifeDays, cap } = input.recipe;
  return buildInteractionMatrix({ interactions: input.interactions, referenceTime: input.referenceTime, itemIds: input.itemIds, halfLifeDays, cap });
}

/** A recipe of one model family (not a blend). */
export type ComponentRecipe = Exclude<ModelRecipe, { family: 'hybrid' }>;

/**
 * Fits a recipe on its training matrix (built with `buildRecipeMatrix`). ALS is seeded with
 * `rng`, by default `seededRng(DEFAULT_RECIPE_SEED)`, so fits are reproducible. A hybrid's
 * components are fitted through `fitComponent` (default: this function), which lets a search
 * reuse components shared by many blends.
 *
 * @example
 * const model = fitRecipe({ recipe, matrix, items });
 */
export function fitRecipe(input: {
  recipe: ModelRecipe;
  matrix: InteractionMatrix;
  items: readonly ItemAttributes[];
  rng?: Rng;
  fitComponent?: (recipe: ComponentRecipe) => Recommender;
}): Recommender {
  const { recipe, matrix, items } = input;
  const rng = input.rng ?? seededRng(DEFAULT_RECIPE_SEED);
  switch (recipe.family) {
    case 'popularity':
      return fitPopularity(matrix);
    case 'item-knn':
      return fitItemKnn(matrix, recipe.options);
    case 'rp3beta':
      return fitRp3beta(matrix, recipe.options);
    case 'ease':
      return fitEase(matrix, recipe.options);
    case 'als':
      return fitAls(matrix, { ...recipe.options, rng });
    case 'content':
      return fitContent(matrix, { items, k: recipe.options.k });
    case 'hybrid': {
      const o = recipe.options;
      const fit = input.fitComponent ?? ((component: ComponentRecipe) => fitRecipe({ recipe: component, matrix, items, rng }));
      const { matrix: m } = recipe;
      const parts = [{ model: fit({ family: 'rp3beta', matrix: m, options: o.rp3beta }), weight: 1 }];
      if (o.alsWeight > 0) parts.push({ model: fit({ family: 'als', matrix: m, options: o.als }), weight: o.alsWeight });
      if (o.contentWeight > 0) parts.push({ model: fit({ family: 'content', matrix: m, options: { k: o.contentK } }), weight: o.contentWeight });
      if ((o.easeWeight ?? 0) > 0) parts.push({ model: fit({ family: 'ease', matrix: m, options: o.ease ?? {} }), weight: o.easeWeight! });
      return blendRecommenders(parts);
    }
  }
}

/**
 * Every person's history vector under a recipe's weighting at `referenceTime`, as a matrix
 * over `itemIds` (for `evaluateRecommenders({ histories })`).
 *
 * @example
 * const histories = buildRecipeHistories({ recipe, interactions: split.train, referenceTime: split.splitAt, itemIds });
 */
export function buildRecipeHistories(input: { recipe: ModelRecipe; interactions: Iterable<Interaction>; referenceTime: number; itemIds: readonly string[] }): InteractionMatrix {
  return buildHistoryMatrix({ interactions: input.interactions, referenceTime: input.referenceTime, itemIds: input.itemIds, weighting: historyWeightingOf(input.recipe) });
}

/** What `fitDefaultModel` returns. */
export interface FittedDefaultModel {
  /** The fitted model; `model.serialize()` is what to store (load it with `deserializeRecommender`). */
  model: Recommender;
  /** The recipe it was fitted with. */
  recipe: ModelRecipe;
  /** How to weigh a person's history for this model: JSON-safe, store it next to the model. */
  history: HistoryWeighting;
  /**
   * A person's history vector for `model.recommend`, from their interactions (any order;
   * items outside the model are skipped), with recency measured from `now`.
   */
  historyOf(interactions: Iterable<{ itemId: string; kind: InteractionKind; at: number }>, now: number): SparseVector & { indices: Int32Array; values: Float64Array };
}

/**
 * Trains the default recipe (`DEFAULT_RECIPE`) on interactions over `itemIds` (the catalog:
 * items nobody has touched still get a column and a content score) with recency measured from
 * `referenceTime`, and returns the model with the history weighting it must be asked with.
 * Pure: no clock, no global randomness (ALS uses `rng`, default `seededRng(DEFAULT_RECIPE_SEED)`).
 * After loading a stored model, rebuild `historyOf` with `historyVectorOf({ weighting: history,
 * itemIndex: model.itemIndex, interactions, now })`.
 *
 * @example
 * const { model, history, historyOf } = fitDefaultModel({ interactions, items, itemIds, referenceTime: clock.now() });
 * model.recommend({ history: historyOf(personEvents, clock.now()), n: 10, exclude: alreadyBought });
 */
export function fitDefaultModel(input: {
  interactions: readonly Interaction[];
  items: readonly ItemAttributes[];
  itemIds: readonly string[];
  referenceTime: number;
  rng?: Rng;
}): FittedDefaultModel {
  const recipe: ModelRecipe = DEFAULT_RECIPE;
  const matrix = buildRecipeMatrix({ recipe: recipe.matrix, interactions: input.interactions, referenceTime: input.referenceTime, itemIds: input.itemIds });
  const model = fitRecipe({ recipe, matrix, items: input.items, ...(input.rng === undefined ? {} : { rng: input.rng }) });
  const history = historyWeightingOf(recipe);
  return {
    model,
    recipe,
    history,
    historyOf: (interactions, now) => historyVectorOf({ weighting: history, itemIndex: model.itemIndex, interactions, now }),
  };
}
