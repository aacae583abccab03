import type { CatalogEntry } from '../../src/recommend/catalog-index.js';

/** A catalog entry for the recommendation unit tests: in stock, no price, brand, tags or category unless given. */
export function catalogEntry(overrides: Partial<CatalogEntry> & { id: string }): CatalogEntry {
  return { name: overrides.id, categoryPath: [], brand: null, price: null, inStock: true, tags: [], createdAt: 0, ...overrides };
}
