import { afterAll, expect, it } from 'vitest';
import { describeEachEngine } from './support/engines.js';

describeEachEngine('store', (engine) => {
  afterAll(() => engine.cleanup());

  it('migrates and lists every table keyed by workspace first', async () => {
    const store = await engine.open();
    try {
      const tables = await store.features.listTables(store.db);
      expect(tables).toEqual(expect.arrayContaining(['workspaces', 'api_keys', 'profiles', 'identities', 'events', 'orders', 'order_items', 'catalog_items']));
      // Re-running migrations on an up-to-date store is a no-op.
      await store.inTransaction(async (tx) => {
        await tx.insertInto('workspaces').values({ id: 'w1', name: 'x', jurisdiction: 'EU', settings: '{}', created_at: 1 }).execute();
      });
      const row = await store.db.selectFrom('workspaces').selectAll().executeTakeFirstOrThrow();
      expect(row.created_at).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('rolls a transaction back when its callback throws', async () => {
    const store = await engine.open();
    try {
      await expect(store.inTransaction(async (tx) => {
        await tx.insertInto('workspaces').values({ id: 'w2', name: 'x', jurisdiction: 'EU', settings: '{}', created_at: 1 }).execute();
        throw new Error('boom');
      })).rejects.toThrow('boom');
      const rows = await store.db.selectFrom('workspaces').selectAll().execute();
      expect(rows).toHaveLength(0);
    } finally {
      await store.close();
    }
  });
});
