import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { describeIssues } from '../contracts/segment.js';
import { MAX_PLACEMENTS, MAX_SCENES, placementSchema, sceneSchema, type Placement, type RecommendationSettings, type Scene } from '../contracts/recommendation.js';
import type { AuditService } from '../privacy/audit-service.js';
import { ClientError } from '../shared/errors.js';
import { removeByName, upsertByName } from '../recommend/named-entries.js';
import type { Workspace, WorkspaceService } from '../workspaces/index.js';
import { requireAdmin, type RateLimits } from './auth.js';
import { errorBodySchema } from './ingest-routes.js';

const errors = {
  400: { description: 'Invalid definition: the message names the field and the rule', content: { 'application/json': { schema: errorBodySchema } } },
  401: { description: 'Missing, unknown or revoked key', content: { 'application/json': { schema: errorBodySchema } } },
  403: { description: 'Admin key required', content: { 'application/json': { schema: errorBodySchema } } },
  404: { description: 'No such placement or scene', content: { 'application/json': { schema: errorBodySchema } } },
} as const;
const security = [{ adminKey: [] }];
const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const nameParam = z.object({ name: z.string().min(1).max(64) });

type Kind = 'placements' | 'scenes';
const KINDS = {
  placements: { schema: placementSchema, max: MAX_PLACEMENTS, singular: 'placement', doc: 'A named recommendation configuration: strategies and weights, n, filters, purchased-item and fatigue rules, boosts, pins, diversity, exploration share, scenes on/off (README "Recommendations")' },
  scenes: { schema: sceneSchema, max: MAX_SCENES, singular: 'scene', doc: 'A scene maps context (hours, weekdays, months, device, location type, activity, weather) to boosts and exclusions of items (README "Recommendations")' },
} as const;

/**
 * Placements and scenes over HTTP: workspace data a marketer edits without code. Each change
 * replaces one entry of the workspace's `recommendations` settings and is audited as a
 * configuration change; serving reads it on the next request.
 */
export function registerPlacementRoutes(app: OpenAPIHono, deps: { workspaces: WorkspaceService; audit: AuditService; limits: RateLimits; now: () => number }): void {
  /**
   * Edits the list as stored (not as the key cache holds the workspace), in one transaction:
   * edits made meanwhile by other requests, processes or the CLI are kept. `edit` may throw a
   * ClientError (the list as stored decides whether a name exists, or the list is full).
   */
  const save = async (workspace: Workspace, keyId: string, kind: Kind, edit: (list: Array<{ name: string }>) => Placement[] | Scene[], change: () => string) => {
    const r = await deps.workspaces.updateSettings(workspace.id, (current) => ({
      recommendations: { ...current.recommendations, [kind]: edit(current.recommendations[kind] as Array<{ name: string }>) } as RecommendationSettings,
    }));
    if (!r.ok) throw new ClientError(r.error.type === 'workspace_not_found' ? 'not_found' : 'bad_request', r.error.type === 'workspace_not_found' ? 'workspace not found' : r.error.message);
    await deps.audit.record({ workspaceId: workspace.id, actor: `admin_key:${keyId}`, action: 'config.changed', subject: `recommendations.${kind}`, details: { change: change() } });
  };

  for (const kind of ['placements', 'scenes'] as const) {
    const { schema, max, singular, doc } = KINDS[kind];
    // The contract schemas may be built before zod is extended for OpenAPI (import order), so they are used unnamed.
    const entrySchema = schema as z.ZodType;
    app.openapi(createRoute({
      method: 'get', path: `/v1/${kind}`, tags: ['recommendations'], security, summary: `The workspace's ${kind}`,
      responses: { 200: { description: `The ${kind}`, content: json(z.object({ [kind]: z.array(entrySchema) })) }, ...errors },
    }), async (c) => {
      const { workspace } = await requireAdmin(deps, c);
      // As stored: the key cache may hold the workspace as it was a few seconds ago.
      const stored = await deps.workspaces.getWorkspace(workspace.id);
      return c.json({ [kind]: (stored ?? workspace).settings.recommendations[kind] }, 200);
    });

    app.openapi(createRoute({
      method: 'put', path: `/v1/${kind}/{name}`, tags: ['recommendations'], security, summary: `Create or replace a ${singular}. ${doc}`,
      request: { params: nameParam, body: { content: json(z.record(z.string(), z.unknown()).describe(`The ${singular}; \`name\` may be left out (the path gives it)`)), required: true } },
      responses: { 200: { description: `The ${singular} as stored, defaults filled in`, content: json(entrySchema) }, ...errors },
    }), async (c) => {
      const { workspace, keyId } = await requireAdmin(deps, c);
      const name = c.req.valid('param').name;
      const body = c.req.valid('json') as Record<string, unknown>;
      if (body.name !== undefined && body.name !== name) throw new ClientError('bad_request', `name: "${String(body.name)}" differs from the path's "${name}"`);
      const parsed = schema.safeParse({ ...body, name });
      if (!parsed.success) throw new ClientError('bad_request', describeIssues(parsed.error));
      let exists = false;
      await save(workspace, keyId, kind, (list) => {
        const r = upsertByName(list, [parsed.data as { name: string }], max, kind);
        if (!r.ok) throw new ClientError('bad_request', r.error);
        exists = r.value.replaced.length > 0;
        return r.value.list as Placement[] | Scene[];
      }, () => `${exists ? 'replaced' : 'created'} ${name}`);
      return c.json(parsed.data, 200);
    });

    app.openapi(createRoute({
      method: 'delete', path: `/v1/${kind}/{name}`, tags: ['recommendations'], security, summary: `Delete a ${singular}`,
      request: { params: nameParam },
      responses: { 200: { description: 'Deleted', content: json(z.object({ deleted: z.string() })) }, ...errors },
    }), async (c) => {
      const { workspace, keyId } = await requireAdmin(deps, c);
      const name = c.req.valid('param').name;
      await save(workspace, keyId, kind, (list) => {
        const left = removeByName(list, name);
        if (left === null) throw new ClientError('not_found', `no ${singular} "${name}" in this workspace`);
        return left as Placement[] | Scene[];
      }, () => `deleted ${name}`);
      return c.json({ deleted: name }, 200);
    });
  }
}
