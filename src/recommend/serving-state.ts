import { buildCatalogIndex, type CatalogEntry, type CatalogIndex } from './catalog-index.js';
import { contentNeighbours } from './content.js';
import { createDecayedCounters, type DecayedCounters } from './decayed-counters.js';
import { CONTENT_DEFAULTS } from './content.js';
import { transposeNeighbours, type NeighbourLists } from './neighbours.js';
import type { ServingModel } from './serving-model.js';
import { topN } from './top-n.js';

/**
 * What serving holds in memory for one workspace: the trained model (or none yet), the
 * catalog as it is now, content neighbours over that catalog (so items added after training
 * are recommendable), the maps between the model's item numbers and catalog positions, and
 * popularity counters that ingest keeps moving between retrains. Swapped whole when a model
 * is trained or the catalog changes; requests read one state from start to end.
 */
export interface ServingState {
  /** Unique per state built in this process (a key for results computed from it). */
  readonly id: number;
  readonly model: ServingModel | null;
  readonly modelVersion: number | null;
  readonly catalog: CatalogIndex;
  /** Content cosine over the current catalog (catalog positions). */
  readonly content: NeighbourLists;
  /** The same lists turned around (for each item, who points to it): for explanations. */
  readonly contentIncoming: NeighbourLists;
  /** The model's "similar" lists turned around (model items). */
  readonly similarIncoming: NeighbourLists;
  /** For each model item, its catalog position (-1 when it left the catalog). */
  readonly modelToCatalog: Int32Array;
  /** For each catalog position, its model item (-1 when the model does not know it). */
  readonly catalogToModel: Int32Array;
  readonly live: LivePopularity;
  /**
   * The model's all-time popularity over the current catalog: its best `ALL_TIME_TOP` positions,
   * best first (ties to the lower position). Fills lists once decayed popularity runs out.
   */
  readonly allTime: ReadonlyMap<number, number>;
  /** Names of the workspace's segments, for reasons ("popular with …"). */
  readonly segmentNames: ReadonlyMap<string, string>;
  /** The best `m` catalog positions of a counter at `now`, with scores proportional to its values (cached for 30 s per key). */
  top(counters: DecayedCounters, key: string, now: number, m: number): ReadonlyMap<number, number>;
}

/** Popularity counters that ingest moves between retrains (cloned from the model's). */
export interface LivePopularity {
  trending: DecayedCounters;
  popular: DecayedCounters;
  regions: Map<string, DecayedCounters>;
}

/** Positions kept of the all-time popularity: the most candidates a request asks for (5 × the largest n). */
export const ALL_TIME_TOP = 500;

/** Top lists of popularity counters are recomputed at most this often (ingest moves them; trends move slowly). */
const TOP_CACHE_MS = 30_000;

/**
 * Whether two top lists hold the same positions in the same order with the same scores (up
 * to rounding: a decayed counter's relative values are recomputed from the decayed amounts).
 */
function sameTop(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): boolean {
  if (a.size !== b.size) return false;
  const other = b.entries();
  for (const [p, v] of a) {
    const [q, w] = other.next().value as [number, number];
    if (p !== q || Math.abs(v - w) > 1e-12 * Math.max(1, Math.abs(v))) return false;
  }
  return true;
}
let built = 0;

/**
 * Builds a serving state. Pass `live` to keep the counters of the state it replaces (a
 * catalog change); leave it out to start from the model's (a new model).
 *
 * @example
 * const state = createServingState({ model, modelVersion: 3, catalog: entries, now: clock.now() });
 */
export function createServingState(input: { model: ServingModel | null; modelVersion: number | null; catalog: readonly CatalogEntry[]; live?: LivePopularity; now: number; segmentNames?: ReadonlyMap<string, string> }): ServingState {
  const catalog = buildCatalogIndex(input.catalog);
  const content = contentNeighbours({
    itemIds: catalog.entries.map((e) => e.id),
    items: catalog.entries.map((e) => ({ itemId: e.id, name: e.name, ...(e.description === undefined ? {} : { description: e.description }), category: e.categoryPath.join(' > '), ...(e.brand === null ? {} : { brand: e.brand }), tags: e.tags })),
    k: CONTENT_DEFAULTS.k,
  });
  const model = input.model;
  const modelToCatalog = new Int32Array(model?.itemIds.length ?? 0).fill(-1);
  const catalogToModel = new Int32Array(catalog.size).fill(-1);
  model?.itemIds.forEach((id, i) => {
    const p = catalog.index.get(id);
    if (p !== undefined) {
      modelToCatalog[i] = p;
      catalogToModel[p] = i;
    }
  });
  const clone = (c: DecayedCounters) => createDecayedCounters(c.toJSON());
  const live: LivePopularity = input.live ?? {
    trending: model === null ? createDecayedCounters({ halfLifeDays: 7, reference: input.now }) : clone(model.trending),
    popular: model === null ? createDecayedCounters({ halfLifeDays: 90, reference: input.now }) : clone(model.popular),
    regions: new Map([...(model?.regions ?? new Map<string, DecayedCounters>())].map(([k, v]) => [k, clone(v)])),
  };
  const cache = new Map<string, { at: number; m: number; top: ReadonlyMap<number, number> }>();
  const top = (counters: DecayedCounters, key: string, now: number, m: number): ReadonlyMap<number, number> => {
    const hit = cache.get(key);
    if (hit !== undefined && now - hit.at < TOP_CACHE_MS && now >= hit.at && hit.m >= m) return hit.top;
    const scores = new Float64Array(catalog.size);
    for (const [id, v] of counters.relativeValues()) {
      const p = catalog.index.get(id);
      if (p !== undefined) scores[p] = v;
    }
    const best = topN({ scores, n: m, above: 0 });
    const out = new Map<number, number>();
    for (const p of best) out.set(p, scores[p]!);
    // The same list as before keeps its identity: what serving keeps per list (each person's
    // blend, explanations, exploration order, an audience's list) stays valid, instead of
    // every person paying for a fresh blend at once each time the list is looked at again.
    const top = hit !== undefined && hit.m === m && sameTop(hit.top, out) ? hit.top : out;
    if (cache.size > 1000) cache.clear();
    cache.set(key, { at: now, m, top });
    return top;
  };
  const allTimeScores = new Float64Array(catalog.size);
  for (const [id, v] of model?.allTime ?? []) {
    const p = catalog.index.get(id);
    if (p !== undefined) allTimeScores[p] = v;
  }
  const allTime = new Map<number, number>();
  for (const p of topN({ scores: allTimeScores, n: ALL_TIME_TOP, above: 0 })) allTime.set(p, allTimeScores[p]!);
  const contentIncoming = transposeNeighbours(content, catalog.size);
  const similarIncoming = model === null ? { indptr: new Int32Array(1), indices: new Int32Array(0), weights: new Float32Array(0) } : transposeNeighbours(model.similar, model.itemIds.length);
  return { id: ++built, model, modelVersion: input.modelVersion, catalog, content, contentIncoming, similarIncoming, modelToCatalog, catalogToModel, live, allTime, segmentNames: input.segmentNames ?? new Map(), top };
}
