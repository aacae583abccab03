import { describe, expect, it } from 'vitest';
import type { OrderInput } from '../profiles/inputs.js';
import { holdoutPurchases, summarizePurchases } from './summaries.js';

const DAY = 86_400_000;
const order = (day: number, revenue: number, over: Partial<OrderInput> = {}): OrderInput => ({
  orderId: `o${day}-${revenue}`, kind: 'order', status: 'completed', currency: 'GBP', revenue, refundedAmount: 0, coupon: null, placedAt: day * DAY + 3_600_000, items: [], ...over,
});

describe('purchase summaries', () => {
  it('groups orders into days and measures from the first purchase (hand-worked)', () => {
    // Days 10, 10 (same day: one period of 30), 15, 40; a cancelled order and a return ignored; end day 50.
    const s = summarizePurchases([order(10, 10), order(10, 20), order(15, 40), order(40, 60), order(20, 999, { status: 'cancelled' }), order(30, -5, { kind: 'return' })],
      { calibrationEnd: 50 * DAY, unit: 'day', currency: 'GBP' })!;
    expect(s.purchases).toEqual({ x: 2, tx: 30, T: 40 });
    // Repeat periods: 40 and 60 → m = 50; the first purchase is left out.
    expect(s.spend).toEqual({ x: 2, m: 50 });
    expect(s.purchaseDays).toEqual([0, 5, 30]);
  });

  it('uses 7-day periods for weeks, ignores orders after calibration, and nets partial refunds', () => {
    const s = summarizePurchases([order(0, 10), order(3, 10), order(8, 50, { status: 'partially_refunded', refundedAmount: 20 }), order(60, 10)],
      { calibrationEnd: 21 * DAY, unit: 'week', currency: 'GBP' })!;
    expect(s.purchases).toEqual({ x: 1, tx: 1, T: 3 });
    expect(s.spend).toEqual({ x: 1, m: 30 });
    expect(summarizePurchases([order(60, 10)], { calibrationEnd: 21 * DAY, unit: 'week', currency: 'GBP' })).toBeNull();
  });

  it('counts holdout purchase periods and value after calibration', () => {
    expect(holdoutPurchases([order(0, 10), order(22, 10), order(22, 5), order(30, 7), order(90, 1)], { from: 21 * DAY, to: 60 * DAY, unit: 'day', currency: 'GBP' }))
      .toEqual({ purchases: 2, value: 22 });
  });
});
