import { describe, expect, it } from 'vitest';
import { buildCatalogIndex } from './catalog-index.js';
import type { ExplorationCandidate } from './exploration.js';
import { EXPLANATIONS_KEPT, rank, type Adjustment, type Blend, type Component, type RankInput, type RankedItem } from './ranking.js';
import { seededRng } from './rng.js';
import { catalogEntry as entry } from '../../test/support/catalog-entry.js';

/** Twenty items, each in a category of its own and without a price, so that diversity leaves them alone. */
const plainCatalog = buildCatalogIndex(Array.from({ length: 20 }, (_, i) => entry({ id: `item-${i}`, categoryPath: [`Category ${i}`] })));

const component = (name: string, weight: number, scores: Record<number, number>): Component => ({
  name,
  weight,
  scores: new Map(Object.entries(scores).map(([p, s]) => [Number(p), s])),
  reason: (p) => ({ type: name, message: `${name} likes ${p}` }),
});

/** Scores 20 − p for positions 0..count−1: the ranking is 0, 1, 2, … */
const descending = (count: number) => component('popular', 1, Object.fromEntries(Array.from({ length: count }, (_, p) => [p, 20 - p])));

const input = (overrides: Partial<RankInput> = {}): RankInput => ({
  catalog: plainCatalog,
  components: [],
  n: 10,
  eligible: () => true,
  diversity: { maxPerCategory: null, categoryLevel: 2, maxPriceTierShare: 1 },
  ...overrides,
});

const positions = (items: readonly RankedItem[]) => items.map((r) => r.position);
const reasonSum = (item: RankedItem) => item.reasons.reduce((s, r) => s + r.weight, 0);
/** Each weight is rounded to 3 decimals: the sum is 1 within half a unit of the third decimal per reason. */
const expectSumsToOne = (item: RankedItem) => expect(Math.abs(reasonSum(item) - 1)).toBeLessThanOrEqual(0.0005 * item.reasons.length + 1e-12);

// Worked example. A (weight 2) scores 0: 10, 1: 5, 2: 2 → scaled by 2/10: 2, 1, 0.4.
// B (weight 1) scores 1: 4, 2: 8, 3: 2 → scaled by 1/8: 0.5, 1, 0.25.
// Totals: 0 → 2, 1 → 1.5, 2 → 1.4, 3 → 0.25.
const a = component('A', 2, { 0: 10, 1: 5, 2: 2, 4: 0, 5: -3 });
const b = component('B', 1, { 1: 4, 2: 8, 3: 2 });

describe('rank: blending', () => {
  it('sums the components after scaling each by weight / its best score', () => {
    const ranked = rank(input({ components: [a, b] }));
    expect(positions(ranked)).toEqual([0, 1, 2, 3]);
    const scores = ranked.map((r) => r.score);
    [2, 1.5, 1.4, 0.25].forEach((expected, k) => expect(scores[k]).toBeCloseTo(expected, 12));
  });

  it('gives each contributing component its share of the score as the reason weight', () => {
    const ranked = rank(input({ components: [a, b] }));
    const reasons = ranked.map((r) => r.reasons.map((x) => [x.type, x.weight]));
    expect(reasons).toEqual([
      [['A', 1]],
      [['A', 0.667], ['B', 0.333]], // 1/1.5, 0.5/1.5
      [['B', 0.714], ['A', 0.286]], // 1/1.4, 0.4/1.4, largest first
      [['B', 1]],
    ]);
    expect(ranked[1]!.reasons[0]!.message).toBe('A likes 1');
  });

  it('keeps a blend and its explanations in the cache it is given, and explains again when the explanation key changes', () => {
    const kept = new Map<string, Blend>();
    const blendCache = { get: (k: string) => kept.get(k), set: (k: string, v: Blend) => { kept.set(k, v); } };
    let asked = 0;
    const counted: Component = { ...b, reason: (p) => { asked++; return b.reason(p); } };
    const fresh = rank(input({ components: [a, counted] }));
    const askedFresh = asked;
    const first = rank(input({ components: [a, counted], blendCache, explanationKey: 'h1' }));
    const again = rank(input({ components: [a, counted], blendCache, explanationKey: 'h1' }));
    expect(kept.size).toBe(1);
    expect(first).toEqual(fresh);
    expect(again).toEqual(fresh);
    // The second request reused the explanations: no reason was asked for.
    expect(asked).toBe(2 * askedFresh);
    again.forEach((item, k) => expect(item.reasons).toBe(first[k]!.reasons));
    const later = rank(input({ components: [a, counted], blendCache, explanationKey: 'h2' }));
    expect(later).toEqual(fresh);
    expect(later[1]!.reasons).not.toBe(first[1]!.reasons);
    // Adjusted rankings are explained each time (a boost's share depends on the request).
    const boosted = rank(input({ components: [a, counted], blendCache, explanationKey: 'h2', adjust: (p) => (p === 3 ? { factor: 2, reasons: [{ type: 'boost', message: 'promoted' }] } : undefined) }));
    expect(boosted.find((r) => r.position === 3)!.reasons.map((r) => [r.type, r.weight])).toEqual([['B', 0.5], ['boost', 0.5]]);
  });

  it('keeps the explanations of the items explained last, at most EXPLANATIONS_KEPT of them', () => {
    expect(EXPLANATIONS_KEPT).toBe(16); // the positions below are worked out for 16
    const kept = new Map<string, Blend>();
    const blendCache = { get: (k: string) => kept.get(k), set: (k: string, v: Blend) => { kept.set(k, v); } };
    let asked = 0;
    const base = descending(20);
    const counted: Component = { ...base, reason: (p) => { asked++; return base.reason(p); } };
    const ask = (eligible: (p: number) => boolean) => {
      const before = asked;
      const ranked = rank(input({ components: [counted], blendCache, explanationKey: 'h', eligible }));
      return { ranked, asked: asked - before };
    };
    const first = ask(() => true); // explains 0–9
    expect(first.asked).toBe(10);
    expect(ask((p) => p >= 10).asked).toBe(10); // explains 10–19; 0–3, the least recently used, are dropped
    const kept4to13 = ask((p) => p >= 4); // 4–13: all kept
    expect(kept4to13.asked).toBe(0);
    kept4to13.ranked.slice(0, 6).forEach((item, k) => expect(item.reasons).toBe(first.ranked[k + 4]!.reasons));
    // 0–3 are explained again (dropping 14–17, used least recently); 4–9 are still kept.
    const again = ask(() => true);
    expect(again.asked).toBe(4);
    again.ranked.forEach((item, k) => {
      if (k < 4) expect(item.reasons).not.toBe(first.ranked[k]!.reasons);
      else expect(item.reasons).toBe(first.ranked[k]!.reasons);
    });
    expect(ask((p) => p >= 10 && p < 14).asked).toBe(0);
  });

  it('ignores scores that are not positive, components of weight 0 and components with no positive score', () => {
    const ranked = rank(input({ components: [a, b, component('C', 0, { 6: 100 }), component('D', 3, { 7: 0, 8: -1 })] }));
    expect(positions(ranked)).toEqual([0, 1, 2, 3]);
    expect(ranked[0]!.score).toBeCloseTo(2, 12);
  });

  it('orders equal scores by position', () => {
    expect(positions(rank(input({ components: [component('A', 1, { 5: 1, 2: 1, 9: 2 })] })))).toEqual([9, 2, 5]);
  });
});

describe('rank: adjustments and reasons', () => {
  const adjust = (p: number): Adjustment | undefined =>
    p === 3 ? { factor: 5, reasons: [{ type: 'scene', message: 'fits the moment: Late night' }, { type: 'boost', message: 'promoted: summer' }] }
      : p === 0 ? { factor: 0.5, reasons: [] }
        : undefined;

  it('multiplies the score by the adjustment factor', () => {
    // 0: 2 × 0.5 = 1; 3: 0.25 × 5 = 1.25; 1 and 2 unchanged (1.5, 1.4).
    const ranked = rank(input({ components: [a, b], adjust }));
    expect(positions(ranked)).toEqual([1, 2, 3, 0]);
    expect(ranked[2]!.score).toBeCloseTo(1.25, 12);
    expect(ranked[3]!.score).toBeCloseTo(1, 12);
  });

  it('gives a boost of factor f > 1 the share 1 − 1/f, split between its reasons', () => {
    const ranked = rank(input({ components: [a, b], adjust }));
    const boosted = ranked.find((r) => r.position === 3)!;
    // 1 − 1/5 = 0.8, two reasons of 0.4; B keeps 1/5.
    expect(boosted.reasons.map((r) => [r.type, r.weight])).toEqual([['scene', 0.4], ['boost', 0.4], ['B', 0.2]]);
    // A factor below 1 takes no share.
    expect(ranked.find((r) => r.position === 0)!.reasons.map((r) => [r.type, r.weight])).toEqual([['A', 1]]);
  });

  it('gives each extra reason a tenth, taken proportionally from the others', () => {
    const ranked = rank(input({ components: [a, b], adjust, extraReasons: (p) => (p === 3 ? [{ type: 'taste', message: 'you like snacks' }] : []) }));
    const boosted = ranked.find((r) => r.position === 3)!;
    // 0.4 × 0.9 = 0.36 twice, 0.2 × 0.9 = 0.18, and 0.1.
    expect(boosted.reasons.map((r) => [r.type, r.weight])).toEqual([['scene', 0.36], ['boost', 0.36], ['B', 0.18], ['taste', 0.1]]);
  });

  it('keeps every item\'s reason weights summing to 1 (within rounding) over many random blends', () => {
    const rng = seededRng(21);
    for (let trial = 0; trial < 200; trial++) {
      const components = Array.from({ length: 1 + Math.floor(rng() * 4) }, (_, c) =>
        component(`c${c}`, 0.1 + rng() * 3, Object.fromEntries(Array.from({ length: 12 }, (_, p) => [p, rng() < 0.6 ? rng() * 10 : 0]))));
      const factors = Array.from({ length: 12 }, () => (rng() < 0.5 ? 0.3 + rng() * 5 : 1));
      const extras = Array.from({ length: 12 }, () => Math.floor(rng() * 3));
      const ranked = rank(input({
        components,
        n: 12,
        adjust: (p) => (factors[p] === 1 ? undefined : { factor: factors[p]!, reasons: [{ type: 'boost', message: 'promoted' }, { type: 'scene', message: 'fits' }].slice(0, 1 + (p % 2)) }),
        extraReasons: (p) => Array.from({ length: extras[p]! }, (_, k) => ({ type: 'taste', message: `taste ${k}` })),
      }));
      for (const item of ranked) expectSumsToOne(item);
    }
  });
});

describe('rank: eligibility', () => {
  it('never returns an ineligible item, even when that leaves the list short', () => {
    const ranked = rank(input({ components: [a, b], eligible: (p) => p !== 0 && p !== 2 }));
    expect(positions(ranked)).toEqual([1, 3]);
  });

  it('never explores an ineligible item', () => {
    const candidates = [16, 17, 18, 19].map((position) => ({ position, impressions: 0, responses: 0, relevance: 0 }));
    for (let seed = 1; seed <= 20; seed++) {
      const ranked = rank(input({ components: [descending(12)], eligible: (p) => p !== 17 && p !== 18, exploration: { slots: 2, candidates, rng: seededRng(seed) } }));
      expect(ranked.filter((r) => r.exploration).map((r) => r.position).sort()).toEqual([16, 19]);
    }
  });
});

describe('rank: pins', () => {
  it('puts pinned items at their 0-based positions and ranks the rest around them, once', () => {
    const ranked = rank(input({ components: [descending(12)], n: 5, pinned: [{ position: 3, at: 2 }, { position: 15, at: 0 }] }));
    expect(positions(ranked)).toEqual([15, 0, 3, 1, 2]);
    expect(ranked.map((r) => r.pinned)).toEqual([true, false, true, false, false]);
    expect(ranked[0]!.reasons).toEqual([{ type: 'pinned', message: 'featured by the shop', weight: 1 }]);
  });

  it('puts a pin beyond a short list at its end', () => {
    // Three ranked items and a pin at 7: the list has 4 places, the pin takes the last.
    expect(positions(rank(input({ components: [descending(3)], pinned: [{ position: 15, at: 7 }] })))).toEqual([0, 1, 2, 15]);
    expect(positions(rank(input({ components: [descending(3)], pinned: [{ position: 15, at: 1 }] })))).toEqual([0, 15, 1, 2]);
  });

  it('shows pins when nothing is ranked', () => {
    expect(positions(rank(input({ components: [], pinned: [{ position: 4, at: 3 }] })))).toEqual([4]);
  });
});

describe('rank: exploration', () => {
  const candidate = (position: number): ExplorationCandidate => ({ position, impressions: 0, responses: 0, relevance: 0 });

  it('gives the exploration slots to candidates outside the ranking, marked and at spread positions', () => {
    // n = 10 with 2 slots: 8 ranked items, exploration at positions 2 and 6 (explorationPositions(10, 2)).
    const ranked = rank(input({ components: [descending(12)], exploration: { slots: 2, candidates: [candidate(0), candidate(15), candidate(16)], rng: seededRng(4) } }));
    expect(ranked).toHaveLength(10);
    expect(ranked.map((r) => r.exploration)).toEqual([false, false, true, false, false, false, true, false, false, false]);
    expect(positions(ranked.filter((r) => !r.exploration))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(positions(ranked.filter((r) => r.exploration)).sort()).toEqual([15, 16]);
    for (const r of ranked.filter((x) => x.exploration)) {
      expect(r.reasons).toEqual([{ type: 'exploring', message: 'new or rarely shown — exploring', weight: 1 }]);
      expect(r.score).toBeGreaterThan(0);
      expect(r.score).toBeLessThanOrEqual(0.5);
    }
  });

  it('is the same for the same seed', () => {
    const run = (seed: number) => positions(rank(input({ components: [descending(12)], exploration: { slots: 3, candidates: [12, 13, 14, 15, 16, 17].map(candidate), rng: seededRng(seed) } })));
    expect(run(8)).toEqual(run(8));
  });

  it('keeps the first place for the ranking when a pin takes an exploration spot', () => {
    // The pin takes place 2; the exploration items spread over the 9 free places (1st and 2nd of
    // explorationPositions(9, 2) = [2, 5] → places 3 and 6), never place 0.
    const ranked = rank(input({ components: [descending(12)], pinned: [{ position: 19, at: 2 }], exploration: { slots: 2, candidates: [candidate(15), candidate(16)], rng: seededRng(4) } }));
    expect(ranked).toHaveLength(10);
    expect(ranked[0]!.position).toBe(0);
    expect(ranked[2]!.position).toBe(19);
    expect(ranked.map((r, i) => (r.exploration ? i : -1)).filter((i) => i >= 0)).toEqual([3, 6]);
    expect(positions(ranked.filter((r) => !r.exploration && !r.pinned))).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('never takes more slots than leave one ranked item', () => {
    // n = 3, one pin: at most 3 − 1 − 1 = 1 exploration item.
    const ranked = rank(input({ components: [descending(12)], n: 3, pinned: [{ position: 19, at: 0 }], exploration: { slots: 5, candidates: [15, 16, 17].map(candidate), rng: seededRng(2) } }));
    expect(ranked.filter((r) => r.exploration)).toHaveLength(1);
    expect(ranked.filter((r) => !r.exploration && !r.pinned).map((r) => r.position)).toEqual([0]);
  });
});

describe('rank: diversity', () => {
  const catalog = buildCatalogIndex([
    entry({ id: 'mug-1', categoryPath: ['Home', 'Kitchen', 'Mugs'] }),
    entry({ id: 'mug-2', categoryPath: ['Home', 'Kitchen', 'Mugs'] }),
    entry({ id: 'mug-3', categoryPath: ['Home', 'Kitchen', 'Mugs'] }),
    entry({ id: 'pan', categoryPath: ['Home', 'Kitchen'] }),
    entry({ id: 'rake', categoryPath: ['Garden'] }),
    entry({ id: 'kite', categoryPath: ['Toys'] }),
  ]);
  const ids = (items: readonly RankedItem[]) => items.map((r) => catalog.entries[r.position]!.id);
  const byPosition = component('popular', 1, { 0: 6, 1: 5, 2: 4, 3: 3, 4: 2, 5: 1 });

  it('caps a category at the configured path level', () => {
    const at = (categoryLevel: number) => ids(rank(input({ catalog, components: [byPosition], n: 4, diversity: { maxPerCategory: 2, categoryLevel, maxPriceTierShare: 1 } })));
    // Level 2: the mugs and the pan are all "home > kitchen"; level 3: the pan is a category of its own.
    expect(at(2)).toEqual(['mug-1', 'mug-2', 'rake', 'kite']);
    expect(at(3)).toEqual(['mug-1', 'mug-2', 'pan', 'rake']);
  });

  it('spreads price tiers of the catalog index', () => {
    // Nine items of a category each, priced 10…90: the whole catalog's cuts apply,
    // numpy.quantile([10, 20, …, 90], [1/3, 2/3]) = [36.67, 63.33] → 10–30 low, 40–60 mid, 70–90 high.
    const priced = buildCatalogIndex(Array.from({ length: 9 }, (_, i) => entry({ id: `p${(i + 1) * 10}`, price: (i + 1) * 10, categoryPath: [`C${i}`] })));
    const byPrice = component('popular', 1, Object.fromEntries(Array.from({ length: 9 }, (_, i) => [i, i + 1])));
    // n = 4, share 0.5: at most 2 high items, so 70 waits behind 60 and 50.
    const ranked = rank(input({ catalog: priced, components: [byPrice], n: 4, diversity: { maxPerCategory: null, categoryLevel: 1, maxPriceTierShare: 0.5 } }));
    expect(ranked.map((r) => priced.entries[r.position]!.id)).toEqual(['p90', 'p80', 'p60', 'p50']);
  });
});

describe('rank: edge cases of pins, exploration and boosts', () => {
  it('fills the list from the ranking when exploration finds fewer candidates than it has slots', () => {
    const one: ExplorationCandidate[] = [{ position: 15, impressions: 0, responses: 0, relevance: 0 }];
    const ranked = rank(input({ components: [descending(12)], n: 10, exploration: { slots: 3, candidates: one, rng: seededRng(3) } }));
    expect(ranked).toHaveLength(10);
    expect(ranked.filter((r) => r.exploration).map((r) => r.position)).toEqual([15]);
    expect(positions(ranked.filter((r) => !r.exploration))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('does not take an item pinned beyond the list out of the ranking', () => {
    const ranked = rank(input({ components: [descending(5)], n: 3, pinned: [{ position: 0, at: 7 }] }));
    expect(positions(ranked)).toEqual([0, 1, 2]);
    expect(ranked.every((r) => !r.pinned)).toBe(true);
  });

  it('keeps the order of pins that fall beyond a short list', () => {
    const ranked = rank(input({ components: [descending(1)], n: 10, pinned: [{ position: 18, at: 8 }, { position: 17, at: 7 }] }));
    expect(positions(ranked)).toEqual([0, 17, 18]);
  });

  it('keeps reason weights summing to 1 for a boost that gives no reason of its own', () => {
    const ranked = rank(input({ components: [a, b], adjust: (p): Adjustment | undefined => (p === 1 ? { factor: 3, reasons: [] } : undefined) }));
    const boosted = ranked.find((r) => r.position === 1)!;
    expectSumsToOne(boosted);
  });
});
