/**
 * Scores of a few catalog positions in two typed arrays (positions ascending, 12 bytes an
 * entry instead of a Map's ~50), readable as a `ReadonlyMap`: what serving keeps per person
 * between requests. `get` is a binary search.
 */
export class SparseScores implements ReadonlyMap<number, number> {
  private readonly positions: Int32Array;
  private readonly scores: Float64Array;

  private constructor(positions: Int32Array, scores: Float64Array) {
    this.positions = positions;
    this.scores = scores;
  }

  /**
   * From (position, score) pairs in any order; a position given twice keeps its last score.
   *
   * @example
   * SparseScores.from([[7, 0.5], [2, 1]]).get(2); // 1
   */
  static from(entries: Iterable<readonly [number, number]>): SparseScores {
    const byPosition = new Map<number, number>();
    for (const [p, s] of entries) byPosition.set(p, s);
    const sorted = [...byPosition].sort((a, b) => a[0] - b[0]);
    return new SparseScores(Int32Array.from(sorted, (e) => e[0]), Float64Array.from(sorted, (e) => e[1]));
  }

  get size(): number {
    return this.positions.length;
  }

  get(position: number): number | undefined {
    let lo = 0;
    let hi = this.positions.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const p = this.positions[mid]!;
      if (p === position) return this.scores[mid];
      if (p < position) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  has(position: number): boolean {
    return this.get(position) !== undefined;
  }

  *entries(): MapIterator<[number, number]> {
    for (let i = 0; i < this.positions.length; i++) yield [this.positions[i]!, this.scores[i]!];
  }

  *keys(): MapIterator<number> {
    for (let i = 0; i < this.positions.length; i++) yield this.positions[i]!;
  }

  *values(): MapIterator<number> {
    for (let i = 0; i < this.scores.length; i++) yield this.scores[i]!;
  }

  [Symbol.iterator](): MapIterator<[number, number]> {
    return this.entries();
  }

  forEach(fn: (value: number, key: number, map: ReadonlyMap<number, number>) => void): void {
    for (let i = 0; i < this.positions.length; i++) fn(this.scores[i]!, this.positions[i]!, this);
  }
}
