import type { CatalogEntry } from './catalog-index.js';
import { fitContent } from './content.js';
import { evaluateRecommenders, temporalSplit, type EvaluationRow } from './evaluate.js';
import { buildInteractionMatrix, type Interaction } from './interactions.js';
import { fitItemKnn, ITEM_KNN_DEFAULTS } from './item-knn.js';
import { fitPopularity } from './popularity.js';
import { buildRecipeHistories, fitDefaultModel, DEFAULT_RECIPE } from './recipe.js';
import type { Recommender } from './recommender.js';
import type { Rng } from './rng.js';
import { NEIGHBOURS_PER_ITEM, POPULARITY_HALF_LIVES, type TrainingInteraction } from './serving-model.js';
import { buildTfIdf, rowCosine, type ItemAttributes } from './text-features.js';

/**
 * `tailor eval recs`: every strategy that predicts what a person will buy next, and the
 * baselines, on the workspace's own data with a temporal split — train on what happened
 * before a date, test on the items each person bought after it that they had not bought
 * before (README "Recommendations"; the protocol of bench/recs). Metrics at each K:
 * Recall, NDCG, MAP (binary relevance), catalog coverage, intra-list diversity (1 − mean
 * content cosine of pairs in a list).
 *
 * Strategies that do not rank by a person's history for new items are not in this table:
 * `buy_again` (its task is repeat purchases), `new_arrivals` (recency), and cold start (people
 * without history are not in the test set).
 */
export interface OfflineEvaluation {
  splitAt: number;
  until: number;
  trainInteractions: number;
  testPeople: number;
  testPairs: number;
  catalogItems: number;
  ks: number[];
  rows: Array<EvaluationRow & { strategy: string; description: string; seconds: number }>;
}

/** The strategies and baselines evaluated, in table order. */
export const EVALUATED = [
  { name: 'popularity', description: 'baseline: most bought overall, no decay' },
  { name: 'trending', description: `popularity with a ${POPULARITY_HALF_LIVES.trending}-day half-life` },
  { name: 'popular', description: `popularity with a ${POPULARITY_HALF_LIVES.popular}-day half-life` },
  { name: 'item-knn', description: `reference: item-kNN cosine (k ${ITEM_KNN_DEFAULTS.k}, shrink ${ITEM_KNN_DEFAULTS.shrink})` },
  { name: 'similar', description: `"similar": neighbours of what the person bought (cosine, ${NEIGHBOURS_PER_ITEM} per item)` },
  { name: 'bought_together', description: '"bought together": items in the same orders as theirs' },
  { name: 'content', description: 'content: names, categories, brands and tags' },
  { name: 'for_you', description: 'personalized model ("for you")' },
] as const;

/**
 * Splits, fits each strategy on the training part, and scores them on the same people.
 *
 * @example
 * const result = evaluateOffline({ interactions, catalog, splitAt: Date.parse('2011-09-01'), ks: [10, 20], rng: seededRng(1) });
 */
export function evaluateOffline(input: {
  interactions: readonly TrainingInteraction[];
  /**
   * Everyone's interactions, for the popularity baselines: serving counts everyone's purchases
   * in its non-personal lists (only personal models leave out the people the policy does not
   * let it profile), so the baselines do too. Absent: `interactions`.
   */
  everyone?: readonly TrainingInteraction[];
  catalog: readonly CatalogEntry[];
  splitAt: number;
  ks: readonly number[];
  rng: Rng;
  onProgress?: (step: string) => void;
}): OfflineEvaluation {
  const say = input.onProgress ?? (() => {});
  const { splitAt } = input;
  const split = temporalSplit({ interactions: input.interactions, splitAt });
  // The catalog as it stood at the split: items added before it, and items people had touched.
  const known = new Set<string>();
  for (const e of split.train) known.add(e.itemId);
  const byId = new Map(input.catalog.map((e) => [e.id, e]));
  for (const e of input.catalog) if (e.createdAt < splitAt) known.add(e.id);
  const itemIds = [...known].sort();
  const items: ItemAttributes[] = itemIds.map((id) => {
    const e = byId.get(id);
    return e === undefined ? { itemId: id } : { itemId: id, name: e.name, category: e.categoryPath.join(' > '), ...(e.brand === null ? {} : { brand: e.brand }), tags: e.tags, ...(e.description === undefined ? {} : { description: e.description }) };
  });
  const train = split.train as Interaction[];
  const matrixOf = (halfLifeDays: number, cap: number, interactions: Iterable<Interaction> = train) => buildInteractionMatrix({ interactions, referenceTime: splitAt, itemIds, halfLifeDays, cap });
  // Every model is scored on the same people with the default recipe's matrix rows as
  // histories, except "for you", which is asked with its own history weighting.
  const base = matrixOf(DEFAULT_RECIPE.matrix.halfLifeDays, DEFAULT_RECIPE.matrix.cap);
  const similarity = rowCosine(buildTfIdf(items).matrix);
  const rows: OfflineEvaluation['rows'] = [];
  const run = (name: (typeof EVALUATED)[number]['name'], fit: () => Recommender, histories?: ReturnType<typeof matrixOf>) => {
    say(`fitting ${name}`);
    const started = performance.now();
    const model = fit();
    const seconds = (performance.now() - started) / 1000;
    say(`scoring ${name}`);
    const description = EVALUATED.find((e) => e.name === name)!.description;
    for (const row of evaluateRecommenders({ matrix: base, ...(histories === undefined ? {} : { histories }), split, models: [{ name, model }], ks: input.ks, similarity })) {
      rows.push({ ...row, strategy: name, description, seconds });
    }
  };
  const trainEveryone = input.everyone === undefined ? train : (input.everyone.filter((e) => e.at < splitAt) as Interaction[]);
  run('popularity', () => fitPopularity(matrixOf(Infinity, Infinity, trainEveryone)));
  run('trending', () => fitPopularity(matrixOf(POPULARITY_HALF_LIVES.trending, Infinity, trainEveryone)));
  run('popular', () => fitPopularity(matrixOf(POPULARITY_HALF_LIVES.popular, Infinity, trainEveryone)));
  run('item-knn', () => fitItemKnn(base, ITEM_KNN_DEFAULTS));
  run('similar', () => fitItemKnn(matrixOf(Infinity, 1, train.filter((e) => e.kind !== 'view')), { k: NEIGHBOURS_PER_ITEM, shrink: 10 }));
  run('bought_together', () => fitItemKnn(matrixOf(Infinity, 1, (input.interactions as TrainingInteraction[]).filter((e) => e.kind === 'purchase' && e.at < splitAt && e.orderId !== undefined).map((e) => ({ ...e, userId: e.orderId! }))), { k: NEIGHBOURS_PER_ITEM, shrink: 5 }));
  run('content', () => fitContent(base, { items, k: 20 }));
  const histories = buildRecipeHistories({ recipe: DEFAULT_RECIPE, interactions: train, referenceTime: splitAt, itemIds });
  run('for_you', () => fitDefaultModel({ interactions: train, items, itemIds, referenceTime: splitAt, rng: input.rng }).model, histories);
  let testPairs = 0;
  for (const s of split.test.values()) testPairs += s.size;
  const until = input.interactions.reduce((m, e) => Math.max(m, e.at), splitAt);
  return { splitAt, until, trainInteractions: train.length, testPeople: rows[0]?.users ?? 0, testPairs, catalogItems: itemIds.length, ks: [...input.ks], rows };
}
