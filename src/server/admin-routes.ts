import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { createKeySchema, workspaceSettingsPatchSchema } from '../contracts/workspace.js';
import type { ProfileService } from '../profiles/profile-service.js';
import { ClientError } from '../shared/errors.js';
import type { WorkspaceService } from '../workspaces/index.js';
import { requireAdmin, type RateLimits } from './auth.js';
import { errorBodySchema } from './ingest-routes.js';
import type { AuditService } from '../privacy/audit-service.js';

export interface AdminRouteDeps {
  workspaces: WorkspaceService;
  profiles: ProfileService;
  audit: AuditService;
  limits: RateLimits;
  now: () => number;
}

const adminErrors = {
  400: { description: 'Invalid request; the message names the path and the rule', content: { 'application/json': { schema: errorBodySchema } } },
  401: { description: 'Missing, unknown or revoked key', content: { 'application/json': { schema: errorBodySchema } } },
  403: { description: 'A write key was used; admin endpoints need an admin key', content: { 'application/json': { schema: errorBodySchema } } },
  404: { description: 'Not found in this workspace', content: { 'application/json': { schema: errorBodySchema } } },
  429: { description: 'Rate limit exceeded; see Retry-After', content: { 'application/json': { schema: errorBodySchema } } },
} as const;

const json = (schema: z.ZodType, description: string) => ({ 200: { description, content: { 'application/json': { schema } } }, ...adminErrors });
const security = [{ adminKey: [] }];

const keySchema = z.object({ id: z.string(), kind: z.enum(['write', 'admin']), name: z.string(), prefix: z.string(), createdAt: z.number(), revokedAt: z.number().nullable() });
const profileSchema = z.object({ id: z.string(), traits: z.record(z.string(), z.unknown()), firstSeenAt: z.number(), lastSeenAt: z.number(), createdAt: z.number(), updatedAt: z.number(), mergedInto: z.string().nullable() });
const identifierSchema = z.object({ type: z.string(), value: z.string(), firstSeenAt: z.number() });
const eventSchema = z.object({ messageId: z.string(), type: z.string(), event: z.string().nullable(), name: z.string().nullable(), userId: z.string().nullable(), anonymousId: z.string().nullable(), timestamp: z.number(), receivedAt: z.number(), properties: z.record(z.string(), z.unknown()), traits: z.record(z.string(), z.unknown()), context: z.record(z.string(), z.unknown()) });
const refParam = z.object({ ref: z.string().min(1).max(600).describe('Any identifier as `type:value` (user_id:42, email:ann@example.com, anonymous_id:…, profile_id:…), or a bare profile id or user id') });
const pageQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).optional(), cursor: z.string().max(500).optional() });

/** Admin API: workspace, keys, profiles. Every route requires an admin key and reads only its own workspace. */
export function registerAdminRoutes(app: OpenAPIHono, deps: AdminRouteDeps): void {
  app.openapi(createRoute({ method: 'get', path: '/v1/workspace', tags: ['workspace'], security, summary: 'The workspace of the key', responses: json(z.object({ id: z.string(), name: z.string(), jurisdiction: z.string(), settings: z.unknown(), createdAt: z.number() }), 'The workspace') }), async (c) => {
    const { workspace } = await requireAdmin(deps, c);
    return c.json(workspace, 200);
  });

  app.openapi(createRoute({
    method: 'patch', path: '/v1/workspace', tags: ['workspace'], security, summary: 'Change workspace settings (identity, defaultCurrency, privacy, traits); each section given replaces the stored one, the others stay',
    request: { body: { content: { 'application/json': { schema: z.object({ settings: workspaceSettingsPatchSchema }).strict() } }, required: true } },
    responses: json(z.object({ id: z.string(), name: z.string(), jurisdiction: z.string(), settings: z.unknown(), createdAt: z.number() }), 'The workspace after the change'),
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const settings = c.req.valid('json').settings;
    const r = await deps.workspaces.updateSettings(workspace.id, settings);
    if (!r.ok) throw new ClientError(r.error.type === 'workspace_not_found' ? 'not_found' : 'bad_request', r.error.type === 'workspace_not_found' ? 'workspace not found' : r.error.message);
    await deps.audit.record({ workspaceId: workspace.id, actor: `admin_key:${keyId}`, action: 'config.changed', subject: 'workspace.settings', details: { sections: Object.keys(settings) } });
    return c.json(r.value, 200);
  });

  app.openapi(createRoute({ method: 'get', path: '/v1/keys', tags: ['keys'], security, summary: 'List keys (prefix only; secrets are never shown again)', responses: json(z.object({ keys: z.array(keySchema) }), 'The keys') }), async (c) => {
    const { workspace } = await requireAdmin(deps, c);
    const keys = await deps.workspaces.listKeys(workspace.id);
    return c.json({ keys: keys.map(({ workspaceId: _w, ...k }) => k) }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/v1/keys', tags: ['keys'], security, summary: 'Create a key; the secret is in this response only',
    request: { body: { content: { 'application/json': { schema: createKeySchema } }, required: true } },
    responses: json(z.object({ key: z.string(), record: keySchema }), 'The new key'),
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const body = c.req.valid('json');
    const { key, record } = await deps.workspaces.createKey(workspace.id, body.kind, body.name);
    await deps.audit.record({ workspaceId: workspace.id, actor: `admin_key:${keyId}`, action: 'key.created', subject: `key:${record.id}`, details: { kind: record.kind } });
    const { workspaceId: _w, ...rest } = record;
    return c.json({ key, record: rest }, 200);
  });

  app.openapi(createRoute({
    method: 'delete', path: '/v1/keys/{keyId}', tags: ['keys'], security, summary: 'Revoke a key (effective at once in this process, within 5 s in others)',
    request: { params: z.object({ keyId: z.string().min(1).max(100) }) },
    responses: json(z.object({ revoked: z.literal(true) }), 'Revoked'),
  }), async (c) => {
    const { workspace, keyId: actorKey } = await requireAdmin(deps, c);
    const keyId = c.req.valid('param').keyId;
    const r = await deps.workspaces.revokeKey(workspace.id, keyId);
    if (!r.ok) throw new ClientError('not_found', 'no active key with that id in this workspace');
    await deps.audit.record({ workspaceId: workspace.id, actor: `admin_key:${actorKey}`, action: 'key.revoked', subject: `key:${keyId}`, details: {} });
    return c.json({ revoked: true as const }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/v1/profiles', tags: ['profiles'], security, summary: 'List profiles, most recently seen first; `q` finds identifiers starting with it (audited: one entry per page with the profile ids returned)',
    request: { query: pageQuery.extend({ q: z.string().max(256).optional() }) },
    responses: json(z.object({ profiles: z.array(profileSchema), nextCursor: z.string().nullable() }), 'A page of profiles'),
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const q = c.req.valid('query');
    const r = await deps.profiles.list(workspace.id, q);
    if (!r.ok) throw new ClientError('bad_request', r.error.message);
    // One entry per page, naming whose profiles were returned. Not `q`: it can be the start of an email.
    await deps.audit.record({
      workspaceId: workspace.id, actor: `admin_key:${keyId}`, action: 'profiles.listed', subject: 'profiles',
      details: { via: 'GET /v1/profiles', search: (q.q ?? '').trim() !== '', count: r.value.profiles.length, profileIds: r.value.profiles.map((p) => p.id) },
    });
    return c.json(r.value, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/v1/profiles/{ref}', tags: ['profiles'], security, summary: 'A profile by any identifier, with identifiers, merges, identity conflicts, recent events and orders',
    request: { params: refParam, query: z.object({ events: z.coerce.number().int().min(0).max(200).optional() }) },
    responses: json(z.object({
      profile: profileSchema, identifiers: z.array(identifierSchema), merges: z.array(z.unknown()),
      conflicts: z.array(z.object({
        profileId: z.string(), otherProfileId: z.string().nullable(), identifier: z.object({ type: z.string(), value: z.string() }), reason: z.string(), messageId: z.string().nullable(), recordedAt: z.number(),
      })).openapi({ description: 'Identifiers events carried that were not given to a profile (two user ids, or over a type\'s cap), on either side of this profile, newest first (at most 50)' }),
      events: z.array(eventSchema), orders: z.array(z.unknown()),
      computedTraits: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'Computed trait values by registry name (GET /v1/traits), with `computedAt` (last full recompute, epoch ms, null when only ingest has updated them) and `updatedAt`; null before any' }),
    }), 'The profile'),
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const r = await deps.profiles.get(workspace.id, c.req.valid('param').ref, { events: c.req.valid('query').events ?? 20 });
    if (!r.ok) throw lookupError(r.error);
    await deps.audit.record({ workspaceId: workspace.id, actor: `admin_key:${keyId}`, action: 'profile.read', subject: r.value.profile.id, details: { via: 'GET /v1/profiles/{ref}' } });
    return c.json(r.value, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/v1/profiles/{ref}/events', tags: ['profiles'], security, summary: "A profile's events, newest first, paged",
    request: { params: refParam, query: pageQuery.extend({ event: z.string().max(200).optional() }) },
    responses: json(z.object({ profileId: z.string(), events: z.array(eventSchema), nextCursor: z.string().nullable() }), 'A page of events'),
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const r = await deps.profiles.events(workspace.id, c.req.valid('param').ref, c.req.valid('query'));
    if (!r.ok) throw lookupError(r.error);
    await deps.audit.record({ workspaceId: workspace.id, actor: `admin_key:${keyId}`, action: 'profile.events.read', subject: r.value.profileId, details: { via: 'GET /v1/profiles/{ref}/events' } });
    return c.json(r.value, 200);
  });
}

function lookupError(e: { type: 'profile_not_found'; ref: string } | { type: 'bad_reference'; message: string }): ClientError {
  return e.type === 'profile_not_found' ? new ClientError('not_found', 'no profile matches that reference in this workspace') : new ClientError('bad_request', e.message);
}
