import { describe, expect, it } from 'vitest';
import { diversify, type DiversityOptions } from './diversity.js';

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

  it('fills a short list with deferred items in rank order, relaxing the tier cap before the category cap', () => {
    // Tier cap floor(4 · 0.5) = 2, one item per category. First pass: 0, 1; deferred 2 (tier), 3 (category), 4 (tier).
    // Tier cap relaxed: 2 and 4 fit their categories; 3 (category A again) only comes once the category cap goes too.
    const items = ['A/2', 'B/2', 'C/2', 'A/0', 'D/2'];
    expect(diversify(options(items, { n: 4, maxPerCategory: 1, maxPriceTierShare: 0.5 }))).toEqual([0, 1, 2, 4]);
    expect(diversify(options(items, { n: 5, maxPerCategory: 1, maxPriceTierShare: 0.5 }))).toEqual([0, 1, 2, 4, 3]);
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
});
