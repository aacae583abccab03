import { resolveDate, type Condition, type EventCondition, type SequenceCondition } from './definition.js';
import { propertyAt, sameScalar, traitFromProfile, type ActivityFacts, type ProfileFacts } from './profile-evidence.js';

/** An event just committed for a person, as the real-time update sees it. */
export interface NewEvent {
  messageId: string;
  type: string;
  /** The event name (track events; null when the message had none). */
  event: string | null;
  properties: Record<string, unknown>;
  timestamp: number;
}

/**
 * What else the real-time update knows about a person without a query: the live profile row
 * (null: the profile is merged away or gone, so it matches nothing), the segments the person
 * is in now, the latest consent decision per purpose, and whether the new events are all the
 * events stored for the person (a newcomer: every event condition can then be counted).
 */
export interface KnownFacts {
  profile?: ProfileFacts | null;
  memberOf?: ReadonlySet<string>;
  /** Purpose → the latest recorded decision (`granted`, `denied`, `withdrawn`); a purpose without one is absent. */
  consents?: ReadonlyMap<string, string>;
  /** The new events are the person's whole stored history. */
  complete?: boolean;
}

/** Most new events kept per person between two real-time flushes (evidence from fewer is still sound). */
export const MAX_NEW_EVENTS = 50;

const DAY_MS = 86_400_000;

/**
 * What a person's just-committed events prove about a condition: `true` or `false` when
 * they decide it whatever else is stored, `null` when the stored history (or traits,
 * consent…) could tip it either way. Sound because the new events are already stored: a
 * count of matching new events is a lower bound of the stored count, and the profile's
 * `last_seen` is at least the latest new event.
 *
 * Decided from the events: an event condition without `atMost` is true when enough new
 * events match; with `atMost`, false when more than that many new events match; a sequence is
 * true when two new events form it; `last_seen` after / within a time (or existing) is true
 * when a new event is that late; `all` / `any` / `not` combine three-valued. With `known`:
 * traits of the profile row (`traitFromProfile`), references to other segments (current
 * memberships) and consent (the latest decision) are decided too; a profile that is not live
 * matches nothing; when the new events are the whole history, event counts and sequences
 * are exact; and with the profile's counts of its stored events by name (`activity`, from a
 * complete trait state), an event condition is bounded by the count of its name — exact when
 * it has no property filter and no window, or only a "within the last days" window that the
 * person's first event falls inside, and decided either way for "at least once within the
 * last days" by the latest event of the name — and a sequence is false when a name was never
 * stored, true when a new event and the latest stored event of the other step form it.
 * Comparisons follow the SQL the condition compiles to (src/segments/compile-sql.ts):
 * an event condition reads the event name whatever the message type; a property matches only a
 * value of its own JSON type; ordering comparisons of strings are left to SQL (the database's
 * collation decides them).
 *
 * @example
 * holdsFromNewEvents({ event: 'Order Completed', withinLastDays: 30 }, [{ type: 'track', event: 'Order Completed', timestamp: now, … }], now); // true
 */
export function holdsFromNewEvents(c: Condition, events: readonly NewEvent[], now: number, known: KnownFacts = {}): boolean | null {
  return compileEvidence(c, now).holds(events, known);
}

/**
 * Whether any of a person's new events can change the value of an event or sequence
 * condition inside `c`: an event condition counts only events of its name, in its window,
 * whose properties pass its filters (a filter the events alone cannot settle — ordering of
 * strings — counts as passed); a sequence, any event of either name. Events that match none
 * leave every such condition as it was, so a segment whose other parts the events do not
 * touch keeps its membership (the real-time update's finer trigger). `events` must be all of
 * the person's new events.
 *
 * @example
 * newEventsMayChange({ event: 'Product Viewed', where: [{ property: 'category', op: '=', value: 'Kitchen' }] }, [gardenView], now); // false
 */
export function newEventsMayChange(c: Condition, events: readonly NewEvent[], now: number): boolean {
  return compileEvidence(c, now).mayChange(events);
}

/** `holdsFromNewEvents` and `newEventsMayChange` of one condition at one time. */
export interface Evidence {
  holds(events: readonly NewEvent[], known: KnownFacts): boolean | null;
  mayChange(events: readonly NewEvent[]): boolean;
}

type Holds = (events: readonly NewEvent[], known: KnownFacts) => boolean | null;
type MayChange = (events: readonly NewEvent[]) => boolean;
const NEVER: MayChange = () => false;
const UNKNOWN: Holds = () => null;

/**
 * `holdsFromNewEvents` and `newEventsMayChange` of a condition compiled for one `now`: the tree
 * is walked once into closures with its windows, dates, counts and property paths worked out,
 * so the real-time update (every candidate person of every segment, each flush) does not
 * re-read the definition per person. Same answers as the definitions above describe.
 *
 * @example
 * const e = compileEvidence(segment.condition, now);
 * for (const p of people) e.holds(p.events, p.known);
 */
export function compileEvidence(c: Condition, now: number): Evidence {
  const holds = compileHolds(c, now);
  const mayChange = compileMayChange(c, now);
  return { holds: (events, known) => (known.profile === null ? false : holds(events, known)), mayChange };
}

/** Whether nothing is known of the person's events: no new ones, not the whole history, no activity counts. */
function nothingKnown(events: readonly NewEvent[], known: KnownFacts): boolean {
  return events.length === 0 && known.complete !== true && known.profile?.activity === undefined;
}

function compileHolds(c: Condition, now: number): Holds {
  if ('all' in c) return combined(c.all.map((x) => compileHolds(x, now)), false);
  if ('any' in c) return combined(c.any.map((x) => compileHolds(x, now)), true);
  if ('not' in c) {
    const inner = compileHolds(c.not, now);
    return (events, known) => {
      const v = inner(events, known);
      return v === null ? null : !v;
    };
  }
  if ('segment' in c) {
    const id = c.segment;
    return (_events, known) => (known.memberOf === undefined ? null : known.memberOf.has(id));
  }
  if ('consent' in c) {
    const { consent, state } = c;
    return (_events, known) => {
      if (known.consents === undefined) return null;
      const latest = known.consents.get(consent);
      return state === 'none' ? latest === undefined : state === 'granted' ? latest === 'granted' : latest === 'denied' || latest === 'withdrawn';
    };
  }
  if ('event' in c) return compileEventHolds(c, now);
  if ('sequence' in c) return compileSequenceHolds(c, now);
  if ('trait' in c) {
    const fromEvents = c.source !== 'profile' && c.trait === 'last_seen' ? lastSeenFromEvents(c.op, c.value, now) : UNKNOWN;
    return (events, known) => {
      const profile = known.profile;
      if (profile !== undefined && profile !== null) {
        const v = traitFromProfile(c, profile, now);
        if (v !== null) return v;
      }
      return nothingKnown(events, known) ? null : fromEvents(events, known);
    };
  }
  return UNKNOWN;
}

/**
 * `all` (decided by the first part that is false) or `any` (by the first that is true), in
 * three values: unknown when no part decides and some part is unknown.
 */
function combined(parts: readonly Holds[], decisive: boolean): Holds {
  return (events, known) => {
    let unknown = false;
    for (const f of parts) {
      const v = f(events, known);
      if (v === decisive) return decisive;
      if (v === null) unknown = true;
    }
    return unknown ? null : !decisive;
  };
}

/** `last_seen` from the new events alone: at least the latest of them. */
function lastSeenFromEvents(op: string, value: unknown, now: number): Holds {
  const latestOf = (events: readonly NewEvent[]) => {
    let latest = -Infinity;
    for (const e of events) latest = Math.max(latest, e.timestamp);
    return latest;
  };
  switch (op) {
    case 'exists': return () => true;
    case 'within_last': {
      const since = now - (value as { days: number }).days * DAY_MS;
      return (events) => (latestOf(events) >= since ? true : null);
    }
    case 'after': {
      const at = resolveDate(value as never, now);
      return (events) => (latestOf(events) > at ? true : null);
    }
    default: return UNKNOWN;
  }
}

function compileEventHolds(c: EventCondition, now: number): Holds {
  const atLeast = c.count?.atLeast ?? (c.count?.atMost === undefined ? 1 : 0);
  const atMost = c.count?.atMost ?? Infinity;
  const match = compileEventMatch(c, now);
  // Bounds from the activity counts (see holdsFromNewEvents): every matching event is one of the
  // name, so a filtered condition counts at most the name's count and an unfiltered one without a
  // window exactly that; for "within the last D days", the latest event of the name says whether
  // any is inside, and when the person's first event is inside, all of them are.
  const name = c.event;
  const filtered = (c.where ?? []).length > 0 || c.between !== undefined;
  const since = c.withinLastDays === undefined ? null : now - c.withinLastDays * DAY_MS;
  return (events, known) => {
    if (nothingKnown(events, known)) return null;
    const complete = known.complete === true;
    const activity = complete ? undefined : known.profile?.activity;
    let low = 0;
    let maybe = 0;
    for (const e of events) {
      const m = match(e);
      if (m === YES) low++;
      else if (m === MAYBE) maybe++;
    }
    // The stored count is at least `low`; with the whole history, at most `low + maybe`.
    let high = complete ? low + maybe : Infinity;
    if (activity !== undefined) {
      const total = storedOf(activity, name);
      if (total !== null) {
        high = total;
        if (!filtered && since === null) low = total;
        else if (!filtered && since !== null) {
          const latest = activity.lastEventAt[name];
          if (latest === undefined || latest < since) high = 0;
          else low = Math.max(low, 1);
          if (activity.firstSeen !== null && activity.firstSeen >= since) low = Math.max(low, total);
        }
      }
    }
    if (low > atMost || high < atLeast) return false;
    if (low >= atLeast && high <= atMost) return true;
    return null;
  };
}

function compileSequenceHolds(c: SequenceCondition, now: number): Holds {
  const since = c.withinLastDays === undefined ? -Infinity : now - c.withinLastDays * DAY_MS;
  const span = Math.round(c.withinHours * 3_600_000);
  const [firstName, secondName] = c.sequence;
  return (events, known) => {
    if (nothingKnown(events, known)) return null;
    const complete = known.complete === true;
    const activity = complete ? undefined : known.profile?.activity;
    for (const a of events) {
      if (a.event !== firstName || a.timestamp < since) continue;
      for (const b of events) if (b.event === secondName && b.timestamp > a.timestamp && b.timestamp <= a.timestamp + span) return true;
    }
    if (complete) return false;
    if (activity !== undefined) {
      // The first step must be an event of its name within the window, the second one later.
      const first = storedOf(activity, firstName);
      const second = storedOf(activity, secondName);
      if (first === 0 || second === 0) return false;
      const latestFirst = activity.lastEventAt[firstName];
      if (first !== null && latestFirst !== undefined && latestFirst < since) return false;
      // A new event and the latest stored event of the other step can form the pair.
      const latestSecond = activity.lastEventAt[secondName];
      for (const e of events) {
        if (e.event === secondName && latestFirst !== undefined && latestFirst >= since && latestFirst < e.timestamp && e.timestamp <= latestFirst + span) return true;
        if (e.event === firstName && e.timestamp >= since && latestSecond !== undefined && latestSecond > e.timestamp && latestSecond <= e.timestamp + span) return true;
      }
    }
    return null;
  };
}

function compileMayChange(c: Condition, now: number): MayChange {
  if ('all' in c || 'any' in c) {
    const parts = ('all' in c ? c.all : c.any).map((x) => compileMayChange(x, now)).filter((f) => f !== NEVER);
    if (parts.length === 0) return NEVER;
    if (parts.length === 1) return parts[0]!;
    return (events) => parts.some((f) => f(events));
  }
  if ('not' in c) return compileMayChange(c.not, now);
  if ('event' in c) {
    const match = compileEventMatch(c, now);
    return (events) => {
      for (const e of events) if (match(e) !== NO) return true;
      return false;
    };
  }
  if ('sequence' in c) {
    const [a, b] = c.sequence;
    return (events) => {
      for (const e of events) if (e.event === a || e.event === b) return true;
      return false;
    };
  }
  return NEVER;
}

/** How many events of a name are stored, from the activity counts; null when the counts cannot say. */
function storedOf(activity: ActivityFacts, name: string): number | null {
  const n = activity.eventCounts[name];
  if (n !== undefined) return n;
  return activity.otherEvents === 0 ? 0 : null;
}

const NO = 0;
const YES = 1;
const MAYBE = 2;
type Match = (e: NewEvent) => number;
type Filter = (properties: Record<string, unknown>) => number;

/**
 * Whether one new event matches an event condition's name, window and property filters:
 * NO, YES, or MAYBE when a filter orders strings (the database's collation decides).
 */
function compileEventMatch(c: EventCondition, now: number): Match {
  const name = c.event;
  const since = c.withinLastDays === undefined ? -Infinity : now - c.withinLastDays * DAY_MS;
  const from = c.between === undefined ? -Infinity : resolveDate(c.between[0], now);
  const until = c.between === undefined ? Infinity : resolveDate(c.between[1], now);
  const filters = (c.where ?? []).map(compileFilter);
  return (e) => {
    if (e.event !== name || e.timestamp < since || e.timestamp < from || e.timestamp >= until) return NO;
    let result = YES;
    for (const f of filters) {
      const r = f(e.properties);
      if (r === NO) return NO;
      if (r === MAYBE) result = MAYBE;
    }
    return result;
  };
}

/** One property filter of an event condition, compared as the compiled SQL compares. */
function compileFilter(w: NonNullable<EventCondition['where']>[number]): Filter {
  const path = w.property.split('.');
  const value = w.value;
  switch (w.op) {
    case 'exists': return (p) => { const v = propertyAt(p, path); return v === undefined || v === null ? NO : YES; };
    case '=': return (p) => (sameScalar(propertyAt(p, path), value) ? YES : NO);
    case '!=': return (p) => (sameScalar(propertyAt(p, path), value) ? NO : YES);
    case 'in': {
      const values = value as unknown[];
      return (p) => { const v = propertyAt(p, path); return values.some((x) => sameScalar(v, x)) ? YES : NO; };
    }
    default: {
      // Ordering: numbers here; a value of another JSON type than the literal is NULL in SQL.
      const op = w.op;
      return (p) => {
        const v = propertyAt(p, path);
        if (typeof v !== typeof value || (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean')) return NO;
        if (typeof value !== 'number') return MAYBE;
        const x = v as number;
        return (op === '<' ? x < value : op === '<=' ? x <= value : op === '>' ? x > value : x >= value) ? YES : NO;
      };
    }
  }
}
