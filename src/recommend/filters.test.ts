import { describe, expect, it } from 'vitest';
import { buildCatalogIndex, type CatalogEntry } from './catalog-index.js';
import { compileFilters, filterMask } from './filters.js';

const item = (id: string, over: Partial<CatalogEntry>): CatalogEntry => ({ id, name: id, categoryPath: ['Home'], brand: null, price: 10, inStock: true, tags: [], createdAt: 0, ...over });

describe('filterMask', () => {
  const entries = [
    item('a', {}), item('b', { inStock: false }), item('c', { price: 30, tags: ['gift'] }), item('d', { categoryPath: ['Garden', 'Tools'], price: null }),
    item('e', { categoryPath: ['Home', 'Kitchen'], tags: ['gift'], price: 5 }), item('f', { price: 19.99 }),
  ];
  const catalog = buildCatalogIndex(entries);
  const cases = [{}, { inStock: false }, { priceMax: 20 }, { priceMin: 6, priceMax: 25 }, { categories: ['Home'] }, { excludeCategories: ['Home > Kitchen'] }, { tags: ['gift'] }, { excludeTags: ['gift'], excludeItems: ['f'] }];

  it('says of every position what the compiled filters say', () => {
    for (const filters of cases) {
      const test = compileFilters(filters, catalog);
      const mask = filterMask(filters, catalog);
      expect([...mask].map((v) => v === 1), JSON.stringify(filters)).toEqual(entries.map((_, p) => test(p)));
    }
    expect([...filterMask({ priceMax: 20 }, catalog)]).toEqual([1, 0, 0, 0, 1, 1]);
  });

  it('is made once per catalog and filters, and again for a new catalog', () => {
    expect(filterMask({ tags: ['gift'] }, catalog)).toBe(filterMask({ tags: ['gift'] }, catalog));
    expect(filterMask({ tags: ['gift'] }, catalog)).not.toBe(filterMask({ tags: ['sale'] }, catalog));
    const restocked = buildCatalogIndex(entries.map((e) => ({ ...e, inStock: true })));
    expect([...filterMask({}, restocked)]).toEqual([1, 1, 1, 1, 1, 1]);
    expect([...filterMask({}, catalog)]).toEqual([1, 0, 1, 1, 1, 1]);
  });
});
