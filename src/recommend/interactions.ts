import type { CsrMatrix } from './sparse.js';

/** What a person did with an item, strongest signal first. */
export type InteractionKind = 'purchase' | 'add_to_cart' | 'view';

/** One implicit-feedback event (from orders and e-commerce events). `at` is ms since the epoch. */
export interface Interaction {
  userId: string;
  itemId: string;
  kind: InteractionKind;
  at: number;
  quantity?: number;
}

/**
 * How much one event of each kind says about a person's taste. A purchase costs money and is
 * the signal the business wants, a cart add is half-way there, a view is weak and noisy
 * (Hu, Koren & Volinsky 2008 §2: implicit signals differ in confidence, not in sign).
 */
export const DEFAULT_SIGNAL_WEIGHTS: Readonly<Record<InteractionKind, number>> = Object.freeze({
  purchase: 1,
  add_to_cart: 0.5,
  view: 0.1,
});

/**
 * Half-life of an interaction's weight, in days: an event this old counts half as much as one
 * at the reference time. 30 days won on the validation split of the Online Retail data for
 * every collaborative model (README.md, "Tuning"); popularity does best with 7 ("trending").
 */
export const DEFAULT_HALF_LIFE_DAYS = 30;

/**
 * Default upper bound of a matrix entry. 1 won on the validation split for every
 * collaborative model: an entry says "bought, and how recently" rather than "how often", so
 * a wholesale customer's twenty re-orders of one item do not drown their other purchases.
 */
export const DEFAULT_CAP = 1;

const DAY_MS = 86_400_000;

/** The user × item matrix plus the maps between ids and row/column numbers. */
export interface InteractionMatrix extends CsrMatrix {
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly userIndex: ReadonlyMap<string, number>;
  readonly itemIndex: ReadonlyMap<string, number>;
}

export interface BuildMatrixOptions {
  interactions: Iterable<Interaction>;
  /** Time the decay is measured from (the training cut-off, or the clock's now). */
  referenceTime: number;
  /** Overrides of DEFAULT_SIGNAL_WEIGHTS. */
  signalWeights?: Partial<Record<InteractionKind, number>>;
  /** Half-life in days; `Infinity` turns decay off. Default DEFAULT_HALF_LIFE_DAYS. */
  halfLifeDays?: number;
  /**
   * The item universe, in column order (e.g. the whole catalog, so that items nobody has
   * touched yet still get a column). Items seen only in interactions are appended.
   */
  itemIds?: readonly string[];
  /**
   * `'ignore'` (default): an order line counts once whatever its quantity — in wholesale data
   * quantity is mostly pack size. `'log'`: multiply by 1 + ln(quantity).
   */
  quantity?: 'ignore' | 'log';
  /** Upper bound on an entry after summing; default DEFAULT_CAP, `Infinity` for plain sums. */
  cap?: number;
}

/**
 * The weight of one event: signal weight × 2^(−age / half-life). Events after the reference
 * time get age 0 (they are not amplified).
 *
 * @example
 * recencyWeight({ at: 0, referenceTime: 10 * 86_400_000, halfLifeDays: 10 }); // 0.5
 */
export function recencyWeight(input: { at: number; referenceTime: number; halfLifeDays: number }): number {
  if (!Number.isFinite(input.halfLifeDays)) return 1;
  const ageDays = Math.max(0, input.referenceTime - input.at) / DAY_MS;
  return Math.pow(2, -ageDays / input.halfLifeDays);
}

/**
 * Builds the sparse user × item matrix: each entry is the sum over that user's events on that
 * item of signal weight × recency weight (× quantity factor when asked), capped at `cap`.
 * Users are numbered in order of first appearance; items follow `itemIds`, then first
 * appearance.
 *
 * @example
 * const m = buildInteractionMatrix({
 *   interactions: [{ userId: 'u1', itemId: 'mug', kind: 'purchase', at: Date.parse('2024-01-01') }],
 *   referenceTime: Date.parse('2024-01-01'),
 * });
 * m.values; // Float64Array [1]
 */
export function buildInteractionMatrix(options: BuildMatrixOptions): InteractionMatrix {
  const weights = { ...DEFAULT_SIGNAL_WEIGHTS, ...options.signalWeights };
  const halfLifeDays = options.halfLifeDays ?? DEFAULT_HALF_LIFE_DAYS;
  if (!(halfLifeDays > 0)) throw new RangeError(`halfLifeDays must be positive, got ${halfLifeDays}`);
  const itemIds: string[] = [];
  const itemIndex = new Map<string, number>();
  for (const id of options.itemIds ?? []) {
    if (!itemIndex.has(id)) {
      itemIndex.set(id, itemIds.length);
      itemIds.push(id);
    }
  }
  const userIds: string[] = [];
  const userIndex = new Map<string, number>();
  // Per user, a map item → accumulated weight; rows are then sorted by item index.
  const rows: Array<Map<number, number>> = [];
  for (const event of options.interactions) {
    const signal = weights[event.kind];
    if (signal === 0) continue;
    let u = userIndex.get(event.userId);
    if (u === undefined) {
      u = userIds.length;
      userIndex.set(event.userId, u);
      userIds.push(event.userId);
      rows.push(new Map());
    }
    let i = itemIndex.get(event.itemId);
    if (i === undefined) {
      i = itemIds.length;
      itemIndex.set(event.itemId, i);
      itemIds.push(event.itemId);
    }
    const q = options.quantity === 'log' && event.quantity !== undefined && event.quantity > 1 ? 1 + Math.log(event.quantity) : 1;
    const w = signal * q * recencyWeight({ at: event.at, referenceTime: options.referenceTime, halfLifeDays });
    const row = rows[u]!;
    row.set(i, (row.get(i) ?? 0) + w);
  }
  const indptr = new Int32Array(userIds.length + 1);
  let nnz = 0;
  for (let u = 0; u < rows.length; u++) {
    nnz += rows[u]!.size;
    indptr[u + 1] = nnz;
  }
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  const cap = options.cap ?? DEFAULT_CAP;
  for (let u = 0; u < rows.length; u++) {
    const entries = [...rows[u]!.entries()].sort((a, b) => a[0] - b[0]);
    let p = indptr[u]!;
    for (const [i, w] of entries) {
      indices[p] = i;
      values[p++] = Math.min(cap, w);
    }
  }
  return { rows: userIds.length, cols: itemIds.length, indptr, indices, values, userIds, itemIds, userIndex, itemIndex };
}

/**
 * A history vector over `itemIndex` from item ids and weights (unknown items are skipped).
 * Use it to score a person whose events arrived after the model was fitted.
 *
 * @example
 * const h = historyFromItems({ itemIndex: matrix.itemIndex, items: [{ itemId: 'mug', weight: 1 }] });
 */
export function historyFromItems(input: {
  itemIndex: ReadonlyMap<string, number>;
  items: Iterable<{ itemId: string; weight: number }>;
}): { indices: Int32Array; values: Float64Array } {
  const acc = new Map<number, number>();
  for (const { itemId, weight } of input.items) {
    const i = input.itemIndex.get(itemId);
    if (i !== undefined) acc.set(i, (acc.get(i) ?? 0) + weight);
  }
  const entries = [...acc.entries()].sort((a, b) => a[0] - b[0]);
  return { indices: Int32Array.from(entries, (e) => e[0]), values: Float64Array.from(entries, (e) => e[1]) };
}
