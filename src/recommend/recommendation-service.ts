import { placementSchema, type Placement, type RecommendationRequest, type Strategy } from '../contracts/recommendation.js';
import { consentStateAt, decide, subscriptionStateAt, type PolicyReason } from '../privacy/index.js';
import type { ProfileService } from '../profiles/profile-service.js';
import type { Clock } from '../shared/clock.js';
import type { Ids } from '../shared/ids.js';
import { err, ok, type Result } from '../shared/result.js';
import type { Workspace } from '../workspaces/workspace-repository.js';
import { createFeedbackTracker, type ObservedEvent } from './feedback.js';
import { createPersonCache, SHOWING_ROWS } from './person-cache.js';
import { exposuresOf, personSignals, type ExposureCounts } from './person-signals.js';
import type { PersonPrivacyFacts, PersonRecord, RecommendationLogRow, RecommendationRepository } from './recommendation-repository.js';
import { ageFactsOf, minorStatus } from '../privacy/minors.js';
import { hashString, seededRng, type Rng } from './rng.js';
import { historyMemoOf, serveRecommendations, type PersonSignals } from './serve.js';
import { createServingStates } from './serving-states.js';
import { createTrainer, type TrainingSummary } from './training.js';

/**
 * Recommendation use cases: serve a request (policy first: a person whose personalization
 * may not happen gets the non-personalized ranking, PRIVACY.md P5/P6), log what was shown,
 * attribute clicks and purchases that carry a recommendation id, keep trending counts moving
 * with ingest, train and hot-swap models, report per placement.
 */

export type RecommendationError =
  | { type: 'placement_not_found'; message: string }
  | { type: 'bad_reference'; message: string }
  /** A request field names a scene or segment the workspace does not have. */
  | { type: 'unknown_name'; field: 'context.scene' | 'segment'; message: string }
  | { type: 'recommendation_not_found'; message: string };

/** A served item as the API returns it. */
export interface RecommendedItem {
  itemId: string;
  name: string;
  position: number;
  score: number;
  price: number | null;
  currency: string | null;
  category: string[];
  url: string | null;
  image: string | null;
  exploration: boolean;
  pinned: boolean;
  reasons: Array<{ type: string; message: string; weight: number; items?: string[] }>;
}

export interface RecommendationResponse {
  recommendationId: string;
  placement: string;
  strategies: Array<{ strategy: Strategy; weight: number }>;
  modelVersion: number | null;
  personalized: boolean;
  /** What the personalization rested on, or why there was none. */
  personalization: { basis: 'history' | 'cold_start' | 'context' | 'none'; reasons: Array<{ code: string; message: string }> };
  profileId: string | null;
  scenes: string[];
  items: RecommendedItem[];
  generatedAt: string;
}

const DAY_MS = 86_400_000;
/** Served responses are written in batches at most this often (and when the service closes). */
const LOG_FLUSH_MS = 200;
/**
 * How much of people's records serving keeps between requests (interactions, order lines and
 * exposures summed; about 180 – 220 bytes of heap a row with what is computed from it, measured
 * on Online Retail: ~0.4 GB), and for how long at most. A person's new events show at once whichever
 * process ingested them (the profile's update time is compared on every request); what other
 * processes change without touching the profile — computed traits, segment memberships,
 * exposures served by another worker — shows within the time to live.
 */
export const PERSON_CACHE_ROWS = 2_000_000;
export const PERSON_CACHE_TTL_MS = 5 * 60_000;
/** The longest fatigue window a placement may have (placementSchema): what a person's record keeps of their exposures. */
const MAX_FATIGUE_DAYS = 365;
/** Logs held in memory at most, when the store does not take them (then the oldest are dropped). */
const MAX_PENDING_LOGS = 50_000;
/** Item show/response counts are written at most this often. */
const STATS_FLUSH_MS = 10_000;

const builtIn = new Map<string, Placement>();
/** The placement `default` ("for you" with the defaults) or one of a single strategy, parsed once (placements are read, never changed). */
function builtInPlacement(name: Strategy | 'default'): Placement {
  let p = builtIn.get(name);
  if (p === undefined) builtIn.set(name, (p = placementSchema.parse(name === 'default' ? { name } : { name, strategies: [{ strategy: name, weight: 1 }] })));
  return p;
}

/**
 * Creates the service.
 *
 * @example
 * const recs = createRecommendationService({ repository, profiles, clock, ids, log });
 * const r = await recs.recommend(workspace, { user: 'user_id:17850', placement: 'home' });
 */
export function createRecommendationService(deps: {
  repository: RecommendationRepository;
  profiles: ProfileService;
  clock: Clock;
  ids: Ids;
  log: (message: string, error?: unknown) => void;
  /** Randomness for exploration; default: seeded per request id (reproducible from the log). */
  rngFor?: (recommendationId: string) => Rng;
  /** Timers off (tests flush by hand). */
  timers?: boolean;
  /** How much of people's records serving keeps between requests, in rows (0: none; every request reads the store). */
  personCacheRows?: number;
}) {
  const { repository, clock, ids } = deps;
  const states = createServingStates({ repository, clock, log: deps.log });
  const feedback = createFeedbackTracker({ repository, states, clock, log: deps.log });
  const trainer = createTrainer({ repository, clock, ids });
  const rngFor = deps.rngFor ?? ((id: string) => seededRng(hashString(id)));
  let pendingLogs: Array<{ workspaceId: string; row: RecommendationLogRow }> = [];
  /** Profiles being erased: served as unknown people, and nothing about them is logged. */
  const released = new Set<string>();
  const people = createPersonCache({ maxRows: deps.personCacheRows ?? PERSON_CACHE_ROWS, ttlMs: PERSON_CACHE_TTL_MS });
  let flushing: Promise<void> = Promise.resolve();
  let observing: Promise<void> = Promise.resolve();
  let warnedFull = false;

  // Rows stay in `pendingLogs` until written, so feedback that arrives meanwhile still finds them.
  const flushLogs = async (): Promise<void> => {
    // A copy: rows served while this batch is being written are pushed to `pendingLogs` and
    // must stay there for the next flush (the array itself would take them into `written`).
    const batch = pendingLogs.slice();
    if (batch.length === 0) return;
    const byWorkspace = new Map<string, RecommendationLogRow[]>();
    for (const { workspaceId, row } of batch) {
      const list = byWorkspace.get(workspaceId);
      if (list === undefined) byWorkspace.set(workspaceId, [row]);
      else list.push(row);
    }
    for (const [ws, rows] of byWorkspace) await repository.appendLogs(ws, rows);
    const written = new Set(batch);
    pendingLogs = pendingLogs.filter((l) => !written.has(l));
  };
  /** Writes pending logs, attributes pending feedback, writes item counts. */
  const flush = (): Promise<void> => (flushing = flushing.then(flushLogs).then(() => observing).then(() => states.flushStats()).catch((e: unknown) => deps.log('writing recommendation logs failed', e)));
  const timers = deps.timers === false ? [] : [
    setInterval(() => { if (pendingLogs.length > 0) void (flushing = flushing.then(flushLogs).catch((e: unknown) => deps.log('writing recommendation logs failed', e))); }, LOG_FLUSH_MS),
    setInterval(() => { void states.flushStats().catch((e: unknown) => deps.log('writing recommendation stats failed', e)); }, STATS_FLUSH_MS),
  ];
  for (const t of timers) t.unref();

  /**
   * The policy's answer to "may I personalize for this person now". Most people have no
   * consent record of their own, so their answer depends only on the workspace and the
   * switch: kept for a second per workspace settings (a switch or consent change of the
   * person gives them records or the switch, and so a fresh decision at once).
   */
  const defaultDecisions = new WeakMap<Workspace['settings'], Map<string, { at: number; decision: ReturnType<typeof decide> }>>();
  function decidePersonalize(workspace: Workspace, privacy: PersonPrivacyFacts | null, traits: Record<string, unknown> | undefined, now: number): ReturnType<typeof decide> {
    // Their declared age (P11), from their identify traits: read with the profile's version, so as fresh as the privacy state.
    const age = ageFactsOf(traits, privacy?.guardianConsent === true);
    const off = privacy?.personalizationOff ?? false;
    const records = privacy?.consents ?? [];
    const make = () => decide({
      action: 'personalize',
      person: {
        personalizationOff: off,
        consents: consentStateAt({ records, workspace: { jurisdiction: workspace.jurisdiction, overrides: workspace.settings.privacy.defaults.overrides, notices: workspace.settings.privacy.notices }, at: now }),
        subscriptions: subscriptionStateAt({ records: [], at: now }),
        jurisdiction: workspace.jurisdiction,
        ...minorStatus(age, { jurisdiction: workspace.jurisdiction, threshold: workspace.settings.privacy.policy.minorAgeThreshold }, now),
      },
      workspace: workspace.settings.privacy.policy,
      now,
    });
    if (records.length > 0 || age !== undefined) return make();
    let byKey = defaultDecisions.get(workspace.settings);
    if (byKey === undefined) defaultDecisions.set(workspace.settings, (byKey = new Map()));
    const key = `${workspace.jurisdiction}:${off}`;
    const hit = byKey.get(key);
    if (hit !== undefined && now >= hit.at && now - hit.at < 1000) return hit.decision;
    const decision = make();
    byKey.set(key, { at: now, decision });
    return decision;
  }

  /** The placement a request asks for: a named one, a single strategy with defaults, or `default` (the workspace's, else "for you"). */
  function placementFor(workspace: Workspace, request: RecommendationRequest): Result<Placement, RecommendationError> {
    const placements = workspace.settings.recommendations.placements;
    if (request.placement !== undefined) {
      const found = placements.find((p) => p.name === request.placement);
      return found === undefined
        ? err({ type: 'placement_not_found', message: `no placement "${request.placement}" in this workspace (${placements.length === 0 ? 'none defined' : placements.map((p) => p.name).join(', ')}); or ask for a strategy` })
        : ok(found);
    }
    if (request.strategy !== undefined) return ok(builtInPlacement(request.strategy));
    return ok(placements.find((p) => p.name === 'default') ?? builtInPlacement('default'));
  }

  /**
   * Serves one request. `options.adjust` changes the placement for this call only (the batch
   * export turns exploration off and decides about purchased items). `options.record: false`
   * (the batch export) serves without recording anything: no impression for fatigue or the
   * bandit, no log row, nothing in the report; exploration, if the placement keeps it, draws
   * from randomness seeded by the person, so the same data gives the same list.
   */
  async function recommend(workspace: Workspace, request: RecommendationRequest, options: { adjust?: (placement: Placement) => Placement; record?: boolean } = {}): Promise<Result<RecommendationResponse, RecommendationError>> {
    const recording = options.record ?? true;
    const placement = placementFor(workspace, request);
    if (!placement.ok) return placement;
    const scene = request.context?.scene;
    if (scene !== undefined && !workspace.settings.recommendations.scenes.some((x) => x.name === scene)) {
      const names = workspace.settings.recommendations.scenes.map((x) => x.name);
      return err({ type: 'unknown_name', field: 'context.scene', message: `context.scene: no scene "${scene}" in this workspace (${names.length === 0 ? 'none defined' : names.join(', ')})` });
    }
    const p = options.adjust === undefined ? placement.value : options.adjust(placement.value);
    const now = clock.now();
    const ref = request.user ?? (request.userId !== undefined ? `user_id:${request.userId}` : request.anonymousId !== undefined ? `anonymous_id:${request.anonymousId}` : null);
    let profileId: string | null = null;
    let version = 0;
    if (ref !== null) {
      const resolved = await deps.profiles.resolveHead(workspace.id, ref);
      if (!resolved.ok && resolved.error.type === 'bad_reference') return err({ type: 'bad_reference', message: resolved.error.message });
      if (resolved.ok && !released.has(`${workspace.id}\u0000${resolved.value.id}`)) ({ id: profileId, updatedAt: version } = resolved.value);
    }
    const cacheKey = profileId === null ? null : `${workspace.id}\u0000${profileId}`;
    // A record read again only because it outlived its time to live (no new events, orders or
    // identify since: the profile's update time is the same) keeps the person's history and
    // the scores computed from it; only what changes without touching the profile is read
    // again (computed traits, segments, exposures). Such a request took 3.5 ms of CPU when it
    // read and scored everything again, against 0.2 ms for a warm one.
    let carried: { memo: Map<string, unknown>; record: PersonRecord } | undefined;
    const hit = cacheKey === null ? undefined : people.get(cacheKey, now, version, (old) => { carried = { memo: historyMemoOf(old.memo), record: old.record }; });
    const [state, privacy, cached] = await Promise.all([
      states.get(workspace.id, now),
      // Privacy is read fresh for every request: a switch turned off applies at the next one (P5).
      profileId === null ? Promise.resolve(null) : repository.personPrivacy(workspace.id, profileId),
      // The person's latest interactions whatever their age (bounded in number; recency weighs them).
      cacheKey === null ? Promise.resolve(null) : hit ?? repository.person(workspace.id, profileId!, { exposuresSince: now - MAX_FATIGUE_DAYS * DAY_MS, ...(carried === undefined ? {} : { unchanged: carried.record }) })
        .then((record) => people.set(cacheKey, { record, loadedAt: now, version, memo: carried?.memo ?? new Map() })),
    ]);
    if (request.segment !== undefined && !state.segmentNames.has(request.segment) && !(await repository.segmentNames(workspace.id)).has(request.segment)) {
      // (The state's names are as of its build: a segment made since is looked up in the store.)
      return err({ type: 'unknown_name', field: 'segment', message: `segment: no segment "${request.segment}" in this workspace (give a segment id)` });
    }
    const personRecord = cached?.record ?? null;
    // The policy decides before anything about the person reaches the ranking (P5, P6).
    const decision = decidePersonalize(workspace, privacy, personRecord?.traits, now);
    const reasons: Array<{ code: string; message: string }> = [];
    let person: PersonSignals | null = null;
    let basis: RecommendationResponse['personalization']['basis'] = 'none';
    if (ref === null) reasons.push({ code: 'anonymous', message: 'no person given: the same list for everyone' });
    else if (!decision.allowed) reasons.push(...decision.reasons.map((r: PolicyReason) => ({ code: r.code, message: r.message })));
    else {
      // Exposures are counted once per person and window, kept up as items are shown, and
      // counted again only when the window's start has passed the oldest showing or response
      // counted (once a minute they were rebuilt for every person, each a burst of long-lived
      // objects for the garbage collector).
      const since = now - p.fatigue.withinDays * DAY_MS;
      const exposuresKey = `exposures:${p.fatigue.withinDays}`;
      let exposures = cached?.memo.get(exposuresKey) as ExposureCounts | undefined;
      if (exposures === undefined || since > exposures.oldestCounted) {
        exposures = exposuresOf(personRecord, since);
        if (cached !== null) cached.memo.set(exposuresKey, exposures);
      }
      person = personSignals({ record: personRecord, context: request.context ?? {}, now, exposures });
      basis = personRecord === null ? 'context' : person.interactions.length > 0 ? 'history' : 'cold_start';
      if (personRecord === null) reasons.push({ code: 'unknown_person', message: `no profile for ${ref} yet: personalized from the request's context only` });
    }
    const recommendationId = ids.uuid();
    const n = request.n ?? p.n;
    const served = serveRecommendations({
      state, placement: p, person,
      request: { items: [...(request.itemId === undefined ? [] : [request.itemId]), ...(request.items ?? [])], context: request.context ?? {}, filters: request.filters, n, segment: request.segment },
      scenes: workspace.settings.recommendations.scenes,
      now, rng: recording ? rngFor(recommendationId) : seededRng(hashString(`export\u0000${workspace.id}\u0000${profileId ?? ref ?? ''}`)),
      itemStats: states.itemCountsOf(workspace.id, p.name, state.catalog),
      ...(person === null || cached === null ? {} : { memo: cached.memo }),
    });
    const catalog = state.catalog;
    const items: RecommendedItem[] = served.items.map((item, i) => {
      const e = catalog.entries[catalog.index.get(item.itemId)!]!;
      return {
        itemId: item.itemId, name: item.name, position: i + 1, score: item.score, price: e.price, currency: e.currency ?? null, category: [...e.categoryPath],
        url: e.url ?? null, image: e.image ?? null, exploration: item.exploration, pinned: item.pinned, reasons: item.reasons,
      };
    });
    const response: RecommendationResponse = {
      recommendationId, placement: p.name, strategies: p.strategies, modelVersion: state.modelVersion,
      personalized: person !== null, personalization: { basis, reasons }, profileId,
      scenes: served.scenes, items, generatedAt: new Date(now).toISOString(),
    };
    // An export is not an impression: nothing is counted, logged or reported.
    if (!recording) return ok(response);
    states.recordImpressions(workspace.id, p.name, items.map((i) => i.itemId));
    // What was shown counts toward fatigue at once, before the log is written.
    if (cached !== null && cacheKey !== null) {
      for (const i of items) {
        cached.record.shown.itemIds.push(i.itemId);
        cached.record.shown.times.push(now);
      }
      // …and in the exposure counts kept for the person (one pass over what is memoized).
      for (const [key, value] of cached.memo) if (key.startsWith('exposures:')) for (const i of items) (value as ExposureCounts).countShown(i.itemId, now);
      people.grew(cacheKey, items.length * SHOWING_ROWS);
    }
    if (pendingLogs.length >= MAX_PENDING_LOGS) {
      // The store has not taken logs for a while: keep serving, drop the oldest, say so.
      pendingLogs.splice(0, pendingLogs.length - MAX_PENDING_LOGS + 1);
      if (!warnedFull) deps.log(`recommendation logs are not being written (more than ${MAX_PENDING_LOGS} waiting): the oldest are dropped`);
      warnedFull = true;
    }
    pendingLogs.push({ workspaceId: workspace.id, row: {
      id: recommendationId, profileId, placement: p.name, personalized: person !== null, modelVersion: state.modelVersion,
      items: items.map((i) => ({ itemId: i.itemId, exploration: i.exploration })),
      details: { strategies: p.strategies.map((s) => s.strategy), scenes: served.scenes, ...(person === null ? { reasons } : {}) },
      createdAt: now,
    } });
    return ok(response);
  }

  return {
    recommend,
    /** Recommendation log rows served and not yet written. */
    pendingLogCount: () => pendingLogs.length,

    /** Trains a model on the workspace's data, stores it as the active version, and serves it at once in this process. */
    async train(workspace: Workspace, options: { onProgress?: (step: string) => void } = {}): Promise<TrainingSummary> {
      const summary = await trainer.train(workspace, options);
      if (summary.version !== null) await states.reload(workspace.id, clock.now());
      return summary;
    },

    /**
     * Erasure is about to delete these profiles: drop their unwritten logs, wait for writes in
     * flight, and from now on serve them as unknown people (PRIVACY.md P14).
     */
    async release(workspaceId: string, profileIds: readonly string[]): Promise<void> {
      const ids = new Set(profileIds);
      for (const id of profileIds) {
        released.add(`${workspaceId}\u0000${id}`);
        people.delete(`${workspaceId}\u0000${id}`);
      }
      pendingLogs = pendingLogs.filter((l) => !(l.workspaceId === workspaceId && l.row.profileId !== null && ids.has(l.row.profileId)));
      feedback.forget(workspaceId, ids);
      await flushing;
    },

    /** The offline evaluation of every strategy on the workspace's data (`tailor eval recs`). */
    evaluate: (workspace: Workspace, options: Parameters<ReturnType<typeof createTrainer>['evaluate']>[1] = {}) => trainer.evaluate(workspace, options),

    /**
     * Events that committed (the ingest listener): trending counts move now; feedback carrying
     * a recommendation id is attributed in the background (in order), so ingest never waits
     * for it. `flush` waits for it.
     */
    observe(workspaceId: string, events: readonly ObservedEvent[]): void {
      states.observe(workspaceId, events, clock.now());
      for (const e of events) people.delete(`${workspaceId}\u0000${e.profileId}`);
      if (!events.some((e) => e.properties.recommendation_id !== undefined || Array.isArray(e.properties.products))) return;
      observing = observing.then(() => feedback.observe(workspaceId, events, (id) => pendingLogs.find((l) => l.workspaceId === workspaceId && l.row.id === id)?.row ?? null))
        .catch((e: unknown) => deps.log(`workspace ${workspaceId}: attributing recommendation feedback failed`, e));
    },

    /** Something about the person changed outside ingest (segment membership): read them again at the next request. */
    forgetPerson(workspaceId: string, profileId: string): void {
      people.delete(`${workspaceId}\u0000${profileId}`);
    },

    /** The catalog changed: serving rebuilds its catalog index within a couple of seconds. */
    catalogChanged(workspaceId: string): void {
      states.catalogChanged(workspaceId);
    },

    /** One served recommendation with what came back. */
    async get(workspace: Workspace, id: string): Promise<Result<RecommendationLogRow & { feedback: Awaited<ReturnType<RecommendationRepository['feedbackOf']>> }, RecommendationError>> {
      await flush();
      const row = await repository.getLog(workspace.id, id);
      if (row === null) return err({ type: 'recommendation_not_found', message: `no recommendation ${id} in this workspace` });
      return ok({ ...row, feedback: await repository.feedbackOf(workspace.id, id) });
    },

    /** Per placement since a time: responses, impressions, clicks, cart adds, purchases, revenue. */
    async report(workspace: Workspace, since: number) {
      await flush();
      return repository.report(workspace.id, since);
    },

    /** A person's served recommendations and their feedback (for the export, P13). */
    logsOf: async (workspaceId: string, profileId: string) => {
      await flush();
      return repository.logsOf(workspaceId, profileId);
    },

    /** The version of the active model in the store (null: none trained yet). */
    activeModelVersion: (workspaceId: string) => repository.activeModelVersion(workspaceId),

    /** The active model's version and when this process loaded it. */
    status: (workspaceId: string) => states.status(workspaceId),

    /** Checks for models trained elsewhere (another process) and catalog changes now. */
    refresh: (workspaceId: string) => states.refresh(workspaceId, clock.now()),

    flush,

    async close(): Promise<void> {
      for (const t of timers) clearInterval(t);
      await flush();
    },
  };
}

export type RecommendationService = ReturnType<typeof createRecommendationService>;
