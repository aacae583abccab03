/**
 * bench/profiles — issue targets for computed traits and erasure:
 *  - incremental trait maintenance adds at most 30% to the ingest cost: the same events
 *    ingested in the same process through the same service with and without the
 *    computed-trait participant, alternating, best of three each; the ratio of the times;
 *  - `tailor compute` over 1,000,000 profiles with 10,000,000 events (synthetic, written
 *    straight into the store by bench/common/population.ts; not timed) in under 60 s on SQLite
 *    and on PostgreSQL, under 2 GB RSS;
 *  - erasure of one person among those 1,000,000 in under 1 s.
 *    The population carries the incremental trait states ingest would have kept (steady state:
 *    the scheduled recompute); `--no-states` leaves them out, so the job first rebuilds
 *    every state from the events (the first recompute after a bulk load around ingest).
 *  --keep-population keeps the generated population (an SQLite file in the system's temp dir, a
 *    PostgreSQL schema of its own) and reuses it in later runs with the same sizes, so that the
 *    compute can be measured again without generating for minutes; computed traits are
 *    deleted before each compute (each run is a first compute). --workers N sets the compute
 *    job's worker threads (default: one per core; 0 runs it in the calling thread).
 * Usage: npm run bench -- profiles [--profiles N] [--events M] [--skip-postgres] [--skip-sqlite] [--only incremental|compute] [--no-states]
 *        [--keep-population] [--workers N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { buildConfig } from '../../src/config/config.js';
import { createIngestService } from '../../src/ingest/index.js';
import { createTailor, type Tailor } from '../../src/main.js';
import { SCRUB_STEP_ROWS } from '../../src/privacy/erasure-service.js';
import { systemClock } from '../../src/shared/clock.js';
import { cryptoIds } from '../../src/shared/ids.js';
import { computedTraitParticipant } from '../../src/store/repositories/computed-trait-repository-sql.js';
import { ingestRepositorySql } from '../../src/store/repositories/ingest-repository-sql.js';
import type { Store } from '../../src/store/store.js';
import { withBenchStore, withKeptBenchStore } from '../common/bench-store.js';
import { makeEventFactory } from '../ingest/events.js';
import { generatePopulation, profileIdOf, type PopulationCounts } from '../common/population.js';
import type { Workspace } from '../../src/workspaces/index.js';
import { machineLine } from '../common/machine.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const PROFILES = option('--profiles', 1_000_000);
const EVENTS = option('--events', 10_000_000);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const KEEP = flag('--keep-population');
const WORKERS = args.includes('--workers') ? option('--workers', 0) : undefined;
const dir = mkdtempSync(join(tmpdir(), 'tailor-bench-profiles-'));
const peakRss = () => process.resourceUsage().maxRSS / 1024;

const withStore = <T>(engine: 'sqlite' | 'postgres', name: string, fn: (store: Store) => Promise<T>) => withBenchStore(engine, dir, name, fn);

/** Ingest time of the same events with and without the participant, in one process. */
async function incremental(engine: 'sqlite' | 'postgres'): Promise<void> {
  const count = 40_000;
  const next = makeEventFactory(11);
  const events = Array.from({ length: count }, next);
  const batches: Array<Array<Record<string, unknown>>> = [];
  for (let i = 0; i < events.length; i += 100) batches.push(events.slice(i, i + 100));
  const run = async (withTraits: boolean, round: number) => withStore(engine, `incr-${withTraits}-${round}`, async (store) => {
    const clock = systemClock();
    const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store, clock });
    const { workspace } = await tailor.workspaces.createWorkspace({ name: 'bench', jurisdiction: 'OTHER' });
    const ingest = createIngestService({ repository: ingestRepositorySql(store, withTraits ? [computedTraitParticipant(store)] : []), clock, ids: cryptoIds(), incrementalTraits: withTraits });
    let k = 0;
    const started = performance.now();
    // 16 batches in flight, as the HTTP benchmark sends them.
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (k < batches.length) {
        const b = batches[k++]!;
        await ingest.ingest({ workspace, messages: b.map((raw) => ({ raw })) });
      }
    }));
    return (performance.now() - started) / 1000;
  });
  const without: number[] = [];
  const withIt: number[] = [];
  for (let round = 0; round < 3; round++) {
    without.push(await run(false, round));
    withIt.push(await run(true, round));
  }
  const a = Math.min(...without);
  const b = Math.min(...withIt);
  console.log(`incremental traits, ${engine}: ${count.toLocaleString('en')} events in batches of 100, 16 in flight, service in-process, best of 3: ` +
    `without ${a.toFixed(2)} s (${Math.round(count / a).toLocaleString('en')} events/s), with ${b.toFixed(2)} s (${Math.round(count / b).toLocaleString('en')} events/s) ` +
    `→ +${((b / a - 1) * 100).toFixed(1)}% (target ≤ 30%: ${b / a <= 1.3 ? 'met' : 'NOT met'})`);
}

/** What a kept population store holds, written once its generation has finished. */
const POPULATION_MARK = 'bench_population';

async function readPopulationMark(store: Store): Promise<{ counts: PopulationCounts; seconds: number } | null> {
  if (!(await store.features.listTables(store.db)).includes(POPULATION_MARK)) return null;
  const rows = (await sql<{ counts: string; seconds: number }>`select counts, seconds from ${sql.table(POPULATION_MARK)}`.execute(store.db)).rows;
  return rows.length === 0 ? null : { counts: JSON.parse(rows[0]!.counts) as PopulationCounts, seconds: rows[0]!.seconds };
}

/**
 * The population in a store: generated (not timed), or — with --keep-population — generated
 * once into a kept store and found there by later runs with the same sizes. A kept
 * population is brought back to the state generation leaves: no computed traits, and no
 * trait states with --no-states.
 */
async function withPopulation(engine: 'sqlite' | 'postgres', fn: (p: { store: Store; tailor: Tailor; workspace: Workspace; counts: PopulationCounts }) => Promise<void>): Promise<void> {
  const body = async (store: Store) => {
    const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store, log: () => {}, ...(WORKERS === undefined ? {} : { computeWorkers: WORKERS }) });
    const kept = KEEP ? await readPopulationMark(store) : null;
    if (kept !== null) {
      const workspace = (await tailor.workspaces.listWorkspaces())[0]!;
      await store.db.deleteFrom('computed_traits').where('workspace_id', '=', workspace.id).execute();
      if (flag('--no-states')) await store.db.updateTable('profiles').set({ trait_state: null }).where('workspace_id', '=', workspace.id).execute();
      if (engine === 'postgres') await sql`vacuum analyze`.execute(store.db);
      console.log(`population on ${engine}: ${kept.counts.profiles.toLocaleString('en')} profiles, ${kept.counts.events.toLocaleString('en')} events, ${kept.counts.orders.toLocaleString('en')} orders, ` +
        `${kept.counts.orderItems.toLocaleString('en')} order lines (kept from an earlier run, which wrote it in ${kept.seconds.toFixed(0)} s)`);
      await fn({ store, tailor, workspace, counts: kept.counts });
      return;
    }
    const { workspace } = await tailor.workspaces.createWorkspace({
      name: 'bench', jurisdiction: 'OTHER',
      settings: { defaultCurrency: 'GBP', privacy: { defaults: { overrides: (['profiling', 'personalization'] as const).map((purpose) => ({ purpose, default: 'on', legalBasis: 'legitimate_interests' })) } } } as never,
    });
    let lastLog = 0;
    const genStarted = performance.now();
    const counts = await generatePopulation({
      store, workspaceId: workspace.id, profiles: PROFILES, events: EVENTS, now: Date.now(), traitStates: !flag('--no-states'),
      onProgress: (p) => {
        if (p.table === 'events' && performance.now() - lastLog > 10_000) {
          lastLog = performance.now();
          process.stderr.write(`  generating ${engine}: ${p.done.toLocaleString('en')} / ${p.total.toLocaleString('en')} events\n`);
        }
      },
    });
    const seconds = (performance.now() - genStarted) / 1000;
    console.log(`population on ${engine}: ${counts.profiles.toLocaleString('en')} profiles, ${counts.events.toLocaleString('en')} events, ${counts.orders.toLocaleString('en')} orders, ` +
      `${counts.orderItems.toLocaleString('en')} order lines (written in ${seconds.toFixed(0)} s, not timed)`);
    // Fresh statistics, as autovacuum would have gathered on a live database.
    if (engine === 'postgres') await sql`analyze`.execute(store.db);
    if (KEEP) {
      await sql`create table ${sql.table(POPULATION_MARK)} (counts text not null, seconds real not null)`.execute(store.db);
      await sql`insert into ${sql.table(POPULATION_MARK)} (counts, seconds) values (${JSON.stringify(counts)}, ${seconds})`.execute(store.db);
    }
    await fn({ store, tailor, workspace, counts });
  };
  if (!KEEP) return withStore(engine, 'compute', body);
  // A kept store without the mark holds an unfinished generation: start it over.
  const name = `population_${PROFILES}_${EVENTS}`;
  const complete = await withKeptBenchStore(engine, name, { wipe: false }, async (store) => (await readPopulationMark(store)) !== null);
  return withKeptBenchStore(engine, name, { wipe: !complete }, body);
}

/** The recompute job over the population, then one erasure. */
async function compute(engine: 'sqlite' | 'postgres'): Promise<void> {
  await withPopulation(engine, async ({ store, tailor, workspace, counts }) => {
    const rssBefore = peakRss();
    const started = performance.now();
    let lastProgress = 0;
    const summary = await tailor.compute.computeWorkspace(workspace, {
      onProgress: (p) => {
        if (performance.now() - lastProgress > 10_000) {
          lastProgress = performance.now();
          process.stderr.write(`  compute ${engine}: ${p.phase} ${p.done.toLocaleString('en')} profiles, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
        }
      },
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(`tailor compute, ${engine}: ${summary.profiles.toLocaleString('en')} profiles / ${counts.events.toLocaleString('en')} events in ${seconds.toFixed(1)} s ` +
      `(target < 60 s: ${seconds < 60 ? 'met' : 'NOT met'}); ${summary.workers === 0 ? 'in the calling thread' : `${summary.workers} worker threads`}; RFM population ${summary.rfmPopulation.toLocaleString('en')}; ` +
      `states rebuilt from events ${summary.statesRebuilt.toLocaleString('en')}; peak RSS of the process ${peakRss().toFixed(0)} MiB ` +
      `(${rssBefore.toFixed(0)} MiB before compute${KEEP ? '' : ', generation included'}; target < 2048: ${peakRss() < 2048 ? 'met' : 'NOT met'})`);

    // A kept population may have lost earlier runs' victims: take the first person still there.
    let index = Math.floor(PROFILES / 2);
    while ((await store.db.selectFrom('identities').select('profile_id').where('workspace_id', '=', workspace.id).where('type', '=', 'user_id').where('value', '=', `user-${index}`).executeTakeFirst()) === undefined) index++;
    // The event loop's longest stall while the erasure and its search of other people's rows
    // run: what a request arriving meanwhile would wait at most (SQLite is synchronous).
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const t = performance.now();
    const report = await tailor.erasure.erase(workspace, `user_id:user-${index}`, 'bench');
    const eraseSeconds = (performance.now() - t) / 1000;
    if (!report.ok) throw new Error(`erasure failed: ${JSON.stringify(report.error)}`);
    const rows = Object.values(report.value.tables).reduce((n, v) => n + v, 0);
    console.log(`erasure of one person (${profileIdOf(index)}) among ${summary.profiles.toLocaleString('en')}, ${engine}: answered in ${(eraseSeconds * 1000).toFixed(0)} ms, ` +
      `${rows} rows in ${Object.keys(report.value.tables).length} tables (target < 1 s: ${eraseSeconds < 1 ? 'met' : 'NOT met'}); search of other people's rows ${report.value.othersScrubbed.status} at the answer`);
    const outcome = report.value.othersScrubbed.status === 'done' ? report.value.othersScrubbed : await tailor.erasure.outcome(report.value.reportId);
    const searchSeconds = (performance.now() - t) / 1000;
    loop.disable();
    if (outcome === null) throw new Error('the search of other people\'s rows did not finish');
    console.log(`  search of other people's rows for the person's identifiers: ${outcome.rowsSearched.toLocaleString('en')} rows in ${searchSeconds.toFixed(1)} s after the request ` +
      `(${outcome.eventsChanged} events, ${outcome.profilesChanged} profiles changed), steps of ${SCRUB_STEP_ROWS.toLocaleString('en')} rows; ` +
      `longest event-loop stall meanwhile ${(loop.max / 1e6).toFixed(0)} ms (p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms)`);
  });
}

async function main() {
  console.log(`bench/profiles on ${machineLine()}`);
  const engines: Array<'sqlite' | 'postgres'> = [];
  if (!flag('--skip-sqlite')) engines.push('sqlite');
  if (!flag('--skip-postgres')) engines.push('postgres');
  for (const engine of engines) {
    if (only === undefined || only === 'incremental') await incremental(engine);
    if (only === undefined || only === 'compute') await compute(engine);
  }
}

try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
