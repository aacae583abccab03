import type { PersonRecord } from './recommendation-repository.js';

/** A person's record as serving keeps it between requests, with what was computed from it. */
export interface CachedPerson {
  record: PersonRecord;
  loadedAt: number;
  /** Results computed from the record (the personal model's scores…), dropped with it. */
  memo: Map<string, unknown>;
}

/**
 * What serving remembers about the people it served recently: their history, traits,
 * segments and exposures (never their privacy state, which is read for every request, P5).
 * Least recently used entries go first when full; an entry older than `ttlMs` is read again
 * (changes made by other processes show within that time); ingest, erasure and segment
 * changes of this process drop the person's entry at once.
 *
 * @example
 * const people = createPersonCache({ size: 10_000, ttlMs: 60_000 });
 * const hit = people.get(key, now) ?? people.set(key, { record, loadedAt: now, memo: new Map() });
 */
export function createPersonCache(options: { size: number; ttlMs: number }) {
  const entries = new Map<string, CachedPerson>();
  return {
    get(key: string, now: number): CachedPerson | undefined {
      const e = entries.get(key);
      if (e === undefined) return undefined;
      entries.delete(key);
      if (now - e.loadedAt > options.ttlMs || now < e.loadedAt) return undefined;
      entries.set(key, e);
      return e;
    },
    set(key: string, entry: CachedPerson): CachedPerson {
      if (options.size <= 0) return entry;
      entries.delete(key);
      entries.set(key, entry);
      while (entries.size > options.size) entries.delete(entries.keys().next().value as string);
      return entry;
    },
    delete(key: string): void {
      entries.delete(key);
    },
    get size(): number {
      return entries.size;
    },
  };
}
