/**
 * Holdout report of the purchase model on Online Retail (issue "Segments and predictions"):
 * the whole file is imported into a temporary SQLite store, `tailor predict` calibrates on
 * the orders up to the calibration end, and its predictions are compared with what the same
 * customers actually did in the holdout period that follows:
 *  - per customer: mean absolute error and RMSE of predicted purchase periods, against a naive
 *    baseline that projects the person's calibration rate (x + 1 purchases over T) forward;
 *  - in aggregate: predicted vs actual purchases over all customers;
 *  - churn (no purchase in the holdout): ROC AUC of the stored churn risk, of 1 − P(alive),
 *    and of a recency-only baseline (days since the last purchase).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSource } from '../../src/cli/file-source.js';
import { importOrdersCsv } from '../../src/cli/importers.js';
import { buildConfig } from '../../src/config/config.js';
import { ONLINE_RETAIL_MAPPING } from '../../src/imports/order-rows.js';
import { createTailor } from '../../src/main.js';
import { conditionalExpectedPurchases } from '../../src/predict/bgnbd.js';
import { holdoutPurchases, summarizePurchases, UNIT_DAYS, type TimeUnit } from '../../src/predict/summaries.js';
import { readJson } from '../../src/shared/json.js';
import { fixedClock } from '../../src/shared/clock.js';
import { computedTraitRepositorySql } from '../../src/store/repositories/computed-trait-repository-sql.js';
import { openStore } from '../../src/store/store.js';

const DAY = 86_400_000;

/**
 * ROC AUC by the Mann–Whitney statistic with mid-ranks for ties: the probability that a
 * random positive scores above a random negative.
 */
export function rocAuc(scores: readonly number[], labels: readonly boolean[]): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Float64Array(scores.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let pos = 0;
  let rankSum = 0;
  labels.forEach((l, i) => { if (l) { pos++; rankSum += ranks[i]!; } });
  const neg = labels.length - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export async function holdoutReport(options: { file: string; calibrationEnd: number; holdoutEnd: number; unit: TimeUnit }): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tailor-bench-holdout-'));
  const store = await openStore({ engine: 'sqlite', filename: join(dir, 'retail.db') });
  try {
    const clock = fixedClock(options.holdoutEnd);
    const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store, clock, log: () => {} });
    const { workspace } = await tailor.workspaces.createWorkspace({
      name: 'retail', jurisdiction: 'UK',
      settings: { defaultCurrency: 'GBP', privacy: { defaults: { overrides: (['profiling', 'personalization'] as const).map((purpose) => ({ purpose, default: 'on', legalBasis: 'legitimate_interests' })) } } } as never,
    });
    await importOrdersCsv({ tailor, workspace, source: await fileSource(options.file), mapping: ONLINE_RETAIL_MAPPING, sourceName: 'online-retail', guests: 'skip', catalog: true, restart: false, quiet: true });
    const started = performance.now();
    const r = await tailor.predict.predictWorkspace(workspace, { calibrationEnd: options.calibrationEnd, unit: options.unit });
    if (!r.ok) throw new Error(r.error.message);
    const seconds = (performance.now() - started) / 1000;
    const s = r.value;

    // Every predicted customer's stored predictions and their actual holdout behaviour.
    const stored = new Map((await store.db.selectFrom('predictions').select(['profile_id', 'traits']).where('workspace_id', '=', workspace.id).execute())
      .map((row) => [row.profile_id, readJson<Record<string, number>>(row.traits, {})]));
    const repo = computedTraitRepositorySql(store);
    const holdoutLength = (options.holdoutEnd - options.calibrationEnd) / (DAY * UNIT_DAYS[options.unit]);
    let absModel = 0, sqModel = 0, absNaive = 0, sqNaive = 0, predictedTotal = 0, naiveTotal = 0, actualTotal = 0, n = 0;
    const churned: boolean[] = [];
    const riskScores: number[] = [];
    const deadScores: number[] = [];
    const recencyScores: number[] = [];
    for (let after: string | null = null; ;) {
      const ids = await repo.profilePage(workspace.id, after, 1000);
      if (ids.length === 0) break;
      after = ids[ids.length - 1]!;
      const orders = await repo.ordersOf(workspace.id, ids, { items: false });
      for (const id of ids) {
        const p = stored.get(id);
        if (p === undefined) continue;
        const own = orders.get(id) ?? [];
        const summary = summarizePurchases(own, { calibrationEnd: options.calibrationEnd, unit: options.unit, currency: 'GBP' })!;
        const actual = holdoutPurchases(own, { from: options.calibrationEnd, to: options.holdoutEnd, unit: options.unit, currency: 'GBP' }).purchases;
        const predicted = conditionalExpectedPurchases(s.purchaseModel.params, summary.purchases, holdoutLength);
        const naive = ((summary.purchases.x + 1) / summary.purchases.T) * holdoutLength;
        absModel += Math.abs(predicted - actual); sqModel += (predicted - actual) ** 2;
        absNaive += Math.abs(naive - actual); sqNaive += (naive - actual) ** 2;
        predictedTotal += predicted; naiveTotal += naive; actualTotal += actual; n++;
        churned.push(actual === 0);
        riskScores.push(p['churn_risk']!);
        deadScores.push(1 - p['p_alive']!);
        recencyScores.push((options.calibrationEnd - summary.lastPurchaseAt) / DAY);
      }
    }
    const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
    const f = (v: number) => v.toFixed(3);
    const churnShare = churned.filter(Boolean).length / churned.length;
    return [
      `holdout on Online Retail: calibration to ${iso(options.calibrationEnd)}, holdout ${iso(options.calibrationEnd)} … ${iso(options.holdoutEnd)} (${holdoutLength.toFixed(1)} ${options.unit}s), unit ${options.unit}; ` +
        `${n.toLocaleString('en')} customers (${s.repeatCustomers.toLocaleString('en')} repeat); tailor predict ${seconds.toFixed(1)} s`,
      `  BG/NBD r=${f(s.purchaseModel.params.r)} α=${f(s.purchaseModel.params.alpha)} a=${f(s.purchaseModel.params.a)} b=${f(s.purchaseModel.params.b)} (log-likelihood ${s.purchaseModel.logLikelihood.toFixed(1)}); ` +
        `Gamma-Gamma ${s.spendModel === null ? 'not fitted' : `p=${f(s.spendModel.params.p)} q=${f(s.spendModel.params.q)} γ=${f(s.spendModel.params.gamma)}`}`,
      `  purchases per customer in the holdout — MAE: model ${f(absModel / n)}, naive rate ${f(absNaive / n)}; RMSE: model ${f(Math.sqrt(sqModel / n))}, naive rate ${f(Math.sqrt(sqNaive / n))}`,
      `  purchases in aggregate — actual ${actualTotal.toLocaleString('en')}, model ${predictedTotal.toFixed(0)} (${((predictedTotal / actualTotal - 1) * 100).toFixed(1)}%), naive rate ${naiveTotal.toFixed(0)} (${((naiveTotal / actualTotal - 1) * 100).toFixed(1)}%)`,
      `  churn (no purchase in the holdout, ${(churnShare * 100).toFixed(1)}% of customers) — ROC AUC: churn_risk ${f(rocAuc(riskScores, churned))}, 1 − P(alive) ${f(rocAuc(deadScores, churned))}, recency-only baseline ${f(rocAuc(recencyScores, churned))}`,
    ];
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
