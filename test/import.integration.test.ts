import { afterAll, expect, it } from 'vitest';
import { describeEachEngine } from './support/engines.js';
import { buildConfig } from '../src/config/config.js';
import { createTailor } from '../src/main.js';
import { fileSource } from '../src/cli/file-source.js';
import { formatSummary, importCatalogFile, importEventsJsonl, importOrdersCsv } from '../src/cli/importers.js';
import { ONLINE_RETAIL_MAPPING } from '../src/imports/order-rows.js';
import { bundledDemoFile } from '../src/cli/main.js';
import { writeFileSync } from 'node:fs';
import { importDemoOrders } from './support/factories.js';
import { tempDir } from './support/temp-dir.js';
import { join } from 'node:path';

// Expected values computed independently from data/online-retail-sample.csv.gz with a
// standalone Python script (csv + gzip modules): rows with a customer id, price > 0,
// quantity ≠ 0, negative quantities only on C-invoices, A-invoices excluded.
const EXPECTED = { orders: 1710, returns: 300, customers: 445, catalogItems: 2867, net17850: 5288.63, orders17850: 34, returns17850: 1, net12680: 862.81 };

describeEachEngine('order import (Online Retail excerpt)', (engine) => {
  afterAll(() => engine.cleanup());
  const catalogDir = tempDir('tailor-catalog-');
  const eventsDir = tempDir('tailor-events-');

  it('imports orders, returns, customers and catalog items, and reports what it skipped', async () => {
    const store = await engine.open();
    const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store });
    try {
      const { workspace } = await tailor.workspaces.createWorkspace({ name: 'retail', jurisdiction: 'UK', settings: { defaultCurrency: 'GBP' } });
      const s = await importDemoOrders(tailor, workspace);
      expect(s.extra).toEqual({ orders: EXPECTED.orders, returns: EXPECTED.returns, customers: EXPECTED.customers });
      expect(s.skipped.missing_customer_id!.count).toBe(1500);
      expect(s.skipped.not_a_sale!.count).toBe(3);
      expect(s.rejectedTotal).toBe(0);
      expect(await tailor.profiles.count(workspace.id)).toBe(EXPECTED.customers);
      expect(await tailor.catalog.count(workspace.id)).toBe(EXPECTED.catalogItems);

      const rows = await store.db.selectFrom('orders').innerJoin('identities', (j) => j.onRef('identities.profile_id', '=', 'orders.profile_id').on('identities.type', '=', 'user_id'))
        .select(['identities.value as customer', 'orders.kind', 'orders.revenue']).where('identities.value', 'in', ['17850', '12680']).execute();
      const net = (c: string) => Math.round(rows.filter((r) => r.customer === c).reduce((a, r) => a + r.revenue, 0) * 100) / 100;
      expect(net('17850')).toBe(EXPECTED.net17850);
      expect(net('12680')).toBe(EXPECTED.net12680);
      expect(rows.filter((r) => r.customer === '17850' && r.kind === 'order')).toHaveLength(EXPECTED.orders17850);
      expect(rows.filter((r) => r.customer === '17850' && r.kind === 'return')).toHaveLength(EXPECTED.returns17850);

      // Importing the same file again stores nothing twice.
      const again = await importOrdersCsv({ tailor, workspace, source: await fileSource(bundledDemoFile()), mapping: ONLINE_RETAIL_MAPPING, sourceName: 'online-retail', guests: 'skip', catalog: false, restart: true, quiet: true });
      expect(again.accepted).toBe(0);
      expect(again.duplicates).toBe(EXPECTED.orders + EXPECTED.returns);
    } finally {
      await tailor.close();
    }
  }, 120_000);

  it('resumes an interrupted import from its last checkpoint without losing or doubling orders', async () => {
    const store = await engine.open();
    const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store });
    try {
      const { workspace } = await tailor.workspaces.createWorkspace({ name: 'retail', jurisdiction: 'UK' });
      const realIngest = tailor.ingest.ingest;
      let calls = 0;
      tailor.ingest.ingest = async (input) => {
        if (++calls === 3) throw new Error('simulated crash');
        return realIngest(input);
      };
      const args = { tailor, workspace, mapping: ONLINE_RETAIL_MAPPING, sourceName: 'online-retail', guests: 'skip' as const, catalog: false, restart: false, quiet: true };
      await expect(importOrdersCsv({ ...args, source: await fileSource(bundledDemoFile()) })).rejects.toThrow('simulated crash');
      tailor.ingest.ingest = realIngest;
      const resumed = await importOrdersCsv({ ...args, source: await fileSource(bundledDemoFile()) });
      expect(resumed.resumedFrom).toBeGreaterThan(0);
      const counted = await store.db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(counted.n)).toBe(EXPECTED.orders + EXPECTED.returns);
    } finally {
      await tailor.close();
    }
  }, 120_000);

  it('imports catalog items from CSV, reporting invalid rows by number', async () => {
    const store = await engine.open();
    const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store });
    try {
      const { workspace } = await tailor.workspaces.createWorkspace({ name: 'catalog', jurisdiction: 'EU' });
      const dir = catalogDir;
      const file = join(dir, 'items.csv');
      writeFileSync(file, [
        'id,name,category,brand,price,currency,tags,url,image,in_stock,created_at',
        'mug-1,Mug,Home > Kitchen,Acme,4.5,gbp,gift|ceramic,https://x.io/m,,1,2024-01-01T00:00:00Z',
        'bad-1,Bad,,,-3,,,,,,',
        'tea-1,"Tea, green",Food > Drinks,,2,GBP,low sugar,,,no,',
        'odd-1,Odd,,,2,GBP,,,,,1',
      ].join('\n'));
      const s = await importCatalogFile({ tailor, workspace, source: await fileSource(file), format: 'csv', restart: false, quiet: true });
      expect(s.accepted).toBe(2);
      // "1" is not a date (Date.parse would read it as 2001-01-01).
      expect(s.rejected).toEqual([{ row: 2, reason: 'price: must not be negative' }, { row: 4, reason: 'created_at: must be an ISO-8601 date-time' }]);
      expect(await tailor.catalog.get(workspace.id, 'mug-1')).toMatchObject({ categoryPath: ['Home', 'Kitchen'], brand: 'Acme', currency: 'GBP', tags: ['gift', 'ceramic'], inStock: true, createdAt: Date.parse('2024-01-01T00:00:00Z') });
      expect(await tailor.catalog.get(workspace.id, 'tea-1')).toMatchObject({ name: 'Tea, green', inStock: false, tags: ['low sugar'] });
    } finally {
      await tailor.close();
    }
  });

  it('rejects a CSV row it cannot trust and imports the rest: stray quotes read as text, wrong field counts and unclosed quotes reported by line', async () => {
    const store = await engine.open();
    const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store });
    try {
      const { workspace } = await tailor.workspaces.createWorkspace({ name: 'csv', jurisdiction: 'UK', settings: { defaultCurrency: 'GBP' } });
      const items = join(catalogDir, 'odd.csv');
      writeFileSync(items, [
        'id,name,category,brand,price,currency,tags,url,image,in_stock,created_at',
        'r-1,12" RULER,,,1.5,GBP,,,,,',
        'x-1,Mug,Home,Acme,4.5,GBP,,,,,,EXTRA',
        'short-1,Short,Home',
        'm-2,Plate,Home,,3,GBP,,,,,',
        'q-1,"never closed,,,,2,GBP,,,,,',
      ].join('\n'));
      const c = await importCatalogFile({ tailor, workspace, source: await fileSource(items), format: 'csv', restart: false, quiet: true });
      expect(c.accepted).toBe(2);
      expect(await tailor.catalog.get(workspace.id, 'r-1')).toMatchObject({ name: '12" RULER', price: 1.5 });
      expect(await tailor.catalog.get(workspace.id, 'm-2')).toMatchObject({ name: 'Plate' });
      expect(await tailor.catalog.get(workspace.id, 'x-1')).toBeNull();
      expect(c.rejected).toEqual([
        { row: 2, reason: "line 3: not the header's 11 fields (an unquoted comma or quote?)" },
        { row: 3, reason: "line 4: not the header's 11 fields (an unquoted comma or quote?)" },
        { row: null, reason: expect.stringMatching(/^line 6: Quote Not Closed/) },
      ]);

      const orders = join(catalogDir, 'orders.csv');
      writeFileSync(orders, [
        'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
        '536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom',
        '536366,22641,12" RULER,1,2010-12-01 08:28:00,1.25,17850.0,United Kingdom',
        '536367,22633,HAND WARMER, UNION JACK,6,2010-12-01 08:34:00,1.85,13047.0,United Kingdom',
      ].join('\n'));
      const o = await importOrdersCsv({ tailor, workspace, source: await fileSource(orders), mapping: ONLINE_RETAIL_MAPPING, sourceName: 'odd', guests: 'skip', catalog: false, restart: false, quiet: true });
      expect(o.extra.orders).toBe(2);
      expect(o.rejected).toEqual([{ row: 3, reason: "line 4: not the header's 8 fields (an unquoted comma or quote?)" }]);
    } finally {
      await tailor.close();
    }
  });

  it('gives lines without a messageId ids from their text: a file grown, renamed or resumed stores each line once', async () => {
    const store = await engine.open();
    const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store });
    try {
      const { workspace } = await tailor.workspaces.createWorkspace({ name: 'events', jurisdiction: 'EU' });
      const line = (event: string) => JSON.stringify({ type: 'track', userId: 'imp1', event, timestamp: '2024-01-01T00:00:00Z' });
      const first = join(eventsDir, 'grow.jsonl');
      writeFileSync(first, [line('A'), line('B'), line('C')].join('\n'));
      const a = await importEventsJsonl({ tailor, workspace, source: await fileSource(first), restart: false, quiet: true });
      expect([a.accepted, a.duplicates]).toEqual([3, 0]);
      writeFileSync(first, [line('A'), line('Z'), line('B'), line('C'), line('D')].join('\n'));
      const b = await importEventsJsonl({ tailor, workspace, source: await fileSource(first), restart: false, quiet: true });
      expect([b.accepted, b.duplicates]).toEqual([2, 3]);
      const renamed = join(eventsDir, 'renamed.jsonl');
      writeFileSync(renamed, [line('D'), line('C'), line('A')].join('\n'));
      const c = await importEventsJsonl({ tailor, workspace, source: await fileSource(renamed), restart: false, quiet: true });
      expect([c.accepted, c.duplicates]).toEqual([0, 3]);
      const stored = await store.db.selectFrom('events').select('event').where('workspace_id', '=', workspace.id).where('user_id', '=', 'imp1').execute();
      expect(stored.map((r) => r.event).sort()).toEqual(['A', 'B', 'C', 'D', 'Z']);
    } finally {
      await tailor.close();
    }
  });

  it('imports JSONL events, reporting bad lines by number', async () => {
    const store = await engine.open();
    const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store });
    try {
      const { workspace } = await tailor.workspaces.createWorkspace({ name: 'events', jurisdiction: 'EU' });
      const dir = eventsDir;
      const file = join(dir, 'events.jsonl');
      writeFileSync(file, [
        JSON.stringify({ type: 'identify', userId: 'a', traits: { email: 'a@x.io' } }),
        '{not json',
        JSON.stringify({ type: 'track', userId: 'a', event: 'Product Viewed' }),
        '',
        JSON.stringify({ type: 'track', userId: 'a' }),
        JSON.stringify({ type: 'track', userId: 'a', event: 'Order Completed', properties: { order_id: 'j1', revenue: 10, currency: 'EUR' } }),
        JSON.stringify({ type: 'track', userId: 'a', event: 'Order Refunded', properties: { order_id: 'j1', total: 4, currency: 'GBP' } }),
      ].join('\n'));
      const s = await importEventsJsonl({ tailor, workspace, source: await fileSource(file), restart: false, quiet: true });
      expect(s.accepted).toBe(4);
      expect(s.rejected).toEqual([{ row: 2, reason: expect.stringContaining('malformed JSON') }, { row: 5, reason: expect.stringMatching(/^event: /) }]);
      // Stored, but the refund in another currency changed nothing: said with its line.
      expect(s.notApplied).toEqual([{ row: 7, reason: 'currency: the refund is in GBP, the order in EUR' }]);
      expect(formatSummary(s)).toContain('stored, but the change to their order not applied 1:\n    row 7: currency: the refund is in GBP, the order in EUR');
      const again = await importEventsJsonl({ tailor, workspace, source: await fileSource(file), restart: true, quiet: true });
      expect(again.duplicates).toBe(4);
    } finally {
      await tailor.close();
    }
  });
});
