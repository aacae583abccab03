import { describe, expect, it } from 'vitest';
import { eventRegion, productSignals, type ObservedEvent } from './observed-events.js';

type EventInput = Pick<ObservedEvent, 'event' | 'properties'>;
const event = (name: string | null, properties: Record<string, unknown> = {}): EventInput => ({ event: name, properties });

// Weights of DEFAULT_SIGNAL_WEIGHTS (interactions.ts): purchase 1, cart add 0.5, view 0.1; a click counts as a view.

describe('productSignals: Order Completed', () => {
  it('reads every product of products[] with its id, quantity, price and recommendation id', () => {
    const signals = productSignals(event('Order Completed', {
      order_id: 'o1',
      recommendation_id: 'r-order',
      products: [
        { product_id: 'mug', quantity: 2, price: 8.5, recommendation_id: 'r-mug' },
        { sku: 'SKU-1', quantity: '3', price: '4.25' },
        { id: 42 },
      ],
    }));
    expect(signals).toEqual([
      { itemId: 'mug', kind: 'purchase', weight: 1, quantity: 2, price: 8.5, recommendationId: 'r-mug' },
      { itemId: 'SKU-1', kind: 'purchase', weight: 1, quantity: 3, price: 4.25, recommendationId: 'r-order' },
      { itemId: '42', kind: 'purchase', weight: 1, quantity: 1, price: null, recommendationId: 'r-order' },
    ]);
  });

  it('prefers product_id to sku to id, trimmed, and skips blank ids', () => {
    const ids = productSignals(event('Order Completed', {
      products: [
        { product_id: ' p1 ', sku: 's1', id: 'i1' },
        { product_id: '  ', sku: 's2', id: 'i2' },
        { product_id: null, sku: '', id: 'i3' },
        { product_id: NaN, name: 'no usable id' },
      ],
    })).map((s) => s.itemId);
    expect(ids).toEqual(['p1', 's2', 'i3']);
  });

  it('skips products with a quantity that is not positive, and entries that are not objects', () => {
    const ids = productSignals(event('Order Completed', {
      products: [{ product_id: 'zero', quantity: 0 }, { product_id: 'minus', quantity: -1 }, { product_id: 'text', quantity: '-2' }, null, 'mug', 7, { product_id: 'ok', quantity: 1 }],
    })).map((s) => s.itemId);
    expect(ids).toEqual(['ok']);
  });

  it('reads a quantity or price that is not a number as missing', () => {
    const [signal] = productSignals(event('Order Completed', { products: [{ product_id: 'mug', quantity: 'two', price: '12,5' }] }));
    expect(signal).toMatchObject({ quantity: 1, price: null, recommendationId: null });
  });

  it('finds nothing without a products list', () => {
    expect(productSignals(event('Order Completed', { product_id: 'mug' }))).toEqual([]);
    expect(productSignals(event('Order Completed', { products: { product_id: 'mug' } }))).toEqual([]);
  });
});

describe('productSignals: product events', () => {
  it('reads Product Added as a cart add with its quantity and price', () => {
    expect(productSignals(event('Product Added', { product_id: 'mug', quantity: 2, price: 8, recommendation_id: 'r1' }))).toEqual([
      { itemId: 'mug', kind: 'add_to_cart', weight: 0.5, quantity: 2, price: 8, recommendationId: 'r1' },
    ]);
  });

  it('reads Product Viewed as a view, by sku when there is no product_id', () => {
    expect(productSignals(event('Product Viewed', { sku: 'SKU-9' }))).toEqual([
      { itemId: 'SKU-9', kind: 'view', weight: 0.1, quantity: 1, price: null, recommendationId: null },
    ]);
  });

  it('reads Product Clicked as a click weighing like a view, with its recommendation id', () => {
    expect(productSignals(event('Product Clicked', { product_id: 7, recommendation_id: 'r2' }))).toEqual([
      { itemId: '7', kind: 'click', weight: 0.1, quantity: 1, price: null, recommendationId: 'r2' },
    ]);
  });

  it('finds nothing in a product event without a product id', () => {
    expect(productSignals(event('Product Viewed', { name: 'Blue mug' }))).toEqual([]);
  });
});

describe('productSignals: other events', () => {
  it('finds nothing in events that are not about products, or in page and identify calls', () => {
    expect(productSignals(event('Checkout Started', { products: [{ product_id: 'mug' }] }))).toEqual([]);
    expect(productSignals(event('order completed', { products: [{ product_id: 'mug' }] }))).toEqual([]);
    expect(productSignals(event(null, { product_id: 'mug' }))).toEqual([]);
  });
});

describe('eventRegion', () => {
  it('reads context.location.country, trimmed', () => {
    expect(eventRegion({ location: { country: ' GB ', city: 'London' } })).toBe('GB');
    expect(eventRegion({ location: { country: 'United Kingdom' } })).toBe('United Kingdom');
  });

  it('is null without a usable country', () => {
    expect(eventRegion({})).toBeNull();
    expect(eventRegion({ location: null })).toBeNull();
    expect(eventRegion({ location: 'GB' })).toBeNull();
    expect(eventRegion({ location: { country: '  ' } })).toBeNull();
    expect(eventRegion({ location: { country: 44 } })).toBeNull();
  });
});
