import { describe, expect, it } from 'vitest';
import type { Filters } from '../contracts/recommendation.js';
import { buildCatalogIndex, type CatalogEntry } from './catalog-index.js';
import { compileFilters } from './serve.js';

const entry = (overrides: Partial<CatalogEntry> & { id: string }): CatalogEntry => ({
  name: overrides.id,
  categoryPath: [],
  brand: null,
  price: null,
  inStock: true,
  tags: [],
  createdAt: 0,
  ...overrides,
});

const catalog = buildCatalogIndex([
  entry({ id: 'mug', price: 8, categoryPath: ['Home', 'Kitchen', 'Mugs'], tags: ['Gift'] }),
  entry({ id: 'teapot', price: 20, categoryPath: ['Home', 'Kitchen'], tags: ['tea'] }),
  entry({ id: 'sold-out', price: 12, categoryPath: ['Home', 'Kitchen'], inStock: false }),
  entry({ id: 'rake', price: 35, categoryPath: ['Garden'], tags: ['gift', 'outdoor'] }),
  entry({ id: 'no-price', price: null, categoryPath: ['Home', 'Decor'] }),
  entry({ id: 'kite', price: 20.01, categoryPath: ['Toys'] }),
]);

const passing = (filters: Filters) => {
  const ok = compileFilters(filters, catalog);
  return catalog.entries.filter((_, i) => ok(i)).map((e) => e.id);
};

describe('compileFilters', () => {
  it('keeps only items in stock by default', () => {
    expect(passing({})).toEqual(['mug', 'teapot', 'rake', 'no-price', 'kite']);
    expect(passing({ inStock: true })).toEqual(['mug', 'teapot', 'rake', 'no-price', 'kite']);
    expect(passing({ inStock: false })).toEqual(['mug', 'teapot', 'sold-out', 'rake', 'no-price', 'kite']);
  });

  it('keeps prices within [priceMin, priceMax], both ends included, and drops unpriced items when either is set', () => {
    expect(passing({ priceMin: 8, priceMax: 20 })).toEqual(['mug', 'teapot']);
    expect(passing({ priceMin: 20 })).toEqual(['teapot', 'rake', 'kite']);
    expect(passing({ priceMax: 20, inStock: false })).toEqual(['mug', 'teapot', 'sold-out']);
    expect(passing({ priceMin: 0 })).not.toContain('no-price');
  });

  it('keeps items under one of the category prefixes, case-insensitively', () => {
    expect(passing({ categories: ['home > kitchen'] })).toEqual(['mug', 'teapot']);
    expect(passing({ categories: ['Garden', 'Toys'] })).toEqual(['rake', 'kite']);
    expect(passing({ categories: ['Kitchen'] })).toEqual([]);
  });

  it('drops items under an excluded category prefix', () => {
    expect(passing({ excludeCategories: ['Home'] })).toEqual(['rake', 'kite']);
    expect(passing({ categories: ['Home'], excludeCategories: ['Home > Kitchen > Mugs'] })).toEqual(['teapot', 'no-price']);
  });

  it('keeps items with one of the tags and drops items with an excluded tag, case-insensitively', () => {
    expect(passing({ tags: ['GIFT'] })).toEqual(['mug', 'rake']);
    expect(passing({ tags: ['gift', 'tea'] })).toEqual(['mug', 'teapot', 'rake']);
    expect(passing({ excludeTags: ['Outdoor'] })).toEqual(['mug', 'teapot', 'no-price', 'kite']);
    expect(passing({ tags: ['gift'], excludeTags: ['outdoor'] })).toEqual(['mug']);
  });

  it('drops excluded items by id', () => {
    expect(passing({ excludeItems: ['mug', 'kite', 'unknown'] })).toEqual(['teapot', 'rake', 'no-price']);
  });

  it('treats empty lists as no filter', () => {
    expect(passing({ categories: [], excludeCategories: [], tags: [], excludeTags: [], excludeItems: [] })).toEqual(passing({}));
  });

  it('applies every filter together', () => {
    expect(passing({ inStock: false, categories: ['Home'], priceMax: 15, excludeItems: ['mug'] })).toEqual(['sold-out']);
  });
});
