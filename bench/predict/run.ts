/**
 * bench/predict — issue target: BG/NBD + Gamma-Gamma fit on 100,000 customers in under 10 s.
 * Customers are simulated from the models with known parameters (seeded), so the run also
 * shows how close the fit comes to the truth.
 * Then the holdout report on Online Retail (bench/predict/holdout.ts), written into
 * docs/benchmarks.md by hand.
 * Usage: npm run bench -- predict [--customers N] [--only fit|holdout] [--unit day|week]
 */
import { fitBgNbd } from '../../src/predict/bgnbd.js';
import { fitGammaGamma } from '../../src/predict/gamma-gamma.js';
import { simulateBgNbd, simulateGammaGamma } from '../../src/predict/simulate.js';
import { seededRng } from '../../src/recommend/rng.js';
import { machineLine } from '../common/machine.js';
import { holdoutReport } from './holdout.js';

const args = process.argv.slice(2);
const i = args.indexOf('--customers');
const N = i === -1 ? 100_000 : Number(args[i + 1]);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const unitArg = args.includes('--unit') ? args[args.indexOf('--unit') + 1] : 'week';
if (unitArg !== 'day' && unitArg !== 'week') throw new Error(`--unit must be day or week, got ${unitArg}`);
const ROOT = new URL('../../', import.meta.url).pathname;

console.log(`bench/predict on ${machineLine()}`);
if (only !== 'holdout') fitBenchmark();
if (only !== 'fit') {
  // The file runs to 2011-12-09: 13 weeks of holdout after calibration to 2011-09-09.
  for (const line of await holdoutReport({
    file: `${ROOT}../shared/datasets/online-retail/online_retail.csv.gz`, calibrationEnd: Date.parse('2011-09-09T00:00:00Z'), holdoutEnd: Date.parse('2011-12-10T00:00:00Z'), unit: unitArg,
  })) console.log(line);
}

function fitBenchmark(): void {
  const truth = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
  const spendTruth = { p: 6.25, q: 3.74, gamma: 15.44 };
  const rng = seededRng(7);
  // Observation periods of 1 to 78 weeks, in days.
  const customers = simulateBgNbd(truth, Array.from({ length: N }, (_, k) => 7 + (k % 540)), rng);
  const repeaters = customers.filter((c) => c.x > 0);
  const spends = simulateGammaGamma(spendTruth, repeaters.map((c) => c.x), rng);

  const started = performance.now();
  const purchase = fitBgNbd(customers);
  const mid = performance.now();
  const spend = fitGammaGamma(spends);
  const done = performance.now();
  const total = (done - started) / 1000;
  const fmt = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k}=${v.toFixed(3)}`).join(' ');
  console.log(`BG/NBD on ${N.toLocaleString('en')} customers (${repeaters.length.toLocaleString('en')} with repeat purchases): ${((mid - started) / 1000).toFixed(2)} s; ` +
    `fit ${fmt({ ...purchase.params })} (truth ${fmt(truth)}), log-likelihood ${purchase.logLikelihood.toFixed(1)}, converged ${purchase.converged}`);
  console.log(`Gamma-Gamma on ${spends.length.toLocaleString('en')} customers: ${((done - mid) / 1000).toFixed(2)} s; fit ${fmt({ ...spend.params })} (truth ${fmt(spendTruth)})`);
  console.log(`both: ${total.toFixed(2)} s (target < 10 s: ${total < 10 ? 'met' : 'NOT met'})`);
}
