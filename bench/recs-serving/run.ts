/**
 * bench/recs-serving — issue target: at least 2,000 recommendations/s with p99 under 20 ms for
 * n = 10 over HTTP on the 2-core machine (loopback load generator), and the ratio to a trivial
 * endpoint of the same server in the same run.
 *
 * Setup (not timed): a SQLite store with the whole Online Retail file imported (orders, catalog),
 * traits computed, the recommendation model trained — all through the `tailor` CLI; then
 * `tailor serve` in its own process and a load generator (bench/common/load.ts) in another.
 * Requests: `POST /v1/recommendations` with `{ "userId": <a customer of the file, uniformly at
 * random>, "n": 10 }` — the default placement (for you, with cold start, diversity and 20%
 * exploration). The trivial endpoint is `GET /healthz` of the same server.
 *
 * Usage: npm run bench -- recs-serving [--seconds S] [--warmup S] [--concurrency C] [--rates 2000,1000] [--workers 1,2] [--db FILE --admin-key KEY (reuse a prepared store)]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import type { LoadResult } from '../common/load.js';
import { runLoad } from '../common/load-process.js';
import { machineLine, watchPeakTreeRss } from '../common/machine.js';
import { runTailor, startServerProcess, TAILOR_BIN } from '../common/processes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DATA = join(ROOT, '../shared/datasets/online-retail/online_retail.csv.gz');
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1]!;
};
const SECONDS = Number(option('--seconds', '15'));
const CONCURRENCY = Number(option('--concurrency', '16'));
const RATES = option('--rates', '2000,1000').split(',').map(Number);
const WORKERS = option('--workers', '1,2').split(',').map(Number);
/** Closed-loop warm-up after a first pass that serves every customer once (their records then come from memory, as in steady traffic). */
const WARMUP = Number(option('--warmup', '20'));
const BENCH_ENV = { TAILOR_RATE_LIMIT_RECOMMEND_PER_SECOND: '1000000', TAILOR_RATE_LIMIT_RECOMMEND_BURST: '1000000', TAILOR_RATE_LIMIT_ADMIN_PER_SECOND: '1000000', TAILOR_RATE_LIMIT_ADMIN_BURST: '1000000' };

const cli = runTailor;

function startServer(env: Record<string, string>, workers: number) {
  return startServerProcess({ env: { ...BENCH_ENV, ...env }, command: [TAILOR_BIN, '--json', 'serve', '--port', '0', '--workers', String(workers)] });
}

const fmt = (r: LoadResult) => `${Math.round(r.perSecond).toLocaleString('en-GB')} req/s; latency p50 ${r.latencyMs.p50.toFixed(2)} ms, p95 ${r.latencyMs.p95.toFixed(2)} ms, p99 ${r.latencyMs.p99.toFixed(2)} ms, max ${r.latencyMs.max.toFixed(1)} ms; ${r.requests} requests, ${r.errors} errors ${JSON.stringify(r.statuses)}`;

const reuse = args.includes('--db') ? option('--db', '') : null;
const dir = reuse === null ? mkdtempSync(join(tmpdir(), 'tailor-recs-serving-')) : null;
const db = reuse ?? join(dir!, 'bench.db');
const env = { TAILOR_DB: db };
try {
  console.log(`Machine: ${machineLine()}`);
  let adminKey: string;
  if (reuse === null || !existsSync(db)) {
    if (!existsSync(DATA)) throw new Error(`the Online Retail file is not at ${DATA}`);
    // Personalization and profiling on by default (as in the US, opt-out), so every customer is served personally.
    const init = JSON.parse(await cli(['--json', 'init', '--name', 'recs-serving', '--jurisdiction', 'US'], env)) as { adminKey: string };
    adminKey = init.adminKey;
    let t = performance.now();
    await cli(['--quiet', 'import', 'orders', DATA, '--mapping', 'online-retail'], env);
    console.log(`setup: imported the Online Retail file in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    t = performance.now();
    await cli(['--quiet', 'compute'], env);
    console.log(`setup: computed traits in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    t = performance.now();
    const trained = JSON.parse(await cli(['--json', 'train'], env)) as { version: number; seconds: number; stats: { people: number; items: number; interactions: { purchase: number } } };
    console.log(`setup: tailor train v${trained.version} in ${((performance.now() - t) / 1000).toFixed(1)} s (job ${trained.seconds.toFixed(1)} s): ${trained.stats.people} people, ${trained.stats.items} items, ${trained.stats.interactions.purchase} purchase lines`);
    if (reuse !== null) console.log(`setup: admin key ${adminKey} (for --db reuse)`);
  } else {
    adminKey = option('--admin-key', '');
    if (adminKey === '') throw new Error('--db FILE needs --admin-key KEY');
  }
  const sqlite = new SQLite(db, { readonly: true });
  const customers = (sqlite.prepare(`select value from identities where type = 'user_id'`).all() as Array<{ value: string }>).map((r) => r.value);
  sqlite.close();
  // A uniformly random customer per request (seeded, so runs send the same sequence).
  let seed = 12345;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const bodies = Array.from({ length: 20_000 }, () => JSON.stringify({ userId: customers[Math.floor(random() * customers.length)], n: 10 }));

  const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
  console.log(`\nCustomers: ${customers.length}; ${CONCURRENCY} in flight (closed loop), ${SECONDS} s each, after warm-up.`);
  for (const workers of WORKERS) {
    const server = await startServer(env, workers);
    const rss = watchPeakTreeRss(server.pid);
    try {
      const recs = { url: `${server.url}/v1/recommendations`, method: 'POST' as const, headers, bodies, seconds: SECONDS, warmupSeconds: WARMUP };
      const trivial = { url: `${server.url}/healthz`, method: 'GET' as const, headers: {}, bodies: [''], seconds: SECONDS, warmupSeconds: 2 };
      // Every customer once per process (a person's first request reads their record and computes
      // their scores; each process has its own cache, and which one answers is the kernel's
      // choice, so most, not all, are warm in every process), then the timed warm-up.
      const pass = await runLoad({ ...recs, bodies: customers.map((userId) => JSON.stringify({ userId, n: 10 })), mode: 'closed', concurrency: CONCURRENCY, rate: 0, seconds: 600, warmupSeconds: 0, requests: customers.length * workers });
      console.log(`\n  (${workers} process${workers === 1 ? '' : 'es'}) ${pass.requests.toLocaleString('en-GB')} first requests (every customer ${workers === 1 ? 'once' : `${workers} times`}): ${Math.round(pass.perSecond)} req/s, p50 ${pass.latencyMs.p50.toFixed(1)} ms`);
      const closedRecs = await runLoad({ ...recs, mode: 'closed', concurrency: CONCURRENCY, rate: 0 });
      const closedTrivial = await runLoad({ ...trivial, mode: 'closed', concurrency: CONCURRENCY, rate: 0 });
      const opens: Array<[number, LoadResult]> = [];
      for (const rate of RATES) opens.push([rate, await runLoad({ ...recs, mode: 'open', concurrency: 0, rate, warmupSeconds: 2 })]);
      console.log(`\n${workers} server process${workers === 1 ? '' : 'es'} (tailor serve --workers ${workers}):`);
      console.log(`  trivial endpoint GET /healthz, closed loop:       ${fmt(closedTrivial)}`);
      console.log(`  POST /v1/recommendations n=10, closed loop:       ${fmt(closedRecs)}`);
      console.log(`    ratio to the trivial endpoint: ${(closedRecs.perSecond / closedTrivial.perSecond).toFixed(3)}`);
      for (const [rate, open] of opens) console.log(`  POST /v1/recommendations n=10, open loop ${rate}/s: ${fmt(open)}`);
      const at2000 = opens.find(([rate]) => rate >= 2000)?.[1];
      const met = closedRecs.perSecond >= 2000 && at2000 !== undefined && at2000.perSecond >= 2000 * 0.98 && at2000.latencyMs.p99 < 20 && at2000.errors === 0;
      console.log(`  target ≥ 2,000 recommendations/s with p99 < 20 ms: ${met ? 'met' : 'NOT met'} (closed loop ${Math.round(closedRecs.perSecond)}/s${at2000 === undefined ? '' : `; at 2,000/s offered: ${Math.round(at2000.perSecond)}/s served, p99 ${at2000.latencyMs.p99.toFixed(1)} ms`})`);
      const memory = rss.stop();
      console.log(`  peak RSS: the primary server process ${(memory.root / 2 ** 20).toFixed(0)} MiB${workers === 1 ? '' : `; all ${memory.processes} processes together ${(memory.tree / 2 ** 20).toFixed(0)} MiB (largest sum in one reading every 50 ms)`}`);
    } finally {
      await server.stop();
    }
  }
} finally {
  if (dir !== null) rmSync(dir, { recursive: true, force: true });
}
