import { describe, expect, it } from 'vitest';
import { catalogEntry as entry } from '../../test/support/catalog-entry.js';
import { fixedClock } from '../shared/clock.js';
import type { CatalogEntry } from './catalog-index.js';
import type { ItemStatsRow, RecommendationRepository } from './recommendation-repository.js';
import { createServingStates } from './serving-states.js';

const NOW = Date.parse('2024-06-01T12:00:00Z');

/** The parts of the repository serving states read: no model, a catalog, stored counts. */
function fakeRepository(catalog: { items: CatalogEntry[]; signature: string }, stored: ItemStatsRow[]) {
  const written: ItemStatsRow[] = [];
  const repository = {
    activeModel: async () => null,
    activeModelVersion: async () => null,
    catalog: async () => catalog.items,
    catalogSignature: async () => catalog.signature,
    segmentNames: async () => new Map<string, string>(),
    trainingInteractions: async function* () {},
    itemStats: async () => stored,
    addItemStats: async (_ws: string, rows: readonly ItemStatsRow[]) => {
      written.push(...rows);
    },
  } as unknown as RecommendationRepository;
  return { repository, written };
}

describe('serving states: shown and answered counts by catalog position', () => {
  it('starts from the stored counts, keeps up with impressions and responses, and follows the catalog when it is rebuilt', async () => {
    const catalog = { items: [entry({ id: 'a' }), entry({ id: 'b' }), entry({ id: 'c' })], signature: 'v1' };
    const { repository, written } = fakeRepository(catalog, [
      { placement: 'home', itemId: 'b', impressions: 40, responses: 2 },
      { placement: 'other', itemId: 'a', impressions: 7, responses: 0 },
      // An item no longer in the catalog keeps its count but has no position.
      { placement: 'home', itemId: 'gone', impressions: 9, responses: 9 },
    ]);
    const clock = fixedClock(NOW);
    const states = createServingStates({ repository, clock, log: () => {} });
    const state = await states.get('ws', NOW);
    const at = (counts: { impressions: ArrayLike<number>; responses: ArrayLike<number> }, id: string) => {
      const p = state.catalog.index.get(id)!;
      return [counts.impressions[p], counts.responses[p]];
    };
    const home = states.itemCountsOf('ws', 'home', state.catalog);
    expect(home.impressions).toHaveLength(3);
    expect([at(home, 'a'), at(home, 'b'), at(home, 'c')]).toEqual([[0, 0], [40, 2], [0, 0]]);
    expect(at(states.itemCountsOf('ws', 'other', state.catalog), 'a')).toEqual([7, 0]);

    // Counted as they happen, in the placement they happen in; the same arrays are handed out again.
    states.recordImpressions('ws', 'home', ['a', 'b', 'b']);
    states.recordResponse('ws', 'home', 'a');
    states.recordImpressions('ws', 'other', ['c']);
    expect(states.itemCountsOf('ws', 'home', state.catalog)).toBe(home);
    expect([at(home, 'a'), at(home, 'b'), at(home, 'c')]).toEqual([[1, 1], [42, 2], [0, 0]]);
    expect(at(states.itemCountsOf('ws', 'other', state.catalog), 'c')).toEqual([1, 0]);
    // A placement first asked for after counting starts from everything counted.
    states.recordImpressions('ws', 'late', ['c', 'c']);
    expect(at(states.itemCountsOf('ws', 'late', state.catalog), 'c')).toEqual([2, 0]);

    // What is written is the increments, whatever was handed out.
    await states.flushStats();
    const byKey = new Map(written.map((r) => [`${r.placement}/${r.itemId}`, [r.impressions, r.responses]]));
    expect(byKey).toEqual(new Map([['home/a', [1, 1]], ['home/b', [2, 0]], ['other/c', [1, 0]], ['late/c', [2, 0]]]));

    // The catalog changes elsewhere: after the rebuild, positions follow the new catalog and the counts carry over.
    catalog.items = [entry({ id: 'c' }), entry({ id: 'new' }), entry({ id: 'b' })];
    catalog.signature = 'v2';
    clock.advance(31_000);
    await states.get('ws', clock.now()); // notices the change and rebuilds in the background
    await new Promise((resolve) => setTimeout(resolve, 10));
    const rebuilt = await states.get('ws', clock.now());
    expect(rebuilt.catalog).not.toBe(state.catalog);
    const after = states.itemCountsOf('ws', 'home', rebuilt.catalog);
    const atNew = (id: string) => {
      const p = rebuilt.catalog.index.get(id)!;
      return [after.impressions[p], after.responses[p]];
    };
    expect([atNew('c'), atNew('new'), atNew('b')]).toEqual([[0, 0], [0, 0], [42, 2]]);
    // A request still holding the old catalog gets counts laid out for it (a copy), never the new layout.
    const old = states.itemCountsOf('ws', 'home', state.catalog);
    expect([at(old, 'a'), at(old, 'b')]).toEqual([[1, 1], [42, 2]]);
    states.recordImpressions('ws', 'home', ['b']);
    expect(atNew('b')).toEqual([43, 2]);
  });
});
