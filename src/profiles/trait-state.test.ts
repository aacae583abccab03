import { describe, expect, it } from 'vitest';
import { engagementFromState } from './engagement-traits.js';
import type { EventInput } from './inputs.js';
import { emptyTraitState, foldTraitState, mergeTraitStates, parseTraitState } from './trait-state.js';

const event = (overrides: Partial<EventInput> = {}): EventInput =>
  ({ type: 'page', event: null, timestamp: Date.parse('2024-07-01T12:00:00Z'), properties: {}, context: {}, ...overrides });

/**
 * A state as stored in `profiles.trait_state` before the `country` trait existed: the
 * engagement object has no `country` key.
 */
function storedBeforeCountry(): unknown {
  const state = foldTraitState(emptyTraitState(), [event({ context: { timezone: 'Europe/London', locale: 'en-GB' } })]);
  const { country: _country, ...engagement } = state.engagement;
  return JSON.parse(JSON.stringify({ ...state, engagement }));
}

describe('parseTraitState', () => {
  it('reads a state stored before the country trait as one without a country, which then folds and merges', () => {
    const stored = storedBeforeCountry();
    expect(stored).toMatchObject({ version: 2, complete: true });
    expect((stored as { engagement: object }).engagement).not.toHaveProperty('country');

    const state = parseTraitState(stored)!;
    expect(state).not.toBeNull();
    expect(state.engagement.country).toBeNull();
    expect(engagementFromState(state.engagement)).toMatchObject({ timeZone: 'Europe/London', locale: 'en-GB', country: null });

    // An event without a country keeps it null; the next one that tells a country sets it.
    const later = Date.parse('2024-07-02T12:00:00Z');
    const noCountry = foldTraitState(state, [event({ timestamp: later })]);
    expect(engagementFromState(noCountry.engagement).country).toBeNull();
    const withCountry = foldTraitState(noCountry, [event({ timestamp: later + 1, context: { location: { country: 'United Kingdom' } } })]);
    expect(engagementFromState(withCountry.engagement)).toMatchObject({ timeZone: 'Europe/London', country: 'United Kingdom' });
    expect(withCountry.activity.pageViews).toBe(3);

    // Merged with a state that has one, or with another old one.
    const other = foldTraitState(emptyTraitState(), [event({ type: 'identify', timestamp: later, traits: { address: { country: 'ie' } } })]);
    expect(engagementFromState(mergeTraitStates(parseTraitState(storedBeforeCountry())!, other).engagement).country).toBe('IE');
    expect(mergeTraitStates(parseTraitState(storedBeforeCountry())!, parseTraitState(storedBeforeCountry())!).engagement.country).toBeNull();
  });

  it('reads a state stored before the event count as one whose count is unknown', () => {
    const state = foldTraitState(emptyTraitState(), [event(), event({ type: 'identify' })]);
    expect(state.activity.events).toBe(2);
    const { events: _events, ...activity } = state.activity;
    const old = parseTraitState(JSON.parse(JSON.stringify({ ...state, activity })))!;
    expect(old.activity.events).toBeNull();
    expect(foldTraitState(old, [event()]).activity.events).toBeNull();
    expect(parseTraitState(JSON.parse(JSON.stringify(state)))!.activity.events).toBe(2);
  });

  it('keeps a stored country and reads a malformed one as none', () => {
    const state = foldTraitState(emptyTraitState(), [event({ context: { location: { country: 'fr' } } })]);
    expect(parseTraitState(JSON.parse(JSON.stringify(state)))!.engagement.country).toEqual({ t: Date.parse('2024-07-01T12:00:00Z'), v: 'FR' });
    for (const bad of [null, 'FR', { v: 'FR' }, { t: 'soon', v: 'FR' }, { t: 1, v: 7 }]) {
      const stored = { ...state, engagement: { ...state.engagement, country: bad } };
      expect(parseTraitState(stored)!.engagement.country, JSON.stringify(bad)).toBeNull();
    }
  });
});
