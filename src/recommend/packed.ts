import type { InteractionKind } from './interactions.js';

/**
 * Compact forms of what serving keeps per person between requests. The person cache holds
 * thousands of people with hundreds of interactions each; as one object per interaction (and
 * per item in each derived map), every timestamp a boxed number, that is millions of small
 * objects that each full garbage collection marks on the serving thread. These keep the same
 * read interfaces (an iterable list, a `ReadonlyMap`) over typed arrays and one id-to-slot map.
 */

/** A person's interactions as serving reads them: newest first or in any order. */
export interface InteractionList extends Iterable<{ itemId: string; kind: InteractionKind; at: number }> {
  readonly length: number;
}

const KINDS: readonly InteractionKind[] = ['purchase', 'add_to_cart', 'view'];
const KIND_CODE: Readonly<Record<InteractionKind, number>> = { purchase: 0, add_to_cart: 1, view: 2 };

/**
 * Interactions in three columns (item ids, kinds as bytes, times as doubles); equal item ids
 * share one string. Iterating yields a fresh `{ itemId, kind, at }` per interaction.
 *
 * @example
 * const list = packInteractions([{ itemId: 'mug', kind: 'purchase', at: Date.parse('2024-01-01') }]);
 * for (const e of list) use(e.itemId, e.kind, e.at);
 */
export class PackedInteractions implements InteractionList {
  private constructor(
    private readonly itemIds: readonly string[],
    private readonly kinds: Uint8Array,
    private readonly times: Float64Array,
  ) {}

  static from(interactions: Iterable<{ itemId: string; kind: InteractionKind; at: number }>): PackedInteractions {
    const ids: string[] = [];
    const kinds: number[] = [];
    const times: number[] = [];
    const interned = new Map<string, string>();
    for (const e of interactions) {
      let id = interned.get(e.itemId);
      if (id === undefined) interned.set(e.itemId, (id = e.itemId));
      ids.push(id);
      kinds.push(KIND_CODE[e.kind]);
      times.push(e.at);
    }
    return new PackedInteractions(ids, Uint8Array.from(kinds), Float64Array.from(times));
  }

  get length(): number {
    return this.itemIds.length;
  }

  *[Symbol.iterator](): IterableIterator<{ itemId: string; kind: InteractionKind; at: number }> {
    for (let i = 0; i < this.itemIds.length; i++) yield { itemId: this.itemIds[i]!, kind: KINDS[this.kinds[i]!]!, at: this.times[i]! };
  }
}

/** How a packed map's values are written to and read from their `width` numbers. */
interface Codec<V> {
  width: number;
  write(value: V, into: Float64Array, at: number): void;
  read(from: Float64Array, at: number): V;
}

/**
 * A read-only map from item id to a value of a few numbers, stored as one id-to-slot `Map`
 * (small integers, kept unboxed) and one `Float64Array` of the values. `get` and iteration
 * build the value on each call.
 */
export class PackedMap<V> implements ReadonlyMap<string, V> {
  private constructor(
    private readonly slots: ReadonlyMap<string, number>,
    private readonly numbers: Float64Array,
    private readonly codec: Codec<V>,
  ) {}

  static from<V>(map: ReadonlyMap<string, V>, codec: Codec<V>): PackedMap<V> {
    const slots = new Map<string, number>();
    const values = new Float64Array(map.size * codec.width);
    let i = 0;
    for (const [key, value] of map) {
      slots.set(key, i);
      codec.write(value, values, i * codec.width);
      i++;
    }
    return new PackedMap(slots, values, codec);
  }

  get size(): number {
    return this.slots.size;
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  get(key: string): V | undefined {
    const slot = this.slots.get(key);
    return slot === undefined ? undefined : this.codec.read(this.numbers, slot * this.codec.width);
  }

  keys(): MapIterator<string> {
    return this.slots.keys();
  }

  *values(): MapIterator<V> {
    for (const slot of this.slots.values()) yield this.codec.read(this.numbers, slot * this.codec.width);
  }

  *entries(): MapIterator<[string, V]> {
    for (const [key, slot] of this.slots) yield [key, this.codec.read(this.numbers, slot * this.codec.width)];
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    for (const [key, value] of this) fn(value, key, this);
  }
}

/** Item → a time or any one number. */
export const NUMBER: Codec<number> = { width: 1, write: (v, into, at) => { into[at] = v; }, read: (from, at) => from[at]! };

/** Item → the latest interaction's kind and time. */
export const LATEST: Codec<{ kind: InteractionKind; at: number }> = {
  width: 2,
  write: (v, into, at) => { into[at] = KIND_CODE[v.kind]; into[at + 1] = v.at; },
  read: (from, at) => ({ kind: KINDS[from[at]!]!, at: from[at + 1]! }),
};

/** Item → where it stands in its replenishment interval. */
export const DUE: Codec<{ ratio: number; intervalDays: number; lastAt: number }> = {
  width: 3,
  write: (v, into, at) => { into[at] = v.ratio; into[at + 1] = v.intervalDays; into[at + 2] = v.lastAt; },
  read: (from, at) => ({ ratio: from[at]!, intervalDays: from[at + 1]!, lastAt: from[at + 2]! }),
};

/**
 * A fixed set of catalog positions, sorted in an `Int32Array` and tested by binary search:
 * what a person's cache entry keeps instead of a mask over the whole catalog, so that its size
 * follows the person's history, not the catalog's (a 100,000-item catalog would make every
 * mask 100 KB a person).
 *
 * @example
 * const bought = PositionSet.of([42, 7, 42]); bought.has(7); // true; bought.size === 2
 */
export class PositionSet {
  private constructor(private readonly sorted: Int32Array) {}

  static of(positions: Iterable<number>): PositionSet {
    const sorted = Int32Array.from(new Set(positions)).sort();
    return new PositionSet(sorted);
  }

  get size(): number {
    return this.sorted.length;
  }

  has(position: number): boolean {
    const a = this.sorted;
    let lo = 0;
    let hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = a[mid]!;
      if (v === position) return true;
      if (v < position) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}
