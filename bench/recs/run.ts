/**
 * Offline benchmark of the recommenders on the UCI Online Retail data (see protocol.ts for the
 * split and README.md in src/recommend for the models):
 *
 *   npx tsx bench/recs/run.ts [path-to-online_retail.csv.gz]
 *
 * Prints Recall, NDCG, MAP, catalog coverage and intra-list diversity at K = 10 and 20 for
 * every model on the same customers, fit times, the time and peak memory of training the
 * chosen model on the full data (in a fresh process), and the machine.
 * Hyper-parameters come from tune.ts (validation split inside the training period).
 */
import { spawnSync } from 'node:child_process';
import {
  buildTfIdf,
  evaluateRecommenders,
  rowCosine,
  temporalSplit,
  type EvaluationRow,
  type InteractionMatrix,
} from '../../src/recommend/index.js';
import { machineLine } from '../common/machine.js';
import { catalogAsOf, DEFAULT_DATA_PATH, loadOnlineRetail } from './online-retail.js';
import { buildMatrix, fitRecipe, TEST_SPLIT, type ModelRecipe } from './protocol.js';

/** Peak resident set size of this process so far (getrusage maxrss), in MiB. */
const peakRssMiB = (): number => process.resourceUsage().maxRSS / 1024;

/** Winners of tune.ts on the validation split; validation NDCG@20 in the comments. */
const RECIPES: Record<string, ModelRecipe> = {
  // 0.1002
  'popularity': { family: 'popularity', matrix: { halfLifeDays: 7, cap: Infinity } },
  // 0.1537
  'item-kNN cosine': { family: 'item-knn', matrix: { halfLifeDays: 30, cap: 1 }, options: { k: 10, shrink: 10 } },
  // 0.1427
  'ALS': { family: 'als', matrix: { halfLifeDays: 30, cap: 1 }, options: { factors: 128, regularization: 50, alpha: 10, iterations: 10, cgSteps: 3 } },
  // 0.0957
  'content TF-IDF': { family: 'content', matrix: { halfLifeDays: 30, cap: 1 }, options: { k: 20 } },
  // 0.1598
  'RP3beta': { family: 'rp3beta', matrix: { halfLifeDays: 30, cap: 1 }, options: { alpha: 0.5, beta: 0.6, k: 100, normalizeRows: false } },
  // 0.1704
  'hybrid: RP3beta + ALS + content': {
    family: 'hybrid',
    matrix: { halfLifeDays: 30, cap: 1 },
    options: {
      rp3beta: { alpha: 0.5, beta: 0.6, k: 100, normalizeRows: false },
      als: { factors: 64, regularization: 50, alpha: 10, iterations: 10, cgSteps: 3 },
      alsWeight: 0.5,
      contentK: 20,
      contentWeight: 0.3,
    },
  },
};
/** The model the platform serves by default (see src/recommend/README.md). */
const CHOSEN = 'hybrid: RP3beta + ALS + content';

const args = process.argv.slice(2);
const path = args.find((a) => !a.startsWith('--')) ?? DEFAULT_DATA_PATH;

if (args.includes('--train-only')) {
  // Child mode: train the chosen model on all the data and report time and memory as JSON.
  const data = await loadOnlineRetail(path);
  const loadedRss = peakRssMiB();
  // Decay is measured from just after the last purchase in the file.
  const referenceTime = data.interactions.reduce((max, e) => Math.max(max, e.at), -Infinity) + 1;
  const recipe = RECIPES[CHOSEN]!;
  const started = performance.now();
  const matrix = buildMatrix({ interactions: data.interactions, referenceTime, itemIds: data.items.map((i) => i.itemId), recipe: recipe.matrix });
  const model = fitRecipe({ recipe, matrix, items: data.items });
  const seconds = (performance.now() - started) / 1000;
  const bytes = JSON.stringify(model.serialize()).length;
  process.stdout.write(JSON.stringify({ seconds, loadedRss, peakRss: peakRssMiB(), users: matrix.rows, items: matrix.cols, nnz: matrix.values.length, bytes }));
  process.exit(0);
}

const t0 = performance.now();
const data = await loadOnlineRetail(path);
const loadSeconds = (performance.now() - t0) / 1000;
const split = temporalSplit({ interactions: data.interactions, splitAt: TEST_SPLIT.splitAt });
const catalog = catalogAsOf({ data, at: split.splitAt });
const itemIds = catalog.map((item) => item.itemId);
const similarity = rowCosine(buildTfIdf(catalog).matrix);

const matrices = new Map<string, InteractionMatrix>();
const rows: EvaluationRow[] = [];
const fitSeconds = new Map<string, number>();
for (const [name, recipe] of Object.entries(RECIPES)) {
  const key = `${recipe.matrix.halfLifeDays}/${recipe.matrix.cap}`;
  let matrix = matrices.get(key);
  if (matrix === undefined) {
    matrix = buildMatrix({ interactions: split.train, referenceTime: split.splitAt, itemIds, recipe: recipe.matrix });
    matrices.set(key, matrix);
  }
  const started = performance.now();
  const model = fitRecipe({ recipe, matrix, items: catalog });
  fitSeconds.set(name, (performance.now() - started) / 1000);
  // Each model's history vectors come from its own matrix; the customers are the same for all.
  rows.push(...evaluateRecommenders({ matrix, split, models: [{ name, model }], ks: [10, 20], similarity }));
}

const fmt = (v: number | null, digits = 4) => (v === null ? '–' : v.toFixed(digits));
const anyMatrix = [...matrices.values()][0]!;
let testPairs = 0;
let unseenPairs = 0;
const catalogSet = new Set(itemIds);
for (const items of split.test.values()) {
  for (const i of items) {
    if (catalogSet.has(i)) testPairs++;
    else unseenPairs++;
  }
}
console.log(`Machine: ${machineLine()}`);
console.log(`Data: ${data.rows} lines → ${data.interactions.length} purchase lines, ${data.items.length} products; read in ${loadSeconds.toFixed(1)} s`);
console.log(
  `Split at ${new Date(split.splitAt).toISOString().slice(0, 10)}: train ${split.train.length} lines, ${anyMatrix.rows} customers × ${anyMatrix.cols} catalog items; ` +
    `test ${rows[0]!.users} customers with history and new purchases (${testPairs + unseenPairs} customer-item pairs, ${unseenPairs} of items launched after the split)`,
);
for (const k of [10, 20]) {
  console.log(`\n| model (K=${k}) | Recall@${k} | NDCG@${k} | MAP@${k} | coverage | diversity | fit s |`);
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows.filter((row) => row.k === k)) {
    console.log(`| ${r.model} | ${fmt(r.recall)} | ${fmt(r.ndcg)} | ${fmt(r.map)} | ${fmt(r.coverage, 3)} | ${fmt(r.diversity, 3)} | ${fitSeconds.get(r.model)!.toFixed(2)} |`);
  }
}
const ndcg20 = (name: string) => rows.find((r) => r.model === name && r.k === 20)!.ndcg;
const chosen = ndcg20(CHOSEN);
const vsPopularity = chosen / ndcg20('popularity');
const vsKnn = chosen / ndcg20('item-kNN cosine') - 1;
console.log(`\n${CHOSEN}: NDCG@20 ${vsPopularity.toFixed(2)}× popularity (target ≥ 2×: ${vsPopularity >= 2 ? 'met' : 'NOT met'}), ` +
  `${(vsKnn * 100).toFixed(1)}% over item-kNN cosine (target ≥ 20%: ${vsKnn >= 0.2 ? 'met' : 'NOT met'})`);
console.log(`Peak RSS of this evaluation run: ${peakRssMiB().toFixed(0)} MiB`);

const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, path, '--train-only'], { encoding: 'utf8' });
if (child.status !== 0) throw new Error(`full-data training failed: ${child.stderr}`);
const full = JSON.parse(child.stdout) as { seconds: number; loadedRss: number; peakRss: number; users: number; items: number; nnz: number; bytes: number };
console.log(
  `Full-data training of ${CHOSEN} (fresh process): ${full.users} customers × ${full.items} items, ${full.nnz} non-zeros; ` +
    `matrix + fit ${full.seconds.toFixed(2)} s (target < 15 s: ${full.seconds < 15 ? 'met' : 'NOT met'}); ` +
    `peak RSS ${full.peakRss.toFixed(0)} MiB including the CSV read (${full.loadedRss.toFixed(0)} MiB after reading; target < 1 GB: ${full.peakRss < 1024 ? 'met' : 'NOT met'}); ` +
    `serialized model ${(full.bytes / 2 ** 20).toFixed(1)} MiB of JSON`,
);
