import { describe, expect, it } from 'vitest';
import type { ItemMatch } from '../contracts/recommendation.js';
import { buildCatalogIndex, computePriceTiers, normalizeText, type CatalogIndex } from './catalog-index.js';
import { catalogEntry as entry } from '../../test/support/catalog-entry.js';

const tiersOf = (catalog: CatalogIndex) => Object.fromEntries(catalog.entries.map((e, i) => [e.id, catalog.priceTier[i]]));
const matching = (catalog: CatalogIndex, match: ItemMatch) => {
  const test = catalog.matcher(match);
  return catalog.entries.filter((_, i) => test(i)).map((e) => e.id);
};
const phraseIds = (catalog: CatalogIndex, text: string) => [...catalog.phrase(text)].map((i) => catalog.entries[i]!.id);

describe('computePriceTiers', () => {
  it('cuts at the type-7 quantiles, which interpolate between neighbours', () => {
    // numpy.quantile([3, 5, 8, 13, 21, 34, 55, 89], [1/3, 2/3]) (method 'linear', R type 7) = [9.667, 29.667].
    // Type 6 ('weibull') would give [8, 34] and put 34 in the middle third: 34 being high tells them apart.
    const prices = [34, 3, 89, 13, 8, 55, 21, 5];
    const tiers = computePriceTiers(prices.map((price, i) => entry({ id: `p${i}`, price })), () => 'all');
    const byPrice = Object.fromEntries(prices.map((p, i) => [p, tiers[i]]));
    expect(byPrice).toEqual({ 3: 0, 5: 0, 8: 0, 13: 1, 21: 1, 34: 2, 55: 2, 89: 2 });
  });

  it('puts a price equal to a cut point in the lower tier', () => {
    // numpy.quantile([7, 9, 12, 18, 25, 30, 40], [1/3, 2/3]) = [12, 25]: (n − 1)·q is a whole number, the cuts are items.
    const prices = [7, 9, 12, 18, 25, 30, 40];
    const tiers = computePriceTiers(prices.map((price, i) => entry({ id: `p${i}`, price })), () => 'all');
    expect([...tiers]).toEqual([0, 0, 0, 1, 1, 2, 2]);
  });

  it('gives -1 to items without a finite price and leaves them out of the quantiles', () => {
    const items = [entry({ id: 'a', price: 7 }), entry({ id: 'none' }), entry({ id: 'inf', price: Infinity }), entry({ id: 'b', price: 9 }), entry({ id: 'c', price: 12 }), entry({ id: 'nan', price: NaN }), entry({ id: 'd', price: 18 }), entry({ id: 'e', price: 25 }), entry({ id: 'f', price: 30 }), entry({ id: 'g', price: 40 })];
    // The priced items are those of the previous test: cuts 12 and 25.
    expect([...computePriceTiers(items, () => 'all')]).toEqual([0, -1, -1, 0, 0, -1, 1, 1, 2, 2]);
  });

  it('gives an empty catalog no tiers and a single priced item the low tier', () => {
    expect(computePriceTiers([], () => 'all')).toHaveLength(0);
    expect([...computePriceTiers([entry({ id: 'a', price: 5 })], () => 'all')]).toEqual([0]);
  });
});

describe('buildCatalogIndex price tiers', () => {
  // Kitchen: six priced items (numpy.quantile([100, 110, 120, 130, 140, 150], [1/3, 2/3]) = [116.67, 133.33]),
  // under several spellings of the same first two levels. Toys: five priced items, too few, so
  // the whole catalog's cuts apply: numpy.quantile([1, 2, 3, 100, 110, 120, 130, 140, 150, 200, 300],
  // [1/3, 2/3]) = [103.33, 136.67]. (Toys' own cuts would be [2.33, 134.33] and make `toy-3` mid.)
  const catalog = buildCatalogIndex([
    entry({ id: 'k100', price: 100, categoryPath: ['Home', 'Kitchen', 'Mugs'] }),
    entry({ id: 'k110', price: 110, categoryPath: ['home', ' KITCHEN '] }),
    entry({ id: 'k120', price: 120, categoryPath: ['Home', 'Kitchen', 'Teapots'] }),
    entry({ id: 'k130', price: 130, categoryPath: ['Home', 'Kitchen'] }),
    entry({ id: 'k140', price: 140, categoryPath: ['Home', 'Kitchen', 'Knives', 'Chef'] }),
    entry({ id: 'k150', price: 150, categoryPath: ['Home', 'Kitchen'] }),
    entry({ id: 'k-none', price: null, categoryPath: ['Home', 'Kitchen'] }),
    entry({ id: 'toy-1', price: 1, categoryPath: ['Toys'] }),
    entry({ id: 'toy-2', price: 2, categoryPath: ['Toys'] }),
    entry({ id: 'toy-3', price: 3, categoryPath: ['Toys'] }),
    entry({ id: 'toy-200', price: 200, categoryPath: ['Toys'] }),
    entry({ id: 'toy-300', price: 300, categoryPath: ['Toys'] }),
    entry({ id: 'toy-none', price: null, categoryPath: ['Toys'] }),
  ]);

  it('takes thirds within a category of six or more priced items (first two path levels, any case)', () => {
    // With the whole catalog's cuts k110 would be mid (110 > 103.33): low shows the category's own cuts.
    expect(tiersOf(catalog)).toMatchObject({ k100: 0, k110: 0, k120: 1, k130: 1, k140: 2, k150: 2, 'k-none': -1 });
  });

  it('falls back to the whole catalog for a category with fewer than six priced items', () => {
    // Five priced toys (the unpriced one does not count): global cuts 103.33 and 136.67.
    expect(tiersOf(catalog)).toMatchObject({ 'toy-1': 0, 'toy-2': 0, 'toy-3': 0, 'toy-200': 2, 'toy-300': 2, 'toy-none': -1 });
  });
});

describe('categoryKey', () => {
  const catalog = buildCatalogIndex([
    entry({ id: 'mug', categoryPath: ['Home', ' Kitchen ', 'Mugs'] }),
    entry({ id: 'none' }),
    entry({ id: 'gaps', categoryPath: ['Garden', '', '  ', 'Tools'] }),
  ]);

  it('cuts the lower-cased path to the level and joins it with " > "', () => {
    expect([1, 2, 3, 5].map((level) => catalog.categoryKey(0, level))).toEqual(['home', 'home > kitchen', 'home > kitchen > mugs', 'home > kitchen > mugs']);
  });

  it('is empty for an item without a category, level 0 or an unknown position, and skips blank levels', () => {
    expect(catalog.categoryKey(1, 2)).toBe('');
    expect(catalog.categoryKey(0, 0)).toBe('');
    expect(catalog.categoryKey(99, 2)).toBe('');
    expect(catalog.categoryKey(2, 2)).toBe('garden > tools');
  });
});

describe('matcher', () => {
  const catalog = buildCatalogIndex([
    entry({ id: 'mug-blue', name: 'Big Blue Mug', categoryPath: ['Home', 'Kitchen', 'Mugs'], brand: 'Acme', tags: ['Gift', ' Summer '] }),
    entry({ id: 'mugs-set', name: 'Blue mugs set', categoryPath: ['Home', 'Kitchen'], brand: 'Acme Co', tags: ['gift set'] }),
    entry({ id: 'teapot', name: 'Blue big teapot', categoryPath: ['Home', 'Kitchenware'] }),
    entry({ id: 'card', name: 'Card holder', categoryPath: ['Office'], brand: ' ACME ', tags: ['gift'] }),
    entry({ id: 'poster', name: 'Smug cat poster', tags: ['low sugar'] }),
  ]);

  it('matches tags whole and case-insensitively', () => {
    expect(matching(catalog, { tags: ['GIFT'] })).toEqual(['mug-blue', 'card']);
    expect(matching(catalog, { tags: ['summer'] })).toEqual(['mug-blue']);
    expect(matching(catalog, { tags: ['set'] })).toEqual([]);
  });

  it('matches category paths by whole-level prefix, case-insensitively', () => {
    expect(matching(catalog, { categories: ['home > kitchen'] })).toEqual(['mug-blue', 'mugs-set']);
    expect(matching(catalog, { categories: ['HOME'] })).toEqual(['mug-blue', 'mugs-set', 'teapot']);
    expect(matching(catalog, { categories: ['Home>Kitchen>Mugs'] })).toEqual(['mug-blue']);
    // Not a prefix of whole levels, not from the top, or longer than the path.
    expect(matching(catalog, { categories: ['Home > Kitch'] })).toEqual([]);
    expect(matching(catalog, { categories: ['Kitchen'] })).toEqual([]);
    expect(matching(catalog, { categories: ['Home > Kitchen > Mugs > Large'] })).toEqual([]);
  });

  it('matches brands whole and case-insensitively, and item ids exactly', () => {
    expect(matching(catalog, { brands: ['acme'] })).toEqual(['mug-blue', 'card']);
    expect(matching(catalog, { items: ['teapot', 'unknown'] })).toEqual(['teapot']);
    expect(matching(catalog, { items: ['TEAPOT'] })).toEqual([]);
  });

  it('matches whole words of the name, not parts of words', () => {
    expect(matching(catalog, { words: ['mug'] })).toEqual(['mug-blue']);
    expect(matching(catalog, { words: ['BLUE'] })).toEqual(['mug-blue', 'mugs-set', 'teapot']);
    // A word of a tag, the category or the brand is not a word of the name.
    expect(matching(catalog, { words: ['gift'] })).toEqual([]);
    expect(matching(catalog, { words: ['kitchen'] })).toEqual([]);
  });

  it('matches a multi-word phrase as consecutive words of the name', () => {
    expect(matching(catalog, { words: ['blue mug'] })).toEqual(['mug-blue']);
    expect(matching(catalog, { words: ['Big  Blue!'] })).toEqual(['mug-blue']);
    // "Blue big teapot" has both words, not the phrase; "low sugar" is a tag of the poster, not its name.
    expect(matching(catalog, { words: ['big blue'] })).not.toContain('teapot');
    expect(matching(catalog, { words: ['low sugar'] })).toEqual([]);
  });

  it('matches an item that matches any value of any field', () => {
    expect(matching(catalog, { tags: ['summer'], items: ['card'], words: ['teapot'] })).toEqual(['mug-blue', 'teapot', 'card']);
  });

  it('compiles a match once (same JSON, same predicate)', () => {
    expect(catalog.matcher({ tags: ['gift'] })).toBe(catalog.matcher({ tags: ['gift'] }));
  });
});

describe('phrase', () => {
  const catalog = buildCatalogIndex([
    entry({ id: 'mug-blue', name: 'Big Blue Mug', categoryPath: ['Home', 'Kitchen', 'Mugs'], brand: 'Acme', tags: ['Gift', 'Summer'] }),
    entry({ id: 'mugs-set', name: 'Blue mugs set', categoryPath: ['Home', 'Kitchen'], brand: 'Acme Co', tags: ['gift set'] }),
    entry({ id: 'teapot', name: 'Blue big teapot', categoryPath: ['Home', 'Kitchenware'] }),
    entry({ id: 'card', name: 'Card holder', categoryPath: ['Office'], tags: ['gift'] }),
    entry({ id: 'poster', name: 'Smug cat poster', tags: ['low sugar'] }),
    entry({ id: 'dessert', name: 'Crème brûlée set' }),
  ]);

  it('finds whole words in tags, category, brand and name', () => {
    expect(phraseIds(catalog, 'gift')).toEqual(['mug-blue', 'mugs-set', 'card']);
    expect(phraseIds(catalog, 'kitchen')).toEqual(['mug-blue', 'mugs-set']);
    expect(phraseIds(catalog, 'acme')).toEqual(['mug-blue', 'mugs-set']);
    expect(phraseIds(catalog, 'mug')).toEqual(['mug-blue']);
  });

  it('finds multi-word phrases as consecutive whole words, normalized like the catalog', () => {
    expect(phraseIds(catalog, 'Low-Sugar')).toEqual(['poster']);
    expect(phraseIds(catalog, 'gift set')).toEqual(['mugs-set']);
    expect(phraseIds(catalog, 'big blue')).toEqual(['mug-blue']);
    expect(phraseIds(catalog, 'blue mug')).toEqual(['mug-blue']);
    expect(phraseIds(catalog, 'crème brûlée')).toEqual(['dessert']);
  });

  it('does not match parts of words', () => {
    expect(phraseIds(catalog, 'mu')).toEqual([]);
    expect(phraseIds(catalog, 'blue mu')).toEqual([]);
    expect(phraseIds(catalog, 'creme brulee')).toEqual([]);
    expect(phraseIds(catalog, 'kitchenwar')).toEqual([]);
  });

  it('does not match a phrase spanning two fields', () => {
    // mug-blue's brand "Acme" is followed by its name "Big Blue Mug"; its tags "Gift", "Summer" by its category.
    expect(phraseIds(catalog, 'acme big')).toEqual([]);
    expect(phraseIds(catalog, 'summer home')).toEqual([]);
    expect(phraseIds(catalog, 'gift summer')).toEqual([]);
  });

  it('returns nothing for an empty or unknown phrase', () => {
    expect(catalog.phrase('  !? ')).toHaveLength(0);
    expect(catalog.phrase('zebra')).toHaveLength(0);
    expect(catalog.phrase('blue zebra')).toHaveLength(0);
  });

  it('caches by the normalized phrase, and still answers once the cache has turned over', () => {
    const first = catalog.phrase('Blue Mug');
    expect(catalog.phrase('blue   mug!')).toBe(first);
    for (let k = 0; k < 2100; k++) catalog.phrase(`word${k}`);
    const again = catalog.phrase('blue mug');
    expect(again).not.toBe(first);
    expect([...again]).toEqual([...first]);
  });
});

describe('normalizeText and tagsOf', () => {
  it('lower-cases, keeps accents and non-Latin letters, and turns everything else into single spaces', () => {
    expect(normalizeText('  Crème-BRÛLÉE, 2 × 咖啡!  ')).toBe('crème brûlée 2 咖啡');
  });

  it('keeps tags trimmed and lower-cased, without blanks', () => {
    const catalog = buildCatalogIndex([entry({ id: 'a', tags: [' Gift ', '', 'SUMMER'] })]);
    expect(catalog.tagsOf(0)).toEqual(['gift', 'summer']);
    expect(catalog.tagsOf(5)).toEqual([]);
  });
});
