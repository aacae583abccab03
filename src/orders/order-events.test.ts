import { describe, expect, it } from 'vitest';
import { orderChangeFromEvent } from './order-events.js';

describe('orderChangeFromEvent', () => {
  it('reads an E-commerce v2 Order Completed with products', () => {
    const r = orderChangeFromEvent('Order Completed', {
      order_id: 50314, total: 27.5, revenue: 25, discount: 2.5, coupon: 'hasbros', currency: 'usd',
      products: [{ product_id: '507f1f77', sku: '45790-32', name: 'Monopoly', price: 19, quantity: 1, category: 'Games' }, { sku: '46493-32', price: 3, quantity: 2 }],
    }, 'EUR');
    expect(r).toEqual({ ok: true, value: {
      kind: 'completed', orderId: '50314', currency: 'USD', defaultCurrency: 'EUR', revenue: 25, total: 27.5, discount: 2.5, coupon: 'hasbros',
      lines: [
        { itemId: '507f1f77', name: 'Monopoly', category: 'Games', price: 19, quantity: 1 },
        { itemId: '46493-32', name: null, category: null, price: 3, quantity: 2 },
      ],
    } });
  });

  it('falls back to total, then to the sum of lines (2×3 + 1×4 = 10), and the default currency', () => {
    const r = orderChangeFromEvent('Order Completed', { order_id: 'o', products: [{ product_id: 'a', price: 3, quantity: 2 }, { product_id: 'b', price: 4 }] }, 'GBP');
    expect(r.ok && r.value).toMatchObject({ revenue: 10, total: 10, currency: 'GBP' });
  });

  it('names the offending path of a malformed order', () => {
    expect(orderChangeFromEvent('Order Completed', { order_id: 'o', products: [{ product_id: 'a' }, { product_id: 'b' }, { product_id: 'c', price: '12,5' }] }, 'USD'))
      .toEqual({ ok: false, error: expect.stringMatching(/^properties\.products\[2\]\.price: /) });
    expect(orderChangeFromEvent('Order Completed', {}, 'USD')).toEqual({ ok: false, error: expect.stringMatching(/^properties\.order_id: /) });
    expect(orderChangeFromEvent('Order Completed', { order_id: 'o', products: [{ name: 'x' }] }, 'USD')).toEqual({ ok: false, error: 'properties.products[0].product_id: needs product_id or sku' });
  });

  it('reads refunds and cancellations, and ignores other events', () => {
    expect(orderChangeFromEvent('Order Refunded', { order_id: 'o', currency: 'jpy', products: [{ product_id: 'a', price: 5, quantity: 2 }, { sku: 'b' }] }, 'USD'))
      .toEqual({ ok: true, value: { kind: 'refunded', orderId: 'o', amount: null, currency: 'JPY', currencyGiven: true, lines: [
        { itemId: 'a', name: null, category: null, price: 5, quantity: 2 },
        { itemId: 'b', name: null, category: null, price: null, quantity: 1 },
      ] } });
    expect(orderChangeFromEvent('Order Refunded', { order_id: 'o', total: 12 }, 'USD')).toEqual({ ok: true, value: { kind: 'refunded', orderId: 'o', amount: 12, currency: 'USD', currencyGiven: false, lines: null } });
    expect(orderChangeFromEvent('Order Refunded', { order_id: 'o' }, 'USD')).toEqual({ ok: true, value: { kind: 'refunded', orderId: 'o', amount: null, currency: 'USD', currencyGiven: false, lines: null } });
    expect(orderChangeFromEvent('Order Cancelled', { order_id: 7 }, 'USD')).toEqual({ ok: true, value: { kind: 'cancelled', orderId: '7', currency: 'USD' } });
    expect(orderChangeFromEvent('Product Viewed', { product_id: 'x' }, 'USD')).toEqual({ ok: true, value: null });
  });
});
