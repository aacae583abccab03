import { resolveDate, type Condition, type EventCondition } from './definition.js';
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
  if (known.profile === null) return false;
  return holds(c, events, now, known);
}

function holds(c: Condition, events: readonly NewEvent[], now: number, known: KnownFacts): boolean | null {
  if ('all' in c) {
    let unknown = false;
    for (const x of c.all) {
      const v = holds(x, events, now, known);
      if (v === false) return false;
      if (v === null) unknown = true;
    }
    return unknown ? null : true;
  }
  if ('any' in c) {
    let unknown = false;
    for (const x of c.any) {
      const v = holds(x, events, now, known);
      if (v === true) return true;
      if (v === null) unknown = true;
    }
    return unknown ? null : false;
  }
  if ('not' in c) {
    const v = holds(c.not, events, now, known);
    return v === null ? null : !v;
  }
  if ('trait' in c && known.profile !== undefined && known.profile !== null) {
    const v = traitFromProfile(c, known.profile, now);
    if (v !== null) return v;
  }
  if ('segment' in c) return known.memberOf === undefined ? null : known.memberOf.has(c.segment);
  if ('consent' in c) {
    if (known.consents === undefined) return null;
    const latest = known.consents.get(c.consent);
    return c.state === 'none' ? latest === undefined : c.state === 'granted' ? latest === 'granted' : latest === 'denied' || latest === 'withdrawn';
  }
  const complete = known.complete === true;
  const activity = complete ? undefined : known.profile?.activity;
  if (events.length === 0 && !complete && activity === undefined) return null;
  if ('event' in c) {
    const atLeast = c.count?.atLeast ?? (c.count?.atMost === undefined ? 1 : 0);
    const atMost = c.count?.atMost ?? Infinity;
    let low = 0;
    let maybe = 0;
    for (const e of events) {
      const m = eventMatch(c, e, now);
      if (m === YES) low++;
      else if (m === MAYBE) maybe++;
    }
    // The stored count is at least `low`; with the whole history, at most `low + maybe`.
    let high = complete ? low + maybe : Infinity;
    if (activity !== undefined) ({ low, high } = boundsFromActivity(c, activity, now, low));
    if (low > atMost || high < atLeast) return false;
    if (low >= atLeast && high <= atMost) return true;
    return null;
  }
  if ('sequence' in c) {
    const since = c.withinLastDays === undefined ? -Infinity : now - c.withinLastDays * DAY_MS;
    const span = Math.round(c.withinHours * 3_600_000);
    for (const a of events) {
      if (a.event !== c.sequence[0] || a.timestamp < since) continue;
      for (const b of events) if (b.event === c.sequence[1] && b.timestamp > a.timestamp && b.timestamp <= a.timestamp + span) return true;
    }
    if (complete) return false;
    if (activity !== undefined) {
      // The first step must be an event of its name within the window, the second one later.
      const first = storedOf(activity, c.sequence[0]);
      const second = storedOf(activity, c.sequence[1]);
      if (first === 0 || second === 0) return false;
      const latestFirst = activity.lastEventAt[c.sequence[0]];
      if (first !== null && latestFirst !== undefined && latestFirst < since) return false;
      // A new event and the latest stored event of the other step can form the pair.
      const latestSecond = activity.lastEventAt[c.sequence[1]];
      for (const e of events) {
        if (e.event === c.sequence[1] && latestFirst !== undefined && latestFirst >= since && latestFirst < e.timestamp && e.timestamp <= latestFirst + span) return true;
        if (e.event === c.sequence[0] && e.timestamp >= since && latestSecond !== undefined && latestSecond > e.timestamp && latestSecond <= e.timestamp + span) return true;
      }
    }
    return null;
  }
  if ('trait' in c && c.source !== 'profile' && c.trait === 'last_seen') {
    let latest = -Infinity;
    for (const e of events) latest = Math.max(latest, e.timestamp);
    switch (c.op) {
      case 'exists': return true;
      case 'within_last': return latest >= now - (c.value as { days: number }).days * DAY_MS ? true : null;
      case 'after': return latest > resolveDate(c.value as never, now) ? true : null;
      default: return null;
    }
  }
  return null;
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
  if ('all' in c) return c.all.some((x) => newEventsMayChange(x, events, now));
  if ('any' in c) return c.any.some((x) => newEventsMayChange(x, events, now));
  if ('not' in c) return newEventsMayChange(c.not, events, now);
  if ('event' in c) return events.some((e) => eventMatch(c, e, now) !== NO);
  if ('sequence' in c) return events.some((e) => e.event === c.sequence[0] || e.event === c.sequence[1]);
  return false;
}

/** How many events of a name are stored, from the activity counts; null when the counts cannot say. */
function storedOf(activity: ActivityFacts, name: string): number | null {
  const n = activity.eventCounts[name];
  if (n !== undefined) return n;
  return activity.otherEvents === 0 ? 0 : null;
}

/**
 * Bounds of an event condition's stored count from the counts of the person's stored events by
 * name, given `low` matching new events (all stored already): every matching event is an event
 * of the name, so their number is at most the name's count; without property filters and
 * windows it is that count. For a "within the last D days" window (the SQL counts events at or
 * after now − D), the latest event of the name says whether any is inside, and when the
 * person's first event is inside, all of them are.
 */
function boundsFromActivity(c: EventCondition, activity: ActivityFacts, now: number, low: number): { low: number; high: number } {
  const total = storedOf(activity, c.event);
  if (total === null) return { low, high: Infinity };
  let high = total;
  if ((c.where ?? []).length > 0 || c.between !== undefined) return { low, high };
  if (c.withinLastDays === undefined) return { low: total, high: total };
  const since = now - c.withinLastDays * DAY_MS;
  const latest = activity.lastEventAt[c.event];
  if (latest === undefined || latest < since) high = 0;
  else low = Math.max(low, 1);
  if (activity.firstSeen !== null && activity.firstSeen >= since) low = Math.max(low, total);
  return { low, high };
}

const NO = 0;
const YES = 1;
const MAYBE = 2;

/** A property filter's dotted path, split once (filters are checked against every new event of every candidate). */
const paths = new Map<string, readonly string[]>();
function pathOf(property: string): readonly string[] {
  let p = paths.get(property);
  if (p === undefined) {
    p = property.split('.');
    if (paths.size < 10_000) paths.set(property, p);
  }
  return p;
}

/**
 * Whether one new event matches an event condition's name, window and property filters:
 * NO, YES, or MAYBE when a filter orders strings (the database's collation decides).
 */
function eventMatch(c: EventCondition, e: NewEvent, now: number): number {
  if (e.event !== c.event) return NO;
  if (c.withinLastDays !== undefined && e.timestamp < now - c.withinLastDays * DAY_MS) return NO;
  if (c.between !== undefined && (e.timestamp < resolveDate(c.between[0], now) || e.timestamp >= resolveDate(c.between[1], now))) return NO;
  let result = YES;
  for (const w of c.where ?? []) {
    const v = propertyAt(e.properties, pathOf(w.property));
    switch (w.op) {
      case 'exists': if (v === undefined || v === null) return NO; break;
      case '=': if (!sameScalar(v, w.value)) return NO; break;
      case '!=': if (sameScalar(v, w.value)) return NO; break;
      case 'in': if (!(w.value as unknown[]).some((x) => sameScalar(v, x))) return NO; break;
      default: {
        // Ordering: numbers here; a value of another JSON type than the literal is NULL in SQL.
        if (typeof v !== typeof w.value || (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean')) return NO;
        if (typeof w.value !== 'number') { result = MAYBE; break; }
        const x = v as number;
        const ok = w.op === '<' ? x < w.value : w.op === '<=' ? x <= w.value : w.op === '>' ? x > w.value : x >= w.value;
        if (!ok) return NO;
      }
    }
  }
  return result;
}
