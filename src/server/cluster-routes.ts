import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { DEFAULT_FIT_SAMPLE, DEFAULT_K_RANGE, MAX_FIT_SAMPLE, MAX_K } from '../segments/clustering.js';
import type { ClusterService, ClusterServiceError } from '../segments/cluster-service.js';
import { ClientError } from '../shared/errors.js';
import type { WorkspaceService } from '../workspaces/index.js';
import { requireAdmin, type RateLimits } from './auth.js';
import { errorBodySchema } from './ingest-routes.js';

const errors = {
  400: { description: 'Invalid options, too few customers, or no such cluster', content: { 'application/json': { schema: errorBodySchema } } },
  401: { description: 'Missing, unknown or revoked key', content: { 'application/json': { schema: errorBodySchema } } },
  403: { description: 'Admin key required', content: { 'application/json': { schema: errorBodySchema } } },
  404: { description: 'No such clustering in this workspace', content: { 'application/json': { schema: errorBodySchema } } },
  409: { description: 'The run\'s assignments were dropped: cluster again', content: { 'application/json': { schema: errorBodySchema } } },
} as const;
const security = [{ adminKey: [] }];
const json = (schema: z.ZodType) => ({ 'application/json': { schema } });

const clusteringSchema = z.object({
  id: z.string(), version: z.number(), createdAt: z.number(), profilingExcluded: z.number(), durationMs: z.number(),
  model: z.object({
    k: z.number(), seed: z.number(), kRange: z.array(z.number()), currency: z.string(), reference: z.number(),
    features: z.array(z.object({ id: z.string(), label: z.string(), high: z.string().nullable(), low: z.string().nullable(), weight: z.number() })),
    silhouettes: z.array(z.object({ k: z.number(), silhouette: z.number(), inertia: z.number() })),
    clusters: z.array(z.object({
      number: z.number(), size: z.number(), share: z.number(), description: z.string(),
      z: z.record(z.string(), z.number()).describe('Each feature\'s centre in standard deviations from the mean'),
      means: z.record(z.string(), z.number().nullable()).describe('Mean raw value of each feature in the cluster'),
    })),
    people: z.number(), fitSample: z.number(), silhouetteSample: z.number(),
  }).loose(),
}).openapi('Clustering');
const runSchema = z.object({
  minK: z.number().int().optional().describe(`smallest k tried (default ${DEFAULT_K_RANGE[0]})`),
  maxK: z.number().int().optional().describe(`largest k tried (default ${DEFAULT_K_RANGE[1]}, at most ${MAX_K})`),
  seed: z.number().int().optional().describe('random seed (default 42)'),
  sample: z.number().int().optional().describe(`customers the centres are fitted on (default ${DEFAULT_FIT_SAMPLE}, at most ${MAX_FIT_SAMPLE})`),
}).strict();
const saveSchema = z.object({ clusters: z.union([z.literal('all'), z.array(z.number().int().min(1)).min(1)]) }).strict();
const idParam = z.object({ id: z.string().min(1).max(100).describe('a clustering id, or `latest`') });

function fail(e: ClusterServiceError): ClientError {
  switch (e.type) {
    case 'model_not_found': return new ClientError('not_found', e.message);
    case 'assignments_dropped': return new ClientError('conflict', e.message);
    default: return new ClientError('bad_request', e.message);
  }
}

/** Customer clustering over HTTP: run, list, show, save clusters as segments. */
export function registerClusterRoutes(app: OpenAPIHono, deps: { workspaces: WorkspaceService; clusters: ClusterService; limits: RateLimits; now: () => number }): void {
  app.openapi(createRoute({
    method: 'post', path: '/v1/clusters', tags: ['segments'], security,
    summary: 'Cluster the workspace\'s customers (k-means, k chosen by silhouette) and store the run; runs to completion before answering',
    request: { body: { content: json(runSchema), required: false } },
    responses: { 201: { description: 'The run', content: json(clusteringSchema) }, ...errors },
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const body = (c.req.valid('json') ?? {}) as z.infer<typeof runSchema>;
    const r = await deps.clusters.run(workspace, {
      kRange: [body.minK ?? DEFAULT_K_RANGE[0], body.maxK ?? DEFAULT_K_RANGE[1]],
      ...(body.seed === undefined ? {} : { seed: body.seed }),
      ...(body.sample === undefined ? {} : { fitSample: body.sample }),
    }, `admin_key:${keyId}`);
    if (!r.ok) throw fail(r.error);
    return c.json(r.value, 201);
  });

  app.openapi(createRoute({
    method: 'get', path: '/v1/clusters', tags: ['segments'], security, summary: 'Clustering runs, newest first',
    responses: { 200: { description: 'Runs', content: json(z.object({ clusterings: z.array(clusteringSchema) })) }, ...errors },
  }), async (c) => {
    const { workspace } = await requireAdmin(deps, c);
    return c.json({ clusterings: await deps.clusters.list(workspace) }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/v1/clusters/{id}', tags: ['segments'], security, summary: 'One clustering run (or `latest`)',
    request: { params: idParam },
    responses: { 200: { description: 'The run', content: json(clusteringSchema) }, ...errors },
  }), async (c) => {
    const { workspace } = await requireAdmin(deps, c);
    const r = await deps.clusters.get(workspace, c.req.valid('param').id);
    if (!r.ok) throw fail(r.error);
    return c.json(r.value, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/v1/clusters/{id}/segments', tags: ['segments'], security,
    summary: 'Save clusters of a run as segments (condition `{ "cluster": { "model", "number" } }`) and evaluate them',
    request: { params: idParam, body: { content: json(saveSchema), required: true } },
    responses: { 201: { description: 'The segments', content: json(z.object({ segments: z.array(z.object({ id: z.string(), name: z.string(), memberCount: z.number() }).loose()) })) }, ...errors },
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const r = await deps.clusters.save(workspace, c.req.valid('param').id, (c.req.valid('json') as z.infer<typeof saveSchema>).clusters, `admin_key:${keyId}`);
    if (!r.ok) throw fail(r.error);
    return c.json({ segments: r.value }, 201);
  });
}
