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

