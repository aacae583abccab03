import { afterAll, expect, it } from 'vitest';
import { exportDocumentSchema } from '../src/privacy/export-schema.js';
import { appFor, basic, bearer } from './support/app.js';
import { describeEachEngine } from './support/engines.js';
import { identifyMessage, orderCompleted, trackMessage } from './support/factories.js';

describeEachEngine('export: computed trait times are ISO-8601 UTC (P13)', (engine) => {
  afterAll(() => engine.cleanup());

  it('writes date traits, per-key times and predicted dates as ISO strings, and leaves amounts as numbers', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, a } = await appFor(store);
      const w = { authorization: basic(a.keys.write) };
      const batch = await post('/v1/batch', { batch: [
        identifyMessage({ userId: 't1', traits: { email: 't1@x.io' }, timestamp: '2024-02-10T09:00:00.000Z' }),
        orderCompleted({ userId: 't1', timestamp: '2024-02-11T10:30:00.000Z' }, { order_id: 'T-1' }),
        orderCompleted({ userId: 't1', timestamp: '2024-02-20T16:45:00.000Z' }, { order_id: 'T-2' }),
        trackMessage({ userId: 't1', event: 'Product Viewed', timestamp: '2024-02-25T08:15:00.000Z' }),
      ] }, w);
      expect(batch.status).toBe(200);
      await tailor.compute.computeWorkspace(a.workspace, { workers: 0 });
      const found = await tailor.profiles.resolve(a.workspace.id, 'user_id:t1');
      if (!found.ok) throw new Error('no profile t1');
      const profileId = found.value.id;
      // A prediction row as `tailor predict` writes it (replenishment_due: epoch ms by product).
      await store.db.insertInto('predictions').values({
        workspace_id: a.workspace.id, profile_id: profileId, model_id: 'm1', model_version: 4, predicted_at: Date.parse('2024-03-01T00:00:00.000Z'),
        traits: JSON.stringify({ p_alive: 0.75, replenishment_due: { 'sku-1': Date.parse('2024-03-12T00:00:00.000Z') }, prediction_model_version: 4 }),
      }).execute();

      const res = await tailor.app.request('/v1/profiles/user_id:t1/export', { headers: { authorization: bearer(a.keys.admin) } });
      expect(res.status).toBe(200);
      const doc = exportDocumentSchema.parse(await res.json());
      const traits = Object.fromEntries(doc.computedTraits.map((t) => [t.name, t.value]));
      expect(traits).toMatchObject({
        first_seen: '2024-02-10T09:00:00.000Z',
        last_seen: '2024-02-25T08:15:00.000Z',
        first_order_at: '2024-02-11T10:30:00.000Z',
        last_order_at: '2024-02-20T16:45:00.000Z',
        last_event_at: { 'Order Completed': '2024-02-20T16:45:00.000Z', 'Product Viewed': '2024-02-25T08:15:00.000Z' },
        orders_count: 2,
        revenue_total: { GBP: 60 },
        event_counts: { 'Order Completed': 2, 'Product Viewed': 1 },
      });
      const predictions = Object.fromEntries(doc.predictions.map((p) => [p.name, p.value]));
      expect(predictions).toEqual({ p_alive: 0.75, replenishment_due: { 'sku-1': '2024-03-12T00:00:00.000Z' } });
    } finally {
      await store.close();
    }
  });
});
