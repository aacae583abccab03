import type { Filters, Placement, RequestContext, Scene, Strategy } from '../contracts/recommendation.js';
import { explorationSlots, type ExplorationCandidate, type ItemCounts } from './exploration.js';
import { compileFilters, filterMask } from './filters.js';
import { historyVectorOf } from './history.js';
import { DEFAULT_SIGNAL_WEIGHTS, type InteractionKind } from './interactions.js';
import { scoreWithNeighbours, type NeighbourLists } from './neighbours.js';
import { PositionSet } from './packed.js';
import { derive, DUE_RATIO, DUE_RATIO_MAX, HOUR_MS, NOBODY } from './person-history.js';
import type { PersonSignals } from './person-signals.js';
import { rank, type Adjustment, type Blend, type Component, type RankedItem, type Reason } from './ranking.js';
import type { Rng } from './rng.js';
import { activeScenes, momentAt, sceneEffects } from './scenes.js';
import { denseOf, emptyLists, EXPLORATION_RELEVANT, hasCandidates, limit, relevanceOf, sparseScores, strongestSource } from './score-lists.js';
import type { ServingState } from './serving-state.js';
import { SparseScores } from './sparse-scores.js';
import { topN } from './top-n.js';

/**
 * One recommendation request, end to end in memory: the strategies of the placement become
 * components (scores over catalog positions, each with its reason), then `rank` blends,
 * filters, diversifies, explores and explains. What may be personal is decided before this
 * function: `person` is null in non-personalized mode (PRIVACY.md P5, P6), and then nothing
 * about the person — history, traits, region, segments, time zone, device, activity — is
 * read, because it is not here.
 */

export type { PersonSignals } from './person-signals.js';
export { compileFilters } from './filters.js';

export interface ServeInput {
  state: ServingState;
  placement: Placement;
  /** Null: non-personalized. */
  person: PersonSignals | null;
  request: {
    /** The item being looked at and the cart (for `similar`, `bought_together`); never recommended back. */
    items: readonly string[];
    context: RequestContext;
    filters?: Filters | undefined;
    n: number;
    /** A segment whose members' favourites scope `trending` and `popular` (personalized requests only). */
    segment?: string | undefined;
  };
  scenes: readonly Scene[];
  now: number;
  rng: Rng;
  /** Impressions and responses (clicks, cart adds, purchases) of each item in this placement, by position in `state.catalog`. */
  itemStats: ItemCounts;
  /**
   * Where results that depend only on the person's record and the state may be kept between
   * requests (the personal model's scores): the caller drops it when the record changes.
   */
  memo?: Map<string, unknown>;
}

export interface ServeOutput {
  items: Array<Omit<RankedItem, 'position'> & { itemId: string; name: string }>;
  scenes: string[];
  /** Components that had candidates, with their weights. */
  components: Array<{ name: string; weight: number }>;
}

const NO_POSITIONS: ReadonlySet<number> = new Set();
/** Candidates each component offers before filtering. */
const CANDIDATES = 300;
const DAY_MS = 86_400_000;
/** Below this share of a list's weight, cold-start signals are not computed (history has ~98% of it: 150 distinct purchases). */
const COLD_START_MIN_SHARE = 0.02;
/** Exploration candidates per request: the most relevant new or little-shown items (EXPLORATION_RELEVANT), and a uniform sample of the catalog. */
const EXPLORATION_RANDOM = 50;
/** Share of the cold-start part that each signal takes when present (renormalized over those present). */
const COLD_START_SHARES = { preference: 0.4, region: 0.2, device: 0.1, segment: 0.2, trending: 0.2 } as const;
/** What a search or a campaign says now outweighs a preference declared once. */
const PREFERENCE_WEIGHTS: Record<'declared' | 'search' | 'campaign', number> = { declared: 1, search: 2, campaign: 1.5 };
const PREFERENCE_WORDING: Record<'declared' | 'search' | 'campaign', string> = { declared: 'matches your preference', search: 'matches what you searched for', campaign: 'matches the campaign you came from' };

const VERBS: Record<InteractionKind, string> = { purchase: 'bought', add_to_cart: 'added to your cart', view: 'viewed' };

const audienceBlends = new WeakMap<object, WeakMap<object, { scores: Map<number, number>; localShare: Map<number, number> }>>();
/**
 * Half an audience's own favourites, half the whole shop's, each scaled to its best item; kept
 * for the pair of (cached) top lists, so that requests of the same audience share one list.
 */
function audienceScores(global: ReadonlyMap<number, number>, local: ReadonlyMap<number, number>): { scores: Map<number, number>; localShare: Map<number, number> } {
  let byGlobal = audienceBlends.get(local);
  if (byGlobal === undefined) audienceBlends.set(local, (byGlobal = new WeakMap()));
  let out = byGlobal.get(global);
  if (out !== undefined) return out;
  const scores = new Map<number, number>();
  const localShare = new Map<number, number>();
  const maxOf = (x: ReadonlyMap<number, number>) => { let v = 0; for (const s of x.values()) v = Math.max(v, s); return v || 1; };
  const gm = maxOf(global);
  const lm = maxOf(local);
  for (const [p, v] of global) scores.set(p, 0.5 * v / gm);
  for (const [p, v] of local) {
    scores.set(p, (scores.get(p) ?? 0) + 0.5 * v / lm);
    localShare.set(p, 0.5 * v / lm);
  }
  byGlobal.set(global, (out = { scores, localShare }));
  return out;
}

const fills = new WeakMap<object, WeakMap<object, { scores: Map<number, number>; decayed: ReadonlySet<number> }>>();
/**
 * What fills a list: decayed popularity first (scores in (1, 2]), then all-time popularity for
 * the items it lacks (scores in (0, 1]). Kept for the pair of lists, like `audienceScores`.
 */
function fillScores(decayed: ReadonlyMap<number, number>, allTime: ReadonlyMap<number, number>): { scores: Map<number, number>; decayed: ReadonlySet<number> } {
  let byAllTime = fills.get(decayed);
  if (byAllTime === undefined) fills.set(decayed, (byAllTime = new WeakMap()));
  let out = byAllTime.get(allTime);
  if (out !== undefined) return out;
  const scores = new Map<number, number>();
  let dm = 0;
  for (const v of decayed.values()) dm = Math.max(dm, v);
  let am = 0;
  for (const v of allTime.values()) am = Math.max(am, v);
  for (const [p, v] of decayed) if (v > 0) scores.set(p, 1 + v / dm);
  for (const [p, v] of allTime) if (!scores.has(p)) scores.set(p, v / am);
  byAllTime.set(allTime, (out = { scores, decayed: new Set(decayed.keys()) }));
  return out;
}

/** Prefixes of the memo keys `historyMemoOf` keeps (with 'state', 'catalog-history', 'blend', 'relevance'). */
const HISTORY_KEYS = ['history:', 'content:', 'person:', 'bought:', 'purchased:'];

/**
 * What of a person's memo (see `ServeInput.memo`) depends only on their history and the
 * serving state, so that a record read again with the profile unchanged (its events and
 * orders the same) keeps it: the personal model's and the content scores, the catalog
 * history, what is derived from the history for the hour (latest interactions, purchases,
 * replenishment, tastes) and the purchase positions built from it (their keys carry the hour
 * and the placement's rule), and the blend and exploration relevance (each kept under a key of
 * the exact score lists it was made from, so a changed list is never mixed in). Not the
 * exposure counts: exposures change without touching the profile. The memo's state mark goes
 * with them: a memo made for another state is cleared at its first use, as always.
 *
 * @example
 * people.get(key, now, version, (old) => { carried = historyMemoOf(old.memo); });
 */
export function historyMemoOf(memo: ReadonlyMap<string, unknown>): Map<string, unknown> {
  const kept = new Map<string, unknown>();
  for (const [key, value] of memo) {
    if (key === 'state' || key === 'catalog-history' || key === 'blend' || key === 'relevance' || HISTORY_KEYS.some((prefix) => key.startsWith(prefix))) kept.set(key, value);
  }
  return kept;
}

/**
 * Serves one request from the in-memory state.
 *
 * @example
 * const out = serveRecommendations({ state, placement, person, request: { items: [], context: {}, n: 10 }, scenes, now, rng, itemStats });
 */
export function serveRecommendations(input: ServeInput): ServeOutput {
  const { state, placement, person, now } = input;
  const { catalog } = state;
  const n = input.request.n;
  // Non-personalized: of the context, only a scene the request names is read.
  const context: RequestContext = person === null ? (input.request.context.scene === undefined ? {} : { scene: input.request.context.scene }) : input.request.context;
  const m = Math.max(CANDIDATES, 5 * n);
  const nameOf = (p: number) => catalog.entries[p]?.name ?? '';
  const contextPositions = input.request.items.map((id) => catalog.index.get(id)).filter((p): p is number => p !== undefined);
  const contextModel = input.request.items.map((id) => state.model?.itemIndex.get(id)).filter((i): i is number => i !== undefined);

  // What the person did: derived once per record (and hour, for what depends on the date).
  const { latest, historyWeight, purchasedAt, due, tastes } = person === null ? NOBODY : memoized(`person:${Math.floor(now / HOUR_MS)}`, () => derive(person, state, catalog, now));

  const components: Component[] = [];
  const strategies = placement.strategies;
  const total = strategies.reduce((s, x) => s + x.weight, 0);
  for (const { strategy, weight } of strategies) {
    const share = weight / total;
    components.push(...strategyComponents(strategy, share));
  }
  // Too few candidates (a new shop, an unknown item): popularity fills the list, with a small
  // weight so it never outranks real evidence (and again below when the ranking comes back short).
  let filled = false;
  if (!hasCandidates(components, n * 3)) {
    components.push(popularityComponent('fallback', 0.01, false));
    filled = true;
  }

  function strategyComponents(strategy: Strategy, share: number): Component[] {
    switch (strategy) {
      case 'for_you': return forYou(share);
      case 'similar': return similar(share);
      case 'bought_together': return boughtTogether(share);
      case 'buy_again': return buyAgain(share);
      case 'trending': return [popularityComponent('trending', share, true)];
      case 'popular': return [popularityComponent('popular', share, false)];
      case 'new_arrivals': return newArrivals(share);
    }
  }

  function forYou(share: number): Component[] {
    if (person === null) return [popularityComponent('trending', share, false)];
    const alpha = historyWeight / (historyWeight + placement.coldStartHalfWeight);
    const out: Component[] = [];
    const model = state.model;
    if (model !== null && historyWeight > 0) {
      const { h, map } = memoized(`history:${state.id}:${m}`, () => personalScores(model, person));
      if (map.size > 0) {
        out.push({ name: 'history', weight: share * alpha * 0.85, scores: map, reason: (p) => becauseOf(p, state.similarIncoming, h, 'history') });
      }
    }
    if (historyWeight > 0) {
      const hc = catalogHistory();
      const scores = memoized(`content:${state.id}:${m}`, () => SparseScores.from(sparseScores(scoreWithNeighbours({ lists: state.content, history: hc, itemCount: catalog.size }), m)));
      out.push({ name: 'content', weight: share * alpha * 0.15, scores, reason: (p) => becauseOfContent(p, hc) });
    }
    // Once history carries nearly all the weight, cold-start signals could only reorder the tail.
    if (1 - alpha >= COLD_START_MIN_SHARE) out.push(...coldStart(share * (1 - alpha)));
    return out;
  }

  /** A value kept in the person's memo for this state (computed when absent). */
  function memoized<T>(key: string, compute: () => T): T {
    const memo = input.memo;
    if (memo === undefined) return compute();
    // A memo made for another state starts over; a new one keeps what the service put in it
    // before this (the person's exposure counts).
    const made = memo.get('state');
    if (made !== state.id) {
      if (made !== undefined) memo.clear();
      memo.set('state', state.id);
    }
    let v = memo.get(key) as T | undefined;
    if (v === undefined) memo.set(key, (v = compute()));
    return v;
  }

  /** The personal model's best candidates for the person, as catalog positions, and the history vector it scored. */
  function personalScores(model: NonNullable<ServingState['model']>, who: PersonSignals): { h: { indices: Int32Array | ArrayLike<number>; values: ArrayLike<number> }; map: SparseScores } {
    // Recency is measured from the end of the model's data or the person's latest event, whichever is
    // later (and never after now): on a shop whose data stopped a while ago, as in a demo on a
    // historical data set, the person's history keeps the weights it was trained with.
    let latestAt = model.dataTo ?? -Infinity;
    for (const e of who.interactions) latestAt = Math.max(latestAt, e.at);
    const h = historyVectorOf({ weighting: model.history, itemIndex: model.itemIndex, interactions: who.interactions, now: Math.min(now, latestAt) });
    if (h.indices.length === 0) return { h, map: SparseScores.from([]) };
    const map: Array<[number, number]> = [];
    const scores = model.personal.score(h);
    // A few more than the list needs: the person's own items often score high and are left out later.
    const best = topN({ scores, n: m + Math.min(h.indices.length, m), above: model.personal.kind === 'blend' || model.personal.kind === 'als' ? -Infinity : 0 });
    // Scores of latent-factor parts can be negative: shift so the weakest candidate scores just above 0.
    let min = Infinity;
    for (const i of best) min = Math.min(min, scores[i]!);
    const shift = min < 0 ? -min + 1e-9 : 0;
    for (const i of best) {
      const p = state.modelToCatalog[i]!;
      if (p >= 0) map.push([p, scores[i]! + shift]);
    }
    return { h, map: SparseScores.from(map) };
  }

  function coldStart(share: number): Component[] {
    if (person === null || share <= 0) return [];
    const parts: Array<{ key: keyof typeof COLD_START_SHARES; component: Component }> = [];
    if (person.preferences.length > 0) {
      const matched = new Map<number, number>();
      const matchedBy = new Map<number, Array<{ phrase: string; source: 'declared' | 'search' | 'campaign' }>>();
      const pop = state.top(state.live.popular, 'popular', now, m);
      let popMax = 0;
      for (const v of pop.values()) popMax = Math.max(popMax, v);
      for (const pref of person.preferences.slice(0, 20)) {
        for (const p of catalog.phrase(pref.phrase)) {
          matched.set(p, (matched.get(p) ?? 0) + PREFERENCE_WEIGHTS[pref.source]);
          const list = matchedBy.get(p);
          if (list === undefined) matchedBy.set(p, [pref]);
          else list.push(pref);
        }
      }
      // More preferences matched first; among equals, the more popular.
      const scores = new Map<number, number>();
      for (const [p, k] of matched) scores.set(p, k + 0.5 * (popMax > 0 ? (pop.get(p) ?? 0) / popMax : 0));
      parts.push({ key: 'preference', component: { name: 'preference', weight: 0, scores: limit(scores, m), reason: (p) => {
        const by = matchedBy.get(p) ?? [];
        const source = by.reduce<'declared' | 'search' | 'campaign'>((best, b) => (PREFERENCE_WEIGHTS[b.source] > PREFERENCE_WEIGHTS[best] ? b.source : best), by[0]?.source ?? 'declared');
        return { type: source === 'declared' ? 'preference' : source, message: `${PREFERENCE_WORDING[source]}: ${by.filter((b) => b.source === source).map((b) => b.phrase).join(', ')}` };
      } } });
    }
    const region = context.region ?? person.region;
    const regional = region === null ? undefined : state.live.regions.get(region) ?? state.model?.regions.get(region);
    if (region !== null && regional !== undefined) {
      parts.push({ key: 'region', component: { name: 'region', weight: 0, scores: state.top(regional, `region:${region}`, now, m), reason: () => ({ type: 'region', message: `popular in your region (${region})` }) } });
    }
    const device = person.device;
    const devices = device === null ? undefined : state.model?.devices.get(device);
    if (device !== null && devices !== undefined) {
      parts.push({ key: 'device', component: { name: 'device', weight: 0, scores: state.top(devices, `device:${device}`, now, m), reason: () => ({ type: 'device', message: `popular on ${device}` }) } });
    }
    const segmentScores = new Map<number, number>();
    const segmentOf = new Map<number, string>();
    for (const s of person.segments) {
      const counters = state.model?.segments.get(s.id);
      if (counters === undefined) continue;
      const top = state.top(counters, `segment:${s.id}`, now, m);
      let max = 0;
      for (const v of top.values()) max = Math.max(max, v);
      for (const [p, v] of top) {
        const score = max > 0 ? v / max : 0;
        if (score > (segmentScores.get(p) ?? 0)) {
          segmentScores.set(p, score);
          segmentOf.set(p, s.name);
        }
      }
    }
    if (segmentScores.size > 0) {
      parts.push({ key: 'segment', component: { name: 'segment', weight: 0, scores: limit(segmentScores, m), reason: (p) => ({ type: 'segment', message: `popular with people like you ("${segmentOf.get(p) ?? ''}")` }) } });
    }
    parts.push({ key: 'trending', component: popularityComponent('trending', 0, false) });
    const sum = parts.reduce((s, x) => s + COLD_START_SHARES[x.key], 0);
    return parts.map((x) => ({ ...x.component, weight: (share * COLD_START_SHARES[x.key]) / sum }));
  }

  function sourcesForItems(): { model: number[]; catalog: number[]; fromContext: boolean } {
    if (contextModel.length > 0 || contextPositions.length > 0) return { model: contextModel, catalog: contextPositions, fromContext: true };
    // No item given: the person's latest interaction stands in (personalized mode only).
    if (person === null || latest.size === 0) return { model: [], catalog: [], fromContext: false };
    const newest = [...latest.entries()].sort((a, b) => b[1].at - a[1].at)[0]!;
    const i = state.model?.itemIndex.get(newest[0]);
    const p = catalog.index.get(newest[0]);
    return { model: i === undefined ? [] : [i], catalog: p === undefined ? [] : [p], fromContext: false };
  }

  function neighbourComponent(name: string, weight: number, lists: NeighbourLists, sources: number[], message: (source: string) => string): Component {
    const model = state.model;
    if (model === null || sources.length === 0) return { name, weight, scores: new Map(), reason: () => ({ type: name, message: '' }) };
    const h = { indices: Int32Array.from(sources), values: new Float64Array(sources.length).fill(1) };
    const scores = scoreWithNeighbours({ lists, history: h, itemCount: model.itemIds.length });
    const out = new Map<number, number>();
    for (const i of topN({ scores, n: m, above: 0 })) {
      const p = state.modelToCatalog[i]!;
      if (p >= 0) out.set(p, scores[i]!);
    }
    return {
      name, weight, scores: out,
      reason: (p) => {
        const best = strongestSource(lists, sources, state.catalogToModel[p]!);
        const id = best === -1 ? '' : model.itemIds[best]!;
        const pos = catalog.index.get(id);
        const text = message(pos === undefined ? id : nameOf(pos));
        return id === '' ? { type: name, message: text } : { type: name, message: text, items: [id] };
      },
    };
  }

  function similar(share: number): Component[] {
    const src = sourcesForItems();
    const verb = src.fromContext ? 'similar to' : 'similar to what you looked at:';
    const hc = { indices: Int32Array.from(src.catalog), values: new Float64Array(src.catalog.length).fill(1) };
    return [
      neighbourComponent('similar', share * 0.7, state.model?.similar ?? emptyLists(), src.model, (s) => `${verb} ${s}`),
      { name: 'content', weight: share * 0.3, scores: sparseScores(scoreWithNeighbours({ lists: state.content, history: hc, itemCount: catalog.size }), m), reason: (p) => becauseOfContent(p, hc, src.fromContext ? 'like' : undefined) },
    ];
  }

  function boughtTogether(share: number): Component[] {
    const src = sourcesForItems();
    return [
      neighbourComponent('together', share * 0.8, state.model?.together ?? emptyLists(), src.model, (s) => `often bought with ${s}`),
      neighbourComponent('similar', share * 0.2, state.model?.similar ?? emptyLists(), src.model, (s) => `people who chose ${s} also chose it`),
    ];
  }

  function buyAgain(share: number): Component[] {
    if (person === null) return [];
    const scores = new Map<number, number>();
    for (const [itemId, d] of due) {
      const p = catalog.index.get(itemId);
      if (p === undefined) continue;
      // Peaks when due (ratio 1): early purchases rise toward it, overdue ones fade slowly.
      const r = d.ratio;
      scores.set(p, Math.max(0.05, Math.exp(-((r - 1) ** 2) / (2 * (r < 1 ? 0.3 : 1) ** 2))));
    }
    return [{
      name: 'buy_again', weight: share, scores,
      reason: (p) => buyAgainReason(p)!,
    }];
  }

  function newArrivals(share: number): Component[] {
    const since = now - placement.exploration.newWithinDays * DAY_MS;
    const fresh = new Map<number, number>();
    catalog.entries.forEach((e, p) => {
      if (e.createdAt >= since && e.createdAt <= now) fresh.set(p, 0.2 + 0.8 * (1 - (now - e.createdAt) / (now - since + 1)));
    });
    const out: Component[] = [{ name: 'new', weight: share * (person === null || historyWeight === 0 ? 1 : 0.4), scores: limit(fresh, m), reason: () => ({ type: 'new', message: 'new arrival' }) }];
    if (person !== null && historyWeight > 0) {
      const hc = catalogHistory();
      const scores = scoreWithNeighbours({ lists: state.content, history: hc, itemCount: catalog.size });
      const relevant = new Map<number, number>();
      for (const p of fresh.keys()) if (scores[p]! > 0) relevant.set(p, scores[p]!);
      out.push({ name: 'content', weight: share * 0.6, scores: relevant, reason: (p) => becauseOfContent(p, hc) });
    }
    return out;
  }

  function popularityComponent(kind: 'trending' | 'popular' | 'fallback', weight: number, scoped: boolean): Component {
    const counters = kind === 'popular' ? state.live.popular : state.live.trending;
    const global = state.top(counters, kind === 'popular' ? 'popular' : 'trending', now, m);
    const label = kind === 'popular' ? 'popular' : 'trending now';
    // The audience: a segment the request names (personalized only), else the person's or the request's region.
    const segmentId = scoped && person !== null ? input.request.segment : undefined;
    const segmentCounters = segmentId === undefined ? undefined : state.model?.segments.get(segmentId);
    const region = scoped && segmentCounters === undefined ? (context.region ?? person?.region ?? null) : null;
    const regional = region === null ? undefined : state.live.regions.get(region);
    const audience = segmentCounters !== undefined
      ? { counters: segmentCounters, key: `segment:${segmentId}`, where: `with "${state.segmentNames.get(segmentId!) ?? segmentId}"` }
      : regional !== undefined ? { counters: regional, key: `region:${region}`, where: `in ${region}` } : undefined;
    if (kind === 'fallback') {
      // Decayed popularity, then all-time popularity once it runs out: a live event long after
      // the data ends rebases the decayed counters, and the data's own popularity becomes ~0.
      const fill = fillScores(global, state.allTime);
      return { name: kind, weight, scores: fill.scores, reason: (p) => ({ type: 'popular', message: fill.decayed.has(p) ? 'popular now' : 'popular' }) };
    }
    if (audience === undefined) return { name: kind, weight, scores: global, reason: () => ({ type: kind, message: label }) };
    const { scores, localShare } = audienceScores(global, state.top(audience.counters, audience.key, now, m));
    return { name: kind, weight, scores, reason: (p) => ({ type: kind, message: (localShare.get(p) ?? 0) >= 0.5 * (scores.get(p) ?? 0) ? `${label} ${audience.where}` : label }) };
  }

  /** "you buy this about every N days; last bought D days ago", for a repeat-bought item. */
  function buyAgainReason(p: number): Omit<Reason, 'weight'> | undefined {
    const id = catalog.entries[p]!.id;
    const d = due.get(id);
    if (d === undefined) return undefined;
    const every = Math.max(1, Math.round(d.intervalDays));
    const since = Math.max(0, Math.round((now - d.lastAt) / DAY_MS));
    return { type: 'buy_again', message: `you buy this about every ${every === 1 ? 'day' : `${every} days`}; last bought ${since === 0 ? 'today' : `${since} day${since === 1 ? '' : 's'} ago`}`, items: [id] };
  }

  /** The person's items over catalog positions, each weighed by its strongest signal (kept with the record). */
  function catalogHistory(): { indices: Int32Array; values: Float64Array } {
    return memoized('catalog-history', () => {
      const acc = new Map<number, number>();
      for (const [itemId, last] of latest) {
        const p = catalog.index.get(itemId);
        if (p !== undefined) acc.set(p, DEFAULT_SIGNAL_WEIGHTS[last.kind]);
      }
      const entries = [...acc.entries()].sort((a, b) => a[0] - b[0]);
      return { indices: Int32Array.from(entries, (e) => e[0]), values: Float64Array.from(entries, (e) => e[1]) };
    });
  }

  /** "because you bought X": the history items that contribute most to the item through item-to-item similarity. */
  function becauseOf(p: number, incoming: NeighbourLists, h: { indices: ArrayLike<number>; values: ArrayLike<number> }, type: string): Omit<Reason, 'weight'> {
    const model = state.model!;
    const j = state.catalogToModel[p]!;
    const mine = denseOf(h, model.itemIds.length, 'model');
    const contributions: Array<{ i: number; c: number }> = [];
    if (j >= 0 && j + 1 < incoming.indptr.length) {
      for (let q = incoming.indptr[j]!; q < incoming.indptr[j + 1]!; q++) {
        const i = incoming.indices[q]!;
        if (mine[i]! > 0) contributions.push({ i, c: incoming.weights[q]! * mine[i]! });
      }
    }
    contributions.sort((a, b) => b.c - a.c || a.i - b.i);
    const cited = contributions.slice(0, 2).map((x) => model.itemIds[x.i]!);
    if (cited.length === 0) return { type: `${type}_collaborative`, message: 'people with tastes like yours chose it' };
    return { type, message: `because you ${describe(cited)}`, items: cited };
  }

  function becauseOfContent(p: number, h: { indices: ArrayLike<number>; values: ArrayLike<number> }, verb?: string): Omit<Reason, 'weight'> {
    const mine = denseOf(h, catalog.size, 'catalog');
    const incoming = state.contentIncoming;
    let best = -1;
    let bestC = 0;
    for (let q = incoming.indptr[p]!; q < incoming.indptr[p + 1]!; q++) {
      const i = incoming.indices[q]!;
      const c = incoming.weights[q]! * mine[i]!;
      if (c > bestC || (c === bestC && c > 0 && i < best)) {
        bestC = c;
        best = i;
      }
    }
    if (best === -1) return { type: 'content', message: 'matches what you like' };
    const id = catalog.entries[best]!.id;
    if (verb !== undefined) return { type: 'content', message: `${verb} ${nameOf(best)}`, items: [id] };
    const kind = latest.get(id)?.kind ?? 'view';
    return { type: 'content', message: `like ${nameOf(best)}, which you ${VERBS[kind]}`, items: [id] };
  }

  function describe(itemIds: readonly string[]): string {
    const byVerb = new Map<string, string[]>();
    for (const id of itemIds) {
      const verb = VERBS[latest.get(id)?.kind ?? 'view'];
      const pos = catalog.index.get(id);
      const list = byVerb.get(verb);
      const label = pos === undefined ? id : nameOf(pos);
      if (list === undefined) byVerb.set(verb, [label]);
      else list.push(label);
    }
    return [...byVerb].map(([verb, names]) => `${verb} ${names.join(' and ')}`).join(' and ');
  }

  // Which items may be recommended.
  // The placement's filters as a mask over the catalog (the same for all its requests); a
  // request's own filters are checked item by item.
  const placementMask = placement.filters === undefined ? null : filterMask(placement.filters, catalog);
  const requestFilter = input.request.filters === undefined ? null : compileFilters(input.request.filters, catalog);
  const passesFilters = (p: number): boolean => (placementMask === null || placementMask[p] === 1) && (requestFilter === null || requestFilter(p));
  // Non-personalized, only a scene the request names applies: the moment is the person's
  // context as much as their device or activity, so no condition is read. (Read only when the
  // workspace has scenes.)
  const scenes = !placement.scenes || input.scenes.length === 0 ? []
    : person === null ? input.scenes.filter((s) => s.name === context.scene)
      : activeScenes({ scenes: input.scenes, context, moment: momentAt(context.time === undefined ? now : Date.parse(context.time), context.timezone ?? person.timezone) });
  const sceneEffect = scenes.length === 0 ? null : sceneEffects({ scenes, catalog });
  const boosts = placement.boosts.map((b) => ({ test: catalog.matcher(b.match), factor: b.factor, label: b.label }));
  const contextSet = new Set(contextPositions);
  const keepsBought = strategies.some((s) => s.strategy === 'buy_again');
  const boughtCutoff = placement.excludePurchased.withinDays === null ? -Infinity : now - placement.excludePurchased.withinDays * DAY_MS;
  // What the person bought that the placement leaves out, as catalog positions (kept with
  // their record: a search among a few positions per candidate instead of string look-ups).
  const boughtRule = `${placement.excludePurchased.withinDays}:${placement.excludePurchased.keepReplenishable}:${keepsBought}`;
  const blockedByPurchase = person === null || placement.excludePurchased.withinDays === 0 ? null
    : memoized(`bought:${boughtRule}:${Math.floor(now / HOUR_MS)}`, () => {
      const blocked: number[] = [];
      for (const [itemId, bought] of purchasedAt) {
        const p = catalog.index.get(itemId);
        if (p === undefined || bought < boughtCutoff) continue;
        const d = due.get(itemId);
        const isDue = d !== undefined && d.ratio >= DUE_RATIO && d.ratio <= DUE_RATIO_MAX;
        if (!(keepsBought && d !== undefined) && !(placement.excludePurchased.keepReplenishable && isDue)) blocked.push(p);
      }
      return PositionSet.of(blocked);
    });
  // Items shown often enough without a response, as catalog positions (kept with the person's
  // exposure counts) instead of a look-up by item id for each candidate.
  const fatigued: ReadonlySet<number> = person !== null && placement.fatigue.count > 0 ? person.exposures.fatigued(catalog.index, placement.fatigue.count) : NO_POSITIONS;
  const eligible = (p: number): boolean => {
    if (blockedByPurchase !== null && blockedByPurchase.size > 0 && blockedByPurchase.has(p)) return false;
    if (fatigued.size > 0 && fatigued.has(p)) return false;
    if (contextSet.size > 0 && contextSet.has(p)) return false;
    if (!passesFilters(p)) return false;
    return sceneEffect === null || !sceneEffect(p).excluded;
  };
  const adjust = sceneEffect === null && boosts.length === 0 ? undefined : (p: number): Adjustment | undefined => {
    const s = sceneEffect?.(p);
    let factor = s?.factor ?? 1;
    const reasons: Array<Omit<Reason, 'weight'>> = (s?.boostedBy ?? []).map((label) => ({ type: 'scene', message: `fits the moment: ${label}` }));
    for (const b of boosts) {
      if (b.test(p)) {
        factor *= b.factor;
        if (b.factor > 1) reasons.push({ type: 'boost', message: b.label === undefined ? 'promoted by the shop' : `promoted: ${b.label}` });
      }
    }
    return factor === 1 && reasons.length === 0 ? undefined : { factor, reasons };
  };
  const pinned = placement.pinned
    .map((pin) => ({ position: catalog.index.get(pin.itemId), at: pin.position - 1 }))
    .filter((x): x is { position: number; at: number } => x.position !== undefined && eligibleForPin(x.position));
  function eligibleForPin(p: number): boolean {
    return passesFilters(p) && !contextSet.has(p);
  }

  // Exploration: new or little-shown items, with their relevance to this request where there is any.
  const slots = explorationSlots(n, placement.exploration.share);
  let exploration: { slots: number; candidates: ExplorationCandidate[]; rng: Rng } | undefined;
  if (slots > 0) {
    const since = now - placement.exploration.newWithinDays * DAY_MS;
    // Relevance of an item to this request: its best score in any component, scaled to that
    // component's best (the same for every request with these components: kept with them).
    const relevance = relevanceOf(components, catalog.size, input.memo);
    const bought = person === null ? null : memoized(`purchased:${Math.floor(now / HOUR_MS)}`, () => {
      const positions: number[] = [];
      for (const itemId of purchasedAt.keys()) {
        const p = catalog.index.get(itemId);
        if (p !== undefined) positions.push(p);
      }
      return PositionSet.of(positions);
    });
    const candidates: ExplorationCandidate[] = [];
    const { impressions, responses } = input.itemStats;
    const consider = (p: number, relevant: number) => {
      // Exploring is showing something new to the person: never what they bought.
      if (bought !== null && bought.has(p)) return;
      const shown = impressions[p]!;
      if (shown >= placement.exploration.underExposedBelow && catalog.createdAt[p]! < since) return;
      candidates.push({ position: p, impressions: shown, responses: responses[p]!, relevance: relevant });
    };
    // The most relevant new or little-shown items, and a uniform sample of the catalog, so that
    // items no component knows get their chance (each costs a Thompson draw).
    for (let k = 0; k < relevance.positions.length && candidates.length < EXPLORATION_RELEVANT; k++) consider(relevance.positions[k]!, relevance.values[k]!);
    const sampled = new Set<number>();
    for (let k = 0; k < Math.min(EXPLORATION_RANDOM, catalog.size); k++) {
      const p = Math.floor(input.rng() * catalog.size);
      if (!relevance.has(p) && !sampled.has(p)) {
        sampled.add(p);
        consider(p, 0);
      }
    }
    exploration = { slots, candidates, rng: input.rng };
  }

  // A taste the person shows: a tag on most of their recent purchases.
  const extraReasons = (p: number): Array<Omit<Reason, 'weight'>> => {
    const out: Array<Omit<Reason, 'weight'>> = [];
    // A bought item kept because it is due again says so (unless buy-again already explains it).
    if (!keepsBought && purchasedAt.has(catalog.entries[p]!.id)) {
      const again = buyAgainReason(p);
      if (again !== undefined) out.push(again);
    }
    for (const t of catalog.tagsOf(p)) {
      const share = tastes.get(t);
      if (share !== undefined) out.push({ type: 'taste', message: `you chose products tagged "${t}" in ${Math.round(share * 100)}% of your purchases in the last 30 days` });
      if (out.length === 2) break;
    }
    return out;
  };

  // The person's blend is kept with their record (one at a time); shop-wide ones are shared by the ranking.
  const memo = input.memo;
  const blendCache = memo === undefined ? undefined : {
    get: (key: string) => {
      const kept = memo.get('blend') as { key: string; blend: Blend } | undefined;
      return kept?.key === key ? kept.blend : undefined;
    },
    set: (key: string, blend: Blend) => { memo.set('blend', { key, blend }); },
  };
  const rankWith = (list: readonly Component[]) => rank({
    catalog, components: list, n, eligible, ...(adjust === undefined ? {} : { adjust }), pinned, ...(blendCache === undefined ? {} : { blendCache }),
    diversity: placement.diversity,
    ...(exploration === undefined ? {} : { exploration }),
    extraReasons,
    // Reasons read the date (buy again, tastes of the last 30 days): kept for the hour.
    explanationKey: `${Math.floor(now / HOUR_MS)}`,
  });
  let ranked = rankWith(components);
  if (ranked.length < n && !filled) {
    // Candidates enough, but too few of them eligible (bought, filtered, fatigued): popularity
    // fills the list, so that it is short only when few eligible items were ever bought, added or viewed.
    components.push(popularityComponent('fallback', 0.01, false));
    ranked = rankWith(components);
  }
  return {
    items: ranked.map((r) => ({ itemId: catalog.entries[r.position]!.id, name: nameOf(r.position), score: Math.round(r.score * 1e6) / 1e6, reasons: r.reasons, exploration: r.exploration, pinned: r.pinned })),
    scenes: scenes.map((s) => s.name),
    components: components.filter((c) => c.scores.size > 0 && c.weight > 0).map((c) => ({ name: c.name, weight: Math.round(c.weight * 1000) / 1000 })),
  };
}

