/**
 * Offline ranking metrics for top-K recommendation, with binary relevance: an item is relevant
 * when the person bought it in the test period. Definitions follow the usual recsys usage
 * (e.g. Järvelin & Kekäläinen 2002 for DCG; Liang et al. 2018 and Dacrema et al. 2019 for the
 * normalisations). `recommended` is a ranked list, best first; only its first K entries count.
 */
export interface RankedListInput<T> {
  recommended: readonly T[];
  relevant: ReadonlySet<T>;
  k: number;
}

/**
 * Recall@K = |relevant ∩ top K| / |relevant| (0 when nothing is relevant).
 *
 * @example
 * recallAtK({ recommended: ['a', 'b', 'c'], relevant: new Set(['a', 'd']), k: 2 }); // 0.5
 */
export function recallAtK<T>(input: RankedListInput<T>): number {
  if (input.relevant.size === 0) return 0;
  return hits(input) / input.relevant.size;
}

/**
 * Precision@K = |relevant ∩ top K| / K.
 *
 * @example
 * precisionAtK({ recommended: ['a', 'b'], relevant: new Set(['a']), k: 2 }); // 0.5
 */
export function precisionAtK<T>(input: RankedListInput<T>): number {
  return input.k > 0 ? hits(input) / input.k : 0;
}

/**
 * NDCG@K = DCG@K / IDCG@K with DCG@K = Σ_{r=1..K} rel_r / log2(r + 1) and the ideal DCG
 * putting min(K, |relevant|) relevant items first.
 *
 * @example
 * ndcgAtK({ recommended: ['x', 'a'], relevant: new Set(['a']), k: 2 }); // (1/log2 3) / 1 ≈ 0.631
 */
export function ndcgAtK<T>(input: RankedListInput<T>): number {
  const ideal = Math.min(input.k, input.relevant.size);
  if (ideal === 0) return 0;
  let dcg = 0;
  const top = Math.min(input.k, input.recommended.length);
  for (let r = 0; r < top; r++) if (input.relevant.has(input.recommended[r]!)) dcg += 1 / Math.log2(r + 2);
  let idcg = 0;
  for (let r = 0; r < ideal; r++) idcg += 1 / Math.log2(r + 2);
  return dcg / idcg;
}

/**
 * Average precision at K: AP@K = (1 / min(K, |relevant|)) Σ_{r=1..K} P@r · rel_r, the mean
 * of which over people is MAP@K.
 *
 * @example
 * averagePrecisionAtK({ recommended: ['a', 'x', 'b'], relevant: new Set(['a', 'b']), k: 3 }); // (1 + 2/3) / 2
 */
export function averagePrecisionAtK<T>(input: RankedListInput<T>): number {
  const denominator = Math.min(input.k, input.relevant.size);
  if (denominator === 0) return 0;
  let found = 0;
  let sum = 0;
  const top = Math.min(input.k, input.recommended.length);
  for (let r = 0; r < top; r++) {
    if (input.relevant.has(input.recommended[r]!)) {
      found++;
      sum += found / (r + 1);
    }
  }
  return sum / denominator;
}

/**
 * Catalog coverage: the share of the catalog that appears in at least one top-K list.
 *
 * @example
 * catalogCoverage({ lists: [['a', 'b'], ['b', 'c']], catalogSize: 10, k: 2 }); // 0.3
 */
export function catalogCoverage<T>(input: { lists: Iterable<readonly T[]>; catalogSize: number; k: number }): number {
  if (input.catalogSize === 0) return 0;
  const seen = new Set<T>();
  for (const list of input.lists) for (let r = 0; r < Math.min(input.k, list.length); r++) seen.add(list[r]!);
  return seen.size / input.catalogSize;
}

/**
 * Intra-list diversity (Ziegler et al. 2005): 1 − the mean similarity over all unordered pairs
 * of the top-K items. `undefined` for lists with fewer than two items (no pair to compare).
 *
 * @example
 * intraListDiversity({ list: ['a', 'b'], k: 2, similarity: () => 0.25 }); // 0.75
 */
export function intraListDiversity<T>(input: { list: readonly T[]; k: number; similarity: (a: T, b: T) => number }): number | undefined {
  const top = input.list.slice(0, input.k);
  if (top.length < 2) return undefined;
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < top.length; a++) {
    for (let b = a + 1; b < top.length; b++) {
      sum += input.similarity(top[a]!, top[b]!);
      pairs++;
    }
  }
  return 1 - sum / pairs;
}

function hits<T>(input: RankedListInput<T>): number {
  let h = 0;
  const top = Math.min(input.k, input.recommended.length);
  for (let r = 0; r < top; r++) if (input.relevant.has(input.recommended[r]!)) h++;
  return h;
}
