import { median } from '../profiles/statistics.js';

const DAY_MS = 86_400_000;

/**
 * Next purchase of repeat-bought products ("running out?"): for a product people buy again,
 * the date a person is expected to need it, from their own intervals between purchases of it
 * shrunk toward the product's population interval (an empirical-Bayes style mean: a person
 * with one interval is mostly the population, one with many is mostly themself):
 *   interval = (n · own mean + k · product median) / (n + k),  k = `shrinkage` (default 2),
 *   due = last purchase + interval.
 * A product counts as repeat-bought when at least `minIntervals` (default 5) intervals from
 * at least `minPeople` (default 3) people were seen; intervals are between distinct UTC days.
 */
export interface ReplenishmentOptions {
  shrinkage?: number;
  minIntervals?: number;
  minPeople?: number;
  /** How many products to keep per person, soonest due first. Default 10. */
  top?: number;
}

/** Distinct purchase days (UTC day numbers, ascending) per product, of one person. */
export type ProductDays = ReadonlyMap<string, readonly number[]>;

/**
 * Collects the product intervals of the population, person by person.
 *
 * @example
 * const pop = createIntervalCollector(); pop.add(personDays); const intervals = pop.productIntervals();
 */
export function createIntervalCollector(options: ReplenishmentOptions = {}) {
  const minIntervals = options.minIntervals ?? 5;
  const minPeople = options.minPeople ?? 3;
  const gaps = new Map<string, { gaps: number[]; people: number }>();
  return {
    add(days: ProductDays): void {
      for (const [item, list] of days) {
        if (list.length < 2) continue;
        let g = gaps.get(item);
        if (g === undefined) gaps.set(item, (g = { gaps: [], people: 0 }));
        g.people++;
        for (let i = 1; i < list.length; i++) g.gaps.push(list[i]! - list[i - 1]!);
      }
    },
    /** Median interval in days of each repeat-bought product. */
    productIntervals(): Map<string, number> {
      const out = new Map<string, number>();
      for (const [item, g] of gaps) {
        if (g.gaps.length >= minIntervals && g.people >= minPeople) out.set(item, median(g.gaps)!);
      }
      return out;
    },
  };
}

/**
 * Distinct purchase days per product from a person's order lines.
 *
 * @example
 * productDays([{ placedAt, items: [{ itemId: 'coffee', quantity: 1 }] }]); // Map { 'coffee' => [19700] }
 */
export function productDays(orders: ReadonlyArray<{ placedAt: number; items: ReadonlyArray<{ itemId: string; quantity: number }> }>): Map<string, number[]> {
  const sets = new Map<string, Set<number>>();
  for (const o of orders) {
    const day = Math.floor(o.placedAt / DAY_MS);
    for (const line of o.items) {
      if (!(line.quantity > 0)) continue;
      let s = sets.get(line.itemId);
      if (s === undefined) sets.set(line.itemId, (s = new Set()));
      s.add(day);
    }
  }
  const out = new Map<string, number[]>();
  for (const [item, s] of sets) out.set(item, [...s].sort((a, b) => a - b));
  return out;
}

/**
 * When each repeat-bought product the person bought is due again (ms), soonest first.
 *
 * @example
 * replenishmentDue(productDays(orders), intervals); // { coffee: 1700000000000 }
 */
export function replenishmentDue(days: ProductDays, intervals: ReadonlyMap<string, number>, options: ReplenishmentOptions = {}): Record<string, number> {
  const k = options.shrinkage ?? 2;
  const due: Array<[string, number]> = [];
  for (const [item, list] of days) {
    const population = intervals.get(item);
    if (population === undefined || list.length === 0) continue;
    const n = list.length - 1;
    const own = n === 0 ? 0 : (list[list.length - 1]! - list[0]!) / n;
    const interval = (n * own + k * population) / (n + k);
    due.push([item, (list[list.length - 1]! + interval) * DAY_MS]);
  }
  due.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  return Object.fromEntries(due.slice(0, options.top ?? 10));
}
