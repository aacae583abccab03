import { describe, expect, it } from 'vitest';
import { diversify, type DiversityOptions } from './diversity.js';
import { seededRng } from './rng.js';

/**
 * Options for candidates described as "category/tier" strings in rank order ('' category: none;
 * tier -1: no price); caps off unless overridden.
 */
function options(items: readonly string[], overrides: Partial<DiversityOptions> = {}): DiversityOptions {
  const parsed = items.map((s) => {
    const [category, tier] = s.split('/');
    return { category: category ?? '', tier: Number(tier ?? -1) };
  });
  return {
    ranked: parsed.map((_, i) => i),
    n: items.length,
    categoryOf: (p) => parsed[p]!.category,
    tierOf: (p) => parsed[p]!.tier,
    maxPerCategory: null,
    maxPriceTierShare: 1,
    ...overrides,
  };
}

describe('diversify', () => {
  it('does what its documentation example says', () => {
    expect(diversify({ ranked: [0, 1, 2, 3], n: 3, categoryOf: (p) => (p < 3 ? 'mugs' : 'tea'), tierOf: () => -1, maxPerCategory: 2, maxPriceTierShare: 1 })).toEqual([0, 1, 3]);
  });

  it('keeps the ranking when no cap is on', () => {
    expect(diversify(options(['a/2', 'a/2', 'a/2', 'a/2'], { n: 3 }))).toEqual([0, 1, 2]);
  });

  it('takes at most maxPerCategory items of one category while others are left', () => {
    const items = ['a/-1', 'a/-1', 'a/-1', 'b/-1', 'b/-1', 'c/-1'];
    expect(diversify(options(items, { n: 4, maxPerCategory: 2 }))).toEqual([0, 1, 3, 4]);
    expect(diversify(options(items, { n: 5, maxPerCategory: 2 }))).toEqual([0, 1, 3, 4, 5]);
    expect(diversify(options(items, { n: 5, maxPerCategory: 1 }))).toEqual([0, 3, 5, 1, 2]);
  });

  it('lets no price tier take more than floor(n · share) places while other tiers are left', () => {
    // n = 5, share 0.6: at most 3 of one tier; the fourth high item waits for the low and mid ones.
    const items = ['/2', '/2', '/2', '/2', '/0', '/1', '/2'];
    expect(diversify(options(items, { n: 5, maxPriceTierShare: 0.6 }))).toEqual([0, 1, 2, 4, 5]);
    // n = 5, share 0.5: floor(2.5) = 2.
    expect(diversify(options(items, { n: 5, maxPriceTierShare: 0.5 }))).toEqual([0, 1, 4, 5, 2]);
  });

  it('allows at least one item of a tier however small the share', () => {
    // n = 2, share 0.34: floor(0.68) = 0, raised to 1.
    expect(diversify(options(['/0', '/0', '/1'], { n: 2, maxPriceTierShare: 0.34 }))).toEqual([0, 2]);
  });

  it('fills a short list with deferred items in rank order, relaxing the category cap before the tier cap', () => {
    // Tier cap floor(4 · 0.5) = 2, one item per category. First pass: 0, 1; deferred 2 (tier), 3 (category), 4 (tier).
    // The category cap goes first for items whose tier has room: 3 (tier 0, category A again). Then only
    // tier-2 items are left, so the tier cap goes too: 2, whose category has room, before 4 (and 4 after it).
    const items = ['A/2', 'B/2', 'C/2', 'A/0', 'D/2'];
    expect(diversify(options(items, { n: 4, maxPerCategory: 1, maxPriceTierShare: 0.5 }))).toEqual([0, 1, 3, 2]);
    expect(diversify(options(items, { n: 5, maxPerCategory: 1, maxPriceTierShare: 0.5 }))).toEqual([0, 1, 3, 2, 4]);
  });

  it('keeps the tier cap while items of other tiers are left, even in full categories (both caps binding)', () => {
    // n = 10, share 0.6: at most 6 of one tier; 2 per category. Seven low items lead in categories a–d,
    // then two high items in categories a and b (full by then), then more low items.
    const items = ['a/0', 'a/0', 'b/0', 'b/0', 'c/0', 'c/0', 'd/0', 'a/2', 'b/2', 'd/0', 'e/0', 'e/0'];
    const list = diversify(options(items, { n: 10, maxPerCategory: 2, maxPriceTierShare: 0.6 }));
    expect(list).toHaveLength(10);
    expect(list.filter((p) => items[p]!.endsWith('/0'))).toHaveLength(8);
    // Both high items are in, though their categories were full.
    expect(list).toContain(7);
    expect(list).toContain(8);
  });

  it('still counts categories while relaxing the tier cap', () => {
    // Tier cap floor(5 · 0.4) = 2. Deferred for their tier: 2 (C), 3 (C), 4 (D). Relaxing the tier cap
    // takes 2, then C is full, so 4 comes before 3.
    const items = ['A/2', 'B/2', 'C/2', 'C/2', 'D/2'];
    expect(diversify(options(items, { n: 5, maxPerCategory: 1, maxPriceTierShare: 0.4 }))).toEqual([0, 1, 2, 4, 3]);
  });

  it('never caps items without a category or a price', () => {
    const items = ['/-1', '/-1', '/-1', 'a/0', '/-1', 'a/0', '/-1'];
    expect(diversify(options(items, { n: 6, maxPerCategory: 1, maxPriceTierShare: 0.34 }))).toEqual([0, 1, 2, 3, 4, 6]);
  });

  it('returns every candidate when n is larger than the candidates', () => {
    const items = ['a/0', 'a/0', 'a/0'];
    expect(diversify(options(items, { n: 10, maxPerCategory: 1, maxPriceTierShare: 0.34 }))).toEqual([0, 1, 2]);
    expect(diversify(options([], { n: 10, maxPerCategory: 1 }))).toEqual([]);
  });

  it('returns nothing for n = 0', () => {
    expect(diversify(options(['a/0', 'b/1'], { n: 0, maxPerCategory: 1 }))).toEqual([]);
  });

  it('follows the ranked order it is given, not the positions', () => {
    const base = options(['a/-1', 'a/-1', 'b/-1', 'a/-1'], { n: 3, maxPerCategory: 2 });
    expect(diversify({ ...base, ranked: [3, 1, 0, 2] })).toEqual([3, 1, 2]);
  });

  it('keeps the documented rule on random lists (checked by brute force over what is left out)', () => {
    const rng = seededRng(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
    for (let trial = 0; trial < 3000; trial++) {
      const items = Array.from({ length: Math.floor(rng() * 14) }, () => `${pick(['a', 'b', 'c', ''])}/${pick([-1, 0, 0, 1, 2])}`);
      const o = options(items, { n: Math.floor(rng() * 11), maxPerCategory: pick([null, 1, 2, 3]), maxPriceTierShare: pick([0.34, 0.5, 0.6, 1]) });
      const list = diversify(o);
      const what = JSON.stringify({ items, n: o.n, maxPerCategory: o.maxPerCategory, share: o.maxPriceTierShare, list });
      // The tier cap as the contract defines it: floor(n · share), at least 1; share 1 is no cap.
      const tierCap = o.maxPriceTierShare >= 1 ? Infinity : Math.max(1, Math.floor(o.n * o.maxPriceTierShare));
      const categoryCap = o.maxPerCategory ?? Infinity;
      expect(list, what).toHaveLength(Math.min(o.n, items.length));
      expect(new Set(list).size, what).toBe(list.length);
      const tiers = new Map<number, number>();
      const categories = new Map<string, number>();
      for (const p of list) {
        tiers.set(o.tierOf(p), (tiers.get(o.tierOf(p)) ?? 0) + 1);
        categories.set(o.categoryOf(p), (categories.get(o.categoryOf(p)) ?? 0) + 1);
      }
      const tierFull = (p: number) => o.tierOf(p) >= 0 && (tiers.get(o.tierOf(p)) ?? 0) >= tierCap;
      const categoryFull = (p: number) => o.categoryOf(p) !== '' && (categories.get(o.categoryOf(p)) ?? 0) >= categoryCap;
      const left = o.ranked.filter((p) => !list.includes(p));
      const tierOver = [0, 1, 2].some((t) => (tiers.get(t) ?? 0) > tierCap);
      const categoryOver = [...categories].some(([c, k]) => c !== '' && k > categoryCap);
      // No tier holds more than its share while an item of a tier with room (or without a price) is left.
      if (tierOver) for (const p of left) expect(tierFull(p), `${what}: ${items[p]} left out`).toBe(true);
      // No category holds more than its cap while an item that would break neither cap is left.
      if (categoryOver) for (const p of left) expect(categoryFull(p) || tierFull(p), `${what}: ${items[p]} left out`).toBe(true);
    }
  });
});
