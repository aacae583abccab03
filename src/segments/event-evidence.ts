import { resolveDate, type Condition, type EventCondition } from './definition.js';

/** An event just committed for a person, as the real-time update sees it. */
export interface NewEvent {
  messageId: string;
  type: string;
  /** Track event name. */
  event: string | null;
  properties: Record<string, unknown>;
  timestamp: number;
}

/** Most new events kept per person between two real-time flushes (evidence from fewer is still sound). */
export const MAX_NEW_EVENTS = 50;

const DAY_MS = 86_400_000;

/**
 * What a person's just-committed events alone prove about a condition: `true` or `false`
 * when they decide it whatever else is stored, `null` when the stored history (or traits,
 * consent…) could tip it either way. Sound because the new events are already stored: a
 * count of matching new events is a lower bound of the stored count, and the profile's
 * `last_seen` is at least the latest new event.
 *
 * Decided from the events: an event condition without `atMost` is true when enough new
 * events match; with `atMost`, false when more than that many new events match; a sequence is
 * true when two new events form it; `last_seen` after / within a time (or existing) is true
 * when a new event is that late; `all` / `any` / `not` combine three-valued. Comparisons
 * follow the SQL the condition compiles to (src/segments/compile-sql.ts): a property matches
 * only a value of its own JSON type; ordering comparisons of strings are left to SQL (the
 * database's collation decides them).
 *
 * @example
 * holdsFromNewEvents({ event: 'Order Completed', withinLastDays: 30 }, [{ type: 'track', event: 'Order Completed', timestamp: now, … }], now); // true
 */
export function holdsFromNewEvents(c: Condition, events: readonly NewEvent[], now: number): boolean | null {
  if ('all' in c) {
    let unknown = false;
    for (const x of c.all) {
      const v = holdsFromNewEvents(x, events, now);
      if (v === false) return false;
      if (v === null) unknown = true;
    }
    return unknown ? null : true;
  }
  if ('any' in c) {
    let unknown = false;
    for (const x of c.any) {
      const v = holdsFromNewEvents(x, events, now);
      if (v === true) return true;
      if (v === null) unknown = true;
    }
    return unknown ? null : false;
  }
  if ('not' in c) {
    const v = holdsFromNewEvents(c.not, events, now);
    return v === null ? null : !v;
  }
  if (events.length === 0) return null;
  if ('event' in c) {
    const atLeast = c.count?.atLeast ?? (c.count?.atMost === undefined ? 1 : 0);
    const atMost = c.count?.atMost;
    let matching = 0;
    for (const e of events) if (matchesEvent(c, e, now)) matching++;
    if (atMost !== undefined && matching > atMost) return false;
    if (atMost === undefined && matching >= atLeast) return true;
    return null;
  }
  if ('sequence' in c) {
    const since = c.withinLastDays === undefined ? -Infinity : now - c.withinLastDays * DAY_MS;
    const span = Math.round(c.withinHours * 3_600_000);
    for (const a of events) {
      if (a.type !== 'track' || a.event !== c.sequence[0] || a.timestamp < since) continue;
      for (const b of events) if (b.type === 'track' && b.event === c.sequence[1] && b.timestamp > a.timestamp && b.timestamp <= a.timestamp + span) return true;
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

/** Whether one new event matches an event condition's name, window and property filters. */
function matchesEvent(c: EventCondition, e: NewEvent, now: number): boolean {
  if (e.type !== 'track' || e.event !== c.event) return false;
  if (c.withinLastDays !== undefined && e.timestamp < now - c.withinLastDays * DAY_MS) return false;
  if (c.between !== undefined && (e.timestamp < resolveDate(c.between[0], now) || e.timestamp >= resolveDate(c.between[1], now))) return false;
  for (const w of c.where ?? []) {
    const v = propertyAt(e.properties, w.property.split('.'));
    switch (w.op) {
      case 'exists': if (v === undefined || v === null) return false; break;
      case '=': if (!sameScalar(v, w.value)) return false; break;
      case '!=': if (sameScalar(v, w.value)) return false; break;
      case 'in': if (!(w.value as unknown[]).some((x) => sameScalar(v, x))) return false; break;
      default: {
        // Ordering: numbers here; strings (collation) and mixed types are not decided here.
        if (typeof w.value !== 'number' || typeof v !== 'number') return false;
        const ok = w.op === '<' ? v < w.value : w.op === '<=' ? v <= w.value : w.op === '>' ? v > w.value : v >= w.value;
        if (!ok) return false;
      }
    }
  }
  return true;
}

/** `properties.a.b…`, through plain objects only (as a JSON path does). */
function propertyAt(properties: Record<string, unknown>, path: readonly string[]): unknown {
  let v: unknown = properties;
  for (const key of path) {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** Equal as the compiled SQL compares: same JSON type and value. */
const sameScalar = (a: unknown, b: unknown) => (typeof a === 'number' || typeof a === 'string' || typeof a === 'boolean') && typeof a === typeof b && a === b;
