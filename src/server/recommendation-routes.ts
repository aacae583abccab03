import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { describeIssues } from '../contracts/segment.js';
import { MAX_CONTEXT_ITEMS, MAX_RECOMMENDATIONS, recommendationRequestSchema, STRATEGIES, type RecommendationRequest } from '../contracts/recommendation.js';
import type { AuditService } from '../privacy/audit-service.js';
import type { RecommendationError, RecommendationService } from '../recommend/recommendation-service.js';
import { ClientError } from '../shared/errors.js';
import type { WorkspaceService } from '../workspaces/index.js';
import { requireAdmin, type RateLimits } from './auth.js';
import { readBodyText } from './raw-body.js';
import { errorBodySchema } from './ingest-routes.js';
import { parseIsoDate } from '../shared/iso-date.js';

const errors = {
  400: { description: 'Invalid request: the message names the field and the rule', content: { 'application/json': { schema: errorBodySchema } } },
  401: { description: 'Missing, unknown or revoked key', content: { 'application/json': { schema: errorBodySchema } } },
  403: { description: 'Admin key required', content: { 'application/json': { schema: errorBodySchema } } },
  404: { description: 'No such placement or recommendation in this workspace', content: { 'application/json': { schema: errorBodySchema } } },
} as const;
const security = [{ adminKey: [] }];
/** Largest recommendation request body (a cart of 50 items and filters fit in a few KB). */
const MAX_REQUEST_BYTES = 64 * 1024;
const json = (schema: z.ZodType) => ({ 'application/json': { schema } });

const reasonSchema = z.object({
  type: z.string().describe('history, history_collaborative, content, preference, search, campaign, region, device, segment, trending, popular, similar, together, buy_again, new, scene, boost, taste, pinned, exploring'),
  message: z.string(), weight: z.number().describe('Share of the item\'s score this reason accounts for; the shares of an item sum to 1'),
  items: z.array(z.string()).optional().describe('Items the reason cites'),
});
const responseSchema = z.object({
  recommendationId: z.string().describe('Send it back as `properties.recommendation_id` on Product Clicked / Product Viewed / Product Added, or `products[].recommendation_id` on Order Completed, to attribute the response'),
  placement: z.string(),
  strategies: z.array(z.object({ strategy: z.enum(STRATEGIES), weight: z.number() })),
  modelVersion: z.number().nullable(),
  personalized: z.boolean(),
  personalization: z.object({ basis: z.enum(['history', 'cold_start', 'context', 'none']), reasons: z.array(z.object({ code: z.string(), message: z.string() })) }),
  profileId: z.string().nullable(),
  scenes: z.array(z.string()),
  items: z.array(z.object({
    itemId: z.string(), name: z.string(), position: z.number(), score: z.number(), price: z.number().nullable(), currency: z.string().nullable(), category: z.array(z.string()),
    url: z.string().nullable(), image: z.string().nullable(), exploration: z.boolean(), pinned: z.boolean(), reasons: z.array(reasonSchema),
  })),
  generatedAt: z.string(),
}).openapi('Recommendations');

/** A list-valued query parameter: repeated, one value each (`tags=tea&tags=gift`), taken whole (commas included: category paths and tags may hold them). */
function list(description: string) {
  return z.union([z.string(), z.array(z.string())]).optional().describe(`${description}; repeat the parameter for more than one`);
}

const querySchema = z.object({
  user: z.string().optional().describe('The person by any identifier (`user_id:…`, `email:…`, a profile id…)'),
  userId: z.string().optional(), anonymousId: z.string().optional(),
  placement: z.string().optional(), strategy: z.string().optional(),
  n: z.string().optional().describe(`1–${MAX_RECOMMENDATIONS}`),
  itemId: z.string().optional(), items: z.string().optional().describe(`Comma-separated item ids (cart), at most ${MAX_CONTEXT_ITEMS}`),
  scene: z.string().optional(), region: z.string().optional(), device: z.string().optional(), locale: z.string().optional(), timezone: z.string().optional(), time: z.string().optional(),
  referrer: z.string().optional(), utm_source: z.string().optional(), utm_medium: z.string().optional(), utm_campaign: z.string().optional(), utm_term: z.string().optional(), utm_content: z.string().optional(),
  locationType: z.string().optional(), activity: z.string().optional(), weather: z.string().optional(),
  segment: z.string().optional().describe('a segment id: trending and popular favour what its members buy'),
  // The request's `filters`, flat (the same names and rules as POST's `filters`).
  inStock: z.enum(['true', 'false']).optional().describe('Only items in stock (default true)'),
  categories: list('Only items under one of these category path prefixes'),
  excludeCategories: list('Leave out items under these category path prefixes'),
  tags: list('Only items with one of these tags'),
  excludeTags: list('Leave out items with these tags'),
  priceMin: z.string().optional(), priceMax: z.string().optional(),
  excludeItems: list('Leave out these item ids'),
}).strict();
/** Query parameters that map to the fields of POST's `filters`. */
const FILTER_PARAMS = ['inStock', 'categories', 'excludeCategories', 'tags', 'excludeTags', 'priceMin', 'priceMax', 'excludeItems'] as const;

function fail(e: RecommendationError): ClientError {
  switch (e.type) {
    case 'placement_not_found':
    case 'recommendation_not_found': return new ClientError('not_found', e.message);
    case 'bad_reference': return new ClientError('bad_request', `user: ${e.message}`);
    case 'unknown_name': return new ClientError('bad_request', e.message);
  }
}

/** The name a GET caller used for a field of the request body (`filters.priceMin` → `priceMin`, `context.utm.term` → `utm_term`). */
function queryPath(path: ReadonlyArray<PropertyKey>): PropertyKey[] {
  const [head, ...rest] = path;
  if (head === 'filters' && rest.length > 0) return rest;
  if (head === 'context' && rest[0] === 'utm' && rest.length > 1) return [`utm_${String(rest[1])}`, ...rest.slice(2)];
  if (head === 'context' && rest.length > 0) return rest;
  return [...path];
}

/** A GET query that does not fit the query schema: unknown parameters named, else the path and the rule. */
function queryHook(result: { success: boolean; error?: unknown }): undefined {
  if (result.success) return undefined;
  const error = result.error as z.ZodError;
  const unknown = error.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys : []));
  if (unknown.length > 0) {
    throw new ClientError('bad_request', `unknown query parameter${unknown.length === 1 ? '' : 's'} ${unknown.map((k) => `"${k}"`).join(', ')}: GET /v1/recommendations takes ${Object.keys(querySchema.shape).join(', ')}`);
  }
  throw new ClientError('bad_request', describeIssues(error));
}

/** A GET query as the same request body POST takes, validated by the same schema. */
function requestFromQuery(q: z.infer<typeof querySchema>): RecommendationRequest {
  const defined = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  const number = (v: string | undefined) => (v === undefined || v.trim() === '' || Number.isNaN(Number(v)) ? v : Number(v));
  const many = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
  const filters = defined({
    inStock: q.inStock === undefined ? undefined : q.inStock === 'true', categories: many(q.categories), excludeCategories: many(q.excludeCategories),
    tags: many(q.tags), excludeTags: many(q.excludeTags), priceMin: number(q.priceMin), priceMax: number(q.priceMax), excludeItems: many(q.excludeItems),
  });
  const utm = defined({ source: q.utm_source, medium: q.utm_medium, campaign: q.utm_campaign, term: q.utm_term, content: q.utm_content });
  const context = defined({ scene: q.scene, region: q.region, device: q.device, locale: q.locale, timezone: q.timezone, time: q.time, referrer: q.referrer, locationType: q.locationType, activity: q.activity, weather: q.weather, ...(Object.keys(utm).length > 0 ? { utm } : {}) });
  const n = q.n === undefined ? undefined : Number(q.n);
  const raw = defined({
    user: q.user, userId: q.userId, anonymousId: q.anonymousId, placement: q.placement, strategy: q.strategy, n: n !== undefined && Number.isNaN(n) ? q.n : n,
    itemId: q.itemId, items: q.items === undefined ? undefined : q.items.split(',').map((s) => s.trim()).filter((s) => s !== ''), segment: q.segment,
    ...(Object.keys(context).length > 0 ? { context } : {}),
    ...(Object.keys(filters).length > 0 ? { filters } : {}),
  });
  const parsed = recommendationRequestSchema.safeParse(raw);
  if (!parsed.success) {
    // Named as the caller wrote them: the query is flat.
    throw new ClientError('bad_request', describeIssues(new z.ZodError(parsed.error.issues.map((issue) => ({ ...issue, path: queryPath(issue.path) })))));
  }
  return parsed.data;
}

/** Recommendation serving, attribution lookups, reports, and training over HTTP. */
export function registerRecommendationRoutes(app: OpenAPIHono, deps: { workspaces: WorkspaceService; recommendations: RecommendationService; audit: AuditService; limits: RateLimits; now: () => number }): void {
  // The serving path: the body is read and validated here (readBodyText) rather than by the
  // OpenAPI validator, which reads it through the slower Web Request; documented below.
  app.post('/v1/recommendations', async (c) => {
    const { workspace } = await requireAdmin(deps, c, 'recommend');
    const text = await readBodyText(c, MAX_REQUEST_BYTES);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new ClientError('bad_request', `body is not valid JSON: ${(error as Error).message}`);
    }
    const parsed = recommendationRequestSchema.safeParse(raw);
    if (!parsed.success) throw new ClientError('bad_request', describeIssues(parsed.error));
    const r = await deps.recommendations.recommend(workspace, parsed.data);
    if (!r.ok) throw fail(r.error);
    return c.json(r.value, 200);
  });
  app.openAPIRegistry.registerPath({
    method: 'post', path: '/v1/recommendations', tags: ['recommendations'], security,
    summary: `Recommendations for a person (by any identifier) or an anonymous visitor: a placement or a strategy, n items with scores and reasons (body at most ${MAX_REQUEST_BYTES / 1024} KB)`,
    request: { body: { content: json(recommendationRequestSchema), required: true } },
    responses: { 200: { description: 'The list, with a recommendation id to send back with clicks and purchases', content: json(responseSchema) }, ...errors, 413: { description: 'Body too large', content: json(errorBodySchema) } },
  });

  app.openapi(createRoute({
    method: 'get', path: '/v1/recommendations', tags: ['recommendations'], security,
    summary: `The same as POST, with the request in the query string: context and filter fields flat (${FILTER_PARAMS.join(', ')}); \`items\` comma-separated; list-valued filters repeated (\`tags=tea&tags=gift\`); \`utm_*\`. Unknown parameters are refused`,
    request: { query: querySchema },
    responses: { 200: { description: 'The list', content: json(responseSchema) }, ...errors },
  }), async (c) => {
    const { workspace } = await requireAdmin(deps, c, 'recommend');
    const r = await deps.recommendations.recommend(workspace, requestFromQuery(c.req.valid('query')));
    if (!r.ok) throw fail(r.error);
    return c.json(r.value, 200);
  }, queryHook);

  app.openapi(createRoute({
    method: 'get', path: '/v1/recommendations/report', tags: ['recommendations'], security,
    summary: 'Per placement since a time (default: 30 days): responses, items shown, clicks, cart adds, purchases and revenue attributed by recommendation id',
    request: { query: z.object({ since: z.string().optional().describe('ISO-8601 date-time') }) },
    responses: { 200: { description: 'The report', content: json(z.object({ since: z.string(), placements: z.array(z.object({
      placement: z.string(), responses: z.number(), personalized: z.number(), impressions: z.number(), clicks: z.number(), addsToCart: z.number(), purchases: z.number(),
      revenue: z.record(z.string(), z.number()), explorationImpressions: z.number(), explorationResponses: z.number(), clickThroughRate: z.number().nullable(), conversionRate: z.number().nullable(),
    })) })) }, ...errors },
  }), async (c) => {
    const { workspace } = await requireAdmin(deps, c);
    const raw = c.req.valid('query').since;
    const since = raw === undefined ? deps.now() - 30 * 86_400_000 : parseIsoDate(raw) ?? Number.NaN;
    if (!Number.isFinite(since)) throw new ClientError('bad_request', `since: "${raw}" is not an ISO-8601 date-time`);
    const placements = await deps.recommendations.report(workspace, since);
    return c.json({
      since: new Date(since).toISOString(),
      placements: placements.map((p) => ({ ...p, clickThroughRate: p.impressions === 0 ? null : (p.clicks + p.addsToCart) / p.impressions, conversionRate: p.impressions === 0 ? null : p.purchases / p.impressions })),
    }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/v1/recommendations/{id}', tags: ['recommendations'], security,
    summary: 'One served recommendation: what was shown, to whom, by which model, and the clicks, cart adds and purchases attributed to it',
    request: { params: z.object({ id: z.string().min(1).max(200) }) },
    responses: { 200: { description: 'The recommendation', content: json(z.object({
      id: z.string(), profileId: z.string().nullable(), placement: z.string(), personalized: z.boolean(), modelVersion: z.number().nullable(),
      items: z.array(z.object({ itemId: z.string(), exploration: z.boolean() })), details: z.unknown(), createdAt: z.number(),
      feedback: z.array(z.object({ itemId: z.string(), kind: z.string(), revenue: z.number().nullable(), currency: z.string().nullable(), at: z.number(), messageId: z.string() }).loose()),
    })) }, ...errors },
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const r = await deps.recommendations.get(workspace, c.req.valid('param').id);
    if (!r.ok) throw fail(r.error);
    if (r.value.profileId !== null) await deps.audit.record({ workspaceId: workspace.id, actor: `admin_key:${keyId}`, action: 'recommendation.read', subject: r.value.profileId, details: { recommendationId: r.value.id } });
    return c.json(r.value, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/v1/recommendations/train', tags: ['recommendations'], security,
    summary: 'Train the recommendation model on the workspace\'s data now; this server serves it when the call returns (others within 30 s)',
    responses: { 200: { description: 'What was trained', content: json(z.object({ version: z.number().nullable(), modelId: z.string().nullable(), excludedPeople: z.number(), seconds: z.number(), stats: z.unknown() }).loose()) }, ...errors },
  }), async (c) => {
    const { workspace, keyId } = await requireAdmin(deps, c);
    const summary = await deps.recommendations.train(workspace);
    await deps.audit.record({ workspaceId: workspace.id, actor: `admin_key:${keyId}`, action: 'model.trained', subject: 'recommender', details: { version: summary.version, excludedPeople: summary.excludedPeople } });
    return c.json(summary, 200);
  });
}
