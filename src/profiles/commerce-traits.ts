import type { CategoryPriceDistribution, OrderInput } from './inputs.js';
import { rankFavourites, type Favourite } from './favourites.js';
import { isCountedOrder, netRevenue } from './order-rules.js';
import { priceBandShares, type PriceBandResult } from './price-bands.js';
import { mean, median, utcDay } from './statistics.js';
import type { TraitValues } from './trait-registry.js';

export interface CommerceInput {
  /** All of the person's orders and returns, in any order. */
  orders: readonly OrderInput[];
  now: number;
  /** Catalog price distributions per category, for the price band traits. */
  priceDistributions?: readonly CategoryPriceDistribution[];
  /** Half-life of the favourites' recency weight, in days. Default 90. */
  halfLifeDays?: number;
  /** How many favourite categories and brands to keep. Default 5. */
  top?: number;
  /** Multipliers to one reference currency, for ranking favourites across currencies. */
  exchangeRates?: Readonly<Record<string, number>>;
  /** Categories never to name as favourites (sensitive ones, PRIVACY.md P10/P12). */
  excludeCategory?: (category: string) => boolean;
}

export interface CommerceTraits {
  ordersCount: number;
  /** Net revenue per currency (refunds and returns netted). */
  revenueTotal: Record<string, number>;
  /** Net revenue / counted orders, per currency that has counted orders. */
  averageOrderValue: Record<string, number>;
  firstOrderAt: number | null;
  lastOrderAt: number | null;
  /** Gaps between consecutive distinct UTC order days, in days; null with fewer than two days. */
  meanInterpurchaseDays: number | null;
  medianInterpurchaseDays: number | null;
  favouriteCategories: Favourite[];
  favouriteBrands: Favourite[];
  /** Null without price distributions or without lines in a known category. */
  priceBands: PriceBandResult | null;
  /** Share of counted orders with a coupon; null without counted orders. */
  discountAffinity: number | null;
}

/**
 * The gaps, in days, between consecutive distinct UTC calendar days on which the person
 * placed a counted order. Two orders on one day are one purchase occasion.
 *
 * @example
 * interpurchaseGaps([Date.parse('2024-01-01T09:00Z'), Date.parse('2024-01-01T18:00Z'), Date.parse('2024-01-11T00:00Z')]); // [10]
 */
export function interpurchaseGaps(orderTimes: readonly number[]): number[] {
  const days = [...new Set(orderTimes.map(utcDay))].sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let i = 1; i < days.length; i++) gaps.push(days[i]! - days[i - 1]!);
  return gaps;
}

/**
 * Computes the commerce traits of one person from their orders (see order-rules.ts for
 * which orders count and how refunds and returns are netted, and the README for each
 * trait's definition).
 *
 * @example
 * computeCommerceTraits({ orders, now: clock.now() });
 * // { ordersCount: 3, revenueTotal: { GBP: 120.5 }, averageOrderValue: { GBP: 40.17 }, … }
 */
export function computeCommerceTraits(input: CommerceInput): CommerceTraits {
  const counted = input.orders.filter(isCountedOrder);
  const revenueTotal: Record<string, number> = {};
  const countedPerCurrency: Record<string, number> = {};
  for (const order of input.orders) {
    // Orders not kept contribute nothing; a standalone return subtracts.
    if (order.kind === 'order' && !isCountedOrder(order)) continue;
    revenueTotal[order.currency] = (revenueTotal[order.currency] ?? 0) + netRevenue(order);
  }
  for (const order of counted) countedPerCurrency[order.currency] = (countedPerCurrency[order.currency] ?? 0) + 1;
  const averageOrderValue: Record<string, number> = {};
  for (const [currency, n] of Object.entries(countedPerCurrency)) averageOrderValue[currency] = (revenueTotal[currency] ?? 0) / n;

  const times = counted.map((o) => o.placedAt);
  const gaps = interpurchaseGaps(times);
  const withCoupon = counted.filter((o) => o.coupon !== null && o.coupon.trim() !== '').length;
  const favourites = { orders: input.orders, now: input.now, halfLifeDays: input.halfLifeDays, top: input.top, exchangeRates: input.exchangeRates };
  return {
    ordersCount: counted.length,
    revenueTotal,
    averageOrderValue,
    firstOrderAt: times.length === 0 ? null : times.reduce((a, b) => Math.min(a, b)),
    lastOrderAt: times.length === 0 ? null : times.reduce((a, b) => Math.max(a, b)),
    meanInterpurchaseDays: mean(gaps),
    medianInterpurchaseDays: median(gaps),
    favouriteCategories: rankFavourites({ ...favourites, key: (i) => i.category, exclude: input.excludeCategory }),
    favouriteBrands: rankFavourites({ ...favourites, key: (i) => i.brand }),
    priceBands: input.priceDistributions === undefined ? null : priceBandShares({ orders: input.orders, distributions: input.priceDistributions }),
    discountAffinity: counted.length === 0 ? null : withCoupon / counted.length,
  };
}

/**
 * The commerce traits as declared trait values.
 *
 * @example
 * commerceTraitValues(computeCommerceTraits({ orders, now })); // { orders_count: 3, favourite_categories: ['tea'], … }
 */
export function commerceTraitValues(traits: CommerceTraits): TraitValues {
  return {
    orders_count: traits.ordersCount,
    revenue_total: { ...traits.revenueTotal },
    average_order_value: { ...traits.averageOrderValue },
    first_order_at: traits.firstOrderAt,
    last_order_at: traits.lastOrderAt,
    mean_interpurchase_days: traits.meanInterpurchaseDays,
    median_interpurchase_days: traits.medianInterpurchaseDays,
    favourite_categories: traits.favouriteCategories.map((f) => f.value),
    favourite_brands: traits.favouriteBrands.map((f) => f.value),
    price_band_shares: traits.priceBands === null ? null : { ...traits.priceBands.shares },
    price_band_preference: traits.priceBands?.preference ?? null,
    discount_affinity: traits.discountAffinity,
  };
}
