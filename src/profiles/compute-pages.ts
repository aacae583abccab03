import type { Workspace } from '../workspaces/workspace-repository.js';
import { computeCommerceTraits, commerceTraitValues } from './commerce-traits.js';
import type { ComputedTraitRepository, ComputedTraitsRecord } from './computed-trait-repository.js';
import { engagementFromState, engagementTraitValues } from './engagement-traits.js';
import type { CategoryPriceDistribution, EventInput, OrderInput } from './inputs.js';
import { DEFAULT_JOURNEY_EVENTS, journeyStage, lifecycleStage, lifecycleTraitValues } from './lifecycle.js';
import { profilingAllowed } from './profiling-policy.js';
import { rfmTraitValues, type RfmInput, type RfmScore } from './rfm.js';
import { withoutProfilingTraits, type TraitValues } from './trait-registry.js';
import { emptyTraitState, foldTraitState, incrementalTraitValues, type IncrementalTraitState } from './trait-state.js';

/**
 * The steps of the recompute job (`compute-service.ts`) for one page of profiles: what a
 * page needs is read through the repository, computed and (pass 2) written, so a page can
 * be handled in the calling thread or on a worker thread with a connection of its own.
 * Every input and result here is plain data (structured-cloneable) for that reason.
 */

/** What every page of one recompute shares. */
export interface ComputeJob {
  workspace: Workspace;
  /** The job's clock reading: every trait is computed as of this time. */
  now: number;
}

/** Pass 2 also needs the figures pass 1 gave for the whole workspace. */
export interface TraitsJob extends ComputeJob {
  populationMedianIntervalDays: number | null;
  priceDistributions: readonly CategoryPriceDistribution[];
}

/** Pass 1 of a page: its members of the RFM population, and each one's own median interval. */
export interface PopulationPage {
  population: RfmInput[];
  medians: Array<number | null>;
}

/** Pass 2 of a page: what was written. */
export interface TraitsPage {
  profiles: number;
  profilingSkipped: number;
  statesRebuilt: number;
}

const NPS_EVENTS = [DEFAULT_JOURNEY_EVENTS.npsEvent];

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
 * Pass 1 for one page of `profilePage`: the commerce figures of each person the policy lets
 * us profile and who has a counted order (monetary = net revenue in the workspace's default
 * currency, rounded to cents so that equal spend ties whatever order the sum was taken in).
 * Reads counts, dates and revenue only, not order lines.
 *
 * @example
 * const { population, medians } = await populationOfPage(repository, { workspace, now }, ids);
 */
export async function populationOfPage(repository: ComputedTraitRepository, job: ComputeJob, ids: readonly string[]): Promise<PopulationPage> {
  const { workspace, now } = job;
  const [orders, privacy] = await Promise.all([repository.ordersOf(workspace.id, ids, { items: false, page: true }), repository.privacyOf(workspace.id, ids, { page: true })]);
  const allowed = profilingAllowed(workspace, ids, privacy, now);
  const currency = workspace.settings.defaultCurrency;
  const population: RfmInput[] = [];
  const medians: Array<number | null> = [];
  for (const id of ids) {
    const own = orders.get(id);
    if (own === undefined || !allowed.has(id)) continue;
    const c = computeCommerceTraits({ orders: own, now });
    if (c.ordersCount === 0) continue;
    population.push({ profileId: id, lastOrderAt: c.lastOrderAt, ordersCount: c.ordersCount, revenue: Math.round((c.revenueTotal[currency] ?? 0) * 100) / 100 });
    medians.push(c.medianInterpurchaseDays);
  }
  return { population, medians };
}

/**
 * Whether a stored state can be used as it is: it has seen the person's whole history and
 * knows how many events that is (a state stored before the count was kept is rebuilt once, so
 * that real-time segments can tell newcomers without counting their events in SQL).
 */
function currentState(state: IncrementalTraitState | null | undefined): state is IncrementalTraitState {
  return state !== null && state !== undefined && state.complete && state.activity.events !== null;
}

/**
 * Pass 2 for one page of `profilePage`: every trait, written in one transaction. `rfm[i]` is
 * the RFM score of `ids[i]` (null when unscored). Events are read only for the states that
 * have not seen the person's whole history or do not know how many events it holds (see
 * trait-state.ts), and those states are written back.
 * Persons whose profiling the policy refuses get only their non-profiling traits.
 *
 * @example
 * const { profiles } = await traitsOfPage(repository, job, { ids, rfm });
 */
export async function traitsOfPage(repository: ComputedTraitRepository, job: TraitsJob, page: { ids: readonly string[]; rfm: ReadonlyArray<RfmScore | null> }): Promise<TraitsPage> {
  const { workspace, now, populationMedianIntervalDays, priceDistributions } = job;
  const { ids, rfm } = page;
  const read = { page: true };
  const [orders, stored, privacy] = await Promise.all([repository.ordersOf(workspace.id, ids, read), repository.statesOf(workspace.id, ids, read), repository.privacyOf(workspace.id, ids, read)]);
  const stale = ids.filter((id) => !currentState(stored.get(id)));
  const events = stale.length === 0 ? new Map<string, EventInput[]>() : await repository.eventsOf(workspace.id, stale, NPS_EVENTS);
  const allowed = profilingAllowed(workspace, ids, privacy, now);
  const rows: ComputedTraitsRecord[] = [];
  let profilingSkipped = 0;
  let statesRebuilt = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    let state = stored.get(id) ?? null;
    let stateChanged = false;
    if (!currentState(state)) {
      state = foldTraitState(emptyTraitState(true), [...(events.get(id) ?? [])].sort((a, b) => a.timestamp - b.timestamp));
      stateChanged = true;
      statesRebuilt++;
    }
    const ok = allowed.has(id);
    if (!ok) profilingSkipped++;
    const traits = personTraits({
      orders: orders.get(id) ?? [], state, now, rfm: rfm[i] ?? null, populationMedianIntervalDays, priceDistributions, profilingAllowed: ok,
    });
    rows.push({ profileId: id, traits, state, stateChanged, computedAt: now, updatedAt: now });
  }
  await repository.write(workspace.id, rows);
  return { profiles: ids.length, profilingSkipped, statesRebuilt };
}
