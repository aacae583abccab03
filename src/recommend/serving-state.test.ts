import { describe, expect, it } from 'vitest';
import { catalogEntry } from '../../test/support/catalog-entry.js';
import { createDecayedCounters } from './decayed-counters.js';
import { createServingState } from './serving-state.js';

describe('createServingState: top lists', () => {
  const state = createServingState({ model: null, modelVersion: null, catalog: ['a', 'b', 'c'].map((id) => catalogEntry({ id })), now: 0 });
  const positions = (top: ReadonlyMap<number, number>) => [...top.keys()].map((p) => state.catalog.entries[p]!.id);

  it('keeps the same list object when a recompute finds the same list, and a new one when the counters moved', () => {
    const counters = createDecayedCounters({ halfLifeDays: 7, reference: 0, amounts: { a: 3, b: 1 } });
    const first = state.top(counters, 'trending', 0, 2);
    expect(positions(first)).toEqual(['a', 'b']);
    // Past the 30-second cache: recomputed, unchanged, so the same object (what serving keyed on it stays valid).
    expect(state.top(counters, 'trending', 31_000, 2)).toBe(first);
    counters.add('c', 10, 31_000);
    // Within the cache time the change is not seen yet; after it, a new list.
    expect(state.top(counters, 'trending', 40_000, 2)).toBe(first);
    const moved = state.top(counters, 'trending', 62_000, 2);
    expect(moved).not.toBe(first);
    expect(positions(moved)).toEqual(['c', 'a']);
    // A change of score alone (same order) is a new list too.
    counters.add('a', 1, 62_000);
    const rescored = state.top(counters, 'trending', 93_000, 2);
    expect(rescored).not.toBe(moved);
    expect(positions(rescored)).toEqual(['c', 'a']);
  });
});
