import { seededRng } from '../recommend/rng.js';
import type { TraitValues } from '../profiles/trait-registry.js';
import { assign, columnStats, kmeans, rows, sampleIndexes, silhouette, standardize, type Matrix } from './kmeans.js';

/**
 * Customer clustering for `tailor segments cluster`: which features describe a customer,
 * how they are scaled, how k is chosen, and how each cluster is put into words. Pure: traits
 * in, a clustering out (src/segments/cluster-service.ts reads and writes).
 *
 * Features, from the computed traits of customers with at least one counted order:
 * - recency (days since the last order, before the latest order of anyone), frequency
 *   (orders), monetary (net revenue), basket (average order value) and tenure (days since
 *   the first order), each as log(1 + x) so that a few very large customers do not become
 *   clusters of their own;
 * - discount affinity (share of orders with a coupon);
 * - budget and premium shares of units bought (price bands within each category);
 * - affinity to each of the population's most common favourite categories (1 for a person's
 *   first favourite, falling linearly down their list, 0 when absent).
 * A value a person lacks (no revenue in the workspace currency, no priced category) takes the
 * population mean, which makes it neutral. Features are z-scored; the category features
 * share one unit of weight between them (each 1/√C), so that C categories count as much as
 * one other feature rather than outvoting them; a feature with no spread is left out.
 *
 * k is chosen by the mean silhouette, the highest within the range (the smaller k on a tie),
 * computed on a sample; the fit runs on a sample of the population and every customer is
 * then assigned to the nearest centre. Everything random draws from one seed.
 */

export const DEFAULT_K_RANGE: readonly [number, number] = [2, 8];
/** Largest k a run may try. */
export const MAX_K = 20;
/** Customers the centres are fitted on (a uniform sample when there are more). */
export const DEFAULT_FIT_SAMPLE = 20_000;
/** Most customers a fit may use (the silhouette and memory grow with it). */
export const MAX_FIT_SAMPLE = 200_000;
/** Customers the silhouette is computed on: exact silhouettes cost O(n²). */
export const SILHOUETTE_SAMPLE = 2_000;
/** Most favourite categories used as features. */
export const MAX_CATEGORY_FEATURES = 5;
/** Fewest customers per cluster tried: k is limited to n / 3. */
export const MIN_PER_CLUSTER = 3;
/** How far (in standard deviations) a cluster's centre must sit from the mean for a feature to describe it. */
export const DISTINCTIVE_Z = 0.5;
/** Phrases in a description at most. */
export const MAX_PHRASES = 3;

const DAY_MS = 86_400_000;

/** One column of the feature matrix. */
export interface FeatureSpec {
  /** `recency`, `frequency`, …, `category:<name>`. */
  id: string;
  /** What the column shows in a report, in the units people read (before the log). */
  label: string;
  /** Phrase for a cluster well above the mean; null when that says nothing. */
  high: string | null;
  /** Phrase for a cluster well below the mean. */
  low: string | null;
  /** Weight after z-scoring. */
  weight: number;
}

export interface Customer {
  profileId: string;
  traits: TraitValues;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const keyed = (v: unknown, key: string): number | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? num((v as Record<string, unknown>)[key]) : null);

/** The computed traits the features read (a caller holding many customers keeps only these). */
export const CLUSTER_TRAITS = ['orders_count', 'revenue_total', 'average_order_value', 'last_order_at', 'first_order_at', 'discount_affinity', 'price_band_shares', 'favourite_categories'] as const;

/** Only the traits the features read. */
export function clusterTraits(t: TraitValues): TraitValues {
  const out: Record<string, unknown> = {};
  for (const name of CLUSTER_TRAITS) if (t[name] !== undefined) out[name] = t[name];
  return out as TraitValues;
}

/** Whether a person's traits make them a customer the clustering can place. */
export function isClusterable(t: TraitValues): boolean {
  return (num(t['orders_count']) ?? 0) >= 1 && num(t['last_order_at']) !== null && num(t['first_order_at']) !== null;
}

/** The `limit` categories that appear most often among customers' favourites (ties by name). */
export function topCategories(customers: readonly Customer[], limit = MAX_CATEGORY_FEATURES): string[] {
  const counts = new Map<string, number>();
  for (const c of customers) {
    const list = c.traits['favourite_categories'];
    if (!Array.isArray(list)) continue;
    for (const name of list) if (typeof name === 'string') counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, limit).map(([name]) => name);
}

/** The feature columns for a workspace currency and a set of category features. */
export function featureSpecs(currency: string, categories: readonly string[]): FeatureSpec[] {
  const share = categories.length === 0 ? 0 : 1 / Math.sqrt(categories.length);
  return [
    { id: 'recency', label: 'days since last order', high: 'has not bought lately', low: 'bought recently', weight: 1 },
    { id: 'frequency', label: 'orders', high: 'buys often', low: 'buys rarely', weight: 1 },
    { id: 'monetary', label: `net revenue (${currency})`, high: 'high spend', low: 'low spend', weight: 1 },
    { id: 'basket', label: `average order (${currency})`, high: 'large baskets', low: 'small baskets', weight: 1 },
    { id: 'tenure', label: 'days since first order', high: 'long-standing', low: 'new customer', weight: 1 },
    { id: 'discount', label: 'orders with a coupon (share)', high: 'discount-driven', low: 'pays full price', weight: 1 },
    { id: 'budget', label: 'budget-band units (share)', high: 'budget-oriented', low: null, weight: 1 },
    { id: 'premium', label: 'premium-band units (share)', high: 'premium-oriented', low: null, weight: 1 },
    ...categories.map((name) => ({ id: `category:${name}`, label: `affinity to ${name} (0–1)`, high: `${name}-oriented`, low: null, weight: share })),
  ];
}

/**
 * One person's raw feature values (NaN where the person lacks one) in `specs` order, and
 * the transformed values the clustering sees.
 */
export function rawFeatures(t: TraitValues, specs: readonly FeatureSpec[], currency: string, reference: number): Float64Array {
  const out = new Float64Array(specs.length);
  const favourites = Array.isArray(t['favourite_categories']) ? (t['favourite_categories'] as unknown[]) : [];
  specs.forEach((s, i) => {
    let v: number | null;
    switch (s.id) {
      case 'recency': { const at = num(t['last_order_at']); v = at === null ? null : Math.max(0, (reference - at) / DAY_MS); break; }
      case 'frequency': v = num(t['orders_count']); break;
      case 'monetary': { const r = keyed(t['revenue_total'], currency); v = r === null ? null : Math.max(0, r); break; }
      case 'basket': { const r = keyed(t['average_order_value'], currency); v = r === null ? null : Math.max(0, r); break; }
      case 'tenure': { const at = num(t['first_order_at']); v = at === null ? null : Math.max(0, (reference - at) / DAY_MS); break; }
      case 'discount': v = num(t['discount_affinity']); break;
      case 'budget': v = keyed(t['price_band_shares'], 'budget'); break;
      case 'premium': v = keyed(t['price_band_shares'], 'premium'); break;
      default: {
        const at = favourites.indexOf(s.id.slice('category:'.length));
        v = at < 0 ? 0 : (favourites.length - at) / favourites.length;
      }
    }
    out[i] = v ?? Number.NaN;
  });
  return out;
}

/** Features read on a log scale (counts, amounts, durations). */
const LOGGED = new Set(['recency', 'frequency', 'monetary', 'basket', 'tenure']);

/** Raw values → what the clustering sees: log(1 + x) where logged, NaN → the column mean. */
function transform(raw: Matrix, specs: readonly FeatureSpec[]): { matrix: Matrix; fill: Float64Array } {
  const { n, d } = raw;
  const values = new Float64Array(n * d);
  const sums = new Float64Array(d);
  const counts = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let x = 0; x < d; x++) {
      const v = raw.values[i * d + x]!;
      const t = Number.isNaN(v) ? v : LOGGED.has(specs[x]!.id) ? Math.log1p(v) : v;
      values[i * d + x] = t;
      if (!Number.isNaN(t)) { sums[x]! += t; counts[x]!++; }
    }
  }
  const fill = sums.map((s, x) => (counts[x]! > 0 ? s / counts[x]! : 0));
  for (let i = 0; i < n; i++) for (let x = 0; x < d; x++) if (Number.isNaN(values[i * d + x]!)) values[i * d + x] = fill[x]!;
  return { matrix: { n, d, values }, fill };
}

/**
 * A new customer's raw features (`rawFeatures` with the model's features, currency and
 * reference) as the model's centres see them: log where logged, missing → the fill value,
 * z-scored and weighted with the model's statistics.
 */
export function prepare(raw: Float64Array, model: Pick<ClusterModel, 'features' | 'fill' | 'mean' | 'sd'>): Float64Array {
  const out = new Float64Array(raw.length);
  model.features.forEach((s, x) => {
    const v = raw[x]!;
    const t = Number.isNaN(v) ? model.fill[x]! : LOGGED.has(s.id) ? Math.log1p(v) : v;
    out[x] = model.sd[x] === 0 ? 0 : ((t - model.mean[x]!) / model.sd[x]!) * s.weight;
  });
  return out;
}

/**
 * The cluster (1-based) whose centre is nearest to a customer, as the run would have placed
 * them.
 *
 * @example
 * nearestCluster(traits, model); // 3
 */
export function nearestCluster(traits: TraitValues, model: ClusterModel): number {
  const v = prepare(rawFeatures(traits, model.features, model.currency, model.reference), model);
  let best = 0;
  let bestDist = Infinity;
  model.centroids.forEach((c, i) => {
    let d = 0;
    for (let x = 0; x < v.length; x++) { const t = v[x]! - c[x]!; d += t * t; }
    if (d < bestDist) { bestDist = d; best = i; }
  });
  return best + 1;
}

export interface ClusterProfile {
  /** 1-based. */
  number: number;
  size: number;
  share: number;
  description: string;
  /** Each feature's centre in standard deviations from the population mean (unweighted). */
  z: Record<string, number>;
  /** Mean raw value of each feature among the cluster's customers (labels in `features`). */
  means: Record<string, number | null>;
}

/** What a clustering run keeps: enough to assign a new customer and to explain each cluster. */
export interface ClusterModel {
  k: number;
  seed: number;
  kRange: [number, number];
  currency: string;
  /** Recency and tenure are measured back from this time (the latest order in the population). */
  reference: number;
  features: FeatureSpec[];
  /** Per feature: fill value for missing data (transformed scale), mean and deviation for z-scores. */
  fill: number[];
  mean: number[];
  sd: number[];
  /** k rows of standardized, weighted centres. */
  centroids: number[][];
  /** Mean silhouette per k tried. */
  silhouettes: Array<{ k: number; silhouette: number; inertia: number }>;
  clusters: ClusterProfile[];
  people: number;
  fitSample: number;
  silhouetteSample: number;
}

export interface ClusterOptions {
  currency: string;
  seed?: number;
  kRange?: readonly [number, number];
  fitSample?: number;
  /** Called after each k is tried (for progress). */
  onK?: (k: number, silhouette: number) => void;
}

export type ClusterError = { type: 'too_few'; message: string } | { type: 'invalid_option'; message: string };

/** What is wrong with clustering options, if anything (checked before any data is read). */
export function clusterOptionsProblem(options: Pick<ClusterOptions, 'kRange' | 'fitSample' | 'seed'>): string | null {
  const [kLow, kHigh] = options.kRange ?? DEFAULT_K_RANGE;
  const fitSample = options.fitSample ?? DEFAULT_FIT_SAMPLE;
  if (!Number.isInteger(kLow) || !Number.isInteger(kHigh) || kLow < 2 || kHigh > MAX_K || kLow > kHigh) return `k range must be whole numbers with 2 ≤ min ≤ max ≤ ${MAX_K}, got ${kLow}–${kHigh}`;
  if (!Number.isInteger(fitSample) || fitSample < 100 || fitSample > MAX_FIT_SAMPLE) return `the fit sample must be a whole number from 100 to ${MAX_FIT_SAMPLE}, got ${fitSample}`;
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) return `the seed must be a whole number, got ${options.seed}`;
  return null;
}

/**
 * Clusters customers: features, scaling, k by silhouette, the final assignment of every
 * customer and a description of each cluster.
 *
 * @example
 * const r = clusterCustomers(customers, { currency: 'GBP', seed: 42 });
 * if (r.ok) r.value.model.clusters[0].description; // e.g. "high spend, buys often, bought recently"
 */
export function clusterCustomers(customers: readonly Customer[], options: ClusterOptions):
  { ok: true; value: { model: ClusterModel; assignments: Int32Array } } | { ok: false; error: ClusterError } {
  const problem = clusterOptionsProblem(options);
  if (problem !== null) return { ok: false, error: { type: 'invalid_option', message: problem } };
  const seed = options.seed ?? 42;
  const [kLow, kHigh] = options.kRange ?? DEFAULT_K_RANGE;
  const fitSample = options.fitSample ?? DEFAULT_FIT_SAMPLE;
  const eligible = customers.filter((c) => isClusterable(c.traits));
  const n = eligible.length;
  const kMax = Math.min(kHigh, Math.floor(n / MIN_PER_CLUSTER));
  if (kMax < kLow) {
    return { ok: false, error: { type: 'too_few', message: `${n} customers with a counted order (and profiling allowed); k = ${kLow} needs at least ${kLow * MIN_PER_CLUSTER}` } };
  }

  let reference = 0;
  for (const c of eligible) reference = Math.max(reference, num(c.traits['last_order_at']) ?? 0);
  const allSpecs = featureSpecs(options.currency, topCategories(eligible));
  const rawAll: Matrix = { n, d: allSpecs.length, values: new Float64Array(n * allSpecs.length) };
  eligible.forEach((c, i) => rawAll.values.set(rawFeatures(c.traits, allSpecs, options.currency, reference), i * allSpecs.length));

  // Drop features with no spread (nobody has a coupon, no category prices…): they cannot separate anyone.
  const { matrix: transformedAll, fill: fillAll } = transform(rawAll, allSpecs);
  const statsAll = columnStats(transformedAll);
  const keep = allSpecs.map((_, x) => x).filter((x) => statsAll.sd[x]! > 0);
  if (keep.length === 0) return { ok: false, error: { type: 'too_few', message: `the ${n} customers do not differ in any feature` } };
  const specs = keep.map((x) => allSpecs[x]!);
  const d = specs.length;
  const pick = (m: Matrix): Matrix => {
    const out = new Float64Array(m.n * d);
    for (let i = 0; i < m.n; i++) keep.forEach((x, j) => { out[i * d + j] = m.values[i * m.d + x]!; });
    return { n: m.n, d, values: out };
  };
  const raw = pick(rawAll);
  const transformed = pick(transformedAll);
  const stats = { mean: Float64Array.from(keep, (x) => statsAll.mean[x]!), sd: Float64Array.from(keep, (x) => statsAll.sd[x]!) };
  const weights = Float64Array.from(specs, (s) => s.weight);
  const scaled = standardize(transformed, stats, weights);

  // Fit on a sample; score each k's silhouette on a smaller sample of that one.
  const sampleRng = seededRng(seed);
  const fitIdx = sampleIndexes(n, fitSample, sampleRng);
  const fit = rows(scaled, fitIdx);
  const silIdx = sampleIndexes(fit.n, SILHOUETTE_SAMPLE, sampleRng);
  const silPoints = rows(fit, silIdx);
  const silhouettes: ClusterModel['silhouettes'] = [];
  let best: { k: number; silhouette: number; centroids: Float64Array } | null = null;
  for (let k = kLow; k <= kMax; k++) {
    const result = kmeans(fit, k, { rng: seededRng(seed + 7919 * k), restarts: 3 });
    const s = silhouette(silPoints, Int32Array.from(silIdx, (i) => result.assignments[i]!), k);
    silhouettes.push({ k, silhouette: s, inertia: result.inertia });
    options.onK?.(k, s);
    if (best === null || s > best.silhouette + 1e-12) best = { k, silhouette: s, centroids: result.centroids };
  }
  const { k, centroids } = best!;

  const assignments = new Int32Array(n);
  assign(scaled, centroids, k, assignments);
  const sizes = new Array<number>(k).fill(0);
  const sums = Array.from({ length: k }, () => new Float64Array(d));
  const counts = Array.from({ length: k }, () => new Float64Array(d));
  for (let i = 0; i < n; i++) {
    const c = assignments[i]!;
    sizes[c]!++;
    for (let x = 0; x < d; x++) { const v = raw.values[i * d + x]!; if (!Number.isNaN(v)) { sums[c]![x]! += v; counts[c]![x]!++; } }
  }
  const clusters: ClusterProfile[] = [];
  for (let c = 0; c < k; c++) {
    const z: Record<string, number> = {};
    const means: Record<string, number | null> = {};
    specs.forEach((s, x) => {
      z[s.id] = round(centroids[c * d + x]! / s.weight, 3);
      means[s.id] = counts[c]![x]! > 0 ? round(sums[c]![x]! / counts[c]![x]!, 4) : null;
    });
    clusters.push({ number: c + 1, size: sizes[c]!, share: round(sizes[c]! / n, 4), description: describeCluster(z, specs), z, means });
  }
  return {
    ok: true,
    value: {
      model: {
        k, seed, kRange: [kLow, kHigh], currency: options.currency, reference, features: specs,
        fill: keep.map((x) => fillAll[x]!), mean: [...stats.mean], sd: [...stats.sd],
        centroids: Array.from({ length: k }, (_, c) => [...centroids.subarray(c * d, c * d + d)]),
        silhouettes: silhouettes.map((s) => ({ k: s.k, silhouette: round(s.silhouette, 4), inertia: round(s.inertia, 2) })),
        clusters, people: n, fitSample: fit.n, silhouetteSample: silPoints.n,
      },
      assignments,
    },
  };
}

/** The profile ids `clusterCustomers` placed, in the order of its assignments. */
export function clusteredIds(customers: readonly Customer[]): string[] {
  return customers.filter((c) => isClusterable(c.traits)).map((c) => c.profileId);
}

/**
 * A cluster in words: the features whose centre sits at least `DISTINCTIVE_Z` standard
 * deviations from the population mean, farthest first, at most `MAX_PHRASES`, each as its
 * high or low phrase.
 *
 * @example
 * describeCluster({ monetary: 1.4, frequency: -0.9, recency: 0.1 }, featureSpecs('GBP', [])); // "high spend, buys rarely"
 */
export function describeCluster(z: Readonly<Record<string, number>>, specs: readonly FeatureSpec[]): string {
  const phrases = specs
    .map((s) => ({ s, z: z[s.id] ?? 0 }))
    .filter(({ s, z }) => Math.abs(z) >= DISTINCTIVE_Z && (z > 0 ? s.high : s.low) !== null)
    .sort((a, b) => Math.abs(b.z) - Math.abs(a.z) || (a.s.id < b.s.id ? -1 : 1))
    .slice(0, MAX_PHRASES)
    .map(({ s, z }) => (z > 0 ? s.high : s.low)!);
  return phrases.length === 0 ? 'close to the average customer' : phrases.join(', ');
}

const round = (v: number, digits: number) => { const f = 10 ** digits; return Math.round(v * f) / f; };
