import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { generatePopulation, profileIdOf } from '../bench/common/population.js';
import { buildConfig } from '../src/config/config.js';
import { createTailor } from '../src/main.js';
import { COMPUTE_PAGE_SIZE, ComputeJobError, createComputeService, type ComputeService } from '../src/profiles/compute-service.js';
import type { ComputedTraitRepository } from '../src/profiles/computed-trait-repository.js';
import { fixedClock } from '../src/shared/clock.js';
import { ComputeWorkerError, computeWorkers } from '../src/store/compute-workers.js';
import { computedTraitRepositorySql } from '../src/store/repositories/computed-trait-repository-sql.js';
import { openStore, type Store } from '../src/store/store.js';
import type { Workspace } from '../src/workspaces/index.js';
import { describeEachEngine, type EngineHandle } from './support/engines.js';
import { runCli } from './support/server-process.js';
import { tempDir } from './support/temp-dir.js';

const DAY = 86_400_000;
const NOW = Date.parse('2025-06-01T00:00:00Z');
const PROFILES = 4_500;
const PROFILING_ON = {
  privacy: {
    defaults: {
      overrides: (['profiling', 'personalization'] as const).map((purpose) => ({ purpose, default: 'on', legalBasis: 'legitimate_interests', note: 'test' })),
    },
  },
};

const dir = tempDir('tailor-compute-workers-');
let files = 0;

/** A store other threads can reach: a SQLite file (not `:memory:`), or the engine's PostgreSQL schema. */
function openShared(engine: EngineHandle): Promise<Store> {
  return engine.name === 'sqlite' ? openStore({ engine: 'sqlite', filename: join(dir, `shared-${files++}.db`) }) : engine.open();
}

/**
 * The synthetic population of the benchmarks (events, orders with lines, stored trait states)
 * made to touch every branch of the job: two currencies, partial and full refunds,
 * cancellations and standalone returns, a catalog (price bands, brands), people whose
 * personalization is off or whose profiling consent was denied, and profiles without a
 * stored state (rebuilt from their events, and written back).
 */
async function population(store: Store): Promise<Workspace> {
  const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store, clock: fixedClock(NOW), log: () => {}, computeWorkers: 0 });
  const { workspace } = await tailor.workspaces.createWorkspace({ name: 'pop', jurisdiction: 'EU', settings: { defaultCurrency: 'GBP', ...PROFILING_ON } as never });
  const ws = workspace.id;
  await generatePopulation({ store, workspaceId: ws, profiles: PROFILES, events: 30_000, now: NOW - DAY });
  const categories = ['Kitchen', 'Garden', 'Gifts', 'Toys', 'Bath', 'Lighting', 'Stationery', 'Party'];
  await tailor.catalog.upsert(ws, Array.from({ length: 400 }, (_, i) => ({
    id: `sku-${i}`, name: `Product ${i}`, category: categories[i % categories.length], brand: `Brand ${i % 13}`, price: Math.round((2 + (i % 97) * 1.7) * 100) / 100, currency: 'GBP',
  })));
  const orders = (await store.db.selectFrom('orders').select('order_id').where('workspace_id', '=', ws).orderBy('order_id').execute()).map((o) => o.order_id);
  const every = (n: number, k: number) => orders.filter((_, i) => i % n === k);
  await store.db.updateTable('orders').set({ currency: 'EUR' }).where('order_id', 'in', every(9, 1)).execute();
  await store.db.updateTable('orders').set({ status: 'partially_refunded', refunded_amount: 3.5 }).where('order_id', 'in', every(11, 2)).execute();
  await store.db.updateTable('orders').set({ status: 'refunded' }).where('order_id', 'in', every(17, 3)).execute();
  await store.db.updateTable('orders').set({ status: 'cancelled' }).where('order_id', 'in', every(19, 4)).execute();
  await store.db.updateTable('orders').set({ kind: 'return', revenue: -4.2 }).where('order_id', 'in', every(23, 5)).execute();
  const ids = Array.from({ length: PROFILES }, (_, i) => profileIdOf(i));
  await store.db.insertInto('privacy_switches').values(ids.filter((_, i) => i % 31 === 0).map((profile_id) => ({ workspace_id: ws, profile_id, personalization_off: 1, source: 'test', updated_at: NOW - DAY }))).execute();
  await store.db.insertInto('consent_records').values(ids.filter((_, i) => i % 37 === 1).map((profile_id, i) => ({
    workspace_id: ws, id: `consent-${i}`, profile_id, purpose: 'profiling', decision: 'denied', notice_version: 'unversioned', source: 'ui', method: null, jurisdiction: 'EU', recorded_at: NOW - 2 * DAY,
  }))).execute();
  await dropStates(store, ws);
  // Merged-away profiles between live ones, still holding orders, a state, consents and a
  // switch (as if ingest had left them behind): no page may read them as its own.
  await store.db.updateTable('profiles').set({ merged_into: profileIdOf(0) }).where('workspace_id', '=', ws).where('id', 'in', MERGED).execute();
  return (await tailor.workspaces.getWorkspace(ws))!;
}

const MERGED = Array.from({ length: PROFILES }, (_, i) => profileIdOf(i)).filter((_, i) => i % 50 === 31);
const LIVE = PROFILES - MERGED.length;

/** Every seventh profile loses its stored state, as before the state existed. */
async function dropStates(store: Store, ws: string): Promise<void> {
  const ids = Array.from({ length: PROFILES }, (_, i) => profileIdOf(i)).filter((_, i) => i % 7 === 3);
  await store.db.updateTable('profiles').set({ trait_state: null }).where('workspace_id', '=', ws).where('id', 'in', ids).execute();
}

/** What the job wrote: every computed-traits row and every profile's state, as stored. */
async function written(store: Store, ws: string) {
  const traits = await store.db.selectFrom('computed_traits').select(['profile_id', 'traits', 'computed_at', 'updated_at']).where('workspace_id', '=', ws).orderBy('profile_id').execute();
  const states = await store.db.selectFrom('profiles').select(['id', 'trait_state']).where('workspace_id', '=', ws).orderBy('id').execute();
  return { traits, states };
}

/**
 * The job on `workers` worker threads, or in this thread with `workers: 0` — and then reading
 * every page by its list of ids, not by its id range, so that the comparison also checks the
 * range reads.
 */
function service(store: Store, workers: number): ComputeService {
  const sqlRepository = computedTraitRepositorySql(store);
  const byList: ComputedTraitRepository = {
    ...sqlRepository,
    ordersOf: (ws, ids, options) => sqlRepository.ordersOf(ws, ids, { ...options, page: false }),
    statesOf: (ws, ids) => sqlRepository.statesOf(ws, ids, { page: false }),
    privacyOf: (ws, ids) => sqlRepository.privacyOf(ws, ids, { page: false }),
  };
  return createComputeService({
    repository: workers === 0 ? byList : sqlRepository, clock: fixedClock(NOW), parallelFromProfiles: 0,
    ...(workers === 0 ? {} : { workers: computeWorkers(store, { workers }) }),
  });
}

describeEachEngine('the recompute job on worker threads', (engine) => {
  afterAll(() => engine.cleanup());

  it('writes exactly what the single-thread job writes, row for row', async () => {
    const store = await openShared(engine);
    try {
      const workspace = await population(store);
      const progress: Array<{ phase: string; done: number }> = [];
      const single = await service(store, 0).computeWorkspace(workspace);
      const expected = await written(store, workspace.id);
      expect(single).toMatchObject({ profiles: LIVE, workers: 0 });
      expect(single.statesRebuilt).toBe(Array.from({ length: PROFILES }, (_, i) => i).filter((i) => i % 7 === 3 && i % 50 !== 31).length);
      expect(single.profilingSkipped).toBeGreaterThan(200);
      expect(single.rfmPopulation).toBeGreaterThan(800);
      // The population is varied enough for the comparison to mean something.
      const values = expected.traits.map((r) => (typeof r.traits === 'string' ? JSON.parse(r.traits) : r.traits) as Record<string, unknown>);
      expect(new Set(values.map((v) => v['rfm_segment'])).size).toBeGreaterThan(8);
      expect(new Set(values.map((v) => v['price_band_preference']).filter((b) => typeof b === 'string'))).toEqual(new Set(['budget', 'mid', 'premium']));
      expect(values.filter((v) => Object.keys((v['revenue_total'] as Record<string, number> | undefined) ?? {}).length === 2).length).toBeGreaterThan(50);
      expect(values.filter((v) => !('rfm_segment' in v)).length).toBe(single.profilingSkipped);

      await store.db.deleteFrom('computed_traits').where('workspace_id', '=', workspace.id).execute();
      await dropStates(store, workspace.id);
      const parallel = await service(store, 2).computeWorkspace(workspace, { onProgress: (p) => progress.push(p) });
      expect(parallel).toEqual({ ...single, workers: 2 });
      const actual = await written(store, workspace.id);
      expect(actual.traits.length).toBe(LIVE);
      expect(actual.states.length).toBe(PROFILES);
      for (let i = 0; i < LIVE; i++) expect(actual.traits[i], expected.traits[i]!.profile_id).toEqual(expected.traits[i]);
      for (let i = 0; i < PROFILES; i++) {
        expect(actual.states[i], expected.states[i]!.id).toEqual(expected.states[i]);
      }
      // Progress: every page once per pass, counts rising to the total.
      const pages = Math.ceil(LIVE / COMPUTE_PAGE_SIZE);
      for (const phase of ['population', 'traits']) {
        const seen = progress.filter((p) => p.phase === phase).map((p) => p.done);
        expect(seen.length, phase).toBe(pages);
        expect(seen, phase).toEqual([...seen].sort((a, b) => a - b));
        expect(seen.at(-1), phase).toBe(LIVE);
      }
    } finally {
      await store.close();
    }
  }, 120_000);

  it('stops on a failed page with an error naming it, leaving every page written whole or not at all', async () => {
    const store = await openShared(engine);
    try {
      const workspace = await population(store);
      // A write of one profile of the third page fails inside its transaction.
      const live = Array.from({ length: PROFILES }, (_, i) => profileIdOf(i)).filter((id) => !MERGED.includes(id)).sort();
      const victim = live[2 * COMPUTE_PAGE_SIZE + 10]!;
      if (engine.name === 'sqlite') {
        await sql`create trigger fail_one before insert on computed_traits when new.profile_id = ${sql.lit(victim)} begin select raise(abort, 'refused by test trigger'); end`.execute(store.db);
      } else {
        await sql`create function fail_one() returns trigger language plpgsql as $$ begin if new.profile_id = ${sql.lit(victim)} then raise exception 'refused by test trigger'; end if; return new; end $$`.execute(store.db);
        await sql`create trigger fail_one before insert on computed_traits for each row execute function fail_one()`.execute(store.db);
      }
      const failure = await service(store, 2).computeWorkspace(workspace).then(() => null, (e: unknown) => e);
      expect(failure).toBeInstanceOf(ComputeJobError);
      const message = (failure as Error).message;
      expect(message).toContain(`traits pass, on the page starting at profile ${live[2 * COMPUTE_PAGE_SIZE]}`);
      expect(message).toContain('refused by test trigger');
      expect(message).toContain('pages written before it keep their new traits');

      const rows = new Set((await store.db.selectFrom('computed_traits').select('profile_id').where('workspace_id', '=', workspace.id).execute()).map((r) => r.profile_id));
      for (let start = 0; start < LIVE; start += COMPUTE_PAGE_SIZE) {
        const page = live.slice(start, start + COMPUTE_PAGE_SIZE);
        const kept = page.filter((id) => rows.has(id)).length;
        expect([0, page.length], `page from ${page[0]}`).toContain(kept);
        if (page.includes(victim)) expect(kept).toBe(0);
      }
    } finally {
      await store.close();
    }
  }, 120_000);
});

describeEachEngine('the recompute job without worker threads', (engine) => {
  afterAll(() => engine.cleanup());

  it('runs in the calling thread on an in-memory database or a small workspace, and reports a worker that cannot start', async () => {
    const store = await engine.open();
    try {
      const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store, clock: fixedClock(NOW), log: () => {}, computeWorkers: 2 });
      const { workspace } = await tailor.workspaces.createWorkspace({ name: 'small', jurisdiction: 'EU' });
      await generatePopulation({ store, workspaceId: workspace.id, profiles: 50, events: 300, now: NOW - DAY });
      // In memory (SQLite) no other connection sees the data; on PostgreSQL the workspace is too small to be worth workers.
      expect(await tailor.compute.computeWorkspace(workspace)).toMatchObject({ profiles: 50, workers: 0 });
      expect(await service(store, 2).computeWorkspace(workspace)).toMatchObject({ profiles: 50, workers: engine.name === 'sqlite' ? 0 : 2 });

      const unreachable: Store = { ...store, shareableConfig: { engine: 'sqlite', filename: join(dir, 'no-such-dir', 'x.db') } };
      const broken = createComputeService({ repository: computedTraitRepositorySql(store), clock: fixedClock(NOW), parallelFromProfiles: 0, workers: computeWorkers(unreachable, { workers: 2 }) });
      const failure = await broken.computeWorkspace(workspace).then(() => null, (e: unknown) => e);
      expect(failure).toBeInstanceOf(ComputeWorkerError);
      expect((failure as Error).message).toMatch(/compute worker \d could not open the store: .*directory does not exist|unable to open/);
    } finally {
      await store.close();
    }
  });
});

describe('tailor compute --workers (the built CLI)', () => {
  it('computes on worker threads from the built entry, with the --json summary', async () => {
    const file = join(dir, 'cli.db');
    const store = await openStore({ engine: 'sqlite', filename: file });
    try {
      const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store, log: () => {} });
      const { workspace } = await tailor.workspaces.createWorkspace({ name: 'cli', jurisdiction: 'EU', settings: PROFILING_ON as never });
      await generatePopulation({ store, workspaceId: workspace.id, profiles: 12_000, events: 40_000, now: Date.now() - DAY });
    } finally {
      await store.close();
    }
    const parallel = JSON.parse(await runCli(['--db', file, '--json', 'compute', '--workers', '2'])) as Record<string, unknown>;
    expect(parallel).toMatchObject({ profiles: 12_000, workers: 2, statesRebuilt: 0 });
    const single = JSON.parse(await runCli(['--db', file, '--json', 'compute', '--workers', '0'])) as Record<string, unknown>;
    expect(single).toMatchObject({ profiles: 12_000, workers: 0, rfmPopulation: parallel['rfmPopulation'], populationMedianIntervalDays: parallel['populationMedianIntervalDays'] });
    expect(await runCli(['--db', file, 'compute', '--workers', '2'])).toMatch(/^Computed traits of 12000 profiles in [\d.]+ s \(2 worker threads\)\./);
  }, 120_000);
});
