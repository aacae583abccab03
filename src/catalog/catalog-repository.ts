import type { CatalogItem } from '../contracts/catalog.js';

/** Storage port of the catalog. */
export interface CatalogRepository {
  /** Inserts or replaces items; an existing item keeps its original `createdAt` unless one is given. */
  upsert(workspaceId: string, items: readonly CatalogItem[], keepCreatedAt: ReadonlySet<string>): Promise<void>;
  /** Inserts the items the workspace does not have yet, leaving existing ones untouched; returns how many were inserted. */
  insertMissing(workspaceId: string, items: readonly CatalogItem[]): Promise<number>;
  get(workspaceId: string, itemId: string): Promise<CatalogItem | null>;
  list(workspaceId: string, page: { limit: number; after?: string | undefined }): Promise<CatalogItem[]>;
  count(workspaceId: string): Promise<number>;
}
