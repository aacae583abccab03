import { describe, expect, it } from 'vitest';
import { PackedInteractions } from './packed.js';
import { createPersonCache, type CachedPerson } from './person-cache.js';

const person = (loadedAt: number, interactions: CachedPerson['record']['interactions'] = []): CachedPerson => ({ record: { traits: {}, computed: {}, interactions, purchased: new Map(), segments: [], shown: { itemIds: [], times: [] }, responded: [] }, loadedAt, version: 7, memo: new Map() });

describe('createPersonCache', () => {
  it('returns what was set until its time to live has passed, then reads it as absent', () => {
    const cache = createPersonCache({ maxRows: 1000, ttlMs: 1000 });
    const p = cache.set('a', person(0));
    expect(cache.get('a', 1000, 7)).toBe(p);
    expect(cache.get('a', 1001, 7)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('reads an entry as absent once the profile has changed (its update time moved), whoever changed it', () => {
    const cache = createPersonCache({ maxRows: 1000, ttlMs: 1000 });
    const p = cache.set('a', person(0));
    expect(cache.get('a', 10, 7)).toBe(p);
    expect(cache.get('a', 10, 8)).toBeUndefined();
    expect(cache.get('a', 10, 7)).toBeUndefined();
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
