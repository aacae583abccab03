import type { Kysely } from 'kysely';
import type { CatalogRepository } from '../../catalog/index.js';
import type { CatalogItem } from '../../contracts/catalog.js';
import { readJson } from '../../shared/json.js';
import type { Database } from '../schema.js';
import { chunkRows } from './chunk.js';

type Row = Database['catalog_items'] extends infer T ? { [K in keyof T]: unknown } : never;

const toItem = (r: Row): CatalogItem => ({
  id: r.item_id as string,
  name: r.name as string,
  categoryPath: readJson(r.category_path, []),
  brand: r.brand as string | null,
  price: r.price as number | null,
  currency: r.currency as string | null,
  tags: readJson(r.tags, []),
  attributes: readJson(r.attributes, {}),
  url: r.url as string | null,
  image: r.image_url as string | null,
  inStock: Number(r.in_stock) === 1,
  createdAt: r.created_at as number,
  updatedAt: r.updated_at as number,
});

const toRow = (ws: string, i: CatalogItem) => ({
  workspace_id: ws, item_id: i.id, name: i.name, category_path: JSON.stringify(i.categoryPath), brand: i.brand, price: i.price, currency: i.currency,
  tags: JSON.stringify(i.tags), attributes: JSON.stringify(i.attributes), url: i.url, image_url: i.image, in_stock: i.inStock ? 1 : 0,
  created_at: i.createdAt, updated_at: i.updatedAt,
});

/** CatalogRepository on Kysely (SQLite and PostgreSQL). */
export function catalogRepositorySql(db: Kysely<Database>, maxParameters: number): CatalogRepository {
  return {
    async upsert(ws, items, keepCreatedAt) {
      await db.transaction().execute(async (tx) => {
        // Two groups: items whose created_at was given take it; the others keep their original one.
        for (const explicit of [false, true]) {
          const group = items.filter((i) => keepCreatedAt.has(i.id) !== explicit);
          for (const chunk of chunkRows(group, 14, maxParameters)) {
            await tx.insertInto('catalog_items')
              .values(chunk.map((i) => toRow(ws, i)))
              .onConflict((oc) => oc.columns(['workspace_id', 'item_id']).doUpdateSet((eb) => ({
                name: eb.ref('excluded.name'), category_path: eb.ref('excluded.category_path'), brand: eb.ref('excluded.brand'), price: eb.ref('excluded.price'),
                currency: eb.ref('excluded.currency'), tags: eb.ref('excluded.tags'), attributes: eb.ref('excluded.attributes'), url: eb.ref('excluded.url'),
                image_url: eb.ref('excluded.image_url'), in_stock: eb.ref('excluded.in_stock'), updated_at: eb.ref('excluded.updated_at'),
                ...(explicit ? { created_at: eb.ref('excluded.created_at') } : {}),
              })))
              .execute();
          }
        }
      });
    },
    async insertMissing(ws, items) {
      // One statement per chunk; an id already stored is left alone (ON CONFLICT DO NOTHING).
      let inserted = 0;
      for (const chunk of chunkRows(items, 14, maxParameters)) {
        const r = await db.insertInto('catalog_items').values(chunk.map((i) => toRow(ws, i)))
          .onConflict((oc) => oc.columns(['workspace_id', 'item_id']).doNothing())
          .executeTakeFirst();
        inserted += Number(r.numInsertedOrUpdatedRows ?? 0);
      }
      return inserted;
    },
    async get(ws, itemId) {
      const r = await db.selectFrom('catalog_items').selectAll().where('workspace_id', '=', ws).where('item_id', '=', itemId).executeTakeFirst();
      return r === undefined ? null : toItem(r as Row);
    },
    async list(ws, page) {
      let q = db.selectFrom('catalog_items').selectAll().where('workspace_id', '=', ws);
      if (page.after !== undefined) q = q.where('item_id', '>', page.after);
      const rows = await q.orderBy('item_id').limit(page.limit).execute();
      return rows.map((r) => toItem(r as Row));
    },
    async count(ws) {
      const r = await db.selectFrom('catalog_items').select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', ws).executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
