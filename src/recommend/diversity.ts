/**
 * Diversity as constraints on a ranked list (a greedy re-ranking in the spirit of Ziegler et
 * al. 2005 and Carbonell & Goldstein's MMR 1998, with hard caps instead of a similarity
 * penalty, because marketers state diversity as rules):
 * - at most `maxPerCategory` items of one category;
 * - no price tier (low / mid / high within the item's category) fills more than
 *   `maxPriceTierShare` of the list while items of other tiers are left — so nobody is only
 *   ever shown the expensive option.
 * Items that break a cap are deferred, not dropped. When the ranked list runs out before the
 * list is full, deferred items fill it in rank order, relaxing the caps in this order:
 * 1. the category cap, for items whose tier still has room;
 * 2. the tier cap, only once no item of a tier with room (or without a price) is left —
 *    categories still counted first, then not at all.
 * So a tier fills more than its share only when every item left is of a full tier, and a
 * category more than its cap only when every item left is of a full category or a full tier.
 */
export interface DiversityOptions {
  /** Candidate positions, best first. */
  ranked: readonly number[];
  n: number;
  categoryOf: (position: number) => string;
  /** -1 (no price) is never capped. */
  tierOf: (position: number) => number;
  maxPerCategory: number | null;
  maxPriceTierShare: number;
}

/**
 * The positions of a diversified list of at most n items, in order.
 *
 * @example
 * diversify({ ranked: [0, 1, 2, 3], n: 3, categoryOf: (p) => (p < 3 ? 'mugs' : 'tea'), tierOf: () => -1, maxPerCategory: 2, maxPriceTierShare: 1 });
 * // [0, 1, 3]
 */
export function diversify(options: DiversityOptions): number[] {
  const { ranked, n } = options;
  const tierCap = options.maxPriceTierShare >= 1 ? Infinity : Math.max(1, Math.floor(n * options.maxPriceTierShare));
  const perCategory = new Map<string, number>();
  const perTier = [0, 0, 0];
  const chosen: number[] = [];
  const deferred: number[] = [];
  const categoryFull = (p: number) => {
    if (options.maxPerCategory === null) return false;
    const c = options.categoryOf(p);
    return c !== '' && (perCategory.get(c) ?? 0) >= options.maxPerCategory;
  };
  const tierFull = (p: number) => {
    const t = options.tierOf(p);
    return t >= 0 && perTier[t]! >= tierCap;
  };
  const take = (p: number) => {
    chosen.push(p);
    const c = options.categoryOf(p);
    if (c !== '') perCategory.set(c, (perCategory.get(c) ?? 0) + 1);
    const t = options.tierOf(p);
    if (t >= 0) perTier[t]!++;
  };
  for (const p of ranked) {
    if (chosen.length >= n) break;
    if (categoryFull(p) || tierFull(p)) deferred.push(p);
    else take(p);
  }
  // The relaxed passes, one item at a time: each step takes the best deferred item that breaks
  // the least (see the rules above), since every item taken can fill a cap.
  while (chosen.length < n && deferred.length > 0) {
    let pick = deferred.findIndex((p) => !tierFull(p));
    if (pick === -1) pick = deferred.findIndex((p) => !categoryFull(p));
    if (pick === -1) pick = 0;
    take(deferred[pick]!);
    deferred.splice(pick, 1);
  }
  return chosen;
}
