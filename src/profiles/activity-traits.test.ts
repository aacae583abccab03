import { describe, expect, it } from 'vitest';
import { activityTraitValues, createActivityFold, emptyActivityState, foldActivity, mergeActivityStates, type ActivityState } from './activity-traits.js';
import type { EventInput } from './inputs.js';

const T0 = Date.parse('2024-05-01T09:00:00Z');
const MIN = 60_000;

/** An event factory with overrides (a track event at T0 by default). */
const event = (overrides: Partial<EventInput> = {}): EventInput =>
  ({ type: 'track', event: 'Product Viewed', timestamp: T0, properties: {}, context: {}, ...overrides });
const track = (name: string, minutes: number) => event({ event: name, timestamp: T0 + minutes * MIN });
const page = (minutes: number) => event({ type: 'page', event: null, timestamp: T0 + minutes * MIN });

const fold = (events: readonly EventInput[], f = foldActivity): ActivityState => events.reduce(f, emptyActivityState());

/** Deterministic permutations of an array (rotations and reversals), enough to shake out order dependence. */
function orders<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let r = 0; r < xs.length; r++) {
    const rotated = [...xs.slice(r), ...xs.slice(0, r)];
    out.push(rotated, [...rotated].reverse());
  }
  return out;
}

describe('foldActivity', () => {
  // Minutes: 0, 10, 40 (gap 30 → same session), 71 (gap 31 → new), 75, 200 (new) → 3 sessions.
  const day = [page(0), track('Product Viewed', 10), page(40), track('Product Added', 71), track('Product Viewed', 75), event({ type: 'screen', event: null, timestamp: T0 + 200 * MIN })];

  it('computes first/last seen, sessions, views and event counts', () => {
    const values = activityTraitValues(fold(day));
    expect(values).toEqual({
      first_seen: T0,
      last_seen: T0 + 200 * MIN,
      sessions_count: 3,
      page_views_count: 2,
      screen_views_count: 1,
      event_counts: { 'Product Viewed': 2, 'Product Added': 1 },
      last_event_at: { 'Product Viewed': T0 + 75 * MIN, 'Product Added': T0 + 71 * MIN },
    });
  });

  it('treats a gap of exactly 30 minutes as the same session and 30 minutes + 1 ms as a new one', () => {
    expect(activityTraitValues(fold([page(0), page(30)])).sessions_count).toBe(1);
    expect(activityTraitValues(fold([page(0), event({ type: 'page', event: null, timestamp: T0 + 30 * MIN + 1 })])).sessions_count).toBe(2);
  });

  it('gives the same result in any arrival order', () => {
    const expected = activityTraitValues(fold(day));
    for (const order of orders(day)) expect(activityTraitValues(fold(order))).toEqual(expected);
  });

  it('joins two sessions when a late event fills the gap between them', () => {
    // 0 and 50 are two sessions until 25 arrives: 25 − 0 ≤ 30 and 50 − 25 ≤ 30.
    const s = fold([page(0), page(50)]);
    expect(activityTraitValues(s).sessions_count).toBe(2);
    expect(activityTraitValues(foldActivity(s, page(25))).sessions_count).toBe(1);
  });

  it('keeps identify events out of sessions but in first/last seen', () => {
    const s = fold([event({ type: 'identify', event: null, timestamp: T0 - 60 * MIN }), page(0)]);
    expect(activityTraitValues(s)).toMatchObject({ first_seen: T0 - 60 * MIN, sessions_count: 1 });
  });

  it('counts sessions exactly beyond the open window when events arrive in order', () => {
    const f = createActivityFold({ maxOpenSessions: 2 });
    // Five sessions an hour apart: three are closed into the count, two stay open.
    const s = fold([0, 60, 120, 180, 240].map(page), f);
    expect(s.openSessions).toHaveLength(2);
    expect(activityTraitValues(s).sessions_count).toBe(5);
  });

  it('counts an event older than every open session as its own session (documented over-count)', () => {
    const f = createActivityFold({ maxOpenSessions: 2 });
    const s = fold([0, 60, 120, 180, 240].map(page), f);
    // Minute 5 belonged to the first session, which is no longer open: counted once more.
    expect(activityTraitValues(f(s, page(5))).sessions_count).toBe(6);
  });

  it('caps the distinct event names and counts the rest as other events', () => {
    const f = createActivityFold({ maxEventNames: 2 });
    const s = fold([track('A', 0), track('B', 1), track('C', 2), track('A', 3)], f);
    expect(s.eventCounts).toEqual({ A: 2, B: 1 });
    expect(s.otherEvents).toBe(1);
  });

  it('ignores events without a finite timestamp and does not mutate the state it is given', () => {
    const s = fold([page(0)]);
    const snapshot = structuredClone(s);
    expect(foldActivity(s, event({ timestamp: Number.NaN }))).toBe(s);
    foldActivity(s, track('X', 5));
    expect(s).toEqual(snapshot);
  });
});

describe('mergeActivityStates', () => {
  it('adds counts and re-joins a session split between the two profiles', () => {
    // Anonymous browsing at 0 and 20, then the logged-in profile at 40: one session of three events.
    const anonymous = fold([page(0), track('Product Viewed', 20)]);
    const known = fold([track('Product Added', 40), page(300)]);
    const merged = activityTraitValues(mergeActivityStates(known, anonymous));
    expect(merged).toEqual(activityTraitValues(fold([page(0), track('Product Viewed', 20), track('Product Added', 40), page(300)])));
    expect(merged.sessions_count).toBe(2);
    expect(mergeActivityStates(anonymous, known)).toEqual(mergeActivityStates(known, anonymous));
  });

  it('counts every event folded, of any type, and adds the counts; an unknown count stays unknown', () => {
    const a = fold([page(0), track('A', 1), event({ type: 'identify', event: null, timestamp: T0 + 2 * MIN })]);
    expect(a.events).toBe(3);
    const b = fold([track('B', 5)]);
    expect(mergeActivityStates(a, b).events).toBe(4);
    const unknown: ActivityState = { ...b, events: null };
    expect(mergeActivityStates(a, unknown).events).toBeNull();
    expect(foldActivity(unknown, track('C', 9)).events).toBeNull();
  });

  it('keeps an empty state neutral', () => {
    const s = fold([page(0), track('A', 1)]);
    expect(mergeActivityStates(s, emptyActivityState())).toEqual(s);
  });
});
