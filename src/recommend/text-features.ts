import type { CsrMatrix } from './sparse.js';

/** What the content model knows about an item. Every field is optional except the id. */
export interface ItemAttributes {
  itemId: string;
  name?: string;
  description?: string;
  /** A path such as "Home > Kitchen > Mugs": each level becomes a feature. */
  category?: string;
  brand?: string;
  tags?: readonly string[];
}

// Function words that say nothing about a product.
const STOP_WORDS = new Set(['a', 'an', 'and', 'the', 'of', 'in', 'on', 'with', 'for', 'to', 'by', 'or', 'at', 'from', 'de', 'la', 'le', 'et', 'und', 'der', 'die', 'das']);

/**
 * Words of a text: lower-cased, split on anything that is not a letter or digit, without
 * one-letter tokens, pure numbers (pack sizes such as "72") and a few function words.
 *
 * @example
 * tokenize('SET OF 72 Retrospot Cake-Cases'); // ['set', 'retrospot', 'cake', 'cases']
 */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 1 && !/^\p{N}+$/u.test(t) && !STOP_WORDS.has(t));
}

/**
 * The features of one item, prefixed by their source so that the brand "Apple" and the word
 * "apple" stay apart: `w:` words of name and description, `c:` each category-path prefix,
 * `b:` brand, `t:` tags.
 *
 * @example
 * itemFeatures({ itemId: '1', name: 'Red mug', category: 'Home > Kitchen' });
 * // ['w:red', 'w:mug', 'c:home', 'c:home>kitchen']
 */
export function itemFeatures(item: ItemAttributes): string[] {
  const out: string[] = [];
  for (const text of [item.name, item.description]) if (text !== undefined) for (const w of tokenize(text)) out.push(`w:${w}`);
  if (item.category !== undefined) {
    const levels = item.category.split('>').map((l) => l.trim().toLowerCase()).filter((l) => l.length > 0);
    for (let d = 1; d <= levels.length; d++) out.push(`c:${levels.slice(0, d).join('>')}`);
  }
  if (item.brand !== undefined && item.brand.trim() !== '') out.push(`b:${item.brand.trim().toLowerCase()}`);
  for (const tag of item.tags ?? []) out.push(`t:${tag.trim().toLowerCase()}`);
  return out;
}

/** Items × features TF-IDF matrix with unit-length rows, and the vocabulary. */
export interface TfIdf {
  matrix: CsrMatrix;
  vocabulary: readonly string[];
}

/**
 * TF-IDF with sublinear term frequency 1 + ln(count) and smoothed inverse document frequency
 * ln((1 + N) / (1 + df)) + 1 (Manning, Raghavan & Schütze 2008, §6.2–6.4), each row scaled to
 * unit length, so that a dot product of two rows is their cosine similarity.
 *
 * @example
 * const { matrix } = buildTfIdf([{ itemId: 'a', name: 'red mug' }, { itemId: 'b', name: 'blue mug' }]);
 */
export function buildTfIdf(items: readonly ItemAttributes[]): TfIdf {
  const vocabIndex = new Map<string, number>();
  const vocabulary: string[] = [];
  const counts: Array<Map<number, number>> = [];
  for (const item of items) {
    const c = new Map<number, number>();
    for (const feature of itemFeatures(item)) {
      let f = vocabIndex.get(feature);
      if (f === undefined) {
        f = vocabulary.length;
        vocabIndex.set(feature, f);
        vocabulary.push(feature);
      }
      c.set(f, (c.get(f) ?? 0) + 1);
    }
    counts.push(c);
  }
  const df = new Float64Array(vocabulary.length);
  for (const c of counts) for (const f of c.keys()) df[f]!++;
  const n = items.length;
  const indptr = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) indptr[r + 1] = indptr[r]! + counts[r]!.size;
  const indices = new Int32Array(indptr[n]!);
  const values = new Float64Array(indptr[n]!);
  for (let r = 0; r < n; r++) {
    const entries = [...counts[r]!.entries()].sort((a, b) => a[0] - b[0]);
    let norm = 0;
    let p = indptr[r]!;
    for (const [f, count] of entries) {
      const w = (1 + Math.log(count)) * (Math.log((1 + n) / (1 + df[f]!)) + 1);
      indices[p] = f;
      values[p++] = w;
      norm += w * w;
    }
    norm = Math.sqrt(norm);
    for (let q = indptr[r]!; q < indptr[r + 1]!; q++) values[q]! /= norm;
  }
  return { matrix: { rows: n, cols: vocabulary.length, indptr, indices, values }, vocabulary };
}

/**
 * Cosine similarity of two rows of a row-normalised matrix (two sorted sparse rows merged):
 * the item-similarity function for the intra-list diversity metric.
 *
 * @example
 * const sim = rowCosine(buildTfIdf(items).matrix); sim(0, 1);
 */
export function rowCosine(matrix: CsrMatrix): (a: number, b: number) => number {
  return (a, b) => {
    let p = matrix.indptr[a]!;
    let q = matrix.indptr[b]!;
    const pe = matrix.indptr[a + 1]!;
    const qe = matrix.indptr[b + 1]!;
    let s = 0;
    while (p < pe && q < qe) {
      const fa = matrix.indices[p]!;
      const fb = matrix.indices[q]!;
      if (fa === fb) s += matrix.values[p++]! * matrix.values[q++]!;
      else if (fa < fb) p++;
      else q++;
    }
    return s;
  };
}
