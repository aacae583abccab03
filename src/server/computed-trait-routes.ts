import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { AuditService } from '../privacy/audit-service.js';
import type { ComputeService } from '../profiles/compute-service.js';
import type { WorkspaceService } from '../workspaces/index.js';
import { requireAdmin, type RateLimits } from './auth.js';
import { errorBodySchema } from './ingest-routes.js';

const errors = {
  401: { description: 'Missing, unknown or revoked key', content: { 'application/json': { schema: errorBodySchema } } },
  403: { description: 'Admin key required', content: { 'application/json': { schema: errorBodySchema } } },
} as const;
const security = [{ adminKey: [] }];

const traitSchema = z.object({
  name: z.string(),
  type: z.string(),
  description: z.string(),
  category: z.enum(['basic', 'behavioural', 'sensitive']),
  source: z.string().openapi({ description: '`ingest-incremental` (kept current on ingest), `recompute` (by `tailor compute` / the schedule), or `declared` (the workspace\'s own identify traits)' }),
  profiling: z.boolean().openapi({ description: 'An inference used to personalize: not computed for a person whose profiling is refused (PRIVACY.md P5)' }),
  values: z.array(z.string()).optional(),
});

const summarySchema = z.object({
  workspaceId: z.string(), profiles: z.number(), rfmPopulation: z.number(), profilingSkipped: z.number(), statesRebuilt: z.number(),
  populationMedianIntervalDays: z.number().nullable(), startedAt: z.number(), durationMs: z.number(),
});

/** The trait registry and the recompute job over HTTP. */
export function registerComputedTraitRoutes(app: OpenAPIHono, deps: { workspaces: WorkspaceService; compute: ComputeService; audit: AuditService; limits: RateLimits; now: () => number }): void {
  app.openapi(createRoute({
    method: 'get', path: '/v1/traits', tags: ['traits'], security,
    summary: 'The trait registry: every computed trait, and the workspace\'s declared identify traits, with type, data category and source; and the undeclared-trait policy',
    responses: {
      200: { description: 'The registry', content: { 'application/json': { schema: z.object({ traits: z.array(traitSchema), undeclared: z.enum(['accept', 'drop']) }) } } },
      ...errors,
    },
  }), async (c) => {
    const { workspace } = await requireAdmin(deps, c);
    const computed = deps.compute.registry().map((t) => ({
      name: t.name, type: t.type, description: t.description, category: t.category, source: t.source, profiling: t.profiling,
      ...('values' in t && t.values !== undefined ? { values: [...t.values] } : {}),
    }));
    const declared = workspace.settings.traits.declared.map((d) => ({ name: d.name, type: d.type, description: d.description, category: d.category, source: 'declared', profiling: false }));
    return c.json({ traits: [...computed, ...declared], undeclared: workspace.settings.traits.undeclared }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/v1/traits/compute', tags: ['traits'], security,
    summary: 'Starts a recompute of every computed trait of the workspace (as `tailor compute`), unless one is running; answers at once',
    responses: {
      202: { description: 'Started, or already running', content: { 'application/json': { schema: z.object({ started: z.boolean(), running: z.boolean() }) } } },
      ...errors,
    },
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const { started, done } = deps.compute.start(workspace);
    done.catch(() => {});
    if (started) await deps.audit.record({ workspaceId: workspace.id, actor: `admin_key:${keyId}`, action: 'traits.compute', subject: workspace.id, details: {} });
    return c.json({ started, running: true }, 202);
  });

  app.openapi(createRoute({
    method: 'get', path: '/v1/traits/compute', tags: ['traits'], security,
    summary: 'Whether a recompute is running, and the summary (or error) of the last one run by this server',
    responses: {
      200: {
        description: 'Status',
        content: { 'application/json': { schema: z.object({ running: z.boolean(), last: z.union([z.object({ summary: summarySchema }), z.object({ error: z.string(), at: z.number() })]).nullable() }) } },
      },
      ...errors,
    },
  }), async (c) => {
    const { workspace } = await requireAdmin(deps, c);
    return c.json(deps.compute.status(workspace.id), 200);
  });
}
