import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { CatalogService } from '../catalog/index.js';
import { catalogUpsertSchema, MAX_CATALOG_ITEMS_PER_REQUEST } from '../contracts/catalog.js';
import { ClientError } from '../shared/errors.js';
import type { WorkspaceService } from '../workspaces/index.js';
import { requireAdmin, type RateLimits } from './auth.js';
import { errorBodySchema } from './ingest-routes.js';

const errors = {
  400: { description: 'Invalid request', content: { 'application/json': { schema: errorBodySchema } } },
  401: { description: 'Missing, unknown or revoked key', content: { 'application/json': { schema: errorBodySchema } } },
  403: { description: 'Admin key required', content: { 'application/json': { schema: errorBodySchema } } },
  404: { description: 'Not found in this workspace', content: { 'application/json': { schema: errorBodySchema } } },
} as const;
const security = [{ adminKey: [] }];
const itemSchema = z.object({
  id: z.string(), name: z.string(), categoryPath: z.array(z.string()), brand: z.string().nullable(), price: z.number().nullable(), currency: z.string().nullable(),
  tags: z.array(z.string()), attributes: z.record(z.string(), z.unknown()), url: z.string().nullable(), image: z.string().nullable(), inStock: z.boolean(), createdAt: z.number(), updatedAt: z.number(),
});

/** Catalog API: bulk upsert, get, list. */
export function registerCatalogRoutes(app: OpenAPIHono, deps: { workspaces: WorkspaceService; catalog: CatalogService; limits: RateLimits; now: () => number }): void {
  app.openapi(createRoute({
    method: 'post', path: '/v1/catalog/items', tags: ['catalog'], security,
    summary: `Bulk upsert up to ${MAX_CATALOG_ITEMS_PER_REQUEST} items; each item as in docs/api.md "Catalog items"; invalid items are reported by index, valid ones stored`,
    request: { body: { content: { 'application/json': { schema: catalogUpsertSchema } }, required: true } },
    responses: { 200: { description: 'Upserted', content: { 'application/json': { schema: z.object({ upserted: z.number(), rejected: z.array(z.object({ index: z.number(), id: z.string().nullable(), reason: z.string() })) }) } } }, ...errors },
  }), async (c) => {
    const { workspace } = await requireAdmin(deps, c);
    const r = await deps.catalog.upsert(workspace.id, c.req.valid('json').items);
    if (r.upserted === 0) throw new ClientError('bad_request', `no valid item; first: [${r.rejected[0]?.index}] ${r.rejected[0]?.reason}`, { details: r });
    return c.json(r, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/v1/catalog/items', tags: ['catalog'], security, summary: 'List items in id order, paged',
    request: { query: z.object({ limit: z.coerce.number().int().min(1).max(200).optional(), cursor: z.string().max(256).optional() }) },
    responses: { 200: { description: 'A page of items', content: { 'application/json': { schema: z.object({ items: z.array(itemSchema), nextCursor: z.string().nullable() }) } } }, ...errors },
  }), async (c) => {
    const { workspace } = await requireAdmin(deps, c);
    return c.json(await deps.catalog.list(workspace.id, c.req.valid('query')), 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/v1/catalog/items/{itemId}', tags: ['catalog'], security, summary: 'One item',
    request: { params: z.object({ itemId: z.string().min(1).max(256) }) },
    responses: { 200: { description: 'The item', content: { 'application/json': { schema: itemSchema } } }, ...errors },
  }), async (c) => {
    const { workspace } = await requireAdmin(deps, c);
    const item = await deps.catalog.get(workspace.id, c.req.valid('param').itemId);
    if (item === null) throw new ClientError('not_found', 'no such item in this workspace');
    return c.json(item, 200);
  });
}
