import { isCountedOrder, netRevenue } from '../profiles/order-rules.js';
import type { OrderInput } from '../profiles/inputs.js';
import type { CustomerSummary } from './bgnbd.js';
import type { SpendSummary } from './gamma-gamma.js';

export type TimeUnit = 'day' | 'week';

const DAY_MS = 86_400_000;
export const UNIT_DAYS: Record<TimeUnit, number> = { day: 1, week: 7 };

/** One person as both models read them, with what the churn rules need besides. */
export interface PersonSummary {
  /** BG/NBD input, in the chosen unit. */
  purchases: CustomerSummary;
  /** Gamma-Gamma input (x repeat purchase periods, m their mean net value); null when x = 0 or m ≤ 0. */
  spend: SpendSummary | null;
  /** Start of each purchase period, in days since the first purchase (ascending). */
  purchaseDays: number[];
  /** Time of the last counted purchase, ms. */
  lastPurchaseAt: number;
}

/**
 * Summarizes one person's orders placed up to `calibrationEnd` for the purchase and spend
 * models, the way Fader, Hardie & Lee and the `lifetimes` library do: orders are grouped into
 * purchase periods (UTC days, or 7-day periods counted from the first purchase); x is the
 * number of periods with a purchase after the first one, tₓ the start of the last such period
 * and T the end of calibration, both measured from the first purchase in the unit. A period's
 * value is the net revenue of its counted orders in `currency` (refunds netted, see
 * order-rules.ts); m is the mean over repeat periods, the first left out. Null for a person
 * with no counted order in the window (nobody to predict yet).
 *
 * @example
 * summarizePurchases(orders, { calibrationEnd: Date.parse('2011-09-01'), unit: 'week', currency: 'GBP' });
 * // { purchases: { x: 3, tx: 20, T: 31.4 }, spend: { x: 3, m: 250.1 }, … }
 */
export function summarizePurchases(orders: readonly OrderInput[], options: { calibrationEnd: number; unit: TimeUnit; currency: string }): PersonSummary | null {
  const counted = orders.filter((o) => isCountedOrder(o) && o.placedAt <= options.calibrationEnd && o.currency === options.currency);
  if (counted.length === 0) return null;
  const first = counted.reduce((m, o) => Math.min(m, o.placedAt), Infinity);
  const unitDays = UNIT_DAYS[options.unit];
  const firstDay = Math.floor(first / DAY_MS);
  // Period index of each order: whole units since the first purchase's day.
  const value = new Map<number, number>();
  for (const o of counted) {
    const period = Math.floor((Math.floor(o.placedAt / DAY_MS) - firstDay) / unitDays);
    value.set(period, (value.get(period) ?? 0) + netRevenue(o));
  }
  const periods = [...value.keys()].sort((a, b) => a - b);
  const x = periods.length - 1;
  const tx = periods[periods.length - 1]!;
  const T = (options.calibrationEnd - firstDay * DAY_MS) / (DAY_MS * unitDays);
  const repeatValues = periods.slice(1).map((p) => value.get(p)!);
  const m = repeatValues.length === 0 ? 0 : repeatValues.reduce((s, v) => s + v, 0) / repeatValues.length;
  return {
    purchases: { x, tx, T: Math.max(T, tx, Number.EPSILON) },
    spend: x > 0 && m > 0 ? { x, m } : null,
    purchaseDays: periods.map((p) => p * unitDays),
    lastPurchaseAt: counted.reduce((m2, o) => Math.max(m2, o.placedAt), -Infinity),
  };
}

/**
 * Purchase periods and value of a person in a window after calibration (for holdout checks).
 *
 * @example
 * holdoutPurchases(orders, { from: calibrationEnd, to: end, unit: 'day', currency: 'GBP' }); // { purchases: 2, value: 40.5 }
 */
export function holdoutPurchases(orders: readonly OrderInput[], options: { from: number; to: number; unit: TimeUnit; currency: string }): { purchases: number; value: number } {
  const unitMs = DAY_MS * UNIT_DAYS[options.unit];
  const periods = new Set<number>();
  let value = 0;
  for (const o of orders) {
    if (!isCountedOrder(o) || o.placedAt <= options.from || o.placedAt > options.to || o.currency !== options.currency) continue;
    periods.add(Math.floor((o.placedAt - options.from) / unitMs));
    value += netRevenue(o);
  }
  return { purchases: periods.size, value };
}
