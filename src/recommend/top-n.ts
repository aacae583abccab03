/**
 * Selection of the best `n` scores without sorting everything: a binary min-heap of size n,
 * O(m log n) over m candidates.
 */
export interface TopNOptions {
  scores: ArrayLike<number>;
  n: number;
  /** Positions that may not be returned (e.g. items already bought). */
  exclude?: ReadonlySet<number> | undefined;
  /** Only scores strictly above this are returned. Default -Infinity (every finite score). */
  above?: number;
  /** Restrict the search to these positions (default: all of `scores`). */
  candidates?: ArrayLike<number>;
}

/**
 * The positions of the `n` highest scores, best first; ties go to the lower position so that
 * results are deterministic.
 *
 * @example
 * topN({ scores: [0.1, 0.9, 0.5], n: 2 }); // Int32Array [1, 2]
 */
export function topN(options: TopNOptions): Int32Array {
  const { scores, n } = options;
  const above = options.above ?? -Infinity;
  const heap = new Int32Array(Math.max(0, n));
  let size = 0;
  // "a is worse than b": lower score, or equal score and higher position.
  const worse = (a: number, b: number): boolean => {
    const sa = scores[a]!;
    const sb = scores[b]!;
    return sa < sb || (sa === sb && a > b);
  };
  const siftDown = (start: number): void => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && worse(heap[l]!, heap[m]!)) m = l;
      if (r < size && worse(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      const t = heap[i]!;
      heap[i] = heap[m]!;
      heap[m] = t;
      i = m;
    }
  };
  const consider = (pos: number): void => {
    const s = scores[pos]!;
    if (!(s > above) || !Number.isFinite(s)) return;
    if (options.exclude?.has(pos)) return;
    if (size < n) {
      let i = size++;
      heap[i] = pos;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(heap[i]!, heap[parent]!)) break;
        const t = heap[i]!;
        heap[i] = heap[parent]!;
        heap[parent] = t;
        i = parent;
      }
    } else if (n > 0 && worse(heap[0]!, pos)) {
      heap[0] = pos;
      siftDown(0);
    }
  };
  if (options.candidates === undefined) {
    for (let pos = 0; pos < scores.length; pos++) consider(pos);
  } else {
    for (let c = 0; c < options.candidates.length; c++) consider(options.candidates[c]!);
  }
  const out = heap.slice(0, size);
  return out.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
}
