import type { ItemMatch } from '../contracts/recommendation.js';

/** What serving needs to know of a catalog item. */
export interface CatalogEntry {
  id: string;
  name: string;
  categoryPath: readonly string[];
  brand: string | null;
  price: number | null;
  inStock: boolean;
  tags: readonly string[];
  createdAt: number;
  description?: string | undefined;
  currency?: string | null | undefined;
  url?: string | null | undefined;
  image?: string | null | undefined;
}

/** Price tier of an item within its category: 0 low, 1 mid, 2 high, -1 no price. */
export type PriceTier = -1 | 0 | 1 | 2;

/** The catalog in memory for serving: positions, matchers, price tiers, a word index. */
export interface CatalogIndex {
  readonly size: number;
  readonly entries: readonly CatalogEntry[];
  readonly index: ReadonlyMap<string, number>;
  /** Price tier of each item (see `PriceTier`). */
  readonly priceTier: Int8Array;
  /** When each item was added to the catalog (ms), by position: read without touching the entries. */
  readonly createdAt: Float64Array;
  /** The item's category path cut to `level` levels, lower-cased and joined by " > " ('' when it has none). */
  categoryKey(position: number, level: number): string;
  /** A predicate over positions for an item match (compiled once, cached by its JSON). */
  matcher(match: ItemMatch): (position: number) => boolean;
  /** Positions whose tags, category, brand or name contain the phrase as whole words (cached). */
  phrase(text: string): Int32Array;
  /** Lower-cased tags of an item. */
  tagsOf(position: number): readonly string[];
}

/** Fewer priced items than this in a category: its tiers come from the whole catalog. */
const MIN_ITEMS_FOR_CATEGORY_TIERS = 6;
/** Phrases kept in the phrase cache (preferences repeat across people). */
const PHRASE_CACHE_SIZE = 2000;

/** Lower-case, accents kept, everything but letters and digits becomes a space. */
export function normalizeText(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

const lowerPath = (path: readonly string[]) => path.map((p) => p.trim().toLowerCase()).filter((p) => p !== '');

/**
 * Builds the serving index of a catalog. Price tiers are thirds of each item's category
 * (the first two path levels) by price — the 1/3 and 2/3 quantiles — or of the whole catalog
 * when the category has fewer than six priced items, so "low / mid / high" means cheap or
 * dear *for what it is*.
 *
 * @example
 * const catalog = buildCatalogIndex([{ id: 'mug', name: 'Blue mug', categoryPath: ['Home', 'Kitchen'], brand: null, price: 8, inStock: true, tags: ['gift'], createdAt: 0 }]);
 * catalog.matcher({ categories: ['Home'] })(0); // true
 */
export function buildCatalogIndex(entries: readonly CatalogEntry[]): CatalogIndex {
  const index = new Map<string, number>();
  entries.forEach((e, i) => index.set(e.id, i));
  const paths = entries.map((e) => lowerPath(e.categoryPath));
  const tags = entries.map((e) => e.tags.map((t) => t.trim().toLowerCase()).filter((t) => t !== ''));
  const brands = entries.map((e) => (e.brand ?? '').trim().toLowerCase());
  // Searchable text of each item with a space on both sides, for whole-word phrase matching.
  // Fields are normalized one by one and kept apart by " | " (which a normalized phrase never
  // holds), so that a phrase never spans two fields ("gift card" in a tag "gift" and a name "Card holder").
  const texts = entries.map((e, i) => ` ${[...tags[i]!, ...paths[i]!, brands[i]!, e.name].map(normalizeText).filter((t) => t !== '').join(' | ')} `);
  const words = new Map<string, number[]>();
  texts.forEach((t, i) => {
    for (const w of new Set(t.trim().split(' '))) {
      if (w === '' || w === '|') continue;
      let list = words.get(w);
      if (list === undefined) words.set(w, (list = []));
      list.push(i);
    }
  });
  const nameTexts = entries.map((e) => ` ${normalizeText(e.name)} `);
  const nameWords = nameTexts.map((t) => new Set(t.split(' ').filter((w) => w !== '')));

  const keyCache = new Map<number, string[]>();
  const categoryKey = (position: number, level: number): string => {
    let keys = keyCache.get(level);
    if (keys === undefined) keyCache.set(level, (keys = paths.map((p) => p.slice(0, level).join(' > '))));
    return keys[position] ?? '';
  };

  const priceTier = computePriceTiers(entries, (i) => categoryKey(i, 2));

  const matchers = new Map<string, (position: number) => boolean>();
  const matcher = (match: ItemMatch): ((position: number) => boolean) => {
    const key = JSON.stringify(match);
    const cached = matchers.get(key);
    if (cached !== undefined) return cached;
    const tagSet = new Set((match.tags ?? []).map((t) => t.trim().toLowerCase()));
    const prefixes = (match.categories ?? []).map((c) => lowerPath(c.split('>')));
    const brandSet = new Set((match.brands ?? []).map((b) => b.trim().toLowerCase()));
    const itemSet = new Set(match.items ?? []);
    const wordList = (match.words ?? []).map(normalizeText).filter((w) => w !== '');
    const fn = (i: number): boolean => {
      if (itemSet.size > 0 && itemSet.has(entries[i]!.id)) return true;
      if (tagSet.size > 0 && tags[i]!.some((t) => tagSet.has(t))) return true;
      if (brandSet.size > 0 && brandSet.has(brands[i]!)) return true;
      if (prefixes.length > 0) {
        const path = paths[i]!;
        if (prefixes.some((p) => p.length <= path.length && p.every((part, k) => path[k] === part))) return true;
      }
      if (wordList.length > 0) {
        const ws = nameWords[i]!;
        // Words and phrases of the name only (ItemMatch: "a word of its name"); tags have their own field.
        if (wordList.some((w) => (w.includes(' ') ? nameTexts[i]!.includes(` ${w} `) : ws.has(w)))) return true;
      }
      return false;
    };
    if (matchers.size > 500) matchers.clear();
    matchers.set(key, fn);
    return fn;
  };

  const phrases = new Map<string, Int32Array>();
  const phrase = (text: string): Int32Array => {
    const p = normalizeText(text);
    const cached = phrases.get(p);
    if (cached !== undefined) return cached;
    const parts = p === '' ? [] : p.split(' ');
    let out: Int32Array;
    if (parts.length === 0) out = new Int32Array(0);
    else {
      // Candidates from the rarest word's posting list, then a whole-phrase check.
      const lists = parts.map((w) => words.get(w) ?? []);
      const rarest = lists.reduce((a, b) => (b.length < a.length ? b : a));
      out = Int32Array.from(parts.length === 1 ? rarest : rarest.filter((i) => texts[i]!.includes(` ${p} `)));
    }
    if (phrases.size >= PHRASE_CACHE_SIZE) phrases.delete(phrases.keys().next().value as string);
    phrases.set(p, out);
    return out;
  };

  const createdAt = Float64Array.from(entries, (e) => e.createdAt);
  return { size: entries.length, entries, index, priceTier, createdAt, categoryKey, matcher, phrase, tagsOf: (i) => tags[i] ?? [] };
}

/**
 * Price tiers by thirds within each category (see buildCatalogIndex).
 *
 * @example
 * computePriceTiers(entries, (i) => 'all'); // Int8Array of 0, 1, 2 or -1
 */
export function computePriceTiers(entries: readonly CatalogEntry[], categoryOf: (position: number) => string): Int8Array {
  const byCategory = new Map<string, number[]>();
  const all: number[] = [];
  entries.forEach((e, i) => {
    if (e.price === null || !Number.isFinite(e.price)) return;
    all.push(e.price);
    const key = categoryOf(i);
    let list = byCategory.get(key);
    if (list === undefined) byCategory.set(key, (list = []));
    list.push(e.price);
  });
  const cuts = (prices: number[]): [number, number] => {
    const sorted = [...prices].sort((a, b) => a - b);
    return [quantile(sorted, 1 / 3), quantile(sorted, 2 / 3)];
  };
  const global = all.length === 0 ? [0, 0] as [number, number] : cuts(all);
  const categoryCuts = new Map<string, [number, number]>();
  for (const [key, prices] of byCategory) if (prices.length >= MIN_ITEMS_FOR_CATEGORY_TIERS) categoryCuts.set(key, cuts(prices));
  const tiers = new Int8Array(entries.length);
  entries.forEach((e, i) => {
    if (e.price === null || !Number.isFinite(e.price)) {
      tiers[i] = -1;
      return;
    }
    const [low, mid] = categoryCuts.get(categoryOf(i)) ?? global;
    tiers[i] = e.price <= low ? 0 : e.price <= mid ? 1 : 2;
  });
  return tiers;
}

/** Linear-interpolation quantile of sorted values (type 7, the default of R and NumPy). */
function quantile(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
