import { DAY_MS, type OrderInput, type OrderItem } from './inputs.js';
import { lineSpendFactor } from './order-rules.js';

export interface Favourite {
  value: string;
  /** Recency-weighted net spend (in the reference currency when rates are given). */
  score: number;
}

export interface FavouritesInput {
  orders: readonly OrderInput[];
  now: number;
  /** Which attribute of a line to rank. */
  key: (item: OrderItem) => string | null;
  /** A purchase this many days old weighs half as much as one made now. Default 90. */
  halfLifeDays?: number;
  /** How many to return. Default 5. */
  top?: number;
  /**
   * Multipliers to one reference currency. Without them, amounts of different currencies
   * are added as they are; with them, lines in a currency missing here are left out.
   */
  exchangeRates?: Readonly<Record<string, number>>;
  /** Values never to return, e.g. categories a workspace lists as sensitive (PRIVACY.md P10, P12). */
  exclude?: (value: string) => boolean;
}

/** Default half-life of purchase weight, in days: a season ago counts half. */
export const DEFAULT_HALF_LIFE_DAYS = 90;

/**
 * Ranks the values of one line attribute (category, brand) by recency-weighted net spend:
 * each line adds price × |quantity| × (kept share of its order, −1 for a return) ×
 * 2^(−age in days / half-life). Values whose total is not positive are dropped (a product
 * bought and returned is not a favourite). Ties are broken by value, ascending, so the
 * result does not depend on the order of the input. Lines dated after `now` weigh 1.
 *
 * @example
 * rankFavourites({ orders, now, key: (i) => i.category }); // [{ value: 'tea', score: 31.5 }, …]
 */
export function rankFavourites(input: FavouritesInput): Favourite[] {
  const halfLife = input.halfLifeDays ?? DEFAULT_HALF_LIFE_DAYS;
  if (!(halfLife > 0)) throw new Error(`rankFavourites: halfLifeDays must be positive, got ${halfLife}`);
  const scores = new Map<string, number>();
  for (const order of input.orders) {
    const factor = lineSpendFactor(order);
    if (factor === 0) continue;
    const rate = input.exchangeRates === undefined ? 1 : input.exchangeRates[order.currency];
    if (rate === undefined) continue;
    const ageDays = Math.max(0, (input.now - order.placedAt) / DAY_MS);
    const weight = 2 ** (-ageDays / halfLife) * factor * rate;
    for (const item of order.items) {
      const value = input.key(item);
      if (value === null || value === '' || input.exclude?.(value) === true) continue;
      const spend = item.price * Math.abs(item.quantity);
      if (!Number.isFinite(spend)) continue;
      scores.set(value, (scores.get(value) ?? 0) + spend * weight);
    }
  }
  return [...scores.entries()]
    .filter(([, score]) => score > 1e-9)
    .sort(([va, a], [vb, b]) => b - a || (va < vb ? -1 : va > vb ? 1 : 0))
    .slice(0, input.top ?? 5)
    .map(([value, score]) => ({ value, score }));
}
