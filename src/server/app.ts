import './zod-openapi-setup.js';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { IngestService } from '../ingest/index.js';
import type { ProfileService } from '../profiles/profile-service.js';
import { describeIssues } from '../contracts/segment.js';
import { ClientError } from '../shared/errors.js';
import { createTokenBuckets } from '../shared/token-bucket.js';
import type { WorkspaceService } from '../workspaces/index.js';
import { registerAdminRoutes } from './admin-routes.js';
import { errorBoundary } from './error-boundary.js';
import { registerIngestRoutes } from './ingest-routes.js';
import type { CatalogService } from '../catalog/catalog-service.js';
import { registerCatalogRoutes } from './catalog-routes.js';
import { registerPrivacyRoutes } from './privacy-routes.js';
import type { AuditService } from '../privacy/audit-service.js';
import type { ConsentService } from '../privacy/consent-service.js';
import type { ExportService } from '../privacy/export-service.js';
import type { ErasureService } from '../privacy/erasure-service.js';
import type { ComputeService } from '../profiles/compute-service.js';
import { registerComputedTraitRoutes } from './computed-trait-routes.js';
import type { SegmentService } from '../segments/segment-service.js';
import { registerSegmentRoutes } from './segment-routes.js';
import { registerClusterRoutes } from './cluster-routes.js';
import type { ClusterService } from '../segments/cluster-service.js';
import type { RecommendationService } from '../recommend/recommendation-service.js';
import { registerRecommendationRoutes } from './recommendation-routes.js';
import { registerPlacementRoutes } from './placement-routes.js';
import type { Metrics } from './metrics.js';
import { registerMetricsRoute, registerRequestMetrics } from './metrics-routes.js';

export interface AppDeps {
  workspaces: WorkspaceService;
  ingest: IngestService;
  profiles: ProfileService;
  catalog: CatalogService;
  audit: AuditService;
  consent: ConsentService;
  exporter: ExportService;
  erasure: ErasureService;
  compute: ComputeService;
  segments: SegmentService;
  clusters: ClusterService;
  recommendations: RecommendationService;
  now: () => number;
  rateLimits: { writePerSecond: number; writeBurst: number; adminPerSecond: number; adminBurst: number; recommendPerSecond: number; recommendBurst: number };
  log: (message: string, error?: unknown) => void;
  version: string;
  /** Request counting and `GET /metrics` (see `registerMetricsRoute`); absent: neither. */
  metrics?: { instruments: Metrics; token: string | null; scrape: () => Promise<{ contentType: string; text: string }> };
}

/**
 * Builds the HTTP application: ingest, admin and catalog routes, the generated OpenAPI
 * document at `/openapi.json`, `/healthz`, and `/metrics` when a metrics token is configured. Tests call `app.request(...)` directly.
 *
 * @example
 * const app = createApp(deps); const res = await app.request('/healthz');
 */
export function createApp(deps: AppDeps): OpenAPIHono {
  const app = new OpenAPIHono({
    // Validation failures of admin routes become 400s naming the path and the rule.
    defaultHook: (result) => {
      if (!result.success) throw new ClientError('bad_request', describeIssues(result.error as never));
    },
  });
  const limits = {
    write: createTokenBuckets({ ratePerSecond: deps.rateLimits.writePerSecond, burst: deps.rateLimits.writeBurst }),
    admin: createTokenBuckets({ ratePerSecond: deps.rateLimits.adminPerSecond, burst: deps.rateLimits.adminBurst }),
    recommend: createTokenBuckets({ ratePerSecond: deps.rateLimits.recommendPerSecond, burst: deps.rateLimits.recommendBurst }),
  };
  if (deps.metrics !== undefined) registerRequestMetrics(app, deps.metrics.instruments);
  app.onError(errorBoundary(deps.log));
  app.notFound((c) => c.json({ success: false, error: { code: 'not_found', message: `no route for ${c.req.method} ${c.req.path}` } }, 404));

  app.get('/healthz', (c) => c.json({ ok: true, version: deps.version }));
  app.openAPIRegistry.registerPath({
    method: 'get', path: '/healthz', tags: ['operations'], summary: 'Liveness: the process answers (no key needed; it does not touch the database)',
    responses: { 200: { description: 'Up', content: { 'application/json': { schema: z.object({ ok: z.literal(true), version: z.string() }) } } } },
  });
  if (deps.metrics !== undefined) registerMetricsRoute(app, { token: deps.metrics.token, scrape: deps.metrics.scrape, log: deps.log });
  registerIngestRoutes(app, { ingest: deps.ingest, workspaces: deps.workspaces, limits, now: deps.now });
  registerAdminRoutes(app, { workspaces: deps.workspaces, profiles: deps.profiles, audit: deps.audit, limits, now: deps.now });
  registerPrivacyRoutes(app, { workspaces: deps.workspaces, consent: deps.consent, exporter: deps.exporter, erasure: deps.erasure, audit: deps.audit, limits, now: deps.now });
  registerCatalogRoutes(app, { workspaces: deps.workspaces, catalog: deps.catalog, limits, now: deps.now });
  registerComputedTraitRoutes(app, { workspaces: deps.workspaces, compute: deps.compute, audit: deps.audit, limits, now: deps.now });
  registerSegmentRoutes(app, { workspaces: deps.workspaces, segments: deps.segments, audit: deps.audit, limits, now: deps.now });
  registerClusterRoutes(app, { workspaces: deps.workspaces, clusters: deps.clusters, limits, now: deps.now });
  registerRecommendationRoutes(app, { workspaces: deps.workspaces, recommendations: deps.recommendations, audit: deps.audit, limits, now: deps.now });
  registerPlacementRoutes(app, { workspaces: deps.workspaces, audit: deps.audit, limits, now: deps.now });

  app.openAPIRegistry.registerComponent('securitySchemes', 'writeKey', { type: 'http', scheme: 'basic', description: 'HTTP Basic with the write key as user name and an empty password (Segment convention); or `writeKey` in the body' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminKey', { type: 'http', scheme: 'bearer', description: 'An admin key as Bearer token (HTTP Basic with the key as user name also works)' });
  app.get('/openapi.json', (c) => c.json(openApiDocument(app, deps.version)));
  return app;
}

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
export function openApiDocument(app: OpenAPIHono, version: string) {
  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'Tailor API', version, description: 'Segment-compatible ingest, profiles, catalog, segments, recommendations and administration. See docs/api.md.' },
  });
}
