import { productDays, replenishmentDue } from '../predict/index.js';
import type { CatalogIndex } from './catalog-index.js';
import { DEFAULT_SIGNAL_WEIGHTS, type InteractionKind } from './interactions.js';
import { DUE, LATEST, NUMBER, PackedMap } from './packed.js';
import type { PersonSignals } from './person-signals.js';
import type { ServingState } from './serving-state.js';

/**
 * What serving derives from a person's record once (and keeps with it): the latest
 * interaction per item, how much history there is, when each item was last bought, where
 * each repeat-bought item stands in its replenishment interval, and the tags they choose most.
 */

/**
 * A purchase this far into its replenishment interval (share of it) is due again — until
 * three intervals have passed: by then the person has most likely stopped buying it.
 */
export const DUE_RATIO = 0.8;
export const DUE_RATIO_MAX = 3;

const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** What serving derives from a person's record once. */
export interface Derived {
  /** Per item: the latest interaction and its kind. */
  latest: ReadonlyMap<string, { kind: InteractionKind; at: number }>;
  /** Σ over distinct items of their strongest signal weight (purchase 1, cart 0.5, view 0.1): how much history there is. */
  historyWeight: number;
  purchasedAt: ReadonlyMap<string, number>;
  due: ReadonlyMap<string, { ratio: number; intervalDays: number; lastAt: number }>;
  tastes: ReadonlyMap<string, number>;
}

export const NOBODY: Derived = { latest: new Map(), historyWeight: 0, purchasedAt: new Map(), due: new Map(), tastes: new Map() };

/**
 * Derives it.
 *
 * @example
 * const d = derive(person, state, state.catalog, clock.now());
 */
export function derive(person: PersonSignals, state: ServingState, catalog: CatalogIndex, now: number): Derived {
  const latest = new Map<string, { kind: InteractionKind; at: number }>();
  const seen = new Map<string, number>();
  const purchasedAt = new Map<string, number>();
  for (const e of person.interactions) {
    const prev = latest.get(e.itemId);
    if (prev === undefined || e.at > prev.at || (e.at === prev.at && DEFAULT_SIGNAL_WEIGHTS[e.kind] > DEFAULT_SIGNAL_WEIGHTS[prev.kind])) latest.set(e.itemId, { kind: e.kind, at: e.at });
    seen.set(e.itemId, Math.max(seen.get(e.itemId) ?? 0, DEFAULT_SIGNAL_WEIGHTS[e.kind]));
    if (e.kind === 'purchase') purchasedAt.set(e.itemId, Math.max(purchasedAt.get(e.itemId) ?? -Infinity, e.at));
  }
  let historyWeight = 0;
  for (const w of seen.values()) historyWeight += w;
  for (const [itemId, at] of person.purchased ?? []) if (!purchasedAt.has(itemId)) purchasedAt.set(itemId, at);
  // Kept with the person's record until it changes: packed (see packed.ts).
  return {
    latest: PackedMap.from(latest, LATEST), historyWeight, purchasedAt: PackedMap.from(purchasedAt, NUMBER),
    due: PackedMap.from(dueness(person, state.model?.replenishment ?? new Map<string, number>(), now), DUE), tastes: tagShares(person, catalog, now),
  };
}

/** Replenishment state of each repeat-bought item the person bought: how far along its interval they are. */
function dueness(person: PersonSignals, intervals: ReadonlyMap<string, number>, now: number): Map<string, { ratio: number; intervalDays: number; lastAt: number }> {
  // Intervals are between UTC purchase days (as the predictions compute them); the last
  // purchase's own time is what the reason tells.
  const purchases: Array<{ itemId: string; at: number }> = [];
  for (const e of person.interactions) if (e.kind === 'purchase') purchases.push(e);
  const days = productDays(purchases.map((e) => ({ placedAt: e.at, items: [{ itemId: e.itemId, quantity: 1 }] })));
  const lastBought = new Map<string, number>();
  for (const e of purchases) lastBought.set(e.itemId, Math.max(lastBought.get(e.itemId) ?? -Infinity, e.at));
  const dueAt = replenishmentDue(days, intervals, { top: 1000 });
  const out = new Map<string, { ratio: number; intervalDays: number; lastAt: number }>();
  for (const [itemId, at] of Object.entries(dueAt)) {
    const list = days.get(itemId)!;
    const lastDay = list[list.length - 1]! * DAY_MS;
    const interval = Math.max(DAY_MS, at - lastDay);
    out.set(itemId, { ratio: (now - lastDay) / interval, intervalDays: interval / DAY_MS, lastAt: lastBought.get(itemId) ?? lastDay });
  }
  // Items the person re-buys though the shop as a whole does not (yet): their own rhythm.
  for (const [itemId, list] of days) {
    if (out.has(itemId) || list.length < 2) continue;
    const interval = Math.max(1, (list[list.length - 1]! - list[0]!) / (list.length - 1)) * DAY_MS;
    const lastDay = list[list.length - 1]! * DAY_MS;
    out.set(itemId, { ratio: (now - lastDay) / interval, intervalDays: interval / DAY_MS, lastAt: lastBought.get(itemId) ?? lastDay });
  }
  return out;
}

/** Share of the person's purchases in the last 30 days carrying each tag, for tags on at least half of at least 3 purchases. */
function tagShares(person: PersonSignals, catalog: CatalogIndex, now: number): Map<string, number> {
  const since = now - 30 * DAY_MS;
  const counts = new Map<string, number>();
  let purchases = 0;
  for (const e of person.interactions) {
    if (e.kind !== 'purchase' || e.at < since) continue;
    const p = catalog.index.get(e.itemId);
    if (p === undefined) continue;
    purchases++;
    for (const t of new Set(catalog.tagsOf(p))) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  const out = new Map<string, number>();
  if (purchases < 3) return out;
  for (const [t, c] of counts) if (c / purchases >= 0.5) out.set(t, c / purchases);
  return out;
}

