import type { EventInput } from './inputs.js';
import type { TraitValues } from './trait-registry.js';

/**
 * Activity traits folded event by event on the ingest path: state + event → state.
 *
 * Order independence (events arrive late and out of order):
 * - exact whatever the order: first/last seen (min/max), page and screen view counts, event
 *   counts and last time per name (sums and maxima) — as long as the names fit in
 *   `maxEventNames` (once it is full, which names are kept depends on which came first);
 * - sessions: exact whatever the order while an event is no older than the
 *   `maxOpenSessions` most recent sessions; an older event cannot be placed, so it counts as
 *   a session of its own (it may really belong to a forgotten session: an over-count).
 * - not idempotent: the same event folded twice counts twice. Ingest dedupes on messageId
 *   before folding, so a fold sees each event once.
 */
export interface ActivityState {
  firstSeen: number | null;
  lastSeen: number | null;
  /** Sessions older than the open ones, kept only as a count. */
  closedSessions: number;
  /** The most recent sessions as [start, end], ascending, separated by more than the session gap. */
  openSessions: ReadonlyArray<readonly [number, number]>;
  pageViews: number;
  screenViews: number;
  /** Track events by name. */
  eventCounts: Readonly<Record<string, number>>;
  /** Latest timestamp of a track event, by name. */
  lastEventAt: Readonly<Record<string, number>>;
  /** Track events whose name did not fit in `maxEventNames`. */
  otherEvents: number;
  /**
   * Every event folded, of any type; null when unknown (a state stored before this count was
   * kept). With a complete trait state it is the number of events stored for the person.
   */
  events: number | null;
}

export interface ActivityOptions {
  /** A gap longer than this starts a new session (30 minutes, the Google Analytics default). */
  sessionGapMs: number;
  /** How many recent sessions are kept as intervals so late events can still join them. */
  maxOpenSessions: number;
  /** How many distinct track event names are counted; the rest go to `otherEvents`. */
  maxEventNames: number;
}

export const DEFAULT_ACTIVITY_OPTIONS: ActivityOptions = { sessionGapMs: 30 * 60_000, maxOpenSessions: 64, maxEventNames: 256 };

/** Event types that make up sessions: things the person did, not profile updates. */
const SESSION_TYPES = new Set(['track', 'page', 'screen']);

/**
 * The state before any event.
 *
 * @example
 * const s = emptyActivityState(); // { firstSeen: null, sessions: … }
 */
export function emptyActivityState(): ActivityState {
  return { firstSeen: null, lastSeen: null, closedSessions: 0, openSessions: [], pageViews: 0, screenViews: 0, eventCounts: {}, lastEventAt: {}, otherEvents: 0, events: 0 };
}

/** Adds a run [start, end] to sorted sessions, merging every session within `gap` of it. */
function addRun(sessions: ReadonlyArray<readonly [number, number]>, run: readonly [number, number], gap: number): Array<readonly [number, number]> {
  let [start, end] = run;
  const before: Array<readonly [number, number]> = [];
  const after: Array<readonly [number, number]> = [];
  for (const s of sessions) {
    // Sessions are visited in ascending order, so a merge only ever widens [start, end]
    // towards sessions not yet visited or just visited; earlier ones stay more than `gap` away.
    if (s[1] + gap < start) before.push(s);
    else if (s[0] - gap > end) after.push(s);
    else {
      start = Math.min(start, s[0]);
      end = Math.max(end, s[1]);
    }
  }
  return [...before, [start, end], ...after];
}

/** Keeps the `max` most recent sessions; the rest become a count. */
function capSessions(sessions: Array<readonly [number, number]>, closed: number, max: number): { open: Array<readonly [number, number]>; closed: number } {
  const excess = sessions.length - max;
  return excess > 0 ? { open: sessions.slice(excess), closed: closed + excess } : { open: sessions, closed };
}

/**
 * Makes the fold with non-default options.
 *
 * @example
 * const fold = createActivityFold({ sessionGapMs: 15 * 60_000 });
 * const state = events.reduce(fold, emptyActivityState());
 */
export function createActivityFold(options: Partial<ActivityOptions> = {}): (state: ActivityState, event: EventInput) => ActivityState {
  const o = { ...DEFAULT_ACTIVITY_OPTIONS, ...options };
  return (state, event) => {
    const t = event.timestamp;
    if (!Number.isFinite(t)) return state; // ingest stores no such event
    const next: ActivityState = {
      ...state,
      events: state.events === null ? null : state.events + 1,
      firstSeen: state.firstSeen === null ? t : Math.min(state.firstSeen, t),
      lastSeen: state.lastSeen === null ? t : Math.max(state.lastSeen, t),
    };
    if (!SESSION_TYPES.has(event.type)) return next;
    const oldestOpen = state.openSessions[0];
    if (state.closedSessions > 0 && oldestOpen !== undefined && t < oldestOpen[0] - o.sessionGapMs) {
      // Older than every session still open: it may belong to a forgotten one, but which
      // cannot be known; counting it as its own session is the documented approximation.
      next.closedSessions = state.closedSessions + 1;
    } else {
      const capped = capSessions(addRun(state.openSessions, [t, t], o.sessionGapMs), state.closedSessions, o.maxOpenSessions);
      next.openSessions = capped.open;
      next.closedSessions = capped.closed;
    }
    if (event.type === 'page') next.pageViews = state.pageViews + 1;
    else if (event.type === 'screen') next.screenViews = state.screenViews + 1;
    else if (event.event !== null && event.event !== '') {
      const name = event.event;
      if (Object.hasOwn(state.eventCounts, name) || Object.keys(state.eventCounts).length < o.maxEventNames) {
        next.eventCounts = { ...state.eventCounts, [name]: (state.eventCounts[name] ?? 0) + 1 };
        const last = state.lastEventAt[name];
        next.lastEventAt = { ...state.lastEventAt, [name]: last === undefined ? t : Math.max(last, t) };
      } else {
        next.otherEvents = state.otherEvents + 1;
      }
    }
    return next;
  };
}

/**
 * Folds one event into the activity state with the default options (30-minute sessions).
 *
 * @example
 * const state = events.reduce(foldActivity, emptyActivityState());
 */
export const foldActivity = createActivityFold();

/**
 * Combines the states of two profiles that were merged (identity resolution): counts add,
 * times take min/max, open sessions are re-joined so a session split across the two
 * profiles counts once. Uses the default options, as the ingest fold does.
 *
 * @example
 * const merged = mergeActivityStates(survivor, absorbed);
 */
export function mergeActivityStates(a: ActivityState, b: ActivityState): ActivityState {
  const o = DEFAULT_ACTIVITY_OPTIONS;
  const minOf = (x: number | null, y: number | null) => (x === null ? y : y === null ? x : Math.min(x, y));
  const maxOf = (x: number | null, y: number | null) => (x === null ? y : y === null ? x : Math.max(x, y));
  let sessions: Array<readonly [number, number]> = [...a.openSessions];
  for (const s of b.openSessions) sessions = addRun(sessions, s, o.sessionGapMs);
  const capped = capSessions(sessions, a.closedSessions + b.closedSessions, o.maxOpenSessions);
  const eventCounts: Record<string, number> = { ...a.eventCounts };
  const lastEventAt: Record<string, number> = { ...a.lastEventAt };
  let otherEvents = a.otherEvents + b.otherEvents;
  for (const [name, count] of Object.entries(b.eventCounts)) {
    if (Object.hasOwn(eventCounts, name) || Object.keys(eventCounts).length < o.maxEventNames) {
      eventCounts[name] = (eventCounts[name] ?? 0) + count;
      lastEventAt[name] = Math.max(lastEventAt[name] ?? -Infinity, b.lastEventAt[name] ?? -Infinity);
    } else {
      otherEvents += count;
    }
  }
  return {
    firstSeen: minOf(a.firstSeen, b.firstSeen), lastSeen: maxOf(a.lastSeen, b.lastSeen),
    closedSessions: capped.closed, openSessions: capped.open,
    pageViews: a.pageViews + b.pageViews, screenViews: a.screenViews + b.screenViews,
    eventCounts, lastEventAt, otherEvents,
    events: a.events === null || b.events === null ? null : a.events + b.events,
  };
}

/**
 * The activity state as declared trait values.
 *
 * @example
 * activityTraitValues(state); // { first_seen: 1700000000000, sessions_count: 3, … }
 */
export function activityTraitValues(state: ActivityState): TraitValues {
  return {
    first_seen: state.firstSeen,
    last_seen: state.lastSeen,
    sessions_count: state.closedSessions + state.openSessions.length,
    page_views_count: state.pageViews,
    screen_views_count: state.screenViews,
    event_counts: { ...state.eventCounts },
    last_event_at: { ...state.lastEventAt },
  };
}
