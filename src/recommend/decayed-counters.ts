/**
 * Exponentially decayed counters per item: the value at time t of events with weights wₖ at
 * times tₖ is Σ wₖ · 2^(−(t − tₖ) / h). Stored as amounts scaled to a reference time t₀
 * (aₖ = wₖ · 2^((tₖ − t₀) / h)), so adding an event is one addition and reading multiplies by
 * 2^(−(t − t₀) / h); the reference moves forward (rescaling everything) before the scaled
 * amounts could overflow. This is how "trending" keeps up with ingest between retrains.
 */
export interface DecayedCounters {
  readonly halfLifeDays: number;
  /** Adds an event's weight at time `at` (ms). */
  add(itemId: string, weight: number, at: number): void;
  /** The decayed value of every item at time `now`, in a map (items with value 0 omitted). */
  valuesAt(now: number): Map<string, number>;
  /**
   * Values proportional to `valuesAt(t)` for every t (the stored amounts): for ranking, where
   * only ratios matter, without the common factor that underflows when the data is old.
   */
  relativeValues(): ReadonlyMap<string, number>;
  /** The decayed value of one item. */
  valueAt(itemId: string, now: number): number;
  /** How many items have a value. */
  readonly size: number;
  /** JSON-able form: reference time and scaled amounts. */
  toJSON(): { halfLifeDays: number; reference: number; amounts: Record<string, number> };
}

const DAY_MS = 86_400_000;
/** Move the reference forward once scaled amounts grow by more than 2^40. */
const MAX_EXPONENT = 40;

/**
 * Creates counters, optionally from a saved form.
 *
 * @example
 * const trending = createDecayedCounters({ halfLifeDays: 7, reference: now });
 * trending.add('mug', 1, now); trending.valueAt('mug', now + 7 * 86_400_000); // 0.5
 */
export function createDecayedCounters(input: { halfLifeDays: number; reference: number; amounts?: Record<string, number> }): DecayedCounters {
  const { halfLifeDays } = input;
  if (!(halfLifeDays > 0)) throw new RangeError(`halfLifeDays must be positive, got ${halfLifeDays}`);
  const h = halfLifeDays * DAY_MS;
  let reference = input.reference;
  const amounts = new Map<string, number>(Object.entries(input.amounts ?? {}).filter(([, v]) => Number.isFinite(v) && v > 0));
  const rebase = (to: number) => {
    const scale = Math.pow(2, -(to - reference) / h);
    for (const [k, v] of amounts) {
      const scaled = v * scale;
      if (scaled < 1e-12) amounts.delete(k);
      else amounts.set(k, scaled);
    }
    reference = to;
  };
  return {
    halfLifeDays,
    add(itemId, weight, at) {
      if (!(weight > 0) || !Number.isFinite(at)) return;
      if ((at - reference) / h > MAX_EXPONENT) rebase(at);
      amounts.set(itemId, (amounts.get(itemId) ?? 0) + weight * Math.pow(2, (at - reference) / h));
    },
    valuesAt(now) {
      const scale = Math.pow(2, -(now - reference) / h);
      const out = new Map<string, number>();
      for (const [k, v] of amounts) out.set(k, v * scale);
      return out;
    },
    relativeValues() {
      return amounts;
    },
    valueAt(itemId, now) {
      return (amounts.get(itemId) ?? 0) * Math.pow(2, -(now - reference) / h);
    },
    get size() {
      return amounts.size;
    },
    toJSON() {
      return { halfLifeDays, reference, amounts: Object.fromEntries(amounts) };
    },
  };
}
