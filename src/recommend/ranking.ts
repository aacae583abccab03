import type { CatalogIndex } from './catalog-index.js';
import { diversify } from './diversity.js';
import { explorationPositions, thompsonPick, type ExplorationCandidate } from './exploration.js';
import type { Rng } from './rng.js';
import { topN } from './top-n.js';

/**
 * The last stage of serving: blend the scores of the request's components, apply boosts,
 * filters, pins, diversity and exploration, and explain every item. Pure: what the person
 * did, the catalog and the model come in as components and predicates; the caller decides
 * (through the policy function) which components may exist at all, so a non-personalized
 * request simply has no personal component to blend.
 */

/** One reason an item is in the list, with its share of the item's score (shares sum to 1). */
export interface Reason {
  type: string;
  message: string;
  weight: number;
  /** Items the reason cites ("because you bought X"). */
  items?: string[];
}

/** A source of scores: a strategy's signal, scaled to 0–1 by its best candidate, then weighted. */
export interface Component {
  /** `history`, `content`, `preference`, `region`, `segment`, `trending`, `popular`, `similar`, `together`, `buy_again`, `new`. */
  name: string;
  weight: number;
  /** Raw scores of candidate positions; only positive scores count. */
  scores: ReadonlyMap<number, number>;
  /** The reason this component gives for an item (its weight is filled in by the ranker). */
  reason(position: number): Omit<Reason, 'weight'>;
}

/** A multiplicative adjustment of an item's score (a scene or a placement boost). */
export interface Adjustment {
  factor: number;
  reasons: Array<Omit<Reason, 'weight'>>;
}

export interface RankInput {
  catalog: CatalogIndex;
  components: readonly Component[];
  n: number;
  /** Whether an item may be recommended (filters, purchases, fatigue, scene exclusions). */
  eligible: (position: number) => boolean;
  /** Boosts of scenes and the placement; `undefined` leaves the score as it is. */
  adjust?: (position: number) => Adjustment | undefined;
  /** Items placed at fixed 0-based positions (already checked for eligibility). */
  pinned?: ReadonlyArray<{ position: number; at: number }>;
  diversity: { maxPerCategory: number | null; categoryLevel: number; maxPriceTierShare: number };
  exploration?: { slots: number; candidates: readonly ExplorationCandidate[]; rng: Rng };
  /** Where to keep the blend of these components between requests (the person's memo). */
  blendCache?: BlendCache;
  /** Further reasons that do not come from a component (e.g. a taste the person shows), with their own weight share taken from the rest. */
  extraReasons?: (position: number) => Array<Omit<Reason, 'weight'>>;
  /**
   * What the explanations depend on besides the components (e.g. the hour, for reasons that
   * read the date): given, the explanations of a cached blend are kept with it and reused
   * while the key stays the same. Reasons are then shared between responses: read-only.
   */
  explanationKey?: string;
}

export interface RankedItem {
  position: number;
  score: number;
  reasons: Reason[];
  exploration: boolean;
  pinned: boolean;
}

/**
 * Ranks and explains. Each component's raw scores are divided by its best score over its
 * candidates, multiplied by its weight and summed (the weighted hybrid of Burke 2002);
 * adjustments multiply the sum. An item's reasons are the components that contributed, each
 * weighted by its share of the final score; an adjustment with factor f > 1 takes the share
 * 1 − 1/f ("the boost made this much of the score").
 *
 * @example
 * rank({ catalog, components: [trending], n: 10, eligible: () => true, diversity: { maxPerCategory: 3, categoryLevel: 2, maxPriceTierShare: 0.6 } });
 */
export function rank(input: RankInput): RankedItem[] {
  const { catalog, n } = input;
  const active = input.components.filter((c) => c.weight > 0 && c.scores.size > 0);
  // Eligible candidates gathered before diversifying: enough for caps to choose from; all of
  // them are walked when caps leave the list short.
  const depth = Math.max(4 * n, 32);
  let blend = blendOf(active, catalog.size, input.blendCache, 4 * depth);
  const adjustments = new Map<number, Adjustment>();
  // A pin beyond the list's length is not shown, and does not take its item out of the ranking.
  const pins = [...(input.pinned ?? [])].filter((p) => p.at < n).sort((a, b) => a.at - b.at);
  const pinnedSet = new Set(pins.map((p) => p.position));
  // The blended total (`base`) and the final score of each candidate looked at: a request looks
  // at a few dozen of them, so maps rather than arrays over the catalog.
  const base = new Map<number, number>();
  const final = new Map<number, number>();
  const scoreOf = (p: number) => final.get(p) ?? 0;
  const exploration = input.exploration;
  const slots = exploration === undefined ? 0 : Math.min(exploration.slots, Math.max(0, n - pins.length - 1));
  // The ranking fills every place the pins leave; exploration then takes its slots from the
  // bottom of it (so a list whose exploration finds too few candidates is still full).
  const want = Math.max(0, n - pins.length);
  const diversified = (ranked: ArrayLike<number>) => diversify({
    ranked: Array.from(ranked),
    n: want,
    categoryOf: (p) => catalog.categoryKey(p, input.diversity.categoryLevel),
    tierOf: (p) => catalog.priceTier[p] ?? -1,
    maxPerCategory: input.diversity.maxPerCategory,
    maxPriceTierShare: input.diversity.maxPriceTierShare,
  });
  const complete = () => {
    if (!blend.complete) blend = blendOf(active, catalog.size, input.blendCache, Infinity);
  };
  let ranking: number[];
  if (input.adjust === undefined) {
    // Without adjustments the score is the blended total: walk candidates best first and check
    // eligibility only as far as needed (most of a request's candidates are never looked at).
    // The blend is in order (best first, ties to the lower position), its leading part first;
    // the whole of it, whose leading part is the same, when that part runs out.
    const kept: number[] = [];
    let checked = 0;
    const walk = (limit: number) => {
      const { order, totals } = blend;
      for (; checked < order.length; checked++) {
        const p = order[checked]!;
        if (pinnedSet.has(p) || !input.eligible(p)) continue;
        base.set(p, totals[checked]!);
        final.set(p, totals[checked]!);
        kept.push(p);
        if (kept.length >= limit) { checked++; return; }
      }
    };
    walk(depth);
    if (kept.length < depth && !blend.complete) {
      complete();
      walk(depth);
    }
    ranking = diversified(kept);
    if (ranking.length < want) {
      // Caps left the list short: every candidate, then.
      complete();
      if (checked < blend.order.length) {
        walk(Infinity);
        ranking = diversified(kept);
      }
    }
  } else {
    complete();
    const { order, totals } = blend;
    const scores = new Float64Array(catalog.size);
    const candidates: number[] = [];
    for (let k = 0; k < order.length; k++) {
      const p = order[k]!;
      if (pinnedSet.has(p) || !input.eligible(p)) continue;
      const adj = input.adjust(p);
      if (adj !== undefined) adjustments.set(p, adj);
      const score = totals[k]! * (adj?.factor ?? 1);
      if (score > 0) {
        base.set(p, totals[k]!);
        final.set(p, score);
        scores[p] = score;
        candidates.push(p);
      }
    }
    // The best few first (best first, ties to the lower position); all of them only when caps
    // left the list short.
    ranking = diversified(topN({ scores, n: depth, candidates, above: 0 }));
    if (ranking.length < want && candidates.length > depth) ranking = diversified(topN({ scores, n: candidates.length, candidates, above: 0 }));
  }
  const { scales } = blend;
  // Explanations depend on the blend and on what `explanationKey` stands for; without
  // adjustments they are kept with the blend for the next requests of the same person.
  const explained = input.adjust === undefined && input.explanationKey !== undefined ? blend.explained(input.explanationKey) : null;

  const explain = (p: number): Reason[] => {
    if (explained === null) return explainNow(p);
    let reasons = explained.get(p);
    // Least recently used out first: explored items change from request to request, and
    // keeping all of them let each person's cache grow by kilobytes a request.
    if (reasons !== undefined) explained.delete(p);
    else {
      reasons = explainNow(p);
      if (explained.size >= EXPLANATIONS_KEPT) explained.delete(explained.keys().next().value as number);
    }
    explained.set(p, reasons);
    return reasons;
  };
  const explainNow = (p: number): Reason[] => {
    const total = base.get(p) ?? 0;
    const adj = adjustments.get(p);
    const factor = adj?.factor ?? 1;
    const reasons: Reason[] = [];
    const baseShare = factor > 1 && adj !== undefined && adj.reasons.length > 0 ? 1 / factor : 1;
    active.forEach((c, k) => {
      const s = c.scores.get(p);
      if (s === undefined || !(s > 0) || total === 0) return;
      reasons.push(weighted(c.reason(p), (baseShare * scales[k]! * s) / total));
    });
    if (adj !== undefined && factor > 1) {
      const share = (1 - 1 / factor) / Math.max(1, adj.reasons.length);
      for (const r of adj.reasons) reasons.push(weighted(r, share));
    }
    const extra = input.extraReasons?.(p) ?? [];
    if (extra.length > 0) {
      // A taste the person shows explains part of the personal evidence: give each extra
      // reason a tenth of the item's weight, taken proportionally from the others.
      const take = 0.1 * extra.length;
      for (const r of reasons) r.weight *= 1 - take;
      for (const r of extra) reasons.push(weighted(r, 0.1));
    }
    reasons.sort((a, b) => b.weight - a.weight);
    for (const r of reasons) r.weight = Math.round(r.weight * 1000) / 1000;
    return reasons;
  };

  const kept = ranking.slice(0, Math.max(0, n - pins.length - slots));
  const used = new Set<number>([...kept, ...pins.map((p) => p.position)]);
  let explored: Array<{ position: number; draw: number }> = [];
  if (exploration !== undefined && slots > 0) {
    const candidates = exploration.candidates.filter((c) => !used.has(c.position) && input.eligible(c.position));
    explored = thompsonPick({ candidates, slots, rng: exploration.rng });
    for (const e of explored) used.add(e.position);
  }
  const main = ranking.slice(0, Math.max(0, n - pins.length - explored.length));

  // Assemble: pins at their positions, exploration at spread positions, the ranking around them.
  const length = Math.min(n, main.length + pins.length + explored.length);
  const out: Array<RankedItem | undefined> = new Array(length).fill(undefined);
  const pinned = (p: number): RankedItem => ({ position: p, score: 0, reasons: [{ type: 'pinned', message: 'featured by the shop', weight: 1 }], exploration: false, pinned: true });
  const beyond: typeof pins = [];
  for (const pin of pins) {
    if (pin.at < length) out[pin.at] = pinned(pin.position);
    else beyond.push(pin);
  }
  // Pins beyond a short list take its last free places, in their order.
  const lastFree = out.flatMap((x, i) => (x === undefined ? [i] : [])).slice(-beyond.length);
  beyond.forEach((pin, k) => {
    const at = lastFree[k];
    if (at !== undefined) out[at] = pinned(pin.position);
  });
  // Spread over the places the pins leave free, so that a pin on an exploration spot does not
  // push an exploration item to the top of the list.
  const free = out.flatMap((x, i) => (x === undefined ? [i] : []));
  const spots = explorationPositions(free.length, explored.length).map((i) => free[i]!);
  explored.forEach((e, k) => {
    let at = spots[k];
    if (at === undefined || out[at] !== undefined) at = out.findIndex((x) => x === undefined);
    if (at === -1) return;
    out[at] = { position: e.position, score: e.draw, reasons: [{ type: 'exploring', message: 'new or rarely shown — exploring', weight: 1 }], exploration: true, pinned: false };
  });
  let next = 0;
  for (let i = 0; i < out.length; i++) {
    if (out[i] !== undefined) continue;
    const p = main[next++];
    if (p === undefined) break;
    out[i] = { position: p, score: scoreOf(p), reasons: explain(p), exploration: false, pinned: false };
  }
  return out.filter((x): x is RankedItem => x !== undefined);
}

/**
 * A reason with its weight, built as one of two literal shapes: blends keep explanations
 * between requests, and objects spread from reasons of varying shapes each got a hidden class
 * of their own (tens of thousands in a warm server, each marked by every full collection).
 */
function weighted(r: Omit<Reason, 'weight'>, weight: number): Reason {
  return r.items === undefined ? { type: r.type, message: r.message, weight } : { type: r.type, message: r.message, items: r.items, weight };
}

/** Explanations a blend keeps (the items most recently explained with it). */
export const EXPLANATIONS_KEPT = 16;

/** Blends kept between requests: by the identity of the component score lists and their weights. */
export interface BlendCache {
  get(key: string): Blend | undefined;
  set(key: string, blend: Blend): void;
}

/** A blend of components: its leading candidate positions best first (all of them when `complete`), with their blended totals. */
export interface Blend {
  order: Int32Array;
  totals: Float64Array;
  scales: number[];
  complete: boolean;
  /** Explanations of this blend's items, kept under a key that stands for what else they depend on (the last key only; at most `EXPLANATIONS_KEPT`, least recently used out first). */
  explained(key: string): Map<number, Reason[]>;
}

const scoreIds = new WeakMap<object, number>();
let nextScoreId = 0;
/** A key for a set of components: which score lists (by identity) with which weights. */
export function componentsKey(active: readonly Component[]): string {
  return active.map((c) => {
    let id = scoreIds.get(c.scores);
    if (id === undefined) scoreIds.set(c.scores, (id = ++nextScoreId));
    return `${id}*${c.weight}`;
  }).join('+');
}

/**
 * The dense sums of `blendOf`, one array per catalog size, zeroed again after each use
 * (serving is synchronous): a blend is kept per person, and an array over the whole catalog
 * captured with it would cost every cached person 8 bytes per catalog item.
 */
let blendScratch = new Float64Array(0);
function blendScratchOf(size: number): Float64Array {
  if (blendScratch.length !== size) blendScratch = new Float64Array(size);
  return blendScratch;
}

/**
 * A blend's explanations for one key (a new map when the key changes). Made outside `blendOf`
 * on purpose: a closure made there would keep that call's scratch arrays alive with the blend.
 */
function explanationsByKey(): (key: string) => Map<number, Reason[]> {
  let explained: { key: string; map: Map<number, Reason[]> } | null = null;
  return (k) => {
    if (explained?.key !== k) explained = { key: k, map: new Map() };
    return explained.map;
  };
}

/** Shop-wide blends (anonymous and non-personalized requests share them; their lists change once a second). */
const sharedBlends = new Map<string, Blend>();
const SHARED_BLENDS = 64;

/**
 * The components blended: each scaled to weight / its best score and summed per position,
 * the best `lead` candidates (or all) sorted best first (ties to the lower position). Kept in
 * `cache` (or a small shared one) by the identity of the score lists, which the serving state
 * and the person's memo keep stable.
 */
function blendOf(active: readonly Component[], size: number, cache: BlendCache | undefined, lead: number): Blend {
  const key = componentsKey(active);
  let blend = cache !== undefined ? cache.get(key) : sharedBlends.get(key);
  if (blend !== undefined && (blend.complete || blend.order.length >= lead)) return blend;
  const scales = active.map((c) => {
    let max = 0;
    c.scores.forEach((v) => { if (v > max) max = v; });
    return max > 0 ? c.weight / max : 0;
  });
  const dense = blendScratchOf(size);
  const touched: number[] = [];
  active.forEach((c, k) => {
    const scale = scales[k]!;
    if (scale === 0) return;
    c.scores.forEach((v, p) => {
      if (!(v > 0) || p < 0 || p >= size) return;
      if (dense[p] === 0) touched.push(p);
      dense[p]! += scale * v;
    });
  });
  const order = topN({ scores: dense, n: Math.min(lead, touched.length), candidates: touched, above: 0 });
  const totals = new Float64Array(order.length);
  for (let k = 0; k < order.length; k++) totals[k] = dense[order[k]!]!;
  for (const p of touched) dense[p] = 0;
  blend = { order, totals, scales, complete: order.length === touched.length, explained: explanationsByKey() };
  if (cache !== undefined) cache.set(key, blend);
  else {
    if (sharedBlends.size >= SHARED_BLENDS) sharedBlends.delete(sharedBlends.keys().next().value as string);
    sharedBlends.set(key, blend);
  }
  return blend;
}
