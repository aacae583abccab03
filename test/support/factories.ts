import type { Store } from '../../src/store/store.js';
import { ingestRepositorySql } from '../../src/store/repositories/ingest-repository-sql.js';
import { workspaceRepositorySql } from '../../src/store/repositories/workspace-repository-sql.js';
import { createIngestService } from '../../src/ingest/index.js';
import { createWorkspaceService } from '../../src/workspaces/index.js';
import { fixedClock } from '../../src/shared/clock.js';
import { cryptoIds } from '../../src/shared/ids.js';
import { fileSource } from '../../src/cli/file-source.js';
import { importOrdersCsv } from '../../src/cli/importers.js';
import { bundledDemoFile } from '../../src/cli/main.js';
import { ONLINE_RETAIL_MAPPING } from '../../src/imports/order-rows.js';
import type { Tailor } from '../../src/main.js';
import type { Workspace } from '../../src/workspaces/index.js';

let counter = 0;

/** A Segment track message with overrides (Segment-spec factories, as Dittofeed's tests have). */
export function trackMessage(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return { type: 'track', messageId: `msg-${counter}-${Math.random().toString(36).slice(2)}`, userId: `user-${counter}`, event: 'Product Viewed', properties: { product_id: 'p1' }, timestamp: '2024-03-01T10:00:00.000Z', ...overrides };
}

export function identifyMessage(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return { type: 'identify', messageId: `msg-${counter}-${Math.random().toString(36).slice(2)}`, userId: `user-${counter}`, traits: {}, timestamp: '2024-03-01T10:00:00.000Z', ...overrides };
}

export function orderCompleted(overrides: Record<string, unknown> = {}, properties: Record<string, unknown> = {}): Record<string, unknown> {
  return trackMessage({ event: 'Order Completed', properties: { order_id: `o-${++counter}`, revenue: 30, currency: 'GBP', products: [{ product_id: 'sku-1', price: 10, quantity: 3, category: 'Kitchen' }], ...properties }, ...overrides });
}

/** Services over an open store with a test clock. */
export async function servicesFor(store: Store, start = Date.parse('2024-03-02T00:00:00Z')) {
  const clock = fixedClock(start);
  const ids = cryptoIds();
  const workspaces = createWorkspaceService({ repository: workspaceRepositorySql(store), clock, ids });
  const ingest = createIngestService({ repository: ingestRepositorySql(store), clock, ids });
  const created = await workspaces.createWorkspace({ name: 'Test shop', jurisdiction: 'EU' });
  return { clock, ids, workspaces, ingest, ...created };
}

/** Imports the bundled Online Retail excerpt into a workspace (orders, returns and catalog items), as `tailor demo` does. */
export async function importDemoOrders(tailor: Tailor, workspace: Workspace) {
  return importOrdersCsv({ tailor, workspace, source: await fileSource(bundledDemoFile()), mapping: ONLINE_RETAIL_MAPPING, sourceName: 'online-retail', guests: 'skip', catalog: true, restart: false, quiet: true });
}
