import { activityTraitValues, emptyActivityState, foldActivity, mergeActivityStates, type ActivityState } from './activity-traits.js';
import { emptyEngagementState, foldEngagement, mergeEngagementStates, type EngagementState } from './engagement-traits.js';
import type { EventInput } from './inputs.js';
import { foldJourneySignals, type JourneySignals } from './lifecycle.js';
import { readJson } from '../shared/json.js';
import type { TraitValues } from './trait-registry.js';

/**
 * What ingest keeps per profile so that no trait needs the person's events again: activity,
 * journey signals and engagement, folded event by event, merged when two profiles merge,
 * stored as JSON on the profile row (`profiles.trait_state`). `complete` says the state has
 * seen the person's whole history; a profile that existed before its state did (events
 * imported around ingest, or stored before this version) starts incomplete, and the
 * recompute job rebuilds it from the events once.
 */
export interface IncrementalTraitState {
  version: 2;
  complete: boolean;
  activity: ActivityState;
  journey: JourneySignals;
  engagement: EngagementState;
}

/**
 * The state before any event.
 *
 * @example
 * const s = emptyTraitState(); // complete: a new profile has no history yet
 */
export function emptyTraitState(complete = true): IncrementalTraitState {
  return { version: 2, complete, activity: emptyActivityState(), journey: { interest: false, advocacy: false }, engagement: emptyEngagementState() };
}

/**
 * Folds events (already deduplicated by ingest) into the state.
 *
 * @example
 * const next = foldTraitState(emptyTraitState(), [{ type: 'page', event: null, timestamp, properties: {}, context: {} }]);
 */
export function foldTraitState(state: IncrementalTraitState, events: readonly EventInput[]): IncrementalTraitState {
  let { activity, journey, engagement } = state;
  for (const event of events) {
    activity = foldActivity(activity, event);
    journey = foldJourneySignals(journey, event);
    engagement = foldEngagement(engagement, event);
  }
  return { version: 2, complete: state.complete, activity, journey, engagement };
}

/**
 * The state of a profile that absorbed another (identity merge).
 *
 * @example
 * const merged = mergeTraitStates(survivor, absorbed);
 */
export function mergeTraitStates(a: IncrementalTraitState, b: IncrementalTraitState): IncrementalTraitState {
  return {
    version: 2,
    complete: a.complete && b.complete,
    activity: mergeActivityStates(a.activity, b.activity),
    journey: { interest: a.journey.interest || b.journey.interest, advocacy: a.journey.advocacy || b.journey.advocacy },
    engagement: mergeEngagementStates(a.engagement, b.engagement),
  };
}

/**
 * The trait values that are current after every ingest (the activity traits; none of them
 * is profiling, so they may be shown for everyone).
 *
 * @example
 * incrementalTraitValues(state); // { first_seen: …, sessions_count: 2, … }
 */
export function incrementalTraitValues(state: IncrementalTraitState): TraitValues {
  return activityTraitValues(state.activity);
}

/** A stored `{ t, v }` latest value, or null when it is absent or not one. */
function parseLatest(value: unknown): { t: number; v: string } | null {
  if (typeof value !== 'object' || value === null) return null;
  const { t, v } = value as { t?: unknown; v?: unknown };
  return typeof t === 'number' && Number.isFinite(t) && typeof v === 'string' ? { t, v } : null;
}

/**
 * A `trait_state` column read back (text on SQLite, already parsed on PostgreSQL; null when the
 * profile has none): `parseTraitState` of its JSON.
 *
 * @example
 * readStoredTraitState(row.trait_state); // the state, or null
 */
export function readStoredTraitState(column: unknown): IncrementalTraitState | null {
  return column === null ? null : parseTraitState(readJson(column, null));
}

/**
 * Reads a stored state back; null when it is not one this version wrote (the recompute job
 * then rebuilds it from the events). Fields added to version 2 after states were stored
 * read as their empty value: a state without `engagement.country` (stored before the
 * `country` trait) has no country until an event tells one, with no migration.
 *
 * @example
 * parseTraitState(JSON.parse(row.trait_state));
 */
export function parseTraitState(value: unknown): IncrementalTraitState | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Partial<IncrementalTraitState>;
  if (v.version !== 2 || typeof v.activity !== 'object' || v.activity === null || typeof v.journey !== 'object' || v.journey === null
    || typeof v.engagement !== 'object' || v.engagement === null) return null;
  return {
    version: 2, complete: v.complete === true, activity: { ...emptyActivityState(), ...v.activity, events: typeof (v.activity as { events?: unknown }).events === 'number' ? v.activity.events : null },
    journey: { interest: v.journey.interest === true, advocacy: v.journey.advocacy === true },
    engagement: { ...emptyEngagementState(), ...v.engagement, country: parseLatest((v.engagement as { country?: unknown }).country) },
  };
}
