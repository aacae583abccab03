import type { CategoryPriceDistribution, OrderInput } from './inputs.js';
import { isCountedOrder, lineSpendFactor } from './order-rules.js';
import { midRankQuintile } from './statistics.js';
import type { PRICE_BANDS } from './trait-registry.js';

export type PriceBand = (typeof PRICE_BANDS)[number];

/**
 * Price bands from the quintile of a line's price within its category: the bottom quintile
 * is 'budget', the top quintile 'premium', the three middle ones 'mid'. So a shopper who
 * buys at random across a category's catalog shows about 20 % / 60 % / 20 %.
 *
 * @example
 * bandOfQuintile(5); // 'premium'
 */
export function bandOfQuintile(quintile: 1 | 2 | 3 | 4 | 5): PriceBand {
  return quintile === 1 ? 'budget' : quintile === 5 ? 'premium' : 'mid';
}

/**
 * Builds the per-category price distributions from catalog items (items without a category
 * or with a non-finite or negative price are left out).
 *
 * @example
 * buildCategoryPriceDistributions([{ category: 'tea', price: 4 }, { category: 'tea', price: 2 }]);
 * // [{ category: 'tea', prices: [2, 4] }]
 */
export function buildCategoryPriceDistributions(items: ReadonlyArray<{ category: string | null; price: number }>): CategoryPriceDistribution[] {
  const byCategory = new Map<string, number[]>();
  for (const item of items) {
    if (item.category === null || !Number.isFinite(item.price) || item.price < 0) continue;
    const prices = byCategory.get(item.category) ?? [];
    prices.push(item.price);
    byCategory.set(item.category, prices);
  }
  return [...byCategory.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([category, prices]) => ({ category, prices: prices.sort((a, b) => a - b) }));
}

export interface PriceBandResult {
  /** Share of units (quantity × kept share) bought in each band; sums to 1. */
  shares: Record<PriceBand, number>;
  /** The band with the largest share; ties go to 'mid', then 'budget', then 'premium'. */
  preference: PriceBand;
}

const TIE_ORDER: readonly PriceBand[] = ['mid', 'budget', 'premium'];

/**
 * Where a person's purchases sit in their categories' price ranges. Reads the lines of
 * counted orders (returns are left out) whose category has a distribution; `null` when
 * there is no such line.
 *
 * @example
 * priceBandShares({ orders, distributions: buildCategoryPriceDistributions(catalog) });
 * // { shares: { budget: 0.25, mid: 0.75, premium: 0 }, preference: 'mid' }
 */
export function priceBandShares(input: {
  orders: readonly OrderInput[];
  distributions: readonly CategoryPriceDistribution[];
}): PriceBandResult | null {
  const byCategory = new Map(input.distributions.filter((d) => d.prices.length > 0).map((d) => [d.category, d.prices]));
  const units: Record<PriceBand, number> = { budget: 0, mid: 0, premium: 0 };
  let total = 0;
  for (const order of input.orders) {
    if (!isCountedOrder(order)) continue;
    const factor = lineSpendFactor(order);
    for (const item of order.items) {
      const prices = item.category === null ? undefined : byCategory.get(item.category);
      if (prices === undefined || !Number.isFinite(item.price)) continue;
      const u = Math.abs(item.quantity) * factor;
      if (!(u > 0)) continue;
      units[bandOfQuintile(midRankQuintile(prices, item.price))] += u;
      total += u;
    }
  }
  if (total === 0) return null;
  const shares: Record<PriceBand, number> = { budget: units.budget / total, mid: units.mid / total, premium: units.premium / total };
  let preference: PriceBand = TIE_ORDER[0]!;
  for (const band of TIE_ORDER) if (shares[band] > shares[preference]) preference = band;
  return { shares, preference };
}
