import type { Clock } from '../shared/clock.js';
import type { Workspace } from '../workspaces/workspace-repository.js';
import { personTraits, populationOfPage, traitsOfPage, type ComputeJob, type PopulationPage, type TraitsJob, type TraitsPage } from './compute-pages.js';
import type { ComputedTraitRepository } from './computed-trait-repository.js';
import { populationMedianInterval } from './lifecycle.js';
import { scoreRfm, type RfmInput, type RfmScore } from './rfm.js';
import { TRAITS } from './trait-registry.js';

export { personTraits } from './compute-pages.js';
export type { ComputeJob, PopulationPage, TraitsJob, TraitsPage } from './compute-pages.js';

/** Profiles read and written per step of the recompute job. */
export const COMPUTE_PAGE_SIZE = 1_000;

export interface ComputeProgress {
  phase: 'population' | 'traits';
  done: number;
}

export interface ComputeSummary {
  workspaceId: string;
  profiles: number;
  /** Profiles with at least one counted order: the RFM population. */
  rfmPopulation: number;
  /** Profiles whose profiling is refused by the policy (P5): only their non-profiling traits were written. */
  profilingSkipped: number;
  /** Profiles whose incremental state was rebuilt from their events (none stored, or incomplete). */
  statesRebuilt: number;
  populationMedianIntervalDays: number | null;
  /** Worker threads that computed the pages; 0 when the job ran in the calling thread. */
  workers: number;
  startedAt: number;
  durationMs: number;
}

/**
 * Workers that compute pages of one job in parallel, each with a store connection of its own
 * (worker threads: `src/store/compute-workers.ts`). Results and failures come back per page.
 */
export interface ComputePool {
  /** How many workers there are. */
  readonly size: number;
  population(job: ComputeJob, ids: readonly string[]): Promise<PopulationPage>;
  traits(job: TraitsJob, ids: readonly string[], rfm: ReadonlyArray<RfmScore | null>): Promise<TraitsPage>;
  /** Stops the workers once their pages are done. */
  close(): Promise<void>;
}

/** The port the job takes to run in parallel. */
export interface ComputeWorkers {
  /** Workers a job gets unless it asks for a number. */
  readonly defaultSize: number;
  /** Starts `size` workers for one job; null when workers cannot reach the store (an in-memory database): the job then runs in the calling thread. */
  start(size: number): Promise<ComputePool | null>;
}

/**
 * Workspaces with fewer live profiles than this are computed in the calling thread: starting
 * workers would cost about as much as the pages they could share.
 */
export const PARALLEL_FROM_PROFILES = 10 * COMPUTE_PAGE_SIZE;

/** A page of the job failed: pages already written stay written (see `computeWorkspace`). */
export class ComputeJobError extends Error {
  override readonly name = 'ComputeJobError';
}

/**
 * The recompute job (`tailor compute`): every trait of every live profile of a workspace,
 * in two passes over the profiles in pages of `COMPUTE_PAGE_SIZE` (`compute-pages.ts`) —
 * 1. orders only: commerce figures of each person the policy lets us profile, giving the RFM
 *    population (monetary = net revenue in the workspace's default currency) and the
 *    population median purchase interval;
 * 2. orders and the incremental state ingest keeps (activity, journey, engagement): every
 *    trait, written in one transaction per page.
 * This thread walks the live profiles and hands out the pages: to a pool of workers when
 * `workers` gives one (two pages in flight per worker, so that each reads one page while it
 * computes another), else to itself (two pages in flight: the next page's reads run while
 * the current one is computed and written). Every page of a job is computed as of the same
 * `now` with the same workspace figures, so the result does not depend on which worker took
 * which page, nor on their number. Persons whose profiling the policy refuses (P5) are left
 * out of the RFM population and get only their non-profiling traits. Memory: the pages in
 * flight plus one RFM score per scored person.
 *
 * A failure (a query, a worker that dies) stops the job: no new page is started, the pages
 * in flight finish or roll back, and `computeWorkspace` rejects with a `ComputeJobError`
 * naming the page. Each page is written in one transaction, so every profile keeps either
 * its previous traits or this job's, never a mix; the pages written before the failure keep
 * this job's (`computedAt` says which). Running the job again completes it.
 *
 * @example
 * const job = createComputeService({ repository, clock, workers });
 * const summary = await job.computeWorkspace(workspace, { onProgress: (p) => bar.update(p.done) });
 */
export function createComputeService(deps: {
  repository: ComputedTraitRepository;
  clock: Clock;
  workers?: ComputeWorkers;
  /** Fewest live profiles for which workers are used (default `PARALLEL_FROM_PROFILES`). */
  parallelFromProfiles?: number;
}) {
  const { repository, clock } = deps;
  const parallelFrom = deps.parallelFromProfiles ?? PARALLEL_FROM_PROFILES;

  /** The workers of one job: none when not asked for, or when the workspace is small. */
  async function startPool(workspaceId: string, size: number): Promise<ComputePool | null> {
    if (deps.workers === undefined || size < 1) return null;
    // One index read of at most `parallelFrom` ids tells whether there are that many.
    if ((await repository.profilePage(workspaceId, null, parallelFrom)).length < parallelFrom) return null;
    return deps.workers.start(size);
  }

  /** This thread as the only worker. */
  const inThread = {
    population: (job: ComputeJob, ids: readonly string[]) => populationOfPage(repository, job, ids),
    traits: (job: TraitsJob, ids: readonly string[], rfm: ReadonlyArray<RfmScore | null>) => traitsOfPage(repository, job, { ids, rfm }),
  };

  /**
   * Walks the live profiles of the workspace page by page and runs `handle` on each, at most
   * `inFlight` at once; `done` sees each page's result as it comes (in any order). On the
   * first failure no page is started any more, and the error is thrown once the pages in
   * flight have settled.
   */
  async function eachPage<R>(input: { workspaceId: string; phase: ComputeProgress['phase']; inFlight: number; handle: (ids: string[]) => Promise<R>; done: (ids: string[], result: R) => void }): Promise<void> {
    const running = new Set<Promise<void>>();
    // An object, not a variable: it is set inside callbacks, which flow analysis does not follow.
    const failed: { error: unknown; first: string }[] = [];
    let after: string | null = null;
    while (failed.length === 0) {
      const ids: string[] = await repository.profilePage(input.workspaceId, after, COMPUTE_PAGE_SIZE);
      if (ids.length === 0) break;
      after = ids[ids.length - 1]!;
      const task: Promise<void> = input.handle(ids).then(
        (result) => { if (failed.length === 0) input.done(ids, result); },
        (error: unknown) => { failed.push({ error, first: ids[0]! }); },
      ).finally(() => running.delete(task));
      running.add(task);
      while (running.size >= input.inFlight && failed.length === 0) await Promise.race(running);
    }
    await Promise.all(running);
    const failure = failed[0];
    if (failure !== undefined) {
      const { error, first } = failure;
      throw new ComputeJobError(`trait recompute of workspace ${input.workspaceId} failed in the ${input.phase} pass, on the page starting at profile ${first}: ${error instanceof Error ? error.message : String(error)}` +
        (input.phase === 'traits' ? '; pages written before it keep their new traits, the rest keep their previous ones (run the job again to complete it)' : '; nothing was written'), { cause: error });
    }
  }

  const running = new Map<string, Promise<ComputeSummary>>();
  const last = new Map<string, { summary: ComputeSummary } | { error: string; at: number }>();

  const service = {
    personTraits,

    /**
     * Starts a recompute unless one runs for the workspace already (single flight per
     * process); resolves with its summary. Used by the API and the scheduler.
     */
    start(workspace: Workspace): { started: boolean; done: Promise<ComputeSummary> } {
      const current = running.get(workspace.id);
      if (current !== undefined) return { started: false, done: current };
      const done = service.computeWorkspace(workspace)
        .then((summary) => { last.set(workspace.id, { summary }); return summary; },
          (error: unknown) => { last.set(workspace.id, { error: error instanceof Error ? error.message : String(error), at: clock.now() }); throw error; })
        .finally(() => running.delete(workspace.id));
      running.set(workspace.id, done);
      return { started: true, done };
    },

    /** Whether a recompute runs now, and how the last one ended. */
    status(workspaceId: string) {
      return { running: running.has(workspaceId), last: last.get(workspaceId) ?? null };
    },

    /**
     * Recomputes every trait of every live profile of the workspace, on `workers` worker
     * threads (default: the port's `defaultSize`; 0 computes in the calling thread).
     */
    async computeWorkspace(workspace: Workspace, options: { onProgress?: (p: ComputeProgress) => void; workers?: number } = {}): Promise<ComputeSummary> {
      const startedAt = clock.now();
      const job: ComputeJob = { workspace, now: startedAt };
      const pool = await startPool(workspace.id, options.workers ?? deps.workers?.defaultSize ?? 0);
      const worker = pool ?? inThread;
      const inFlight = 2 * (pool?.size ?? 1);
      try {
        // Pass 1: the population figures.
        const population: RfmInput[] = [];
        const medians: Array<number | null> = [];
        let done = 0;
        await eachPage({
          workspaceId: workspace.id, phase: 'population', inFlight, handle: (ids) => worker.population(job, ids),
          done: (ids, page) => {
            for (const p of page.population) population.push(p);
            for (const m of page.medians) medians.push(m);
            done += ids.length;
            options.onProgress?.({ phase: 'population', done });
          },
        });
        const populationMedianIntervalDays = populationMedianInterval(medians);
        // scoreRfm does not depend on the order of its input (rfm.ts), which here is the order pages came back in.
        const rfm = new Map<string, RfmScore>();
        for (const s of scoreRfm({ population, now: job.now }).scored) rfm.set(s.profileId, s);
        population.length = 0;

        // Pass 2: every trait, one write per page.
        const traitsJob: TraitsJob = { ...job, populationMedianIntervalDays, priceDistributions: await repository.priceDistributions(workspace.id) };
        const totals = { profiles: 0, profilingSkipped: 0, statesRebuilt: 0 };
        await eachPage({
          workspaceId: workspace.id, phase: 'traits', inFlight, handle: (ids) => worker.traits(traitsJob, ids, ids.map((id) => rfm.get(id) ?? null)),
          done: (_ids, page) => {
            totals.profiles += page.profiles;
            totals.profilingSkipped += page.profilingSkipped;
            totals.statesRebuilt += page.statesRebuilt;
            options.onProgress?.({ phase: 'traits', done: totals.profiles });
          },
        });
        return {
          workspaceId: workspace.id, ...totals, rfmPopulation: rfm.size, populationMedianIntervalDays, workers: pool?.size ?? 0,
          startedAt, durationMs: clock.now() - startedAt,
        };
      } finally {
        await pool?.close();
      }
    },

    /** The trait registry as the API lists it. */
    registry() {
      return Object.entries(TRAITS).map(([name, t]) => ({ name, ...t }));
    },
  };
  return service;
}

export type ComputeService = ReturnType<typeof createComputeService>;
