/**
 * Hyper-parameter search on the validation split (train < 2011-06-01, validate on
 * 2011-06-01 .. 2011-09-01; see protocol.ts). Never reads the test period. Prints, per model
 * family, the best recipe by NDCG@20; run.ts and src/recommend/recipe.ts use the winners.
 *
 *   npx tsx bench/recs/tune.ts [path-to-online_retail.csv.gz]
 *
 * The search is a grid per family, coordinate-wise where a full grid would take too long:
 * model parameters on one matrix, then the matrix (half-life, cap) for the best parameters,
 * then the parameters again on the best matrix, then the weighting of the history the model
 * is asked with (the same candidates for every personalized family, item-kNN included). About
 * 20 minutes on 2 cores.
 */
import {
  DEFAULT_SIGNAL_WEIGHTS,
  evaluateRecommenders,
  ndcgAtK,
  rowOf,
  temporalSplit,
  type ComponentRecipe,
  type HistoryWeighting,
  type InteractionMatrix,
  type Recommender,
} from '../../src/recommend/index.js';
import { buildHistories, buildMatrix, fitRecipe, VALIDATION_SPLIT, type MatrixRecipe, type ModelRecipe } from './protocol.js';
import { catalogAsOf, DEFAULT_DATA_PATH, loadOnlineRetail } from './online-retail.js';

const data = await loadOnlineRetail(process.argv[2] ?? DEFAULT_DATA_PATH);
const split = temporalSplit({ interactions: data.interactions, ...VALIDATION_SPLIT });
const catalog = catalogAsOf({ data, at: split.splitAt });
const itemIds = catalog.map((item) => item.itemId);

const matrices = new Map<string, InteractionMatrix>();
function matrixFor(recipe: MatrixRecipe): InteractionMatrix {
  const key = `${recipe.halfLifeDays}/${recipe.cap}`;
  let m = matrices.get(key);
  if (m === undefined) {
    m = buildMatrix({ interactions: split.train, referenceTime: split.splitAt, itemIds, recipe });
    matrices.set(key, m);
  }
  return m;
}

const histories = new Map<string, InteractionMatrix>();
function historiesFor(recipe: ModelRecipe): InteractionMatrix | undefined {
  if (recipe.history === undefined) return undefined;
  const key = JSON.stringify(recipe.history);
  let h = histories.get(key);
  if (h === undefined) {
    h = buildHistories({ interactions: split.train, referenceTime: split.splitAt, itemIds, recipe });
    histories.set(key, h);
  }
  return h;
}

const keyOf = (recipe: ModelRecipe): string => JSON.stringify({ ...recipe, history: undefined }, (_k, v: unknown) => (v === Infinity ? 'Infinity' : v));
// The last fitted model, reused while only the history weighting changes, and the components
// of hybrids, reused across blend weights (fitting is deterministic, so reuse changes nothing).
let lastFit: { key: string; model: Recommender } | undefined;
const components = new Map<string, Recommender>();
function modelFor(recipe: ModelRecipe, matrix: InteractionMatrix): Recommender {
  const key = keyOf(recipe);
  if (lastFit?.key !== key) {
    const fitComponent = (component: ComponentRecipe): Recommender => {
      const k = keyOf(component);
      let model = components.get(k);
      if (model === undefined) components.set(k, (model = fitRecipe({ recipe: component, matrix: matrixFor(component.matrix), items: catalog })));
      return model;
    };
    lastFit = { key, model: fitRecipe({ recipe, matrix, items: catalog, fitComponent }) };
  }
  return lastFit.model;
}

interface Trial {
  recipe: ModelRecipe;
  ndcg: number;
  recall: number;
}
const trials: Trial[] = [];
function evaluate(recipe: ModelRecipe): Trial {
  const matrix = matrixFor(recipe.matrix);
  const model = modelFor(recipe, matrix);
  const [row] = evaluateRecommenders({ matrix, histories: historiesFor(recipe), split, models: [{ name: recipe.family, model }], ks: [20] });
  const trial = { recipe, ndcg: row!.ndcg, recall: row!.recall };
  trials.push(trial);
  return trial;
}
function best(candidates: ModelRecipe[]): Trial {
  let top: Trial | undefined;
  for (const recipe of candidates) {
    const t = evaluate(recipe);
    if (top === undefined || t.ndcg > top.ndcg) top = t;
  }
  process.stderr.write(`  ${top!.recipe.family}: ${candidates.length} trials, best NDCG@20 ${top!.ndcg.toFixed(4)}\n`);
  return top!;
}
/**
 * Mean and standard error of the per-customer difference in NDCG@20 of `b` over `a` on the
 * validation customers (the same people and exclusions as evaluateRecommenders).
 */
function pairedGain(a: ModelRecipe, b: ModelRecipe): { gain: number; se: number } {
  const ndcgs = [a, b].map((recipe) => {
    const matrix = matrixFor(recipe.matrix);
    const model = fitRecipe({ recipe, matrix, items: catalog });
    const asked = historiesFor(recipe) ?? matrix;
    const out: number[] = [];
    for (const [userId, items] of [...split.test.entries()].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) {
      const row = matrix.userIndex.get(userId);
      if (row === undefined || matrix.indptr[row + 1] === matrix.indptr[row] || items.size === 0) continue;
      const exclude = new Set<number>();
      for (const itemId of split.trainPurchases.get(userId) ?? []) {
        const i = matrix.itemIndex.get(itemId);
        if (i !== undefined) exclude.add(i);
      }
      // Items outside the catalog stay relevant and can never be hit.
      const relevant = new Set<number | string>([...items].map((itemId) => matrix.itemIndex.get(itemId) ?? itemId));
      const recommended = model.recommend({ history: rowOf(asked, asked.userIndex.get(userId)!), n: 20, exclude }).map((r) => r.index);
      out.push(ndcgAtK({ recommended, relevant, k: 20 }));
    }
    return out;
  });
  const d = ndcgs[1]!.map((v, u) => v - ndcgs[0]![u]!);
  const mean = d.reduce((s, v) => s + v, 0) / d.length;
  const variance = d.reduce((s, v) => s + (v - mean) ** 2, 0) / (d.length - 1);
  return { gain: mean, se: Math.sqrt(variance / d.length) };
}

const cross = <A, B>(as: readonly A[], bs: readonly B[]): Array<[A, B]> => as.flatMap((a) => bs.map((b) => [a, b] as [A, B]));

const MATRICES: MatrixRecipe[] = cross([7, 15, 30, 60, 180, Infinity], [1, Infinity]).map(([halfLifeDays, cap]) => ({ halfLifeDays, cap }));
const START: MatrixRecipe = { halfLifeDays: 30, cap: 1 };

/**
 * How a person's history may be weighted when asking a model, apart from the training
 * matrix: like the matrix (undefined), shorter or longer decays alone, or the whole history
 * plus extra weight on recent purchases. The same list for every personalized family.
 */
const weighting = (...terms: Array<[halfLifeDays: number | null, weight: number]>): HistoryWeighting => ({
  signalWeights: DEFAULT_SIGNAL_WEIGHTS,
  terms: terms.map(([halfLifeDays, weight]) => ({ halfLifeDays, cap: 1, weight })),
});
const HISTORIES: Array<HistoryWeighting | undefined> = [
  undefined,
  weighting([7, 1]),
  weighting([15, 1]),
  weighting([60, 1]),
  weighting([120, 1]),
  weighting([null, 1]),
  weighting([null, 1], [7, 1]),
  weighting([null, 1], [30, 1]),
  weighting([null, 1], [30, 2]),
  weighting([null, 1], [30, 4]),
];
const withHistories = (trial: Trial): ModelRecipe[] => HISTORIES.map((history) => ({ ...trial.recipe, history }) as ModelRecipe);

const winners: Trial[] = [];

winners.push(best([3, 7, 15, 30, 60, 180, Infinity].map((halfLifeDays) => ({ family: 'popularity', matrix: { halfLifeDays, cap: Infinity } }))));

const knnGrid = (matrix: MatrixRecipe): ModelRecipe[] =>
  cross([10, 20, 50, 100, 200], [0, 2, 10, 50]).map(([k, shrink]) => ({ family: 'item-knn', matrix, options: { k, shrink } }));
let knn = best(knnGrid(START));
knn = best(MATRICES.map((matrix) => ({ ...knn.recipe, matrix }) as ModelRecipe));
knn = best(knnGrid(knn.recipe.matrix));
winners.push(best(withHistories(knn)));

const rp3Grid = (matrix: MatrixRecipe): ModelRecipe[] =>
  cross(cross([0.25, 0.5, 0.75, 1], [0.3, 0.45, 0.6, 0.75]), cross([50, 100, 200], [true, false])).map(([[alpha, beta], [k, normalizeRows]]) => ({
    family: 'rp3beta',
    matrix,
    options: { alpha, beta, k, normalizeRows },
  }));
let rp3 = best(rp3Grid(START));
rp3 = best(MATRICES.map((matrix) => ({ ...rp3.recipe, matrix }) as ModelRecipe));
rp3 = best(rp3Grid(rp3.recipe.matrix));
rp3 = best(withHistories(rp3));
winners.push(rp3);

const alsGrid = (matrix: MatrixRecipe): ModelRecipe[] =>
  cross(cross([32, 64], [1, 10, 50]), [2, 5, 10]).map(([[factors, regularization], alpha]) => ({
    family: 'als',
    matrix,
    options: { factors, regularization, alpha, iterations: 10, cgSteps: 3 },
  }));
let als = best(alsGrid(START));
als = best(MATRICES.map((matrix) => ({ ...als.recipe, matrix }) as ModelRecipe));
als = best(alsGrid(als.recipe.matrix));
if (als.recipe.family === 'als') als = best([als.recipe, { ...als.recipe, options: { ...als.recipe.options, factors: 128 } }]);
als = best(withHistories(als));
winners.push(als);

// EASE: λ and the buyer threshold (which sets the size of the inverse), then the number of
// weights kept per item, the matrix and the history weighting.
const easeGrid = (matrix: MatrixRecipe): ModelRecipe[] =>
  cross([50, 100, 200, 500, 1000], [5, 10, 20]).map(([lambda, minBuyers]) => ({ family: 'ease', matrix, options: { lambda, minBuyers, k: 100 } }));
let ease = best(easeGrid(START));
if (ease.recipe.family === 'ease') {
  const o = ease.recipe.options;
  ease = best([50, 100, 200, 500].map((k) => ({ ...ease.recipe, options: { ...o, k } }) as ModelRecipe));
}
ease = best(MATRICES.map((matrix) => ({ ...ease.recipe, matrix }) as ModelRecipe));
ease = best(withHistories(ease));
winners.push(ease);

let content = best([10, 20, 50, 100, 200].map((k) => ({ family: 'content', matrix: rp3.recipe.matrix, options: { k } })));
content = best(withHistories(content));
winners.push(content);

// The hybrid blends the winners, all fitted on RP3beta's matrix; its ALS uses 64 factors (not
// 128) to keep full-data training well inside the 15-second budget next to RP3beta. The blend
// weights are searched with RP3beta's history weighting, then the history weighting for the
// blend, then the weights again.
if (rp3.recipe.family === 'rp3beta' && als.recipe.family === 'als' && content.recipe.family === 'content') {
  const base = { rp3beta: rp3.recipe.options, als: { ...als.recipe.options, factors: 64 }, contentK: content.recipe.options.k };
  const weightGrid = (history: HistoryWeighting | undefined): ModelRecipe[] =>
    cross([0, 0.25, 0.5, 0.75, 1], [0.2, 0.3, 0.4, 0.5]).map(([alsWeight, contentWeight]) => ({
      family: 'hybrid',
      matrix: rp3.recipe.matrix,
      history,
      options: { ...base, alsWeight, contentWeight },
    }));
  let hybrid = best(weightGrid(rp3.recipe.history));
  hybrid = best(withHistories(hybrid));
  hybrid = best(weightGrid(hybrid.recipe.history));
  winners.push(hybrid);
  // EASE as a fourth part, with its tuned λ and k on RP3beta's matrix. Its buyer threshold is
  // at least 20 so that the inverse stays small enough for the training budget on the full data
  // (about 2,400 items there).
  if (ease.recipe.family === 'ease' && hybrid.recipe.family === 'hybrid') {
    const h = hybrid.recipe;
    const easeOptions = { ...ease.recipe.options, minBuyers: Math.max(20, ease.recipe.options.minBuyers ?? 20) };
    let withEase = best([0, 0.1, 0.25, 0.5, 0.75, 1].map((easeWeight) => ({ ...h, options: { ...h.options, ease: easeOptions, easeWeight } }) as ModelRecipe));
    if (withEase.recipe.family === 'hybrid' && (withEase.recipe.options.easeWeight ?? 0) > 0) {
      const e = withEase.recipe;
      withEase = best(cross([0.25, 0.5, 0.75, 1], [0.2, 0.3, 0.4]).map(([alsWeight, contentWeight]) => ({ ...e, options: { ...e.options, alsWeight, contentWeight } }) as ModelRecipe));
      // A fourth part costs training time and complexity: it is kept only if its gain is more
      // than one standard error of the paired per-customer difference (the one-standard-error
      // rule, Hastie, Tibshirani & Friedman 2009, §7.10).
      const { gain, se } = pairedGain(hybrid.recipe, withEase.recipe);
      console.log(`Hybrid + EASE: NDCG@20 ${withEase.ndcg.toFixed(4)} against ${hybrid.ndcg.toFixed(4)} without; gain ${gain.toFixed(5)} ± ${se.toFixed(5)} (one standard error): ${gain > se ? 'kept' : 'not kept'}`);
      winners.push(withEase);
    } else {
      console.log('Hybrid + EASE: no EASE weight beats the hybrid without it');
    }
  }
}

console.log(`Validation: train < ${new Date(VALIDATION_SPLIT.splitAt).toISOString().slice(0, 10)}, validate ${new Date(VALIDATION_SPLIT.splitAt).toISOString().slice(0, 10)} .. ${new Date(VALIDATION_SPLIT.until).toISOString().slice(0, 10)}; ${trials.length} trials`);
console.log('| family | NDCG@20 | Recall@20 | recipe |');
console.log('|---|---|---|---|');
const show = (value: unknown): string => JSON.stringify(value, (_key, v: unknown) => (v === Infinity ? 'Infinity' : v));
for (const w of winners) {
  const settings = {
    matrix: w.recipe.matrix,
    ...(w.recipe.history === undefined ? {} : { history: w.recipe.history.terms }),
    ...('options' in w.recipe ? { options: w.recipe.options } : {}),
  };
  const label = w.recipe.family === 'hybrid' && (w.recipe.options.easeWeight ?? 0) > 0 ? 'hybrid + EASE' : w.recipe.family;
  console.log(`| ${label} | ${w.ndcg.toFixed(4)} | ${w.recall.toFixed(4)} | \`${show(settings)}\` |`);
}
