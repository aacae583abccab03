import type { Clock } from '../shared/clock.js';
import type { Workspace } from '../workspaces/workspace-repository.js';
import { computeCommerceTraits, commerceTraitValues } from './commerce-traits.js';
import type { ComputedTraitRepository, ComputedTraitsRecord } from './computed-trait-repository.js';
import { engagementFromState, engagementTraitValues } from './engagement-traits.js';
import type { CategoryPriceDistribution, EventInput, OrderInput } from './inputs.js';
import { profilingAllowed } from './profiling-policy.js';
import { DEFAULT_JOURNEY_EVENTS, journeyStage, lifecycleStage, lifecycleTraitValues, populationMedianInterval } from './lifecycle.js';
import { rfmTraitValues, scoreRfm, type RfmScore } from './rfm.js';
import { TRAITS, withoutProfilingTraits, type TraitValues } from './trait-registry.js';
import { emptyTraitState, foldTraitState, incrementalTraitValues, type IncrementalTraitState } from './trait-state.js';

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
  startedAt: number;
  durationMs: number;
}

/**
 * One person's traits from their orders, events and incremental state, given the workspace
 * figures (RFM score, population median interval). Pure.
 *
 * @example
 * personTraits({ orders, state, now, rfm, populationMedianIntervalDays: 40, priceDistributions: [], profilingAllowed: true });
 */
export function personTraits(input: {
  orders: readonly OrderInput[];
  /** Complete: folded over the person's whole history (engagement and activity come from it). */
  state: IncrementalTraitState;
  now: number;
  rfm: RfmScore | null;
  populationMedianIntervalDays: number | null;
  priceDistributions: readonly CategoryPriceDistribution[];
  profilingAllowed: boolean;
}): TraitValues {
  const commerce = computeCommerceTraits({ orders: input.orders, now: input.now, priceDistributions: input.priceDistributions });
  const lifecycle = lifecycleStage({
    ordersCount: commerce.ordersCount, lastOrderAt: commerce.lastOrderAt, medianInterpurchaseDays: commerce.medianInterpurchaseDays,
    populationMedianIntervalDays: input.populationMedianIntervalDays, now: input.now,
  });
  // Object.assign into one object: cheaper than spreading five objects, a million times a run.
  const values: TraitValues = Object.assign(
    incrementalTraitValues(input.state),
    commerceTraitValues(commerce),
    engagementTraitValues(engagementFromState(input.state.engagement)),
    lifecycleTraitValues({ lifecycle, journey: journeyStage({ ordersCount: commerce.ordersCount, signals: input.state.journey }) }),
    input.rfm === null ? { rfm_recency_score: null, rfm_frequency_score: null, rfm_monetary_score: null, rfm_cell: null, rfm_segment: null } : rfmTraitValues(input.rfm),
  );
  return input.profilingAllowed ? values : withoutProfilingTraits(values);
}

/**
 * The recompute job (`tailor compute`): every trait of every live profile of a workspace,
 * in two passes over the profiles in pages of `COMPUTE_PAGE_SIZE` —
 * 1. orders only: commerce figures of each person the policy lets us profile, giving the RFM
 *    population (monetary = net revenue in the workspace's default currency) and the
 *    population median purchase interval;
 * 2. orders and the incremental state ingest keeps (activity, journey, engagement): every
 *    trait, written in one upsert per page. Events are read only to rebuild a state that has
 *    not seen the person's whole history (see trait-state.ts).
 * Persons whose profiling the policy refuses (P5: personalization switched off, no
 * `profiling` purpose, unguarded minor) are left out of the RFM population and get only
 * their non-profiling traits; earlier profiling values are overwritten away. Memory: one
 * page of data plus one RFM score per scored person.
 *
 * @example
 * const job = createComputeService({ repository, clock });
 * const summary = await job.computeWorkspace(workspace, { onProgress: (p) => bar.update(p.done) });
 */
export function createComputeService(deps: { repository: ComputedTraitRepository; clock: Clock }) {
  const { repository, clock } = deps;
  const npsEvents = [DEFAULT_JOURNEY_EVENTS.npsEvent];

  /**
   * The pages of live profiles with `load`'s data for each, one page read ahead: the next
   * page's reads run while the caller computes and writes the current one (on PostgreSQL the
   * server works while we do; SQLite runs them in turn, at no cost).
   */
  async function* loadedPages<T>(workspaceId: string, load: (ids: string[]) => Promise<T>): AsyncGenerator<{ ids: string[]; data: T }> {
    const fetch = async (after: string | null) => {
      const ids = await repository.profilePage(workspaceId, after, COMPUTE_PAGE_SIZE);
      return ids.length === 0 ? null : { ids, data: await load(ids) };
    };
    let next = fetch(null);
    for (;;) {
      const page = await next;
      if (page === null) return;
      next = fetch(page.ids[page.ids.length - 1]!);
      // A failed read-ahead is reported by the next await; keep it from being unhandled meanwhile.
      next.catch(() => {});
      yield page;
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

    /** Recomputes every trait of every live profile of the workspace. */
    async computeWorkspace(workspace: Workspace, options: { onProgress?: (p: ComputeProgress) => void } = {}): Promise<ComputeSummary> {
      const startedAt = clock.now();
      const now = startedAt;
      const currency = workspace.settings.defaultCurrency;

      // Pass 1: the population figures.
      const population: Array<{ profileId: string; lastOrderAt: number | null; ordersCount: number; revenue: number }> = [];
      const medians: Array<number | null> = [];
      let done = 0;
      // Counts, dates and revenue only: the lines are not read in this pass.
      const loadPopulation = (ids: string[]) => Promise.all([repository.ordersOf(workspace.id, ids, { items: false }), repository.privacyOf(workspace.id, ids)]);
      for await (const { ids, data: [orders, privacy] } of loadedPages(workspace.id, loadPopulation)) {
        const allowed = profilingAllowed(workspace, ids, privacy, now);
        for (const id of ids) {
          const own = orders.get(id);
          if (own === undefined || !allowed.has(id)) continue;
          const c = computeCommerceTraits({ orders: own, now });
          if (c.ordersCount === 0) continue;
          // In cents-exact units, so that equal spend ties whatever order the sum was taken in.
          population.push({ profileId: id, lastOrderAt: c.lastOrderAt, ordersCount: c.ordersCount, revenue: Math.round((c.revenueTotal[currency] ?? 0) * 100) / 100 });
          medians.push(c.medianInterpurchaseDays);
        }
        done += ids.length;
        options.onProgress?.({ phase: 'population', done });
      }
      const populationMedianIntervalDays = populationMedianInterval(medians);
      const rfm = new Map<string, RfmScore>();
      for (const s of scoreRfm({ population, now }).scored) rfm.set(s.profileId, s);

      // Pass 2: every trait, one write per page.
      const priceDistributions = await repository.priceDistributions(workspace.id);
      let profiles = 0;
      let profilingSkipped = 0;
      let statesRebuilt = 0;
      const loadTraits = (ids: string[]) => Promise.all([repository.ordersOf(workspace.id, ids), repository.statesOf(workspace.id, ids), repository.privacyOf(workspace.id, ids)]);
      for await (const { ids, data: [orders, stored, privacy] } of loadedPages(workspace.id, loadTraits)) {
        // Events are read only for the states that have not seen the whole history.
        const stale = ids.filter((id) => stored.get(id)?.complete !== true);
        const events = stale.length === 0 ? new Map<string, EventInput[]>() : await repository.eventsOf(workspace.id, stale, npsEvents);
        const allowed = profilingAllowed(workspace, ids, privacy, now);
        const rows: ComputedTraitsRecord[] = [];
        for (const id of ids) {
          let state = stored.get(id) ?? null;
          let stateChanged = false;
          if (state === null || !state.complete) {
            state = foldTraitState(emptyTraitState(true), [...(events.get(id) ?? [])].sort((a, b) => a.timestamp - b.timestamp));
            stateChanged = true;
            statesRebuilt++;
          }
          const ok = allowed.has(id);
          if (!ok) profilingSkipped++;
          const traits = personTraits({
            orders: orders.get(id) ?? [], state, now, rfm: rfm.get(id) ?? null, populationMedianIntervalDays, priceDistributions, profilingAllowed: ok,
          });
          rows.push({ profileId: id, traits, state, stateChanged, computedAt: now, updatedAt: now });
        }
        await repository.write(workspace.id, rows);
        profiles += ids.length;
        options.onProgress?.({ phase: 'traits', done: profiles });
      }
      return {
        workspaceId: workspace.id, profiles, rfmPopulation: rfm.size, profilingSkipped, statesRebuilt, populationMedianIntervalDays,
        startedAt, durationMs: clock.now() - startedAt,
      };
    },

    /** The trait registry as the API lists it. */
    registry() {
      return Object.entries(TRAITS).map(([name, t]) => ({ name, ...t }));
    },
  };
  return service;
}

export type ComputeService = ReturnType<typeof createComputeService>;
