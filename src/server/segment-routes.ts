import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { MAX_CONDITIONS, MAX_DEPTH } from '../segments/definition.js';
import { MAX_SEGMENTS, type SegmentError, type SegmentService } from '../segments/segment-service.js';
import type { AuditService } from '../privacy/audit-service.js';
import { ClientError } from '../shared/errors.js';
import type { WorkspaceService } from '../workspaces/index.js';
import { requireAdmin, type RateLimits } from './auth.js';
import { errorBodySchema } from './ingest-routes.js';

const errors = {
  400: { description: 'Invalid request or definition; `error.details` lists each problem with its path', content: { 'application/json': { schema: errorBodySchema } } },
  401: { description: 'Missing, unknown or revoked key', content: { 'application/json': { schema: errorBodySchema } } },
  403: { description: 'Admin key required', content: { 'application/json': { schema: errorBodySchema } } },
  404: { description: 'No such segment or profile in this workspace', content: { 'application/json': { schema: errorBodySchema } } },
  409: { description: 'The segment is referred to by another', content: { 'application/json': { schema: errorBodySchema } } },
} as const;
const security = [{ adminKey: [] }];
const json = (schema: z.ZodType) => ({ 'application/json': { schema } });

const definitionSchema = z.object({
  name: z.string().describe('1–200 characters'),
  description: z.string().optional(),
  condition: z.unknown().describe(`A condition (README "Segments"): all / any / not, trait, event, sequence, segment, consent, subscription; at most ${MAX_CONDITIONS} conditions, ${MAX_DEPTH} levels`),
}).openapi('SegmentDefinition');
const segmentSchema = z.object({
  id: z.string(), name: z.string(), description: z.string().nullable(), condition: z.unknown(),
  createdAt: z.number(), updatedAt: z.number(), evaluatedAt: z.number().nullable(), memberCount: z.number(),
}).openapi('Segment');
const summarySchema = z.object({
  segmentId: z.string(), members: z.number(), entered: z.number(), exited: z.number(),
  profilingExcluded: z.number().describe('Matching people left out because profiling is refused for them (PRIVACY.md P5)'), evaluatedAt: z.number(), durationMs: z.number(),
});
const evaluationSchema = summarySchema.extend({
  dependents: z.array(summarySchema).describe('Segments that refer to this one (directly or through others), re-evaluated after it because its members changed, in dependency order; each only when a segment it refers to changed'),
});
const idParam = z.object({ id: z.string().min(1).max(100) });

function fail(e: SegmentError): ClientError {
  switch (e.type) {
    case 'invalid_definition': return new ClientError('bad_request', `invalid segment definition: ${e.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { details: e.issues });
    case 'segment_not_found': return new ClientError('not_found', `no segment ${e.id} in this workspace`);
    case 'profile_not_found': return new ClientError('not_found', 'no profile matches that reference in this workspace');
    case 'in_use': return new ClientError('conflict', e.message);
    case 'limit': return new ClientError('bad_request', e.message);
  }
}

/** Segments over HTTP: validate, preview, create, list, get, replace, delete, evaluate, members (JSON pages or CSV), a person's history. */
export function registerSegmentRoutes(app: OpenAPIHono, deps: { workspaces: WorkspaceService; segments: SegmentService; audit: AuditService; limits: RateLimits; now: () => number }): void {
  app.openapi(createRoute({
    method: 'post', path: '/v1/segments/validate', tags: ['segments'], security, summary: 'Check a definition without saving it',
    request: { body: { content: json(definitionSchema), required: true } },
    responses: { 200: { description: 'Valid', content: json(z.object({ valid: z.literal(true) })) }, ...errors },
  }), async (c) => {
    const { workspace } = await requireAdmin(deps, c);
    const r = await deps.segments.validate(workspace, c.req.valid('json'));
    if (!r.ok) throw fail(r.error);
    return c.json({ valid: true as const }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/v1/segments/preview', tags: ['segments'], security, summary: 'How many people a definition matches now, and a sample of up to 10 profile ids, without saving it',
    request: { body: { content: json(definitionSchema), required: true } },
    responses: { 200: { description: 'Count and sample', content: json(z.object({ count: z.number(), sample: z.array(z.string()), profilingExcluded: z.number() })) }, ...errors },
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const r = await deps.segments.preview(workspace, c.req.valid('json'));
    if (!r.ok) throw fail(r.error);
    // The sample names people: audited as a list of them is.
    await deps.audit.record({ workspaceId: workspace.id, actor: `admin_key:${keyId}`, action: 'segment.previewed', subject: 'segments', details: { via: 'POST /v1/segments/preview', count: r.value.count, profileIds: r.value.sample } });
    return c.json(r.value, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/v1/segments', tags: ['segments'], security, summary: `Create a segment (at most ${MAX_SEGMENTS} per workspace) and evaluate it`,
    request: { body: { content: json(definitionSchema), required: true } },
    responses: { 201: { description: 'Created and evaluated', content: json(z.object({ segment: segmentSchema, evaluation: evaluationSchema })) }, ...errors },
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const r = await deps.segments.create(workspace, c.req.valid('json'), `admin_key:${keyId}`);
    if (!r.ok) throw fail(r.error);
    const e = await deps.segments.evaluate(workspace, r.value.id, 'created');
    if (!e.ok) throw fail(e.error);
    const segment = await deps.segments.get(workspace, r.value.id);
    return c.json({ segment: segment.ok ? segment.value : r.value, evaluation: e.value }, 201);
  });

  app.openapi(createRoute({
    method: 'get', path: '/v1/segments', tags: ['segments'], security, summary: 'The workspace\'s segments with member counts',
    responses: { 200: { description: 'Segments', content: json(z.object({ segments: z.array(segmentSchema) })) }, ...errors },
  }), async (c) => {
    const { workspace } = await requireAdmin(deps, c);
    return c.json({ segments: await deps.segments.list(workspace) }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/v1/segments/{id}', tags: ['segments'], security, summary: 'One segment',
    request: { params: idParam },
    responses: { 200: { description: 'The segment', content: json(segmentSchema) }, ...errors },
  }), async (c) => {
    const { workspace } = await requireAdmin(deps, c);
    const r = await deps.segments.get(workspace, c.req.valid('param').id);
    if (!r.ok) throw fail(r.error);
    return c.json(r.value, 200);
  });

  app.openapi(createRoute({
    method: 'put', path: '/v1/segments/{id}', tags: ['segments'], security, summary: 'Replace a segment\'s name, description and condition, and re-evaluate it and then the segments that refer to it (`evaluation.dependents`; entries and exits recorded with reason `edited`)',
    request: { params: idParam, body: { content: json(definitionSchema), required: true } },
    responses: { 200: { description: 'Updated and evaluated', content: json(z.object({ segment: segmentSchema, evaluation: evaluationSchema })) }, ...errors },
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const r = await deps.segments.update(workspace, c.req.valid('param').id, c.req.valid('json'), `admin_key:${keyId}`);
    if (!r.ok) throw fail(r.error);
    return c.json(r.value, 200);
  });

  app.openapi(createRoute({
    method: 'delete', path: '/v1/segments/{id}', tags: ['segments'], security, summary: 'Delete a segment with its members and history (409 while another segment refers to it)',
    request: { params: idParam },
    responses: { 200: { description: 'Deleted', content: json(z.object({ id: z.string() })) }, ...errors },
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const r = await deps.segments.remove(workspace, c.req.valid('param').id, `admin_key:${keyId}`);
    if (!r.ok) throw fail(r.error);
    return c.json(r.value, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/v1/segments/{id}/evaluate', tags: ['segments'], security, summary: 'Re-evaluate a segment in full now, recording who entered and who left; if its members changed, the segments that refer to it follow (`dependents`)',
    request: { params: idParam },
    responses: { 200: { description: 'Summary', content: json(evaluationSchema) }, ...errors },
  }), async (c) => {
    const { workspace } = await requireAdmin(deps, c);
    const r = await deps.segments.evaluate(workspace, c.req.valid('param').id);
    if (!r.ok) throw fail(r.error);
    return c.json(r.value, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/v1/segments/{id}/members', tags: ['segments'], security,
    summary: 'Members in profile id order, a page at a time (`after` = the last profile id of the previous page); `format=csv` returns every member as CSV (both audited)',
    request: { params: idParam, query: z.object({ after: z.string().max(100).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100), format: z.enum(['json', 'csv']).default('json') }) },
    responses: {
      200: {
        description: 'A page of members, or CSV (profile_id,user_id,entered_at)',
        content: { ...json(z.object({ members: z.array(z.object({ profileId: z.string(), userId: z.string().nullable(), enteredAt: z.number() })), next: z.string().nullable() })), 'text/csv': { schema: z.string() } },
      },
      ...errors,
    },
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    if (q.format === 'csv') {
      const r = await deps.segments.exportCsv(workspace, id, `admin_key:${keyId}`);
      if (!r.ok) throw fail(r.error);
      return c.body(r.value, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="segment-${id}.csv"` });
    }
    const r = await deps.segments.members(workspace, id, { after: q.after ?? null, limit: q.limit });
    if (!r.ok) throw fail(r.error);
    // One entry per page (the CSV export records `segment.exported` itself), naming whose ids were returned.
    await deps.audit.record({
      workspaceId: workspace.id, actor: `admin_key:${keyId}`, action: 'segment.members.read', subject: id,
      details: { via: 'GET /v1/segments/{id}/members', count: r.value.length, profileIds: r.value.map((m) => m.profileId) },
    });
    return c.json({ members: r.value, next: r.value.length === q.limit ? r.value[r.value.length - 1]!.profileId : null }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/v1/profiles/{ref}/segments', tags: ['segments'], security, summary: 'A person\'s segments now and every entry and exit (time, reason)',
    request: { params: z.object({ ref: z.string().min(1).max(600) }) },
    responses: {
      200: {
        description: 'Memberships and history',
        content: json(z.object({
          profileId: z.string(),
          current: z.array(z.object({ segmentId: z.string(), enteredAt: z.number() })),
          changes: z.array(z.object({ segmentId: z.string(), profileId: z.string(), change: z.enum(['entered', 'exited']), reason: z.string(), at: z.number() })),
        })),
      },
      ...errors,
    },
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const r = await deps.segments.historyOf(workspace, c.req.valid('param').ref);
    if (!r.ok) throw fail(r.error);
    await deps.audit.record({ workspaceId: workspace.id, actor: `admin_key:${keyId}`, action: 'profile.segments.read', subject: r.value.profileId, details: { via: 'GET /v1/profiles/{ref}/segments' } });
    return c.json(r.value, 200);
  });
}
