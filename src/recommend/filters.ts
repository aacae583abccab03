import type { Filters } from '../contracts/recommendation.js';
import type { CatalogIndex } from './catalog-index.js';

/**
 * A predicate over catalog positions for a set of filters (in stock by default).
 *
 * @example
 * const ok = compileFilters({ priceMax: 20, categories: ['Home'] }, catalog); ok(3);
 */
export function compileFilters(filters: Filters, catalog: CatalogIndex): (position: number) => boolean {
  const include = filters.categories === undefined || filters.categories.length === 0 ? null : catalog.matcher({ categories: filters.categories });
  const excludeCategory = filters.excludeCategories === undefined || filters.excludeCategories.length === 0 ? null : catalog.matcher({ categories: filters.excludeCategories });
  const tags = filters.tags === undefined || filters.tags.length === 0 ? null : catalog.matcher({ tags: filters.tags });
  const excludeTags = filters.excludeTags === undefined || filters.excludeTags.length === 0 ? null : catalog.matcher({ tags: filters.excludeTags });
  const excludeItems = new Set(filters.excludeItems ?? []);
  const inStock = filters.inStock ?? true;
  return (p) => {
    const e = catalog.entries[p]!;
    if (inStock && !e.inStock) return false;
    if (excludeItems.has(e.id)) return false;
    if (filters.priceMin !== undefined && (e.price === null || e.price < filters.priceMin)) return false;
    if (filters.priceMax !== undefined && (e.price === null || e.price > filters.priceMax)) return false;
    if (include !== null && !include(p)) return false;
    if (excludeCategory !== null && excludeCategory(p)) return false;
    if (tags !== null && !tags(p)) return false;
    if (excludeTags !== null && excludeTags(p)) return false;
    return true;
  };
}

/** Masks kept per catalog (a new catalog index gets new ones), by filters; at most this many per catalog. */
const MASKS_PER_CATALOG = 64;
const masks = new WeakMap<CatalogIndex, Map<string, Uint8Array>>();

/**
 * `compileFilters` worked out once for every position (1: passes), kept per catalog and set of
 * filters: a placement's filters are the same for all its requests, and serving checks an item
 * against them for each candidate it walks and each exploration candidate (a byte read instead
 * of the entry's fields and a look-up of its id).
 *
 * @example
 * const mask = filterMask(placement.filters, catalog); if (mask[p] === 1) …
 */
export function filterMask(filters: Filters, catalog: CatalogIndex): Uint8Array {
  let byKey = masks.get(catalog);
  if (byKey === undefined) masks.set(catalog, (byKey = new Map()));
  const key = JSON.stringify(filters);
  let mask = byKey.get(key);
  if (mask === undefined) {
    const test = compileFilters(filters, catalog);
    mask = new Uint8Array(catalog.size);
    for (let p = 0; p < catalog.size; p++) mask[p] = test(p) ? 1 : 0;
    if (byKey.size >= MASKS_PER_CATALOG) byKey.delete(byKey.keys().next().value as string);
    byKey.set(key, mask);
  }
  return mask;
}
