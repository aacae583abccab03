import { describe, expect, it } from 'vitest';
import { commerceTraitValues, computeCommerceTraits, interpurchaseGaps } from './commerce-traits.js';
import type { OrderInput, OrderItem } from './inputs.js';
import { buildCategoryPriceDistributions } from './price-bands.js';

/** Order factory with overrides: a completed EUR order with no coupon. */
const order = (overrides: Partial<OrderInput> & Pick<OrderInput, 'orderId' | 'placedAt'>): OrderInput =>
  ({ kind: 'order', status: 'completed', currency: 'EUR', revenue: 0, refundedAmount: 0, coupon: null, items: [], ...overrides });
const item = (category: string | null, brand: string | null, price: number, quantity: number): OrderItem =>
  ({ itemId: `${category}-${price}`, category, brand, price, quantity });
const at = (iso: string) => Date.parse(iso);

describe('computeCommerceTraits — hand-worked example', () => {
  const now = at('2024-03-31T00:00:00Z');
  const orders: OrderInput[] = [
    order({ orderId: 'o1', revenue: 100, placedAt: at('2024-01-01T00:00:00Z'), items: [item('tea', 'A', 10, 4), item('cups', 'B', 30, 2)] }),
    order({ orderId: 'o2', status: 'partially_refunded', revenue: 80, refundedAmount: 20, coupon: 'SPRING', placedAt: at('2024-01-01T00:00:00Z'), items: [item('tea', 'A', 20, 4)] }),
    order({ orderId: 'o3', revenue: 50, coupon: '  ', placedAt: at('2024-01-21T00:00:00Z'), items: [item('cups', 'B', 50, 1)] }),
    order({ orderId: 'o4', status: 'cancelled', revenue: 500, coupon: 'X', placedAt: at('2024-02-10T00:00:00Z'), items: [item('tea', 'A', 500, 1)] }),
    order({ orderId: 'o5', status: 'refunded', revenue: 60, refundedAmount: 60, coupon: 'Y', placedAt: at('2024-02-15T00:00:00Z'), items: [item('cups', 'B', 60, 1)] }),
    order({ orderId: 'r6', kind: 'return', status: 'refunded', revenue: -15, placedAt: at('2024-03-01T00:00:00Z'), items: [item('cups', 'B', 15, -1)] }),
    order({ orderId: 'o7', currency: 'USD', revenue: 40, coupon: 'WELCOME', placedAt: at('2024-03-01T12:00:00Z'), items: [item('snacks', null, 8, 5)] }),
    order({ orderId: 'o8', revenue: 15, placedAt: at('2024-03-04T08:00:00Z'), items: [item('tea', 'A', 5, 3)] }),
  ];
  const catalog = [5, 10, 15, 20, 25].map((price) => ({ category: 'tea', price }))
    .concat([50, 10, 40, 20, 30].map((price) => ({ category: 'cups', price })));
  const traits = computeCommerceTraits({ orders, now, priceDistributions: buildCategoryPriceDistributions(catalog) });

  it('counts kept orders only and nets refunds and returns per currency', () => {
    // Counted: o1, o2 (partially refunded), o3, o7, o8. Not: o4 cancelled, o5 fully refunded, r6 a return.
    expect(traits.ordersCount).toBe(5);
    // EUR: 100 + (80 − 20) + 50 − 15 + 15 = 210; USD: 40
    expect(traits.revenueTotal).toEqual({ EUR: 210, USD: 40 });
    // EUR: 210 / 4 counted EUR orders = 52.5; USD: 40 / 1
    expect(traits.averageOrderValue).toEqual({ EUR: 52.5, USD: 40 });
  });

  it('takes order dates and gaps between distinct order days', () => {
    expect(traits.firstOrderAt).toBe(at('2024-01-01T00:00:00Z'));
    expect(traits.lastOrderAt).toBe(at('2024-03-04T08:00:00Z'));
    // Days Jan 1 (o1, o2), Jan 21, Mar 1, Mar 4: gaps 20, 40 (10 + 29 days of leap February + 1), 3
    expect(interpurchaseGaps(orders.filter((o) => ['o1', 'o2', 'o3', 'o7', 'o8'].includes(o.orderId)).map((o) => o.placedAt))).toEqual([20, 40, 3]);
    expect(traits.meanInterpurchaseDays).toBe((20 + 40 + 3) / 3);
    expect(traits.medianInterpurchaseDays).toBe(20);
  });

  it('ranks categories and brands by recency-weighted net spend (half-life 90 days)', () => {
    const w = (ageDays: number) => 2 ** (-ageDays / 90);
    // Ages at 2024-03-31: o1, o2 90 days; o3 70; r6 30; o7 29.5; o8 26 days 16 hours.
    const tea = 10 * 4 * w(90) + 20 * 4 * (60 / 80) * w(90) + 5 * 3 * w(26 + 16 / 24); // ≈ 62.21
    const cups = 30 * 2 * w(90) + 50 * 1 * w(70) - 15 * 1 * w(30); // ≈ 47.24
    const snacks = 8 * 5 * w(29.5); // ≈ 31.87
    expect(traits.favouriteCategories.map((f) => f.value)).toEqual(['tea', 'cups', 'snacks']);
    expect(traits.favouriteCategories[0]!.score).toBeCloseTo(tea, 9);
    expect(traits.favouriteCategories[1]!.score).toBeCloseTo(cups, 9);
    expect(traits.favouriteCategories[2]!.score).toBeCloseTo(snacks, 9);
    // Brands: A is every tea line, B every cups line; snacks have no brand.
    expect(traits.favouriteBrands.map((f) => [f.value, Number(f.score.toFixed(9))])).toEqual([['A', Number(tea.toFixed(9))], ['B', Number(cups.toFixed(9))]]);
  });

  it('places each line in its category price quintile and shares units across bands', () => {
    // tea [5 10 15 20 25], cups [10 20 30 40 50]; quintile = floor((10·below + 5·equal) / 2n) + 1:
    // o1 tea 10 ×4 → (10 + 5)/10 → q2 mid; o1 cups 30 ×2 → (20 + 5)/10 → q3 mid;
    // o2 tea 20 ×4 × kept 0.75 = 3 → (30 + 5)/10 → q4 mid; o3 cups 50 ×1 → (40 + 5)/10 → q5 premium;
    // o8 tea 5 ×3 → 5/10 → q1 budget; o7 snacks has no distribution. Units: budget 3, mid 9, premium 1.
    expect(traits.priceBands!.shares.budget).toBeCloseTo(3 / 13, 12);
    expect(traits.priceBands!.shares.mid).toBeCloseTo(9 / 13, 12);
    expect(traits.priceBands!.shares.premium).toBeCloseTo(1 / 13, 12);
    expect(traits.priceBands!.preference).toBe('mid');
  });

  it('measures discount affinity over counted orders with a non-blank coupon', () => {
    // o2 SPRING and o7 WELCOME of 5 counted orders (o3's blank coupon, o4 and o5 do not count)
    expect(traits.discountAffinity).toBe(2 / 5);
  });

  it('leaves sensitive categories out and can rank across currencies with rates', () => {
    const noTea = computeCommerceTraits({ orders, now, excludeCategory: (c) => c === 'tea' });
    expect(noTea.favouriteCategories.map((f) => f.value)).toEqual(['cups', 'snacks']);
    // With rates given, USD lines are left out when USD has no rate.
    const eurOnly = computeCommerceTraits({ orders, now, exchangeRates: { EUR: 1 } });
    expect(eurOnly.favouriteCategories.map((f) => f.value)).toEqual(['tea', 'cups']);
  });

  it('maps onto the declared trait names', () => {
    expect(commerceTraitValues(traits)).toMatchObject({
      orders_count: 5, favourite_categories: ['tea', 'cups', 'snacks'], favourite_brands: ['A', 'B'], price_band_preference: 'mid', discount_affinity: 0.4,
    });
  });

  it('is empty-safe', () => {
    const none = computeCommerceTraits({ orders: [], now });
    expect(none).toEqual({
      ordersCount: 0, revenueTotal: {}, averageOrderValue: {}, firstOrderAt: null, lastOrderAt: null, meanInterpurchaseDays: null,
      medianInterpurchaseDays: null, favouriteCategories: [], favouriteBrands: [], priceBands: null, discountAffinity: null,
    });
  });
});

/*
 * Real customers from the UCI Online Retail data set (Chen, Sain & Guo 2012; CC BY 4.0):
 * every row of customers 16998, 15299 and 13631, copied from
 * ../shared/datasets/online-retail/online_retail.csv.gz (InvoiceNo, StockCode, Quantity,
 * InvoiceDate, UnitPrice, CustomerID; descriptions and country dropped). `C` invoices are
 * cancellations/credit notes, which Tailor stores as standalone returns.
 */
const ONLINE_RETAIL_ROWS = `
536809,84950,1824,2010-12-02 16:48:00,0.55,15299
536810,21833,204,2010-12-02 16:50:00,1.49,15299
536811,22275,69,2010-12-02 16:51:00,7.65,15299
543479,22371,24,2011-02-08 15:42:00,3.75,16998
C543758,D,-1,2011-02-11 15:07:00,65.91,15299
546878,22423,20,2011-03-17 17:13:00,4.0,13631
547154,22969,480,2011-03-21 12:06:00,1.25,15299
C550010,84950,-4,2011-04-14 10:29:00,0.55,15299
C550010,84856S,-1,2011-04-14 10:29:00,3.81,15299
553550,22968,100,2011-05-17 16:21:00,8.5,13631
553551,22423,20,2011-05-17 16:23:00,5.0,13631
553868,22371,48,2011-05-19 14:24:00,3.95,16998
553871,22371,2,2011-05-19 14:30:00,3.75,16998
554063,22625,48,2011-05-22 10:27:00,6.25,13631
C554373,22371,-2,2011-05-24 11:23:00,3.75,16998
C556274,M,-1,2011-06-09 19:46:00,600.0,15299
556831,23173,20,2011-06-15 11:27:00,8.0,13631
556842,22423,10,2011-06-15 11:29:00,4.0,13631
558365,22625,40,2011-06-28 15:28:00,6.25,13631
558366,23118,96,2011-06-28 15:30:00,5.32,13631
558381,M,1,2011-06-28 17:01:00,600.0,15299
559828,22371,2,2011-07-13 09:44:00,3.95,16998
C559830,M,-1,2011-07-13 09:49:00,0.48,16998
560586,21257,96,2011-07-19 15:48:00,6.95,13631
560587,22625,10,2011-07-19 15:49:00,6.0,13631
C561682,21257,-7,2011-07-28 19:27:00,6.95,13631
C562622,M,-1,2011-08-08 12:37:00,48.0,15299
565086,22625,7,2011-09-01 09:57:00,7.5,13631
569339,22113,250,2011-10-03 14:18:00,3.32,15299
569340,21115,120,2011-10-03 14:19:00,5.35,15299
`;

/** Groups the rows of one customer into orders the way the importer stores them (UK time read as UTC, GBP). */
function onlineRetailOrders(customerId: string): OrderInput[] {
  const byInvoice = new Map<string, OrderInput & { items: OrderItem[] }>();
  for (const line of ONLINE_RETAIL_ROWS.trim().split('\n')) {
    const [invoice, stockCode, quantity, date, unitPrice, customer] = line.split(',') as [string, string, string, string, string, string];
    if (customer !== customerId) continue;
    const isReturn = invoice.startsWith('C');
    const q = Math.abs(Number(quantity));
    const price = Number(unitPrice);
    const o = byInvoice.get(invoice) ?? {
      orderId: invoice, kind: isReturn ? 'return' : 'order', status: isReturn ? 'refunded' : 'completed', currency: 'GBP',
      revenue: 0, refundedAmount: 0, coupon: null, placedAt: Date.parse(`${date.replace(' ', 'T')}Z`), items: [],
    };
    o.revenue += (isReturn ? -1 : 1) * q * price;
    o.items.push({ itemId: stockCode, category: null, brand: null, price, quantity: isReturn ? -q : q });
    byInvoice.set(invoice, o);
  }
  return [...byInvoice.values()];
}

describe('computeCommerceTraits — Online Retail customers', () => {
  const now = at('2011-12-10T00:00:00Z');
  /*
   * Expected values computed independently with a python3 one-off (standard library only)
   * over the whole online_retail.csv.gz: orders = distinct non-C invoices of the customer;
   * net revenue = sum(Quantity × UnitPrice) over all their rows (C rows have negative
   * quantities); first/last = min/max InvoiceDate of non-C rows; gaps = differences between
   * consecutive distinct InvoiceDate dates of non-C rows (datetime.date), mean and median
   * by statistics.mean / statistics.median.
   */
  const expected = [
    { id: '16998', orders: 4, net: 287.02, aov: 71.755, first: '2011-02-08T15:42:00Z', last: '2011-07-13T09:44:00Z', mean: 77.5, median: 77.5 },
    { id: '15299', orders: 7, net: 3787.09, aov: 541.0128571428572, first: '2010-12-02T16:48:00Z', last: '2011-10-03T14:19:00Z', mean: 101.66666666666667, median: 99 },
    { id: '13631', orders: 11, net: 3021.77, aov: 274.7063636363636, first: '2011-03-17T17:13:00Z', last: '2011-09-01T09:57:00Z', mean: 28, median: 22.5 },
  ];

  for (const e of expected) {
    it(`matches the independent figures for customer ${e.id}`, () => {
      const t = computeCommerceTraits({ orders: onlineRetailOrders(e.id), now });
      expect(t.ordersCount).toBe(e.orders);
      expect(Object.keys(t.revenueTotal)).toEqual(['GBP']);
      expect(t.revenueTotal.GBP).toBeCloseTo(e.net, 9);
      expect(t.averageOrderValue.GBP).toBeCloseTo(e.aov, 9);
      expect(t.firstOrderAt).toBe(Date.parse(e.first));
      expect(t.lastOrderAt).toBe(Date.parse(e.last));
      expect(t.meanInterpurchaseDays).toBeCloseTo(e.mean, 12);
      expect(t.medianInterpurchaseDays).toBe(e.median);
    });
  }

  it('ranks stock codes of customer 13631 by recency-weighted net spend like the reference', () => {
    /*
     * python3 one-off over the whole file: for each row of customer 13631,
     * score[StockCode] += Quantity × UnitPrice × 2 ** (−age_days / 90), age from the
     * InvoiceDate to 2011-12-10T00:00:00 (C rows subtract); top 5 of the positive scores.
     */
    const top = computeCommerceTraits({ orders: onlineRetailOrders('13631'), now }).favouriteCategories;
    expect(top).toEqual([]); // no categories in this data set
    const byItem = computeCommerceTraits({ orders: onlineRetailOrders('13631').map((o) => ({ ...o, items: o.items.map((i) => ({ ...i, category: i.itemId })) })), now });
    expect(byItem.favouriteCategories.map((f) => [f.value, Number(f.score.toFixed(6))])).toEqual([
      ['21257', 203.904618], ['22625', 178.301431], ['22968', 173.51162], ['23118', 144.03058], ['22423', 40.817553],
    ]);
  });
});
