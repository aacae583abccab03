import type { Config } from './config/config.js';
import { createCatalogService } from './catalog/index.js';
import { createIngestService } from './ingest/index.js';
import { createProfileService } from './profiles/profile-service.js';
import { createApp } from './server/app.js';
import { systemClock, type Clock } from './shared/clock.js';
import { cryptoIds, type Ids } from './shared/ids.js';
import { catalogRepositorySql } from './store/repositories/catalog-repository-sql.js';
import { ingestRepositorySql, type IngestParticipant } from './store/repositories/ingest-repository-sql.js';
import { profileRepositorySql } from './store/repositories/profile-repository-sql.js';
import { workspaceRepositorySql } from './store/repositories/workspace-repository-sql.js';
import { openStore, type Store, type StoreConfig } from './store/store.js';
import { createWorkspaceService } from './workspaces/index.js';
import { privacyRepositorySql } from './store/repositories/privacy-repository-sql.js';
import { createAuditService } from './privacy/audit-service.js';
import { createConsentService } from './privacy/consent-service.js';
import { createExportService } from './privacy/export-service.js';
import { createErasureService } from './privacy/erasure-service.js';
import { createComputeService } from './profiles/compute-service.js';
import { computeWorkers } from './store/compute-workers.js';
import { createPredictService } from './predict/predict-service.js';
import { predictionRepositorySql } from './store/repositories/prediction-repository-sql.js';
import { CLUSTER_MODEL_KIND, createSegmentService } from './segments/segment-service.js';
import { createRealtimeUpdater } from './segments/realtime-updater.js';
import { createClusterService } from './segments/cluster-service.js';
import { clusterRepositorySql } from './store/repositories/cluster-repository-sql.js';
import { segmentRepositorySql } from './store/repositories/segment-repository-sql.js';
import { computedTraitParticipant, computedTraitRepositorySql } from './store/repositories/computed-trait-repository-sql.js';
import { createRecommendationService } from './recommend/recommendation-service.js';
import { recommendationRepositorySql } from './store/repositories/recommendation-repository-sql.js';
import { startLogWriter } from './store/log-writer.js';
import { createMetrics, type Metrics } from './server/metrics.js';
import type { IngestService } from './ingest/index.js';

export const VERSION = '0.1.0';

/** Where the store lives, from the configuration. */
export function storeConfigOf(config: Config): StoreConfig {
  const db = config.database;
  return db.url === undefined
    ? { engine: 'sqlite', filename: db.sqlitePath, synchronous: db.sqliteSynchronous }
    : { engine: 'postgres', connectionString: db.url, maxConnections: db.maxConnections, ...(db.schema === undefined ? {} : { schema: db.schema }) };
}

/**
 * The composition root: opens the store and builds every service once, passing
 * dependencies in (no singletons). The CLI and the server share it.
 *
 * @example
 * const tailor = await createTailor(config); ...; await tailor.close();
 */
export async function createTailor(config: Config, options: {
  clock?: Clock; ids?: Ids; log?: (m: string, e?: unknown) => void; store?: Store; recommendationTimers?: boolean;
  /** Worker threads of the recompute job (default: one per core; 0 computes in the calling thread). */
  computeWorkers?: number;
  /** Write recommendation logs on a thread of their own (SQLite file stores; `serve` asks for it). */
  logWriterThread?: boolean;
  /** Rows per step of erasure's search of other people's rows (default `SCRUB_STEP_ROWS`; tests use small steps). */
  erasureStepRows?: number;
  /** Makes, at start, what `GET /metrics` answers with instead of this process's own metrics (a `--workers` worker asks the primary for every worker's). */
  metricsScrape?: (own: Metrics) => () => Promise<{ contentType: string; text: string }>;
} = {}) {
  const clock = options.clock ?? systemClock();
  const ids = options.ids ?? cryptoIds();
  const log = options.log ?? ((m: string, e?: unknown) => console.error(m, e ?? ''));
  const store = options.store ?? (await openStore(storeConfigOf(config)));
  const workspaces = createWorkspaceService({ repository: workspaceRepositorySql(store), clock, ids });
  // Derived state maintained inside each ingest transaction (computed traits, segments).
  const participants: IngestParticipant[] = [computedTraitParticipant(store)];
  // The sampled metrics read services built below; they are read only when scraped, after all are built.
  const metrics = createMetrics({
    version: VERSION, database: store.features.name, processMetrics: config.metrics.token !== undefined && config.metrics.process,
    sampled: [
      { kind: 'gauge', name: 'tailor_ingest_waiting_events', help: 'Events validated and waiting for their commit (the group commit\'s queue)', read: () => ingestCore.waitingEvents() },
      { kind: 'gauge', name: 'tailor_segment_realtime_queue_people', help: 'People waiting for a real-time segment flush', read: () => realtime.queued() },
      { kind: 'counter', name: 'tailor_segment_realtime_flushes_total', help: 'Real-time segment flushes run', read: () => realtime.stats().flushes },
      { kind: 'counter', name: 'tailor_segment_realtime_failures_total', help: 'Real-time segment flushes that failed (logged; their people are queued again once)', read: () => realtime.stats().failures },
      { kind: 'counter', name: 'tailor_segment_entries_total', help: 'Segment entries made by real-time updates', read: () => realtime.stats().entered },
      { kind: 'counter', name: 'tailor_segment_exits_total', help: 'Segment exits made by real-time updates', read: () => realtime.stats().exited },
      { kind: 'gauge', name: 'tailor_recommendation_logs_pending', help: 'Recommendation log rows served and not yet written', read: () => recommendations.pendingLogCount() },
    ],
  });
  const ingestCore = createIngestService({
    repository: ingestRepositorySql(store, participants), clock, ids,
    onDroppedTraits: (workspaceId, names) => log(`workspace ${workspaceId}: identify traits not stored (undeclared, policy "drop"): ${names.join(', ')}`),
  });
  const ingest: IngestService = {
    ...ingestCore,
    async ingest(input) {
      const r = await ingestCore.ingest(input);
      metrics.ingested(input.source ?? 'api', { accepted: r.accepted, duplicates: r.duplicates, rejected: r.rejected.length, merges: r.merges, conflicts: r.conflicts, ordersNotApplied: r.ordersNotApplied.length });
      return r;
    },
  };
  const compute = createComputeService({ repository: computedTraitRepositorySql(store), clock, workers: computeWorkers(store, options.computeWorkers === undefined ? {} : { workers: options.computeWorkers }) });
  const predictionRepository = predictionRepositorySql(store);
  const predict = createPredictService({ traits: computedTraitRepositorySql(store), repository: predictionRepository, clock, ids });
  const profileRepository = profileRepositorySql(store.db);
  const profiles = createProfileService({
    repository: profileRepository,
    customIdentifierTypes: async (workspaceId) => (await workspaces.getWorkspace(workspaceId))?.settings.identity.customTypes.map((c) => c.name) ?? [],
  });
  const recommendationRepository = recommendationRepositorySql(store);
  const logWriter = options.logWriterThread === true ? await startLogWriter(store, { fallback: recommendationRepository.appendLogs, log }) : null;
  const recommendationsCore = createRecommendationService({
    repository: logWriter === null ? recommendationRepository : { ...recommendationRepository, appendLogs: logWriter.appendLogs },
    profiles, clock, ids, log, personCacheRows: config.recommendations.personCacheRows,
    ...(options.recommendationTimers === false ? { timers: false } : {}),
  });
  const recommendations: typeof recommendationsCore = {
    ...recommendationsCore,
    async recommend(...args) {
      const r = await recommendationsCore.recommend(...args);
      if (r.ok) metrics.recommended(r.value.personalized);
      return r;
    },
  };
  const catalog = createCatalogService({ repository: catalogRepositorySql(store.db, store.features.maxParameters), clock, onChanged: (ws) => recommendations.catalogChanged(ws) });
  const privacyRepository = privacyRepositorySql(store);
  const audit = createAuditService({ repository: privacyRepository, clock });
  // Consent, subscription and switch changes reach the real-time segment updater (created below).
  let onPrivacyChanged: (workspaceId: string, profileId: string) => void = () => {};
  const consent = createConsentService({ repository: privacyRepository, profiles, audit, clock, ids, onChanged: (ws, id) => onPrivacyChanged(ws, id) });
  const segmentRepository = segmentRepositorySql(store);
  const segments = createSegmentService({ repository: segmentRepository, traits: computedTraitRepositorySql(store), profiles, models: predictionRepository, audit, clock, ids });
  const clusterRepository = clusterRepositorySql(store);
  const clusters = createClusterService({ traits: computedTraitRepositorySql(store), models: predictionRepository, repository: clusterRepository, segmentRepository, segments, audit, clock, ids });
  const exporter = createExportService({
    profiles, profileRepository, consent, audit, mergedInto: privacyRepository.mergedInto, clock,
    segmentsOf: async (ws, profileId) => {
      const [current, all] = await Promise.all([segmentRepository.segmentsOf(ws, profileId), segmentRepository.list(ws)]);
      const names = new Map(all.map((s) => [s.id, s.name]));
      return current.map((m) => ({ ...m, name: names.get(m.segmentId) ?? m.segmentId }));
    },
    recommendationsOf: (ws, profileId) => recommendations.logsOf(ws, profileId),
    clustersOf: async (ws, profileId) => {
      const [placed, runs] = await Promise.all([clusterRepository.assignmentsOf(ws, profileId), predictionRepository.models(ws, CLUSTER_MODEL_KIND)]);
      const byId = new Map(runs.map((r) => [r.id, r]));
      return placed.flatMap((a) => {
        const run = byId.get(a.modelId);
        const description = (run?.params as { clusters?: Array<{ description: string }> } | undefined)?.clusters?.[a.cluster - 1]?.description ?? '';
        return run === undefined ? [] : [{ modelId: a.modelId, version: run.version, cluster: a.cluster, description, at: run.createdAt }];
      });
    },
  });
  const realtime = createRealtimeUpdater({ segments, workspace: (id) => workspaces.getWorkspace(id), log });
  ingest.onCommitted(({ workspaceId, events, privacyChanged, profiles }) => realtime.enqueue(workspaceId, events, privacyChanged, profiles));
  // Off the acknowledgement path: trending counts move at once, feedback is written in the background.
  ingest.onCommitted(({ workspaceId, events }) => recommendations.observe(workspaceId, events.map(({ event, profileId }) => ({
    messageId: event.messageId, event: event.event, timestamp: event.timestamp, properties: event.properties, context: event.context, profileId,
  }))));
  onPrivacyChanged = (ws, id) => realtime.enqueuePrivacyChange(ws, id);
  // Consent recorded by ingest is audited as the API's is (P20): one entry per person and batch,
  // after the commit and off the acknowledgement path, one batch after another.
  let consentAudits: Promise<void> = Promise.resolve();
  ingest.onCommitted(({ workspaceId, source, consentRecords }) => {
    if (consentRecords.length === 0) return;
    const byProfile = new Map<string, typeof consentRecords[number][]>();
    for (const r of consentRecords) byProfile.set(r.profileId, [...(byProfile.get(r.profileId) ?? []), r]);
    consentAudits = consentAudits.then(async () => {
      for (const [profileId, records] of byProfile) {
        await audit.record({
          workspaceId, actor: `ingest:${source}`, action: 'consent.recorded', subject: profileId,
          details: { decisions: records.map((r) => ({ purpose: r.purpose, decision: r.decision, noticeVersion: r.noticeVersion, source: r.source })) },
        });
      }
    }).catch((error: unknown) => log(`workspace ${workspaceId}: consent recorded by ingest was not audited`, error));
  });
  const erasure = createErasureService({ repository: privacyRepository, profiles, profileRepository, audit, clock, ids, holders: [recommendations], log, ...(options.erasureStepRows === undefined ? {} : { stepRows: options.erasureStepRows }) });
  const ownScrape = async () => ({ contentType: metrics.registry.contentType, text: await metrics.registry.metrics() });
  const app = createApp({
    workspaces, ingest, profiles, catalog, audit, consent, exporter, erasure, compute, segments, clusters, recommendations, now: clock.now, rateLimits: config.rateLimits, log, version: VERSION,
    metrics: { instruments: metrics, token: config.metrics.token ?? null, scrape: options.metricsScrape?.(metrics) ?? ownScrape },
  });
  return { config, store, clock, ids, workspaces, ingest, profiles, catalog, audit, consent, exporter, erasure, compute, predict, segments, clusters, realtime, recommendations, app, metrics,
    /** Resolves when the audit entries of consent recorded by ingest so far are written. */
    consentAudited: () => consentAudits,
    /** Stops erasure's search of other people's rows after its current step (it resumes at the next start), applies queued real-time segment updates, writes pending audit entries and recommendation logs, then closes the store. */
    close: async () => { await erasure.stop(); await realtime.drain(); await consentAudits; await recommendations.close(); await logWriter?.close(); await store.close(); },
  };
}

export type Tailor = Awaited<ReturnType<typeof createTailor>>;
