import { describe, expect, it } from 'vitest';
import { historyWeightingSchema } from './history.js';
import type { Interaction } from './interactions.js';
import { buildRecipeHistories, buildRecipeMatrix, DEFAULT_RECIPE, fitDefaultModel, fitRecipe, type ModelRecipe } from './recipe.js';
import { seededRng } from './rng.js';
import { deserializeRecommender } from './serialize.js';

const DAY = 86_400_000;
const NOW = Date.parse('2024-03-01T00:00:00Z');
const buy = (userId: string, itemId: string, daysAgo: number): Interaction => ({ userId, itemId, kind: 'purchase', at: NOW - daysAgo * DAY });

// Twelve shops: mugs go with cups, pots go with pans, and a few shops buy across.
function shops(): Interaction[] {
  const rng = seededRng(11);
  const out: Interaction[] = [];
  for (let s = 0; s < 12; s++) {
    const pair = s % 2 === 0 ? ['mug', 'cup'] : ['pot', 'pan'];
    for (const itemId of pair) out.push(buy(`s${s}`, itemId, Math.floor(rng() * 60)));
    if (s % 4 === 0) out.push(buy(`s${s}`, 'lid', Math.floor(rng() * 60)));
  }
  return out;
}
const items = ['mug', 'cup', 'pot', 'pan', 'lid', 'new-jug'].map((itemId) => ({ itemId, name: itemId === 'new-jug' ? 'jug for the mug' : itemId }));
const itemIds = items.map((i) => i.itemId);

describe('fitDefaultModel', () => {
  const fitted = fitDefaultModel({ interactions: shops(), items, itemIds, referenceTime: NOW });

  it('weighs the history as the default recipe says, from the time asked', () => {
    // One purchase 30 days before `now`: whole history min(1, 1) = 1, plus 2 × min(1, 2^(−30/30)) = 1 → 2.
    const h = fitted.historyOf([{ itemId: 'mug', kind: 'purchase', at: NOW - 30 * DAY }], NOW);
    expect([...h.indices]).toEqual([0]);
    expect(h.values[0]).toBeCloseTo(2, 12);
    // The same purchase asked about 30 days later: 1 + 2 × 2^(−60/30) = 1.5.
    expect(fitted.historyOf([{ itemId: 'mug', kind: 'purchase', at: NOW - 30 * DAY }], NOW + 30 * DAY).values[0]).toBeCloseTo(1.5, 12);
    expect(historyWeightingSchema.safeParse(JSON.parse(JSON.stringify(fitted.history))).success).toBe(true);
  });

  it('recommends what goes with the history, and survives serialization', () => {
    const history = fitted.historyOf([{ itemId: 'mug', kind: 'purchase', at: NOW - 5 * DAY }], NOW);
    const list = fitted.model.recommend({ history, n: 3, exclude: [0] });
    expect(list[0]!.itemId).toBe('cup');
    const loaded = deserializeRecommender(JSON.parse(JSON.stringify(fitted.model.serialize())));
    expect(loaded.ok).toBe(true);
    if (loaded.ok) expect(loaded.value.recommend({ history, n: 3, exclude: [0] }).map((r) => r.itemId)).toEqual(list.map((r) => r.itemId));
  });

  it('is reproducible: the same data and seed give the same scores', () => {
    const again = fitDefaultModel({ interactions: shops(), items, itemIds, referenceTime: NOW, rng: seededRng(20110901) });
    const h = fitted.historyOf([{ itemId: 'pot', kind: 'purchase', at: NOW }], NOW);
    expect(Array.from(again.model.score(h))).toEqual(Array.from(fitted.model.score(h)));
  });
});

describe('fitRecipe', () => {
  it('fits every family on the recipe matrix', () => {
    const interactions = shops();
    const matrix = buildRecipeMatrix({ recipe: DEFAULT_RECIPE.matrix, interactions, referenceTime: NOW, itemIds });
    const recipes: Array<[ModelRecipe, string]> = [
      [{ family: 'popularity', matrix: DEFAULT_RECIPE.matrix }, 'popularity'],
      [{ family: 'item-knn', matrix: DEFAULT_RECIPE.matrix, options: { k: 3 } }, 'item_knn'],
      [{ family: 'rp3beta', matrix: DEFAULT_RECIPE.matrix, options: { k: 3 } }, 'rp3beta'],
      [{ family: 'ease', matrix: DEFAULT_RECIPE.matrix, options: { lambda: 1, minBuyers: 1, k: 3 } }, 'ease'],
      [{ family: 'als', matrix: DEFAULT_RECIPE.matrix, options: { factors: 2, iterations: 2 } }, 'als'],
      [{ family: 'content', matrix: DEFAULT_RECIPE.matrix, options: { k: 3 } }, 'content'],
      [DEFAULT_RECIPE, 'blend'],
    ];
    for (const [recipe, kind] of recipes) expect(fitRecipe({ recipe, matrix, items }).kind).toBe(kind);
  });

  it('fits a hybrid from the component recipes it names, through fitComponent when given', () => {
    const matrix = buildRecipeMatrix({ recipe: DEFAULT_RECIPE.matrix, interactions: shops(), referenceTime: NOW, itemIds });
    const asked: string[] = [];
    const recipe: ModelRecipe = { ...DEFAULT_RECIPE, options: { ...DEFAULT_RECIPE.options, contentWeight: 0, easeWeight: 0.5, ease: { lambda: 1, minBuyers: 1 } } };
    const blend = fitRecipe({
      recipe,
      matrix,
      items,
      fitComponent: (component) => {
        asked.push(component.family);
        return fitRecipe({ recipe: component, matrix, items });
      },
    });
    expect(asked).toEqual(['rp3beta', 'als', 'ease']);
    expect((blend.serialize().parts as Array<{ weight: number }>).map((p) => p.weight)).toEqual([1, DEFAULT_RECIPE.options.alsWeight, 0.5]);
  });

  it('builds histories with the recipe weighting, or the matrix one when it has none', () => {
    const interactions = [buy('a', 'mug', 30), buy('a', 'cup', 0)];
    const plain: ModelRecipe = { family: 'rp3beta', matrix: { halfLifeDays: 30, cap: 1 }, options: {} };
    // Matrix weighting: mug 2^(−1) = 0.5, cup 1. Default recipe: mug 1 + 2 · 0.5 = 2, cup 1 + 2 · 1 = 3.
    expect([...buildRecipeHistories({ recipe: plain, interactions, referenceTime: NOW, itemIds }).values]).toEqual([0.5, 1]);
    expect([...buildRecipeHistories({ recipe: DEFAULT_RECIPE, interactions, referenceTime: NOW, itemIds }).values]).toEqual([2, 3]);
  });
});
