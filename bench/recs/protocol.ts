import {
  blendRecommenders,
  buildInteractionMatrix,
  fitAls,
  fitContent,
  fitItemKnn,
  fitPopularity,
  fitRp3beta,
  seededRng,
  type AlsOptions,
  type Interaction,
  type InteractionMatrix,
  type ItemAttributes,
  type ItemKnnOptions,
  type Recommender,
  type Rp3betaOptions,
} from '../../src/recommend/index.js';

/**
 * The evaluation protocol shared by tune.ts and run.ts.
 *
 * Test: train on everything before 2011-09-01, test on each customer's purchases of items new
 * to them from 2011-09-01 to the end of the data (2011-12-09): the last ~3 months, the busiest
 * season. Validation, for every hyper-parameter: train before 2011-06-01, validate on
 * 2011-06-01 .. 2011-09-01 — inside the test run's training period, so the test period is
 * never looked at while tuning.
 */
export const TEST_SPLIT = { splitAt: Date.parse('2011-09-01T00:00:00Z') };
export const VALIDATION_SPLIT = { splitAt: Date.parse('2011-06-01T00:00:00Z'), until: Date.parse('2011-09-01T00:00:00Z') };

/** How to build the matrix a model is fitted on. */
export interface MatrixRecipe {
  halfLifeDays: number;
  cap: number;
}

/** A model family with its settings: everything needed to refit it on new data. */
export type ModelRecipe =
  | { family: 'popularity'; matrix: MatrixRecipe }
  | { family: 'item-knn'; matrix: MatrixRecipe; options: ItemKnnOptions }
  | { family: 'rp3beta'; matrix: MatrixRecipe; options: Rp3betaOptions }
  | { family: 'als'; matrix: MatrixRecipe; options: Omit<AlsOptions, 'rng'> }
  | { family: 'content'; matrix: MatrixRecipe; options: { k: number } }
  | { family: 'hybrid'; matrix: MatrixRecipe; options: HybridOptions };

/** RP3beta, plus ALS and content scores blended in with the given weights (0 leaves one out). */
export interface HybridOptions {
  rp3beta: Rp3betaOptions;
  als: Omit<AlsOptions, 'rng'>;
  alsWeight: number;
  contentK: number;
  contentWeight: number;
}

/**
 * Builds the training matrix of a recipe. `itemIds` is the catalog as of the split, so every
 * model shares item indices.
 *
 * @example
 * const matrix = buildMatrix({ interactions: split.train, referenceTime: split.splitAt, itemIds, recipe: { halfLifeDays: 30, cap: 1 } });
 */
export function buildMatrix(input: { interactions: Interaction[]; referenceTime: number; itemIds: readonly string[]; recipe: MatrixRecipe }): InteractionMatrix {
  const { halfLifeDays, cap } = input.recipe;
  return buildInteractionMatrix({ interactions: input.interactions, referenceTime: input.referenceTime, itemIds: input.itemIds, halfLifeDays, cap });
}

/**
 * Fits a recipe on a matrix (ALS is seeded, so runs are reproducible).
 *
 * @example
 * const model = fitRecipe({ recipe, matrix, items });
 */
export function fitRecipe(input: { recipe: ModelRecipe; matrix: InteractionMatrix; items: readonly ItemAttributes[] }): Recommender {
  const { recipe, matrix, items } = input;
  switch (recipe.family) {
    case 'popularity':
      return fitPopularity(matrix);
    case 'item-knn':
      return fitItemKnn(matrix, recipe.options);
    case 'rp3beta':
      return fitRp3beta(matrix, recipe.options);
    case 'als':
      return fitAls(matrix, { ...recipe.options, rng: seededRng(20110901) });
    case 'content':
      return fitContent(matrix, { items, k: recipe.options.k });
    case 'hybrid': {
      const o = recipe.options;
      const parts = [{ model: fitRp3beta(matrix, o.rp3beta), weight: 1 }];
      if (o.alsWeight > 0) parts.push({ model: fitAls(matrix, { ...o.als, rng: seededRng(20110901) }), weight: o.alsWeight });
      if (o.contentWeight > 0) parts.push({ model: fitContent(matrix, { items, k: o.contentK }), weight: o.contentWeight });
      return blendRecommenders(parts);
    }
  }
}
