import type { Command } from 'commander';
import { DEFAULT_FIT_SAMPLE, DEFAULT_K_RANGE, MAX_FIT_SAMPLE, MAX_K } from '../segments/clustering.js';
import type { ClusteringRun, ClusterServiceError } from '../segments/cluster-service.js';
import type { SegmentRecord } from '../segments/segment-repository.js';
import { ConfigError } from '../shared/errors.js';
import { output, pickWorkspace, withTailor, type GlobalOptions } from './context.js';
import { wholeNumber } from './options.js';

const integer = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ConfigError(`${flag} must be a whole number, got ${v}`);
  return n;
};

/** `all`, or a list of cluster numbers such as `1,3`. */
const clusterList = (flag: string) => (v: string): number[] | 'all' => {
  if (v === 'all') return 'all';
  const numbers = v.split(',').map((s) => Number(s.trim()));
  if (numbers.some((n) => !Number.isInteger(n) || n < 1)) throw new ConfigError(`${flag} takes "all" or cluster numbers such as 1,3; got ${v}`);
  return numbers;
};

function fail(error: ClusterServiceError): never {
  throw new ConfigError(error.message);
}

const bar = (value: number, max: number, width = 30) => '█'.repeat(Math.max(value > 0 ? 1 : 0, Math.round((Math.max(0, value) / Math.max(max, 1e-12)) * width)));
const amount = (v: number | null) => (v === null ? 'n/a' : Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-GB') : Math.abs(v) >= 1 ? v.toFixed(1) : v.toFixed(2));

/** A clustering run as people read it: silhouette by k as a chart, then each cluster with its size, description and means. */
export function formatClustering(run: ClusteringRun): string {
  const m = run.model;
  const best = Math.max(...m.silhouettes.map((s) => s.silhouette));
  const biggest = Math.max(...m.clusters.map((c) => c.size));
  return [
    `Clustering v${run.version} (${run.id}): ${m.people.toLocaleString('en-GB')} customers, k = ${m.k}, seed ${m.seed}, in ${(run.durationMs / 1000).toFixed(1)} s.`,
    `  fitted on ${m.fitSample.toLocaleString('en-GB')} customers, silhouette on ${m.silhouetteSample.toLocaleString('en-GB')}; left out (profiling refused, PRIVACY.md P5): ${run.profilingExcluded}`,
    `  features: ${m.features.map((f) => f.id).join(', ')}`,
    '',
    `Mean silhouette by k (higher separates better; k = ${m.k} chosen):`,
    ...m.silhouettes.map((s) => `  k=${String(s.k).padEnd(3)}${bar(s.silhouette, best)} ${s.silhouette.toFixed(3)}${s.k === m.k ? '  ◀' : ''}`),
    '',
    'Clusters (share of customers; what sets each apart):',
    ...m.clusters.flatMap((c) => [
      `  ${String(c.number).padStart(2)}  ${bar(c.size, biggest, 20).padEnd(20)} ${c.size.toLocaleString('en-GB').padStart(9)} ${(c.share * 100).toFixed(1).padStart(5)}%  ${c.description}`,
      `      ${m.features.map((f) => `${f.label} ${amount(c.means[f.id] ?? null)}`).join(' · ')}`,
    ]),
  ].join('\n');
}

const savedText = (saved: readonly SegmentRecord[]) => saved.map((s) => `  saved segment "${s.name}" (${s.id}) with ${s.memberCount} members`).join('\n');

/** `tailor segments cluster`, `clusters`, `save-clusters`. */
export function registerClusterCommands(segments: Command, globals: () => GlobalOptions): void {
  segments.command('cluster')
    .description('k-means clusters of customers (RFM, basket, tenure, discount affinity, price band, favourite categories), k chosen by silhouette; each cluster described, optionally saved as segments')
    .option('--min-k <k>', `smallest k tried (2–${MAX_K})`, wholeNumber(2, MAX_K), DEFAULT_K_RANGE[0])
    .option('--max-k <k>', `largest k tried (2–${MAX_K}, at least --min-k)`, wholeNumber(2, MAX_K), DEFAULT_K_RANGE[1])
    .option('--seed <n>', 'random seed: the same seed and data give the same clusters', integer('--seed'), 42)
    .option('--sample <n>', `customers the centres are fitted on (100–${MAX_FIT_SAMPLE}; a uniform sample when there are more)`, wholeNumber(100, MAX_FIT_SAMPLE), DEFAULT_FIT_SAMPLE)
    .option('--save <clusters>', 'save clusters as segments: "all" or numbers such as 1,3', clusterList('--save'))
    .action(async (o: { minK: number; maxK: number; seed: number; sample: number; save?: number[] | 'all' }) => {
      if (o.minK > o.maxK) throw new ConfigError(`--min-k ${o.minK} is more than --max-k ${o.maxK}`);
      // Cluster numbers above the largest k tried cannot exist: refused before a run is stored.
      if (Array.isArray(o.save) && o.save.some((n) => n > o.maxK)) throw new ConfigError(`--save: clusters are numbered 1 to at most ${o.maxK} (--max-k), got ${o.save.join(',')}`);
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const quiet = globals().quiet === true || globals().json === true;
        const say = (line: string) => { if (!quiet) process.stderr.write(`${line}\n`); };
        let lastRead = 0;
        const r = await tailor.clusters.run(workspace, {
          kRange: [o.minK, o.maxK], seed: o.seed, fitSample: o.sample,
          onProgress: (p) => {
            if (p.phase === 'read') { if (p.done - lastRead >= 50_000) { lastRead = p.done; say(`  read ${p.done.toLocaleString('en-GB')} customers`); } }
            else say(`  k=${p.k}: silhouette ${p.silhouette.toFixed(3)}`);
          },
        }, 'cli');
        if (!r.ok) fail(r.error);
        const saved = o.save === undefined ? [] : await tailor.clusters.save(workspace, r.value.id, o.save, 'cli');
        if (!Array.isArray(saved) && !saved.ok) fail(saved.error);
        const segmentsSaved = Array.isArray(saved) ? [] : saved.value;
        output(globals(), { clustering: r.value, savedSegments: segmentsSaved }, () => [
          formatClustering(r.value),
          ...(segmentsSaved.length === 0 ? ['', `Save clusters as segments: tailor segments save-clusters ${r.value.id} --clusters all (or 1,3)`] : ['', savedText(segmentsSaved)]),
        ].join('\n'));
      });
    });

  segments.command('clusters [id]')
    .description('show a clustering run (default: the latest), or list them all with --all')
    .option('--all', 'list every run, newest first')
    .action(async (id: string | undefined, o: { all?: boolean }) => {
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        if (o.all === true) {
          const runs = await tailor.clusters.list(workspace);
          output(globals(), { clusterings: runs }, () => (runs.length === 0 ? 'No clustering yet: run `tailor segments cluster`.'
            : runs.map((x) => `v${x.version}  ${x.id}  ${new Date(x.createdAt).toISOString()}  k=${x.model.k}  ${x.model.people} customers`).join('\n')));
          return;
        }
        const r = await tailor.clusters.get(workspace, id ?? 'latest');
        if (!r.ok) fail(r.error);
        output(globals(), r.value, () => formatClustering(r.value));
      });
    });

  segments.command('save-clusters <id>')
    .description('save clusters of a clustering run (an id, or "latest") as segments and evaluate them')
    .requiredOption('--clusters <clusters>', '"all" or cluster numbers such as 1,3', clusterList('--clusters'))
    .action(async (id: string, o: { clusters: number[] | 'all' }) => {
      await withTailor(globals(), async (tailor) => {
        const workspace = await pickWorkspace(tailor, globals().workspace);
        const r = await tailor.clusters.save(workspace, id, o.clusters, 'cli');
        if (!r.ok) fail(r.error);
        output(globals(), { savedSegments: r.value }, () => savedText(r.value));
      });
    });
}
