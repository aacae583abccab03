import { describe, expect, it } from 'vitest';
import { netRevenue } from '../profiles/order-rules.js';
import { orderChangeFromEvent, type OrderChange } from './order-events.js';
import { applyOrderChange, applyRefund, refundValue, type OrderRecord } from './order-state.js';

/** An order event as ingest reads it (workspace default currency EUR). */
function change(event: string, properties: Record<string, unknown>): OrderChange {
  const r = orderChangeFromEvent(event, properties, 'EUR');
  if (!r.ok || r.value === null) throw new Error(`not an order event: ${event}`);
  return r.value;
}

/** Applies the changes in turn, as ingest does, keeping the order when a change is not applied. */
function fold(changes: readonly OrderChange[]): { order: OrderRecord | null; reasons: string[] } {
  let order: OrderRecord | null = null;
  const reasons: string[] = [];
  changes.forEach((c, i) => {
    const outcome = applyOrderChange(order, c, { profileId: 'p', timestamp: 1000 + i, messageId: `m${i}`, source: 'api', now: 2000 + i });
    if (outcome.applied) order = outcome.order;
    else reasons.push(outcome.reason);
  });
  return { order, reasons };
}

/** What the revenue traits read of an order. */
const outcome = (o: OrderRecord | null) => (o === null ? null : { kind: o.kind, status: o.status, revenue: o.revenue, refundedAmount: o.refundedAmount, net: netRevenue(o) });

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

const completed100 = change('Order Completed', { order_id: 'o', revenue: 100, currency: 'eur', products: [{ product_id: 'sku-1', price: 40, quantity: 2 }, { product_id: 'sku-2', price: 20 }] });

describe('applyOrderChange: the same order whatever the order of arrival', () => {
  it.each([
    ['a refund of 30', [change('Order Refunded', { order_id: 'o', total: 30 })], { kind: 'order', status: 'partially_refunded', revenue: 100, refundedAmount: 30, net: 70 }],
    ['a refund without an amount', [change('Order Refunded', { order_id: 'o' })], { kind: 'order', status: 'refunded', revenue: 100, refundedAmount: 100, net: 0 }],
    ['a cancellation', [change('Order Cancelled', { order_id: 'o' })], { kind: 'order', status: 'cancelled', revenue: 100, refundedAmount: 0, net: 0 }],
    ['two refunds, 30 and 50', [change('Order Refunded', { order_id: 'o', total: 30 }), change('Order Refunded', { order_id: 'o', revenue: 50 })], { kind: 'order', status: 'partially_refunded', revenue: 100, refundedAmount: 80, net: 20 }],
    ['a refund of 30 and a cancellation', [change('Order Refunded', { order_id: 'o', total: 30 }), change('Order Cancelled', { order_id: 'o' })], { kind: 'order', status: 'cancelled', revenue: 100, refundedAmount: 30, net: 0 }],
    ['a refund of 30 and a full refund', [change('Order Refunded', { order_id: 'o', total: 30 }), change('Order Refunded', { order_id: 'o' })], { kind: 'order', status: 'refunded', revenue: 100, refundedAmount: 100, net: 0 }],
    ['a refund of 5 JPY', [change('Order Refunded', { order_id: 'o', total: 5, currency: 'JPY' })], { kind: 'order', status: 'completed', revenue: 100, refundedAmount: 0, net: 100 }],
  ])('Order Completed 100 with %s', (_name, others, expected) => {
    for (const events of permutations([completed100, ...others])) expect(outcome(fold(events).order)).toEqual(expected);
  });

  it('keeps a refund with an amount for an order never seen as a standalone return, to which later refunds add', () => {
    const one = fold([change('Order Refunded', { order_id: 'legacy-9', total: 10 })]).order;
    expect(outcome(one)).toEqual({ kind: 'return', status: 'refunded', revenue: -10, refundedAmount: 0, net: -10 });
    const two = fold([change('Order Refunded', { order_id: 'legacy-9', total: 10 }), change('Order Refunded', { order_id: 'legacy-9', total: 20, products: [{ sku: 'x', price: 20 }] })]).order;
    expect(outcome(two)).toEqual({ kind: 'return', status: 'refunded', revenue: -30, refundedAmount: 0, net: -30 });
    expect(two?.lines).toEqual([{ itemId: 'x', name: null, category: null, price: 20, quantity: -1 }]);
  });

  it('keeps a full refund or a cancellation of an order never seen as a placeholder that counts for nothing', () => {
    expect(outcome(fold([change('Order Refunded', { order_id: 'o' })]).order)).toEqual({ kind: 'order', status: 'refunded', revenue: 0, refundedAmount: 0, net: 0 });
    expect(outcome(fold([change('Order Cancelled', { order_id: 'o' })]).order)).toEqual({ kind: 'order', status: 'cancelled', revenue: 0, refundedAmount: 0, net: 0 });
  });
});

describe('applyOrderChange: refunds', () => {
  it('does not bring a cancelled order back (its refund is recorded, the order stays cancelled)', () => {
    const { order } = fold([completed100, change('Order Cancelled', { order_id: 'o' }), change('Order Refunded', { order_id: 'o', total: 30 })]);
    expect(outcome(order)).toEqual({ kind: 'order', status: 'cancelled', revenue: 100, refundedAmount: 30, net: 0 });
  });

  it('values products without a price at the order\'s own line price, for quantity 1 unless given, capped by the order', () => {
    expect(outcome(fold([completed100, change('Order Refunded', { order_id: 'o', products: [{ product_id: 'sku-1' }] })]).order)).toMatchObject({ status: 'partially_refunded', refundedAmount: 40 });
    expect(outcome(fold([completed100, change('Order Refunded', { order_id: 'o', products: [{ product_id: 'sku-1', quantity: 5 }] })]).order)).toMatchObject({ status: 'partially_refunded', refundedAmount: 80 });
    expect(outcome(fold([completed100, change('Order Refunded', { order_id: 'o', products: [{ product_id: 'sku-2', price: 15 }] })]).order)).toMatchObject({ refundedAmount: 15 });
  });

  it('refunds nothing and leaves the status alone for a product the order does not have', () => {
    const { order, reasons } = fold([completed100, change('Order Refunded', { order_id: 'o', products: [{ product_id: 'sku-9' }] })]);
    expect(outcome(order)).toEqual({ kind: 'order', status: 'completed', revenue: 100, refundedAmount: 0, net: 100 });
    expect(reasons).toEqual(['properties.products: none of the refunded products is in the order or has a price']);
  });

  it('does not apply a refund in another currency (codes compare case-insensitively), and takes the order\'s when none is given', () => {
    const usd = change('Order Completed', { order_id: 'q2', revenue: 10, currency: 'usd' });
    const jpy = fold([usd, change('Order Refunded', { order_id: 'q2', total: 5, currency: 'JPY' })]);
    expect(jpy.reasons).toEqual(['currency: the refund is in JPY, the order in USD']);
    expect(outcome(jpy.order)).toMatchObject({ status: 'completed', refundedAmount: 0 });
    expect(outcome(fold([usd, change('Order Refunded', { order_id: 'q2', total: 5, currency: 'Usd' })]).order)).toMatchObject({ refundedAmount: 5 });
    // Workspace default EUR, order in USD, refund naming no currency: it is in USD, whichever arrives first.
    expect(outcome(fold([usd, change('Order Refunded', { order_id: 'q2', total: 5 })]).order)).toMatchObject({ refundedAmount: 5 });
    expect(outcome(fold([change('Order Refunded', { order_id: 'q2', total: 5 }), usd]).order)).toMatchObject({ status: 'partially_refunded', refundedAmount: 5 });
    const early = fold([change('Order Refunded', { order_id: 'q2', total: 5, currency: 'jpy' }), usd]);
    expect(outcome(early.order)).toMatchObject({ status: 'completed', refundedAmount: 0 });
  });
});

describe('refundValue', () => {
  it('counts each ordered unit once across the refund\'s lines', () => {
    const orderLines = [{ itemId: 'a', name: null, category: null, price: 40, quantity: 2 }];
    const line = { itemId: 'a', name: null, category: null, price: null, quantity: 2 };
    expect(refundValue([line, line], orderLines)).toEqual({ amount: 80, refundsSomething: true });
    expect(refundValue([{ ...line, itemId: 'b' }], orderLines)).toEqual({ amount: 0, refundsSomething: false });
  });
});

describe('applyRefund', () => {
  it('accumulates partial refunds up to the revenue', () => {
    expect(applyRefund({ status: 'completed', revenue: 100, refundedAmount: 0 }, 30)).toEqual({ refundedAmount: 30, status: 'partially_refunded' });
    expect(applyRefund({ status: 'partially_refunded', revenue: 100, refundedAmount: 30 }, 80)).toEqual({ refundedAmount: 100, status: 'refunded' });
    expect(applyRefund({ status: 'completed', revenue: 100, refundedAmount: 0 }, null)).toEqual({ refundedAmount: 100, status: 'refunded' });
  });

  it('keeps a cancelled order cancelled, and the status of an order refunded 0', () => {
    expect(applyRefund({ status: 'cancelled', revenue: 100, refundedAmount: 0 }, 30)).toEqual({ refundedAmount: 30, status: 'cancelled' });
    expect(applyRefund({ status: 'completed', revenue: 100, refundedAmount: 0 }, 0)).toEqual({ refundedAmount: 0, status: 'completed' });
  });
});
