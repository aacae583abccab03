import { describe, expect, it } from 'vitest';
import { PackedInteractions } from './packed.js';
import { createPersonCache, timeToLive, type CachedPerson } from './person-cache.js';

const person = (loadedAt: number, interactions: CachedPerson['record']['interactions'] = []): CachedPerson => ({ record: { traits: {}, computed: {}, interactions, purchased: new Map(), segments: [], shown: { itemIds: [], times: [] }, responded: [] }, loadedAt, version: 7, memo: new Map() });

describe('createPersonCache', () => {
  it('returns what was set until its time to live has passed, then reads it as absent', () => {
    const cache = createPersonCache({ maxRows: 1000, ttlMs: 1000 });
    const p = cache.set('a', person(0));
    // FNV-1a of 'a' is 3826002220, 444641715 after the finalizer: 1000 · (1 − 444641715 / 2³³) ≈ 948.
    expect(timeToLive('a', 1000)).toBe(948);
    expect(cache.get('a', 948, 7)).toBe(p);
    expect(cache.get('a', 949, 7)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('spreads the expiry of people loaded together over the second half of the time to live', () => {
    const ttlMs = 300_000;
    const cache = createPersonCache({ maxRows: 1_000_000, ttlMs });
    const keys = Array.from({ length: 2000 }, (_, k) => `ws\u0000profile-${k}`);
    for (const k of keys) cache.set(k, person(0));
    const ttls = keys.map((k) => timeToLive(k, ttlMs));
    expect(Math.min(...ttls)).toBeGreaterThanOrEqual(ttlMs / 2);
    expect(Math.max(...ttls)).toBeLessThanOrEqual(ttlMs);
    // Roughly uniform: each tenth of the span holds 5–15% of the people.
    for (let d = 0; d < 10; d++) {
      const share = ttls.filter((t) => t >= ttlMs / 2 + (d * ttlMs) / 20 && t < ttlMs / 2 + ((d + 1) * ttlMs) / 20).length / keys.length;
      expect(share, `tenth ${d}`).toBeGreaterThan(0.05);
      expect(share, `tenth ${d}`).toBeLessThan(0.15);
    }
    // Nobody expires in the first half; at three quarters about half have; at the end, everybody.
    expect(keys.filter((k) => cache.get(k, ttlMs / 2, 7) === undefined)).toHaveLength(0);
    const gone = keys.filter((k) => cache.get(k, (3 * ttlMs) / 4, 7) === undefined).length;
    expect(gone).toBeGreaterThan(800);
    expect(gone).toBeLessThan(1200);
    expect(keys.filter((k) => cache.get(k, ttlMs + 1, 7) !== undefined)).toHaveLength(0);
  });

  it('reads an entry as absent once the profile has changed (its update time moved), whoever changed it', () => {
    const cache = createPersonCache({ maxRows: 1000, ttlMs: 1000 });
    const p = cache.set('a', person(0));
    expect(cache.get('a', 10, 7)).toBe(p);
    expect(cache.get('a', 10, 8)).toBeUndefined();
    expect(cache.get('a', 10, 7)).toBeUndefined();
  });

  it('hands over an entry that only outlived its time to live, never one whose profile changed', () => {
    const cache = createPersonCache({ maxRows: 1000, ttlMs: 1000 });
    const outlived: CachedPerson[] = [];
    const p = cache.set('a', person(0));
    expect(cache.get('a', 100, 7, (e) => outlived.push(e))).toBe(p);
    expect(outlived).toEqual([]);
    // Past the longest time to live, the profile unchanged: handed over as it is dropped.
    expect(cache.get('a', 1001, 7, (e) => outlived.push(e))).toBeUndefined();
    expect(outlived).toEqual([p]);
    expect(cache.get('a', 1001, 7, (e) => outlived.push(e))).toBeUndefined();
    expect(outlived).toHaveLength(1);
    // The profile changed (new events): dropped without a word, whatever its age.
    cache.set('b', person(0));
    expect(cache.get('b', 5000, 8, (e) => outlived.push(e))).toBeUndefined();
    // A clock that went back: not trusted either.
    cache.set('c', person(500));
    expect(cache.get('c', 100, 7, (e) => outlived.push(e))).toBeUndefined();
    expect(outlived).toHaveLength(1);
  });

  it('drops the least recently used entry when full (two people of 50 rows fit in 100), counting a read as a use', () => {
    const cache = createPersonCache({ maxRows: 100, ttlMs: 1000 });
    cache.set('a', person(0));
    cache.set('b', person(0));
    cache.get('a', 1, 7);
    cache.set('c', person(0));
    expect(cache.get('b', 2, 7)).toBeUndefined();
    expect(cache.get('a', 2, 7)).toBeDefined();
    expect(cache.get('c', 2, 7)).toBeDefined();
  });

  it('forgets a deleted entry, keeps nothing at size 0, and refuses an entry from the future', () => {
    const cache = createPersonCache({ maxRows: 100, ttlMs: 1000 });
    cache.set('a', person(0));
    cache.delete('a');
    expect(cache.get('a', 0, 7)).toBeUndefined();
    const none = createPersonCache({ maxRows: 0, ttlMs: 1000 });
    none.set('a', person(0));
    expect(none.get('a', 0, 7)).toBeUndefined();
    cache.set('b', person(500));
    expect(cache.get('b', 100, 7)).toBeUndefined();
  });

  it('counts the rows of a record and what is appended to it', () => {
    const cache = createPersonCache({ maxRows: 150, ttlMs: 1000 });
    const p = person(0, PackedInteractions.from([{ itemId: 'a', kind: 'purchase', at: 0 }, { itemId: 'b', kind: 'view', at: 0 }]));
    cache.set('p', p);
    expect(cache.rows).toBe(52);
    cache.grew('p', 10);
    expect(cache.rows).toBe(62);
    cache.set('q', person(0));
    cache.set('r', person(0));
    expect(cache.get('p', 1, 7)).toBeUndefined();
    expect(cache.rows).toBe(100);
  });
});
