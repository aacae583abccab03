import type { Clock } from '../shared/clock.js';
import { createDecayedCounters } from './decayed-counters.js';
import type { CatalogIndex } from './catalog-index.js';
import type { ItemCounts } from './exploration.js';
import { eventRegion, productSignals, type ObservedEvent } from './observed-events.js';
import type { ItemStatsRow, RecommendationRepository } from './recommendation-repository.js';
import { loadServingModel, POPULARITY_HALF_LIVES, type ServingModel } from './serving-model.js';
import { createServingState, type ServingState } from './serving-state.js';

/** How often a serving process looks for a model trained by another process, and for catalog changes made elsewhere. */
export const MODEL_POLL_MS = 30_000;
/** Catalog changes reach serving after at most this long (changes are gathered, then the index is rebuilt once). */
export const CATALOG_SETTLE_MS = 1_000;


interface Entry {
  state: ServingState;
  loadedAt: number;
  checkedAt: number;
  checking: boolean;
  catalogDirtySince: number | null;
  catalogSignature: string;
  rebuilding: Promise<void> | null;
  /** Per placement, per item: shown and answered (loaded from the store, then counted here). */
  stats: Map<string, Map<string, { impressions: number; responses: number }>>;
  /** Counts not yet written, per placement and item. */
  pending: Map<string, Map<string, { impressions: number; responses: number }>>;
  /** `stats` by position in this entry's catalog, per placement (made at a placement's first request, then kept up). */
  counts: Map<string, { impressions: Float64Array; responses: Float64Array }>;
}

/**
 * The serving states of all workspaces this process serves: built on first use, rebuilt when
 * the catalog changes (kept counters carried over), swapped when a newer model is trained
 * (here, or in another process — polled), and moved along by ingest between retrains.
 *
 * @example
 * const states = createServingStates({ repository, clock, log });
 * const state = await states.get(workspaceId, clock.now());
 */
export function createServingStates(deps: { repository: RecommendationRepository; clock: Clock; log: (message: string, error?: unknown) => void }) {
  const { repository } = deps;
  const entries = new Map<string, Entry>();
  const building = new Map<string, Promise<Entry>>();

  async function loadModel(workspaceId: string): Promise<{ model: ServingModel | null; version: number | null }> {
    const stored = await repository.activeModel(workspaceId);
    if (stored === null) return { model: null, version: null };
    let json: unknown;
    try {
      json = JSON.parse(stored.artifact);
    } catch {
      deps.log(`workspace ${workspaceId}: recommendation model v${stored.version} is not valid JSON; serving without it`);
      return { model: null, version: null };
    }
    const loaded = loadServingModel(json);
    if (!loaded.ok) {
      deps.log(`workspace ${workspaceId}: recommendation model v${stored.version} was refused (${loaded.error.reason}); serving without it`);
      return { model: null, version: null };
    }
    return { model: loaded.value, version: stored.version };
  }

  async function build(workspaceId: string, now: number, previous: Entry | undefined, reloadModel: boolean): Promise<Entry> {
    const [{ model, version }, catalog, signature, segmentNames] = await Promise.all([
      reloadModel || previous === undefined ? loadModel(workspaceId) : Promise.resolve({ model: previous.state.model, version: previous.state.modelVersion }),
      repository.catalog(workspaceId),
      repository.catalogSignature(workspaceId),
      repository.segmentNames(workspaceId),
    ]);
    const keepLive = previous !== undefined && !reloadModel;
    const state = createServingState({ model, modelVersion: version, catalog, now, segmentNames, ...(keepLive ? { live: previous.state.live } : {}) });
    if (!keepLive) {
      // Counters start from the model's; what ingest saw since it was trained is replayed.
      const since = model?.trainedAt ?? now - 30 * 86_400_000;
      for await (const page of repository.trainingInteractions(workspaceId, since)) {
        for (const e of page) addLive(state, e.itemId, e.kind === 'purchase' ? 1 : e.kind === 'add_to_cart' ? 0.5 : 0.1, e.at, null);
      }
    }
    let stats = previous?.stats;
    if (stats === undefined) {
      stats = new Map();
      for (const r of await repository.itemStats(workspaceId)) statsOf(stats, r.placement).set(r.itemId, { impressions: r.impressions, responses: r.responses });
    }
    return { state, loadedAt: now, checkedAt: now, checking: false, catalogDirtySince: null, catalogSignature: signature, rebuilding: null, stats, pending: previous?.pending ?? new Map(), counts: new Map() };
  }

  async function ensure(workspaceId: string, now: number): Promise<Entry> {
    const existing = entries.get(workspaceId);
    if (existing !== undefined) return existing;
    let pending = building.get(workspaceId);
    if (pending === undefined) {
      pending = build(workspaceId, now, undefined, true).then((e) => {
        entries.set(workspaceId, e);
        return e;
      }).finally(() => building.delete(workspaceId));
      building.set(workspaceId, pending);
    }
    return pending;
  }

  function rebuild(workspaceId: string, entry: Entry, reloadModel: boolean): Promise<void> {
    entry.rebuilding ??= build(workspaceId, deps.clock.now(), entry, reloadModel).then(
      (next) => { entries.set(workspaceId, next); },
      (e: unknown) => { deps.log(`workspace ${workspaceId}: rebuilding recommendation serving failed`, e); },
    ).finally(() => { entry.rebuilding = null; });
    return entry.rebuilding;
  }

  /** Looks for a newer model and catalog changes made elsewhere; rebuilds when there are. */
  async function check(workspaceId: string, entry: Entry): Promise<void> {
    entry.checking = true;
    try {
      const [version, signature] = await Promise.all([repository.activeModelVersion(workspaceId), repository.catalogSignature(workspaceId)]);
      entry.checkedAt = deps.clock.now();
      if (version !== entry.state.modelVersion) await rebuild(workspaceId, entry, true);
      else if (signature !== entry.catalogSignature) await rebuild(workspaceId, entry, false);
    } finally {
      entry.checking = false;
    }
  }

  return {
    /** The current state (built on first use; rebuilds happen in the background). */
    async get(workspaceId: string, now: number): Promise<ServingState> {
      const entry = await ensure(workspaceId, now);
      if (entry.rebuilding === null) {
        if (entry.catalogDirtySince !== null && now - entry.catalogDirtySince >= CATALOG_SETTLE_MS) void rebuild(workspaceId, entry, false);
        else if (!entry.checking && now - entry.checkedAt >= MODEL_POLL_MS) void check(workspaceId, entry).catch((e: unknown) => deps.log(`workspace ${workspaceId}: checking for a new recommendation model failed`, e));
      }
      return entry.state;
    },

    /** Loads the active model now (after training in this process). */
    async reload(workspaceId: string, now: number): Promise<void> {
      const entry = entries.get(workspaceId);
      if (entry === undefined) await ensure(workspaceId, now);
      else await rebuild(workspaceId, entry, true);
    },

    /**
     * Checks for a newer model and catalog changes now (made here or elsewhere), and waits
     * for the rebuild they need, or one already under way.
     */
    async refresh(workspaceId: string, now: number): Promise<void> {
      const entry = await ensure(workspaceId, now);
      if (entry.rebuilding !== null) await entry.rebuilding;
      const current = entries.get(workspaceId) ?? entry;
      if (current.catalogDirtySince !== null) await rebuild(workspaceId, current, false);
      await check(workspaceId, entries.get(workspaceId) ?? current);
    },

    catalogChanged(workspaceId: string): void {
      const entry = entries.get(workspaceId);
      if (entry !== undefined) entry.catalogDirtySince ??= deps.clock.now();
    },

    /** Moves trending counts with committed events (products ordered, added, viewed, clicked). */
    observe(workspaceId: string, events: readonly ObservedEvent[], now: number): void {
      const entry = entries.get(workspaceId);
      if (entry === undefined) return;
      for (const e of events) {
        const region = eventRegion(e.context);
        for (const s of productSignals(e)) addLive(entry.state, s.itemId, s.weight, Math.min(e.timestamp, now), region);
      }
    },

    /**
     * Shown and answered counts of a placement's items by position in `catalog` (the catalog
     * of a state `get` returned): kept up as items are shown and answered while `catalog` is
     * the current one, a copy of the moment otherwise.
     */
    itemCountsOf(workspaceId: string, placement: string, catalog: CatalogIndex): ItemCounts {
      const entry = entries.get(workspaceId);
      if (entry === undefined || entry.state.catalog !== catalog) return countsByPosition(entry?.stats.get(placement), catalog);
      let counts = entry.counts.get(placement);
      if (counts === undefined) entry.counts.set(placement, (counts = countsByPosition(entry.stats.get(placement), catalog)));
      return counts;
    },

    recordImpressions(workspaceId: string, placement: string, itemIds: readonly string[]): void {
      const entry = entries.get(workspaceId);
      if (entry === undefined) return;
      for (const itemId of itemIds) count(entry, placement, itemId, 1, 0);
    },

    recordResponse(workspaceId: string, placement: string, itemId: string): void {
      const entry = entries.get(workspaceId);
      if (entry !== undefined) count(entry, placement, itemId, 0, 1);
    },

    /** Writes the show/response counts gathered since the last flush. */
    async flushStats(): Promise<void> {
      for (const [workspaceId, entry] of entries) {
        if (entry.pending.size === 0) continue;
        const rows: ItemStatsRow[] = [];
        for (const [placement, items] of entry.pending) for (const [itemId, c] of items) rows.push({ placement, itemId, impressions: c.impressions, responses: c.responses });
        entry.pending = new Map();
        await repository.addItemStats(workspaceId, rows, deps.clock.now());
      }
    },

    status(workspaceId: string): { modelVersion: number | null; loadedAt: number; catalogItems: number; modelItems: number } | null {
      const entry = entries.get(workspaceId);
      return entry === undefined ? null : { modelVersion: entry.state.modelVersion, loadedAt: entry.loadedAt, catalogItems: entry.state.catalog.size, modelItems: entry.state.model?.itemIds.length ?? 0 };
    },
  };
}

export type ServingStates = ReturnType<typeof createServingStates>;

function statsOf(stats: Entry['stats'], placement: string): Map<string, { impressions: number; responses: number }> {
  let m = stats.get(placement);
  if (m === undefined) stats.set(placement, (m = new Map()));
  return m;
}

function countsByPosition(stats: ReadonlyMap<string, { impressions: number; responses: number }> | undefined, catalog: CatalogIndex): { impressions: Float64Array; responses: Float64Array } {
  const counts = { impressions: new Float64Array(catalog.size), responses: new Float64Array(catalog.size) };
  for (const [itemId, s] of stats ?? []) {
    const p = catalog.index.get(itemId);
    if (p === undefined) continue;
    counts.impressions[p] = s.impressions;
    counts.responses[p] = s.responses;
  }
  return counts;
}

function count(entry: Entry, placement: string, itemId: string, impressions: number, responses: number): void {
  const m = statsOf(entry.stats, placement);
  const s = m.get(itemId);
  if (s === undefined) m.set(itemId, { impressions, responses });
  else {
    s.impressions += impressions;
    s.responses += responses;
  }
  const counts = entry.counts.get(placement);
  const position = counts === undefined ? undefined : entry.state.catalog.index.get(itemId);
  if (position !== undefined) {
    counts!.impressions[position]! += impressions;
    counts!.responses[position]! += responses;
  }
  let pending = entry.pending.get(placement);
  if (pending === undefined) entry.pending.set(placement, (pending = new Map()));
  const p = pending.get(itemId);
  if (p === undefined) pending.set(itemId, { impressions, responses });
  else {
    p.impressions += impressions;
    p.responses += responses;
  }
}

function addLive(state: ServingState, itemId: string, weight: number, at: number, region: string | null): void {
  state.live.trending.add(itemId, weight, at);
  state.live.popular.add(itemId, weight, at);
  if (region !== null) {
    let counters = state.live.regions.get(region);
    if (counters === undefined) state.live.regions.set(region, (counters = createDecayedCounters({ halfLifeDays: POPULARITY_HALF_LIVES.region, reference: at })));
    counters.add(itemId, weight, at);
  }
}
