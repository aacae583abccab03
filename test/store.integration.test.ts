import { afterAll, expect, it } from 'vitest';
import { precompiled } from '../src/store/precompiled.js';
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

  it('runs a precompiled query with new values each time, as the same query built afresh would', async () => {
    const store = await engine.open();
    try {
      await store.db.insertInto('workspaces').values([
        { id: 'a', name: 'A', jurisdiction: 'EU', settings: '{}', created_at: 1 },
        { id: 'b', name: 'B', jurisdiction: 'US', settings: '{}', created_at: 2 },
        { id: 'c', name: 'C', jurisdiction: 'EU', settings: '{}', created_at: 3 },
      ]).execute();
      // A constant ('EU') stays in place between the values given at each call.
      const query = precompiled((db, v: { after: number; limit: number }) =>
        db.selectFrom('workspaces').select(['id', 'created_at']).where('jurisdiction', '=', 'EU').where('created_at', '>', v.after).orderBy('created_at').limit(v.limit));
      expect(await query(store.db, { after: 0, limit: 10 })).toEqual([{ id: 'a', created_at: 1 }, { id: 'c', created_at: 3 }]);
      expect(await query(store.db, { after: 1, limit: 10 })).toEqual([{ id: 'c', created_at: 3 }]);
      expect(await query(store.db, { after: 0, limit: 1 })).toEqual([{ id: 'a', created_at: 1 }]);
      const built = await store.db.selectFrom('workspaces').select(['id', 'created_at']).where('jurisdiction', '=', 'EU').where('created_at', '>', 1).orderBy('created_at').limit(10).execute();
      expect(await query(store.db, { after: 1, limit: 10 })).toEqual(built);
      await expect(query(store.db, { after: 0 } as { after: number; limit: number })).rejects.toThrow('no value for "limit"');
    } finally {
      await store.close();
    }
  });
});
