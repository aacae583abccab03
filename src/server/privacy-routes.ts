import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { AuditService } from '../privacy/audit-service.js';
import { consentBatchInputSchema } from '../privacy/consent-input.js';
import type { ConsentService, PrivacyError } from '../privacy/consent-service.js';
import type { ErasureService } from '../privacy/erasure-service.js';
import type { ExportService } from '../privacy/export-service.js';
import { POLICY_ACTIONS } from '../privacy/policy.js';
import { JURISDICTIONS, purposeDefaults, type Jurisdiction } from '../privacy/jurisdictions.js';
import { LEGAL_BASES, PURPOSE_REGISTRY, PURPOSES } from '../privacy/purposes.js';
import { CHANNELS } from '../privacy/subscriptions.js';
import { ClientError } from '../shared/errors.js';
import type { WorkspaceService } from '../workspaces/index.js';
import { requireAdmin, type RateLimits } from './auth.js';
import { errorBodySchema } from './ingest-routes.js';

const errors = {
  400: { description: 'Invalid request; the message names the path and the rule', content: { 'application/json': { schema: errorBodySchema } } },
  401: { description: 'Missing, unknown or revoked key', content: { 'application/json': { schema: errorBodySchema } } },
  403: { description: 'Admin key required', content: { 'application/json': { schema: errorBodySchema } } },
  404: { description: 'No such profile in this workspace', content: { 'application/json': { schema: errorBodySchema } } },
} as const;
const security = [{ adminKey: [] }];
const ok = (description: string, schema: z.ZodType = z.record(z.string(), z.unknown())) => ({ 200: { description, content: { 'application/json': { schema } } }, ...errors });
const refParam = z.object({ ref: z.string().min(1).max(600).describe('Any identifier as `type:value`, or a profile id') });

const purposesResponseSchema = z.object({
  jurisdiction: z.enum(JURISDICTIONS as [Jurisdiction, ...Jurisdiction[]]),
  purposes: z.array(z.object({
    name: z.enum(PURPOSES), description: z.string(), consentBased: z.boolean(), legalBases: z.array(z.enum(LEGAL_BASES)),
    defaultLegalBasis: z.enum(LEGAL_BASES).describe('The registry\'s basis for a purpose that is not consent-based'),
    citation: z.string(),
    default: z.object({
      on: z.boolean().describe('Whether the purpose is allowed for a person with no consent record'),
      legalBasis: z.enum(LEGAL_BASES).describe('What it rests on: `consent` when off'),
      origin: z.enum(['jurisdiction', 'workspace_override']),
    }).describe('This workspace\'s default for the purpose: its jurisdiction\'s, or its override (settings.privacy.defaults.overrides)'),
  })),
});

function fail(e: PrivacyError): ClientError {
  return e.type === 'profile_not_found' ? new ClientError('not_found', 'no profile matches that reference in this workspace') : new ClientError('bad_request', e.message);
}

/** Privacy API (PRIVACY.md P2–P5, P13, P14, P16, P20): consent, subscriptions, the off switch, policy, export, erasure, audit. */
export function registerPrivacyRoutes(app: OpenAPIHono, deps: {
  workspaces: WorkspaceService; consent: ConsentService; exporter: ExportService; erasure: ErasureService; audit: AuditService; limits: RateLimits; now: () => number;
}): void {
  app.openapi(createRoute({
    method: 'get', path: '/v1/purposes', tags: ['privacy'], security, summary: 'The purposes registry (P1) and this workspace\'s defaults (P3: its jurisdiction and overrides)',
    responses: ok('Purposes', purposesResponseSchema),
  }), async (c) => {
    const { workspace } = await requireAdmin(deps, c);
    const defaults = purposeDefaults({ jurisdiction: workspace.jurisdiction, overrides: workspace.settings.privacy.defaults.overrides });
    return c.json({
      jurisdiction: workspace.jurisdiction,
      purposes: PURPOSES.map((p) => {
        const { on, legalBasis, origin } = defaults[p];
        return { ...PURPOSE_REGISTRY[p], default: { on, legalBasis, origin } };
      }),
    }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/v1/profiles/{ref}/consents', tags: ['privacy'], security, summary: 'Consent and subscription records and state, now or at a past time (`at`, ISO date)',
    request: { params: refParam, query: z.object({ at: z.iso.datetime({ offset: true }).optional() }) },
    responses: ok('Consent state'),
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const at = c.req.valid('query').at;
    const r = await deps.consent.state(workspace, c.req.valid('param').ref, at === undefined ? undefined : Date.parse(at));
    if (!r.ok) throw fail(r.error);
    await deps.audit.record({ workspaceId: workspace.id, actor: `admin_key:${keyId}`, action: 'consent.read', subject: r.value.profileId, details: {} });
    return c.json(r.value, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/v1/profiles/{ref}/consents', tags: ['privacy'], security, summary: 'Record consent decisions (appended to the ledger; a grant names its notice version)',
    request: { params: refParam, body: { content: { 'application/json': { schema: consentBatchInputSchema } }, required: true } },
    responses: ok('Recorded'),
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const r = await deps.consent.record(workspace, c.req.valid('param').ref, c.req.valid('json').consents, `admin_key:${keyId}`);
    if (!r.ok) throw fail(r.error);
    return c.json(r.value, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/v1/profiles/{ref}/subscriptions', tags: ['privacy'], security, summary: 'Subscribe or unsubscribe a channel (separate from data-use consent, P16)',
    request: { params: refParam, body: { content: { 'application/json': { schema: z.object({ channel: z.enum(CHANNELS), status: z.enum(['subscribed', 'unsubscribed']), source: z.enum(['ui', 'api', 'import', 'double_opt_in']).default('api') }).strict() } }, required: true } },
    responses: ok('Recorded'),
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const r = await deps.consent.subscribe(workspace, c.req.valid('param').ref, c.req.valid('json'), `admin_key:${keyId}`);
    if (!r.ok) throw fail(r.error);
    return c.json(r.value, 200);
  });

  app.openapi(createRoute({
    method: 'put', path: '/v1/profiles/{ref}/personalization', tags: ['privacy'], security, summary: 'The per-person personalization switch (P5)',
    request: { params: refParam, body: { content: { 'application/json': { schema: z.object({ enabled: z.boolean() }).strict() } }, required: true } },
    responses: ok('Switched'),
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const r = await deps.consent.setPersonalization(workspace, c.req.valid('param').ref, c.req.valid('json').enabled, `admin_key:${keyId}`);
    if (!r.ok) throw fail(r.error);
    return c.json(r.value, 200);
  });

  app.openapi(createRoute({
    method: 'put', path: '/v1/profiles/{ref}/guardian-consent', tags: ['privacy'], security,
    summary: 'Record a guardian\'s consent for a minor, or its withdrawal (P11): until it is recorded, personalization, profiling and marketing stay off for a person under the age threshold',
    request: {
      params: refParam,
      body: { content: { 'application/json': { schema: z.object({
        granted: z.boolean(),
        method: z.string().min(1).max(200).describe('How the guardian\'s consent was obtained and checked, e.g. "signed form, verified by ID"'),
      }).strict() } }, required: true },
    },
    responses: ok('Recorded'),
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const body = c.req.valid('json');
    const r = await deps.consent.setGuardianConsent(workspace, c.req.valid('param').ref, body.granted, body.method, `admin_key:${keyId}`);
    if (!r.ok) throw fail(r.error);
    return c.json(r.value, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/v1/profiles/{ref}/policy', tags: ['privacy'], security, summary: 'May this action be done for this person, and why (not)? The one policy function every stage asks',
    request: { params: refParam, query: z.object({ action: z.enum(POLICY_ACTIONS), channel: z.enum(CHANNELS).optional() }) },
    responses: ok('Decision'),
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const q = c.req.valid('query');
    const r = await deps.consent.decide(workspace, c.req.valid('param').ref, { action: q.action, channel: q.channel });
    if (!r.ok) throw fail(r.error);
    // The answer tells the person's consent, subscriptions and switch: a read of their data.
    await deps.audit.record({
      workspaceId: workspace.id, actor: `admin_key:${keyId}`, action: 'profile.policy.read', subject: r.value.profileId,
      details: { via: 'GET /v1/profiles/{ref}/policy', action: q.action, ...(q.channel === undefined ? {} : { channel: q.channel }) },
    });
    return c.json(r.value, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/v1/profiles/{ref}/export', tags: ['privacy'], security, summary: 'Everything held about the person, as one JSON document (P13; schema in docs/privacy.md)',
    request: { params: refParam },
    responses: ok('The export document'),
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const r = await deps.exporter.export(workspace, c.req.valid('param').ref, `admin_key:${keyId}`);
    if (!r.ok) throw fail(r.error);
    return c.json(r.value, 200);
  });

  app.openapi(createRoute({
    method: 'delete', path: '/v1/profiles/{ref}', tags: ['privacy'], security, summary: 'Erase the person everywhere (P14); returns the completion report (`othersScrubbed`: the search of other people\'s rows for their identifiers, done or still running)',
    request: { params: refParam },
    responses: ok('Erasure report'),
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const r = await deps.erasure.erase(workspace, c.req.valid('param').ref, `admin_key:${keyId}`);
    if (!r.ok) throw fail(r.error);
    return c.json(r.value, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/v1/audit', tags: ['audit'], security, summary: 'Audit log entries in order, paged by sequence number',
    request: { query: z.object({ after: z.coerce.number().int().min(0).optional(), limit: z.coerce.number().int().min(1).max(1000).optional(), subject: z.string().max(300).optional() }) },
    responses: ok('Entries'),
  }), async (c) => {
    const { workspace } = await requireAdmin(deps, c);
    const q = c.req.valid('query');
    const entries = await deps.audit.entries(workspace.id, { afterSeq: q.after, limit: q.limit, subject: q.subject });
    return c.json({ entries, next: entries.length === 0 ? null : entries.at(-1)!.seq }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/v1/audit/verify', tags: ['audit'], security, summary: 'Verify the audit hash chain; give a head recorded earlier (`seq` and `hash`; the log may have grown since) to also detect removal of the newest entries and a rewritten, re-hashed log',
    request: { query: z.object({ seq: z.coerce.number().int().min(0).optional(), hash: z.string().regex(/^[0-9a-f]{64}$/).optional() }) },
    responses: ok('Verification result'),
  }), async (c) => {
    const { workspace } = await requireAdmin(deps, c);
    const q = c.req.valid('query');
    // A head is a pair: a seq alone would silently verify less than asked.
    if ((q.seq === undefined) !== (q.hash === undefined)) throw new ClientError('bad_request', `${q.seq === undefined ? 'seq' : 'hash'}: required with ${q.seq === undefined ? 'hash' : 'seq'} (the head printed by a previous verify)`);
    const expected = q.seq !== undefined && q.hash !== undefined ? { seq: q.seq, hash: q.hash } : undefined;
    return c.json(await deps.audit.verify(workspace.id, expected), 200);
  });
}
