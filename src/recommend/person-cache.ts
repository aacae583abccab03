import type { PersonRecord } from './recommendation-repository.js';
import { hashString } from './rng.js';

/** A person's record as serving keeps it between requests, with what was computed from it. */
export interface CachedPerson {
  record: PersonRecord;
  loadedAt: number;
  /** The profile's update time when the record was read: a later one means new events (from any process). */
  version: number;
  /** Results computed from the record (the personal model's scores…), dropped with it. */
  memo: Map<string, unknown>;
}

/**
 * An entry's time to live: between half of `ttlMs` and `ttlMs`, the same for a key every time
 * (the key's FNV-1a hash through MurmurHash3's finalizer, so that keys differing in their last
 * characters spread evenly).
 */
export function timeToLive(key: string, ttlMs: number): number {
  let h = hashString(key);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h = (h ^ (h >>> 16)) >>> 0;
  return Math.round(ttlMs * (1 - h / 2 ** 33));
}

/** The size of an entry in "rows": its interactions (order lines, cart adds, views) and exposures, plus a fixed part for the rest. */
function weightOf(entry: CachedPerson): number {
  const r = entry.record;
  return 50 + r.interactions.length + r.purchased.size / 2 + r.shown.times.length * SHOWING_ROWS + r.responded.length;
}

/**
 * A showing in rows: an item id and a time in the record, and its share of the exposure counts
 * and fatigue positions kept with it — about 45 bytes of heap, measured (docs/benchmarks.md).
 */
export const SHOWING_ROWS = 1 / 4;

/**
 * What serving remembers about the people it served recently: their history, traits,
 * segments and exposures (never their privacy state, which is read for every request, P5).
 * Bounded by `maxRows` — interactions and exposures summed over the people kept
 * (a row costs about 180 – 220 bytes of heap with what is computed from it, measured on
 * Online Retail) — least recently used
 * first out. An entry is read again when the profile's update time has moved since it was read
 * (ingest in any process bumps it: the person's new events show at their next request), or when
 * it is older than its time to live (what other processes change without touching the profile:
 * computed traits, segment memberships, exposures); ingest, erasure and segment changes of this
 * process drop the person's entry at once. The time to live is between half of `ttlMs` and
 * `ttlMs`, fixed per key by a hash of it: people loaded together (a process started under
 * traffic) are read again spread over that span, not all in the same second.
 *
 * @example
 * const people = createPersonCache({ maxRows: 1_000_000, ttlMs: 300_000 });
 * const hit = people.get(key, now, profile.updatedAt) ?? people.set(key, { record, loadedAt: now, version: profile.updatedAt, memo: new Map() });
 */
export function createPersonCache(options: { maxRows: number; ttlMs: number }) {
  const entries = new Map<string, { entry: CachedPerson; weight: number; ttl: number }>();
  let rows = 0;
  const remove = (key: string) => {
    const e = entries.get(key);
    if (e === undefined) return;
    entries.delete(key);
    rows -= e.weight;
  };
  return {
    /**
     * The entry if it is still valid for the profile at `version` (its update time) at `now`.
     * An entry that only outlived its time to live (the profile unchanged) is handed to
     * `outlived` as it is dropped, for what was computed from the person's history alone.
     */
    get(key: string, now: number, version: number, outlived?: (entry: CachedPerson) => void): CachedPerson | undefined {
      const e = entries.get(key);
      if (e === undefined) return undefined;
      entries.delete(key);
      const changed = e.entry.version !== version || now < e.entry.loadedAt;
      if (changed || now - e.entry.loadedAt > e.ttl) {
        rows -= e.weight;
        if (!changed) outlived?.(e.entry);
        return undefined;
      }
      entries.set(key, e);
      return e.entry;
    },
    set(key: string, entry: CachedPerson): CachedPerson {
      remove(key);
      const weight = weightOf(entry);
      if (weight > options.maxRows) return entry;
      entries.set(key, { entry, weight, ttl: timeToLive(key, options.ttlMs) });
      rows += weight;
      while (rows > options.maxRows) remove(entries.keys().next().value as string);
      return entry;
    },
    /** Grows an entry's weight after rows were appended to its record (what was shown to the person). */
    grew(key: string, added: number): void {
      const e = entries.get(key);
      if (e === undefined) return;
      e.weight += added;
      rows += added;
      while (rows > options.maxRows && entries.size > 1) remove(entries.keys().next().value as string);
    },
    delete: remove,
    get size(): number {
      return entries.size;
    },
    get rows(): number {
      return rows;
    },
  };
}
