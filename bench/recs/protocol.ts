import {
  buildRecipeHistories,
  buildRecipeMatrix,
  type Interaction,
  type InteractionMatrix,
  type MatrixRecipe,
  type ModelRecipe,
} from '../../src/recommend/index.js';

export { fitRecipe, type HybridOptions, type MatrixRecipe, type ModelRecipe } from '../../src/recommend/index.js';

/**
 * The evaluation protocol shared by tune.ts and run.ts.
 *
 * Test: train on everything before 2011-09-01, test on each customer's purchases of items new
 * to them from 2011-09-01 to the end of the data (2011-12-09): the last ~3 months, the busiest
 * season. Validation, for every hyper-parameter: train before 2011-06-01, validate on
 * 2011-06-01 .. 2011-09-01 — inside the test run's training period, so the test period is
 * never looked at while tuning.
 *
 * Recipes (model family, settings, training matrix, history weighting) are data, defined in
 * src/recommend/recipe.ts so that the platform trains exactly what was measured here.
 */
export const TEST_SPLIT = { splitAt: Date.parse('2011-09-01T00:00:00Z') };
export const VALIDATION_SPLIT = { splitAt: Date.parse('2011-06-01T00:00:00Z'), until: Date.parse('2011-09-01T00:00:00Z') };

/**
 * Builds the training matrix of a recipe. `itemIds` is the catalog as of the split, so every
 * model shares item indices.
 *
 * @example
 * const matrix = buildMatrix({ interactions: split.train, referenceTime: split.splitAt, itemIds, recipe: { halfLifeDays: 30, cap: 1 } });
 */
export function buildMatrix(input: { interactions: Interaction[]; referenceTime: number; itemIds: readonly string[]; recipe: MatrixRecipe }): InteractionMatrix {
  return buildRecipeMatrix(input);
}

/**
 * Every customer's history vector under a recipe's history weighting, as of the split.
 *
 * @example
 * const histories = buildHistories({ interactions: split.train, referenceTime: split.splitAt, itemIds, recipe });
 */
export function buildHistories(input: { interactions: Interaction[]; referenceTime: number; itemIds: readonly string[]; recipe: ModelRecipe }): InteractionMatrix {
  return buildRecipeHistories(input);
}
