import { afterAll, expect, it } from 'vitest';
import type { Store } from '../src/store/store.js';
import { profileRepositorySql } from '../src/store/repositories/profile-repository-sql.js';
import { appFor, basic } from './support/app.js';
import { describeEachEngine } from './support/engines.js';
import { orderCompleted, trackMessage } from './support/factories.js';

const refunded = (userId: string, properties: Record<string, unknown>) => trackMessage({ userId, event: 'Order Refunded', properties });
const cancelled = (userId: string, orderId: string) => trackMessage({ userId, event: 'Order Cancelled', properties: { order_id: orderId } });

async function ordersOf(store: Store, ids: readonly string[]) {
  return store.db.selectFrom('orders').select(['order_id', 'kind', 'status', 'currency', 'revenue', 'refunded_amount'])
    .where('order_id', 'in', ids).orderBy('order_id').execute();
}

describeEachEngine('orders from out-of-order e-commerce events', (engine) => {
  afterAll(() => engine.cleanup());

  /** Sends each batch in its own request, as a pipeline delivering events late would. */
  async function send(batches: ReadonlyArray<ReadonlyArray<Record<string, unknown>>>) {
    const store = await engine.open();
    const app = await appFor(store);
    for (const batch of batches) {
      const res = await app.post('/v1/batch', { batch }, { authorization: basic(app.a.keys.write) });
      expect(res.status).toBe(200);
    }
    return { store, ...app };
  }

  it('applies a refund or cancellation that arrived before its order once the order arrives, for the revenue traits too', async () => {
    const early = [refunded('buyer', { order_id: 'o1', total: 30 }), refunded('buyer', { order_id: 'o2' }), cancelled('buyer', 'o3')];
    const orders = ['o1', 'o2', 'o3'].map((id) => orderCompleted({ userId: 'buyer' }, { order_id: id, revenue: 100, currency: 'EUR' }));
    const { store, tailor, a } = await send([early, orders]);
    try {
      expect(await ordersOf(store, ['o1', 'o2', 'o3'])).toEqual([
        { order_id: 'o1', kind: 'order', status: 'partially_refunded', currency: 'EUR', revenue: 100, refunded_amount: 30 },
        { order_id: 'o2', kind: 'order', status: 'refunded', currency: 'EUR', revenue: 100, refunded_amount: 100 },
        { order_id: 'o3', kind: 'order', status: 'cancelled', currency: 'EUR', revenue: 100, refunded_amount: 0 },
      ]);
      await tailor.compute.computeWorkspace((await tailor.workspaces.getWorkspace(a.workspace.id))!);
      const buyer = await tailor.profiles.resolve(a.workspace.id, 'user_id:buyer');
      const traits = (await profileRepositorySql(store.db).computedTraits(a.workspace.id, buyer.ok ? buyer.value.id : ''))?.traits;
      expect(traits).toMatchObject({ orders_count: 1, revenue_total: { EUR: 70 }, average_order_value: { EUR: 70 } });
    } finally {
      await store.close();
    }
  });

  it('keeps early refunds and cancellations when the order arrives in the same batch', async () => {
    const { store } = await send([[
      refunded('buyer', { order_id: 'o1', total: 30 }), orderCompleted({ userId: 'buyer' }, { order_id: 'o1', revenue: 100, currency: 'EUR' }),
      cancelled('buyer', 'o3'), orderCompleted({ userId: 'buyer' }, { order_id: 'o3', revenue: 100, currency: 'EUR' }),
    ]]);
    try {
      expect((await ordersOf(store, ['o1', 'o3'])).map((o) => [o.order_id, o.status, o.refunded_amount])).toEqual([['o1', 'partially_refunded', 30], ['o3', 'cancelled', 0]]);
    } finally {
      await store.close();
    }
  });

  it('keeps a cancelled order cancelled when a refund follows', async () => {
    const { store } = await send([[orderCompleted({ userId: 'buyer' }, { order_id: 'r1', revenue: 100, currency: 'EUR' }), cancelled('buyer', 'r1')], [refunded('buyer', { order_id: 'r1', total: 30 })]]);
    try {
      expect(await ordersOf(store, ['r1'])).toMatchObject([{ order_id: 'r1', status: 'cancelled' }]);
    } finally {
      await store.close();
    }
  });

  it('adds a second refund to a standalone return', async () => {
    const { store } = await send([[refunded('buyer', { order_id: 'legacy-9', total: 10 })], [refunded('buyer', { order_id: 'legacy-9', total: 20 })]]);
    try {
      expect(await ordersOf(store, ['legacy-9'])).toMatchObject([{ kind: 'return', status: 'refunded', revenue: -30 }]);
    } finally {
      await store.close();
    }
  });

  it('refunds a product listed without a price at the order\'s price, and nothing for a product the order lacks', async () => {
    const { store } = await send([
      [
        orderCompleted({ userId: 'buyer' }, { order_id: 'r2', revenue: 80, products: [{ product_id: 'sku-1', price: 40, quantity: 2 }] }),
        orderCompleted({ userId: 'buyer' }, { order_id: 'r3', revenue: 80, products: [{ product_id: 'sku-1', price: 40, quantity: 2 }] }),
      ],
      [refunded('buyer', { order_id: 'r2', products: [{ product_id: 'sku-1' }] }), refunded('buyer', { order_id: 'r3', products: [{ product_id: 'sku-9' }] })],
    ]);
    try {
      expect((await ordersOf(store, ['r2', 'r3'])).map((o) => [o.order_id, o.status, o.refunded_amount])).toEqual([['r2', 'partially_refunded', 40], ['r3', 'completed', 0]]);
    } finally {
      await store.close();
    }
  });

  it('tells the sender which stored order events changed nothing, and why (HTTP answer, metrics)', async () => {
    const { store, tailor, post, a } = await send([[orderCompleted({ userId: 'buyer' }, { order_id: 'w1', revenue: 10, currency: 'USD', products: [{ product_id: 'sku-1', price: 10, quantity: 1 }] })]]);
    try {
      const jpy = refunded('buyer', { order_id: 'w1', total: 5, currency: 'JPY' });
      const unknownLine = refunded('buyer', { order_id: 'w1', products: [{ product_id: 'sku-9' }] });
      const fine = refunded('buyer', { order_id: 'w1', total: 2 });
      const res = await post('/v1/batch', { batch: [fine, jpy, unknownLine] }, { authorization: basic(a.keys.write) });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        accepted: 3, rejected: [],
        ordersNotApplied: [
          { index: 1, messageId: jpy.messageId, reason: 'currency: the refund is in JPY, the order in USD' },
          { index: 2, messageId: unknownLine.messageId, reason: 'properties.products: none of the refunded products is in the order or has a price' },
        ],
      });
      // A batch whose order events all applied says nothing of it.
      expect(await (await post('/v1/batch', { batch: [refunded('buyer', { order_id: 'w1', total: 1 })] }, { authorization: basic(a.keys.write) })).json()).not.toHaveProperty('ordersNotApplied');
      expect(await tailor.metrics.registry.getSingleMetricAsString('tailor_order_changes_not_applied_total')).toContain('tailor_order_changes_not_applied_total 2');
      expect((await ordersOf(store, ['w1']))[0]).toMatchObject({ status: 'partially_refunded', refunded_amount: 3 });
    } finally {
      await store.close();
    }
  });

  it('does not apply a refund in another currency than its order\'s, whichever arrives first', async () => {
    const { store } = await send([
      [orderCompleted({ userId: 'buyer' }, { order_id: 'q2', revenue: 10, currency: 'usd' }), refunded('buyer', { order_id: 'q3', total: 5, currency: 'JPY' })],
      [refunded('buyer', { order_id: 'q2', total: 5, currency: 'JPY' }), orderCompleted({ userId: 'buyer' }, { order_id: 'q3', revenue: 10, currency: 'USD' })],
      [refunded('buyer', { order_id: 'q2', total: 2, currency: 'usd' })],
    ]);
    try {
      expect((await ordersOf(store, ['q2', 'q3'])).map((o) => [o.order_id, o.status, o.refunded_amount])).toEqual([['q2', 'partially_refunded', 2], ['q3', 'completed', 0]]);
    } finally {
      await store.close();
    }
  });
});
