import { activityTraitValues, emptyActivityState, foldActivity, mergeActivityStates, type ActivityState } from './activity-traits.js';
import type { EventInput } from './inputs.js';
import { foldJourneySignals, type JourneySignals } from './lifecycle.js';
import type { TraitValues } from './trait-registry.js';

/**
 * What ingest keeps per profile so that the incremental traits (activity, journey signals)
 * never need the person's whole history: folded event by event, merged when two profiles
 * merge, stored as JSON next to the trait values (`computed_traits.state`).
 */
export interface IncrementalTraitState {
  version: 1;
  activity: ActivityState;
  journey: JourneySignals;
}

/**
 * The state before any event.
 *
 * @example
 * const s = emptyTraitState();
 */
export function emptyTraitState(): IncrementalTraitState {
  return { version: 1, activity: emptyActivityState(), journey: { interest: false, advocacy: false } };
}

/**
 * Folds events (already deduplicated by ingest) into the state.
 *
 * @example
 * const next = foldTraitState(emptyTraitState(), [{ type: 'page', event: null, timestamp, properties: {}, context: {} }]);
 */
export function foldTraitState(state: IncrementalTraitState, events: readonly EventInput[]): IncrementalTraitState {
  let activity = state.activity;
  let journey = state.journey;
  for (const event of events) {
    activity = foldActivity(activity, event);
    journey = foldJourneySignals(journey, event);
  }
  return { version: 1, activity, journey };
}

/**
 * The state of a profile that absorbed another (identity merge): activity combined,
 * journey signals OR-ed.
 *
 * @example
 * const merged = mergeTraitStates(survivor, absorbed);
 */
export function mergeTraitStates(a: IncrementalTraitState, b: IncrementalTraitState): IncrementalTraitState {
  return {
    version: 1,
    activity: mergeActivityStates(a.activity, b.activity),
    journey: { interest: a.journey.interest || b.journey.interest, advocacy: a.journey.advocacy || b.journey.advocacy },
  };
}

/**
 * The trait values the state gives (the activity traits).
 *
 * @example
 * incrementalTraitValues(state); // { first_seen: …, sessions_count: 2, … }
 */
export function incrementalTraitValues(state: IncrementalTraitState): TraitValues {
  return activityTraitValues(state.activity);
}

/**
 * Reads a stored state back, or the empty state when there is none or it is not one we
 * wrote (a newer version): the recompute job rebuilds it from the events.
 *
 * @example
 * parseTraitState(JSON.parse(row.state));
 */
export function parseTraitState(value: unknown): IncrementalTraitState {
  if (typeof value !== 'object' || value === null) return emptyTraitState();
  const v = value as Partial<IncrementalTraitState>;
  if (v.version !== 1 || typeof v.activity !== 'object' || v.activity === null || typeof v.journey !== 'object' || v.journey === null) return emptyTraitState();
  return { version: 1, activity: { ...emptyActivityState(), ...v.activity }, journey: { interest: v.journey.interest === true, advocacy: v.journey.advocacy === true } };
}
