import type { ActivityState } from '../profiles/activity-traits.js';
import { resolveDate, type TraitCondition } from './definition.js';

/** What the real-time update reads of a live profile row (one query for every person of a flush). */
export interface ProfileFacts {
  /** Traits sent with `identify` (the `traits` JSON column). */
  traits: Record<string, unknown>;
  firstSeenAt: number;
  lastSeenAt: number;
  /** Events stored for the person, counted up to the bound the reader was given (not read: undefined). */
  storedEvents?: number;
  /**
   * Counts of the person's stored events by name, from the incremental trait state kept on the
   * profile row — only when that state has folded every stored event (`complete`).
   */
  activity?: ActivityFacts;
}

/**
 * What the profile's activity state says of all the person's stored events: the earliest time,
 * counts and latest times by name (track events: the only messages with a name), and how many
 * events went uncounted past the state's limit of names (a name missing from `eventCounts` is
 * then unknown, not zero).
 */
export type ActivityFacts = Pick<ActivityState, 'firstSeen' | 'eventCounts' | 'lastEventAt' | 'otherEvents' | 'events'>;

const DAY_MS = 86_400_000;

/**
 * The value a trait condition has for a person, read from the person's profile row as the
 * compiled SQL reads it (src/segments/compile-sql.ts), or `null` when that SQL would need the
 * database to decide: traits sent with `identify` (`source: "profile"`) and `first_seen` /
 * `last_seen` are decided; recomputed traits and predictions (other tables) are not.
 *
 * The SQL compares a JSON value only with a literal of its own JSON type (a number with a
 * number, a string with a string, a boolean with a boolean): anything else, or a missing
 * trait, is SQL NULL — false wherever the condition uses it, since `not` reads NULL as false
 * first. Ordering comparisons of strings and text dates depend on the database's collation
 * and `contains` / `top_percent` on more than the row, so those are left to SQL.
 *
 * @example
 * traitFromProfile({ trait: 'city', source: 'profile', op: '=', value: 'Leeds' }, { traits: { city: 'Leeds' }, firstSeenAt: 0, lastSeenAt: 0 }, now); // true
 */
export function traitFromProfile(c: TraitCondition, profile: ProfileFacts, now: number): boolean | null {
  if (c.source === 'profile') return jsonTrait(c, propertyAt(profile.traits, c.key === undefined ? [c.trait] : [c.trait, c.key]), now);
  if (c.trait === 'first_seen') return columnTrait(c, profile.firstSeenAt, now);
  if (c.trait === 'last_seen') return columnTrait(c, profile.lastSeenAt, now);
  return null;
}

/** A key path through plain objects only (as a JSON path does); undefined when absent. */
export function propertyAt(document: Record<string, unknown>, path: readonly string[]): unknown {
  let v: unknown = document;
  for (const key of path) {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** Equal as the compiled SQL compares: same JSON type and value. */
export const sameScalar = (a: unknown, b: unknown) => (typeof a === 'number' || typeof a === 'string' || typeof a === 'boolean') && typeof a === typeof b && a === b;

function order(op: '<' | '<=' | '>' | '>=', a: number, b: number): boolean {
  return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
}

/** A trait sent with identify: a JSON value (undefined when absent). */
function jsonTrait(c: TraitCondition, v: unknown, now: number): boolean | null {
  switch (c.op) {
    case '=': return sameScalar(v, c.value);
    case '!=': return !sameScalar(v, c.value);
    case 'in': return (c.value as unknown[]).some((x) => sameScalar(v, x));
    case 'not_in': return !(c.value as unknown[]).some((x) => sameScalar(v, x));
    case 'exists': return v !== undefined && v !== null;
    case 'not_exists': return v === undefined || v === null;
    case '<': case '<=': case '>': case '>=':
      if (typeof c.value === 'number') return typeof v === 'number' && order(c.op, v, c.value);
      return typeof v === 'string' ? null : false; // strings: the database's collation orders them
    case 'between': {
      const [low, high] = c.value as [number, number];
      return typeof v === 'number' && v >= low && v <= high;
    }
    case 'before': case 'after': case 'within_last': {
      // Epoch milliseconds compare as numbers; ISO strings as text (collation: left to SQL).
      if (typeof v === 'string') return null;
      if (typeof v !== 'number') return false;
      const at = c.op === 'within_last' ? now - (c.value as { days: number }).days * DAY_MS : resolveDate(c.value as never, now);
      return c.op === 'before' ? v < at : c.op === 'after' ? v > at : v >= at;
    }
    default: return null; // contains, top_percent
  }
}

/** `first_seen` / `last_seen`: an integer column of the profile row (epoch ms). */
function columnTrait(c: TraitCondition, v: number, now: number): boolean | null {
  if (!Number.isFinite(v)) return null;
  switch (c.op) {
    case 'exists': return true;
    case 'not_exists': return false;
    case 'before': return v < resolveDate(c.value as never, now);
    case 'after': return v > resolveDate(c.value as never, now);
    case 'within_last': return v >= now - (c.value as { days: number }).days * DAY_MS;
    case '=': case '!=': case '<': case '<=': case '>': case '>=':
      if (typeof c.value !== 'number') return null; // a string against an integer column: the engines differ
      if (c.op === '=') return v === c.value;
      if (c.op === '!=') return v !== c.value;
      return order(c.op, v, c.value);
    case 'between': {
      const [low, high] = c.value as [number, number];
      return v >= low && v <= high;
    }
    case 'in': case 'not_in': {
      const values = c.value as unknown[];
      if (values.some((x) => typeof x !== 'number')) return null;
      const hit = values.includes(v);
      return c.op === 'in' ? hit : !hit;
    }
    default: return null;
  }
}
