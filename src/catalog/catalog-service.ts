import { catalogItemInputSchema, type CatalogItem } from '../contracts/catalog.js';
import { describeIssues } from '../contracts/segment.js';
import type { Clock } from '../shared/clock.js';
import type { CatalogRepository } from './catalog-repository.js';
import { parseIsoDate } from '../shared/iso-date.js';

export interface CatalogRejection {
  index: number;
  id: string | null;
  reason: string;
}

/** Parses raw items; the last item with an id wins, and `explicitCreated` says whether that winner gave a `created_at`. */
function validate(raw: readonly unknown[], now: number): { items: CatalogItem[]; explicitCreated: Set<string>; rejected: CatalogRejection[] } {
  const rejected: CatalogRejection[] = [];
  const byId = new Map<string, CatalogItem>();
  const explicitCreated = new Set<string>();
  raw.forEach((item, index) => {
    const parsed = catalogItemInputSchema.safeParse(item);
    if (!parsed.success) {
      const id = typeof item === 'object' && item !== null && 'id' in item ? String((item as { id: unknown }).id).slice(0, 256) : null;
      rejected.push({ index, id, reason: describeIssues(parsed.error) });
      return;
    }
    const p = parsed.data;
    // The winner alone decides: a later duplicate without created_at undoes an earlier one's.
    if (p.created_at === undefined) explicitCreated.delete(p.id);
    else explicitCreated.add(p.id);
    byId.set(p.id, {
      id: p.id, name: p.name, categoryPath: p.category, brand: p.brand ?? null, price: p.price ?? null, currency: p.currency ?? null,
      tags: p.tags, attributes: p.attributes, url: p.url ?? null, image: p.image ?? null, inStock: p.in_stock,
      createdAt: p.created_at === undefined ? now : parseIsoDate(p.created_at)!, updatedAt: now,
    });
  });
  return { items: [...byId.values()], explicitCreated, rejected };
}

/**
 * Catalog items: bulk upsert (or add only the missing ones) with a per-item report, get, list in id order.
 *
 * @example
 * const catalog = createCatalogService({ repository, clock });
 * await catalog.upsert(workspaceId, [{ id: 'sku-1', name: 'Mug', category: 'Home > Kitchen', price: 4.5 }]);
 */
export function createCatalogService(deps: { repository: CatalogRepository; clock: Clock; onChanged?: (workspaceId: string) => void }) {
  const { repository, clock } = deps;
  return {
    /**
     * Validates each item; valid ones are upserted (replacing every field of a stored item),
     * invalid ones reported by index. A later duplicate id in the same call wins, whole: its
     * `created_at`, or its lack of one (the stored item's is then kept), decides.
     */
    async upsert(workspaceId: string, raw: readonly unknown[]): Promise<{ upserted: number; rejected: CatalogRejection[] }> {
      const { items, explicitCreated, rejected } = validate(raw, clock.now());
      const keep = new Set(items.filter((i) => !explicitCreated.has(i.id)).map((i) => i.id));
      if (items.length > 0) {
        await repository.upsert(workspaceId, items, keep);
        deps.onChanged?.(workspaceId);
      }
      return { upserted: items.length, rejected };
    },
    /**
     * Validates each item as `upsert` does and stores those the catalog does not have yet;
     * items already there are left exactly as they are. For sources that know less about an
     * item than the catalog (order lines: an id, a name, a price), which must not overwrite it.
     */
    async addMissing(workspaceId: string, raw: readonly unknown[]): Promise<{ added: number; rejected: CatalogRejection[] }> {
      const { items, rejected } = validate(raw, clock.now());
      const added = items.length === 0 ? 0 : await repository.insertMissing(workspaceId, items);
      if (added > 0) deps.onChanged?.(workspaceId);
      return { added, rejected };
    },
    get: (workspaceId: string, itemId: string) => repository.get(workspaceId, itemId),
    async list(workspaceId: string, page: { limit?: number | undefined; cursor?: string | undefined }) {
      const limit = Math.min(Math.max(page.limit ?? 50, 1), 200);
      const items = await repository.list(workspaceId, { limit: limit + 1, after: page.cursor });
      const more = items.length > limit;
      const out = items.slice(0, limit);
      return { items: out, nextCursor: more ? out.at(-1)!.id : null };
    },
    count: (workspaceId: string) => repository.count(workspaceId),
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;
