import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { buildConfig } from '../src/config/config.js';
import { createTailor, type Tailor } from '../src/main.js';
import { fileSource } from '../src/cli/file-source.js';
import { formatSummary, importCatalogFile, importOrdersCsv } from '../src/cli/importers.js';
import { ONLINE_RETAIL_MAPPING, orderCsvMappingSchema } from '../src/imports/order-rows.js';
import type { WorkspaceSettings } from '../src/contracts/workspace.js';
import { describeEachEngine, type EngineHandle } from './support/engines.js';
import { tempDir } from './support/temp-dir.js';

const HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';

describeEachEngine('order and catalog imports: what they keep and what they count', (engine) => {
  afterAll(() => engine.cleanup());
  const dir = tempDir('tailor-import-catalog-');
  let n = 0;
  const file = (lines: string[], ext = 'csv') => {
    const path = join(dir, `f${++n}.${ext}`);
    writeFileSync(path, lines.join('\n'));
    return path;
  };

  async function withTailor(settings: Partial<WorkspaceSettings>, body: (tailor: Tailor, workspace: Awaited<ReturnType<Tailor['workspaces']['createWorkspace']>>['workspace'], e: EngineHandle) => Promise<void>) {
    const store = await engine.open();
    const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store });
    try {
      const { workspace } = await tailor.workspaces.createWorkspace({ name: 'shop', jurisdiction: 'UK', settings });
      await body(tailor, workspace, engine);
    } finally {
      await tailor.close();
    }
  }

  it('adds the catalog items the order lines name that the catalog lacks, and never changes the ones it has (also on a re-run)', async () => {
    await withTailor({ defaultCurrency: 'GBP' }, async (tailor, workspace) => {
      await tailor.catalog.upsert(workspace.id, [{
        id: '85123A', name: 'White hanging heart T-light holder', category: 'Home > Candles', brand: 'Acme', price: 2.95, currency: 'GBP',
        tags: ['gift'], attributes: { colour: 'white' }, url: 'https://shop.example/85123A', image: 'https://shop.example/85123A.jpg', in_stock: false,
        created_at: '2009-05-01T00:00:00Z',
      }]);
      const before = await tailor.catalog.get(workspace.id, '85123A');
      const orders = file([
        HEADER,
        '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom',
        '536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom',
      ]);
      const args = { tailor, workspace, mapping: ONLINE_RETAIL_MAPPING, sourceName: 'online-retail', guests: 'skip' as const, catalog: true, quiet: true };
      const first = await importOrdersCsv({ ...args, source: await fileSource(orders), restart: false });
      expect(first.rejectedTotal).toBe(0);
      expect(await tailor.catalog.get(workspace.id, '85123A')).toEqual(before);
      expect(await tailor.catalog.get(workspace.id, '71053')).toMatchObject({ name: 'WHITE METAL LANTERN', price: 3.39, currency: 'GBP', inStock: true, categoryPath: [] });

      // The catalog import then gives the new item its real name and price; a re-run of the orders import keeps them.
      await importCatalogFile({ tailor, workspace, source: await fileSource(file(['id,name,price,currency,brand', '71053,White metal lantern,3.75,GBP,Acme'])), format: 'csv', restart: false, quiet: true });
      const lantern = await tailor.catalog.get(workspace.id, '71053');
      await importOrdersCsv({ ...args, source: await fileSource(orders), restart: true });
      expect(await tailor.catalog.get(workspace.id, '85123A')).toEqual(before);
      expect(await tailor.catalog.get(workspace.id, '71053')).toEqual(lantern);
      expect(lantern).toMatchObject({ name: 'White metal lantern', price: 3.75, brand: 'Acme' });
    });
  });

  it('counts only the orders it stored: a re-run reports duplicates, not new orders, returns or customers', async () => {
    await withTailor({ defaultCurrency: 'GBP' }, async (tailor, workspace) => {
      const orders = file([
        HEADER,
        '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom',
        '536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,17850.0,United Kingdom',
        'C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527.0,United Kingdom',
      ]);
      const args = { tailor, workspace, mapping: ONLINE_RETAIL_MAPPING, sourceName: 'online-retail', guests: 'skip' as const, catalog: false, quiet: true };
      const first = await importOrdersCsv({ ...args, source: await fileSource(orders), restart: false });
      expect([first.accepted, first.duplicates, first.extra]).toEqual([3, 0, { orders: 2, returns: 1, customers: 2 }]);
      const again = await importOrdersCsv({ ...args, source: await fileSource(orders), restart: true });
      expect([again.accepted, again.duplicates, again.extra]).toEqual([0, 3, { orders: 0, returns: 0, customers: 0 }]);
      expect(formatSummary(again).split('\n')[1]).toBe('  accepted 0, duplicates 3, orders 0, returns 0, customers 0');
    });
  });

  it("gives rows of a mapping without a currency the workspace's default currency, as live events get", async () => {
    await withTailor({ defaultCurrency: 'EUR' }, async (tailor, workspace) => {
      const mapping = orderCsvMappingSchema.parse({ orderId: 'order', itemId: 'sku', quantity: 'qty', unitPrice: 'price', placedAt: 'date', customerId: 'customer' });
      const orders = file(['order,sku,qty,price,date,customer', 'o-1,mug,2,4.5,2024-03-01 10:00:00,c-1']);
      const s = await importOrdersCsv({ tailor, workspace, source: await fileSource(orders), mapping, sourceName: 'orders', guests: 'skip', catalog: true, restart: false, quiet: true });
      expect(s.extra.orders).toBe(1);
      const row = await tailor.store.db.selectFrom('orders').select(['currency', 'revenue']).where('workspace_id', '=', workspace.id).where('order_id', '=', 'o-1').executeTakeFirstOrThrow();
      expect(row).toEqual({ currency: 'EUR', revenue: 9 });
      expect(await tailor.catalog.get(workspace.id, 'mug')).toMatchObject({ currency: 'EUR', price: 4.5 });
    });
  });

  it('reads Online Retail dates written 12/1/2010 8:26 and stores UK summer times as BST', async () => {
    await withTailor({ defaultCurrency: 'GBP' }, async (tailor, workspace) => {
      const orders = file([
        HEADER,
        '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850.0,United Kingdom',
        '555200,71459,HANGING JAM JAR T-LIGHT HOLDER,24,6/1/2011 12:05,0.85,17315.0,United Kingdom',
        '555201,22423,REGENCY CAKESTAND 3 TIER,1,2011-06-01 12:09:00,12.75,17315.0,United Kingdom',
      ]);
      const s = await importOrdersCsv({ tailor, workspace, source: await fileSource(orders), mapping: ONLINE_RETAIL_MAPPING, sourceName: 'online-retail', guests: 'skip', catalog: false, restart: false, quiet: true });
      expect(s.skipped).toEqual({});
      const rows = await tailor.store.db.selectFrom('orders').select(['order_id', 'placed_at']).where('workspace_id', '=', workspace.id).orderBy('order_id').execute();
      expect(rows.map((r) => [r.order_id, Number(r.placed_at)])).toEqual([
        ['536365', Date.parse('2010-12-01T08:26:00Z')],
        ['555200', Date.parse('2011-06-01T11:05:00Z')],
        ['555201', Date.parse('2011-06-01T11:09:00Z')],
      ]);
    });
  });

  it('keeps the stored created_at when the winning duplicate of a request gives none, whatever a losing duplicate gave', async () => {
    await withTailor({}, async (tailor, workspace) => {
      await tailor.catalog.upsert(workspace.id, [{ id: 'sku-1', name: 'first', created_at: '2020-01-01T00:00:00Z' }]);
      const r = await tailor.catalog.upsert(workspace.id, [{ id: 'sku-1', name: 'a', created_at: '2001-01-01T00:00:00Z' }, { id: 'sku-1', name: 'b' }]);
      expect(r).toEqual({ upserted: 1, rejected: [] });
      expect(await tailor.catalog.get(workspace.id, 'sku-1')).toMatchObject({ name: 'b', createdAt: Date.parse('2020-01-01T00:00:00Z') });
      // And the other way round: the winner's created_at is taken.
      await tailor.catalog.upsert(workspace.id, [{ id: 'sku-1', name: 'c' }, { id: 'sku-1', name: 'd', created_at: '2015-06-01T00:00:00Z' }]);
      expect(await tailor.catalog.get(workspace.id, 'sku-1')).toMatchObject({ name: 'd', createdAt: Date.parse('2015-06-01T00:00:00Z') });
    });
  });

  it('reads an attributes column as a JSON object and rejects a row whose attributes are not one', async () => {
    await withTailor({}, async (tailor, workspace) => {
      const items = file([
        'id,name,price,attributes',
        'mug-1,Mug,4.5,"{""colour"":""red"",""capacity_ml"":350}"',
        'mug-2,Mug,4.5,"[1,2]"',
        'mug-3,Mug,4.5,{not json',
        'mug-4,Mug,4.5,',
      ]);
      const s = await importCatalogFile({ tailor, workspace, source: await fileSource(items), format: 'csv', restart: false, quiet: true });
      expect(s.accepted).toBe(2);
      expect(s.rejected).toEqual([
        { row: 2, reason: 'attributes: expected a JSON object such as {"color":"red"}, got an array' },
        { row: 3, reason: expect.stringMatching(/^attributes: .*JSON/) },
      ]);
      expect(await tailor.catalog.get(workspace.id, 'mug-1')).toMatchObject({ attributes: { colour: 'red', capacity_ml: 350 } });
      expect(await tailor.catalog.get(workspace.id, 'mug-4')).toMatchObject({ attributes: {} });
      expect(await tailor.catalog.get(workspace.id, 'mug-2')).toBeNull();
    });
  });
});
