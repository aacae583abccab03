import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { cors } from 'hono/cors';
import { z } from 'zod';
import {
  batchEnvelopeSchema, describeIssues, ingestResponseSchema, schemaByType, segmentTypes,
} from '../contracts/segment.js';
import { INGEST_LIMITS, type IngestResult, type IngestService } from '../ingest/index.js';
import { ClientError } from '../shared/errors.js';
import { nestingDepth, safeParseJson } from '../shared/json.js';
import { authenticate, keyFromHeader, type RateLimits } from './auth.js';
import { readBodyText } from './raw-body.js';
import type { WorkspaceService } from '../workspaces/index.js';

export interface IngestRouteDeps {
  ingest: IngestService;
  workspaces: WorkspaceService;
  limits: RateLimits;
  now: () => number;
}

/**
 * The Segment-compatible ingest API: `/v1/{track,identify,page,screen,group,alias,batch}`,
 * the short paths of analytics-next (`/v1/t`, `/v1/i`, …, `/v1/b`), any content type
 * (analytics-next sends `text/plain` to avoid a CORS preflight), CORS for browsers.
 */
export function registerIngestRoutes(app: OpenAPIHono, deps: IngestRouteDeps): void {
  // CORS: preflights are answered by Hono's middleware. On every other request the one header
  // it would add is set before the handler runs: the middleware sets it on a response made
  // before the handler's, which Hono then copies through a body stream — on the Node server
  // that took the slow streaming path for every answer (recommendations over HTTP, closed
  // loop: 2,072 → 2,906 req/s without it; docs/benchmarks.md).
  const preflight = cors({ origin: '*', allowMethods: ['POST', 'GET', 'DELETE', 'OPTIONS'], allowHeaders: ['Authorization', 'Content-Type', 'X-Retry-Count'], maxAge: 86400 });
  app.use('/v1/*', async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    c.header('Access-Control-Allow-Origin', '*');
    await next();
  });

  // The body is read from Node's request stream (readBodyText), not through the Web `Request`
  // of Hono's adapter and its body-limit middleware: for a single `track` that path was about a
  // fifth of the server's time per call (docs/benchmarks.md, bench/ingest).
  const limitOf = (limit: number) => ({ limit, tooLarge: `request body exceeds ${limit} bytes (${Math.round(limit / 1024)} KB); see the ingest limits in docs/api.md` });
  const single = limitOf(INGEST_LIMITS.maxEventBytes);
  const batchOf = limitOf(INGEST_LIMITS.maxBatchBytes);

  async function readBody(c: Context, limit: { limit: number; tooLarge: string }): Promise<Record<string, unknown>> {
    const text = await readBodyText(c, limit.limit, { tooLarge: limit.tooLarge });
    return objectBody(safeParseJson(text, { maxDepth: INGEST_LIMITS.maxJsonDepth }));
  }

  /**
   * A batch body. The nesting limit is per event (`INGEST_LIMITS.maxJsonDepth`, counted as in a
   * single call), so an event accepted alone is accepted in a batch. Almost every body nests no
   * deeper than the limit and is parsed with one scan of its text; a deeper one is parsed within
   * `maxBatchJsonDepth`, its batch-level fields are held to the limit as an event's are, and
   * `deep` asks ingest to check each event, rejecting only those over it.
   */
  async function readBatchBody(c: Context): Promise<{ body: Record<string, unknown>; deep: boolean }> {
    const text = await readBodyText(c, batchOf.limit, { tooLarge: batchOf.tooLarge });
    const max = INGEST_LIMITS.maxJsonDepth;
    const parsed = safeParseJson(text, { maxDepth: max });
    if (parsed.ok || nestingDepth(text, max) <= max) return { body: objectBody(parsed), deep: false };
    const body = objectBody(safeParseJson(text, { maxDepth: INGEST_LIMITS.maxBatchJsonDepth }));
    // `sentAt`, `context`, `integrations` sit at level 2 of the envelope as they do in an event.
    for (const [key, value] of Object.entries(body)) {
      if (key !== 'batch' && nestingDepth(JSON.stringify(value) ?? '', max - 1) > max - 1) throw new ClientError('bad_request', `${key}: JSON nested deeper than ${max} levels`);
    }
    return { body, deep: true };
  }

  function objectBody(parsed: ReturnType<typeof safeParseJson>): Record<string, unknown> {
    if (!parsed.ok) throw new ClientError('bad_request', parsed.reason);
    if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) throw new ClientError('bad_request', 'body must be a JSON object');
    return parsed.value as Record<string, unknown>;
  }

  async function auth(header: string | undefined, body: Record<string, unknown>) {
    const key = keyFromHeader(header) ?? (typeof body.writeKey === 'string' ? body.writeKey : null);
    return authenticate(deps, key);
  }

  const respond = (result: IngestResult) => {
    const body = {
      success: result.accepted + result.duplicates > 0 || result.rejected.length === 0, accepted: result.accepted, duplicates: result.duplicates, rejected: result.rejected,
      ...(result.droppedTraits.length > 0 ? { droppedTraits: result.droppedTraits } : {}),
      ...(result.ordersNotApplied.length > 0 ? { ordersNotApplied: result.ordersNotApplied } : {}),
    };
    return body;
  };

  for (const type of segmentTypes) {
    const handler = async (c: Context) => {
      const body = await readBody(c, single);
      const { workspace } = await auth(c.req.header('authorization'), body);
      const result = await deps.ingest.ingest({ workspace, messages: [{ raw: body, type }] });
      const out = respond(result);
      if (!out.success) throw new ClientError('bad_request', result.rejected[0]!.reason, { details: out });
      return c.json(out, 200);
    };
    app.post(`/v1/${type}`, handler);
    // @segment/analytics-next posts each type to /v1/<first letter> (and batches to /v1/b).
    app.post(`/v1/${type[0]!}`, handler);
    for (const [path, summary] of [[`/v1/${type}`, `Segment ${type} call (also at /v1/${type[0]!})`], [`/v1/${type[0]!}`, `Segment ${type} call as @segment/analytics-next posts it (the same as /v1/${type})`]] as const) {
      app.openAPIRegistry.registerPath({
        method: 'post', path, tags: ['ingest'], summary,
        security: [{ writeKey: [] }],
        request: { body: { content: { 'application/json': { schema: schemaByType[type] } } } },
        responses: { 200: { description: 'Committed (or a duplicate of a committed messageId)', content: { 'application/json': { schema: ingestResponseSchema } } }, ...errorResponses },
      });
    }
  }

  const batchHandler = async (c: Context) => {
    const { body, deep } = await readBatchBody(c);
    const { workspace } = await auth(c.req.header('authorization'), body);
    const envelope = batchEnvelopeSchema.safeParse(body);
    if (!envelope.success) throw new ClientError('bad_request', describeIssues(envelope.error));
    const e = envelope.data;
    const result = await deps.ingest.ingest({
      workspace,
      messages: e.batch.map((raw) => ({ raw })),
      defaults: { sentAt: e.sentAt, context: e.context, integrations: e.integrations },
      ...(deep ? { maxJsonDepth: INGEST_LIMITS.maxJsonDepth } : {}),
    });
    const out = respond(result);
    // A batch with some invalid events still answers 200 (so SDKs do not retry the good ones);
    // the report lists each rejected event. Only a batch with nothing valid is a 400.
    if (!out.success) throw new ClientError('bad_request', `no valid event in the batch; first: [${result.rejected[0]!.index}] ${result.rejected[0]!.reason}`, { details: out });
    return c.json(out, 200);
  };
  app.post('/v1/batch', batchHandler);
  app.post('/v1/b', batchHandler);
  app.post('/v1/import', batchHandler);
  for (const [path, summary] of [['/v1/batch', 'Segment batch call (also at /v1/b and /v1/import)'], ['/v1/b', 'Segment batch call as @segment/analytics-next posts it (the same as /v1/batch)'], ['/v1/import', 'Segment batch call (the same as /v1/batch)']] as const) {
    app.openAPIRegistry.registerPath({
      method: 'post', path, tags: ['ingest'], summary,
      security: [{ writeKey: [] }],
      request: { body: { content: { 'application/json': { schema: batchEnvelopeSchema } } } },
      responses: { 200: { description: 'Valid events committed; rejected events listed with index, messageId and reason', content: { 'application/json': { schema: ingestResponseSchema } } }, ...errorResponses },
    });
  }
}

export const errorBodySchema = z.object({ success: z.literal(false), error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });

export const errorResponses = {
  400: { description: 'Malformed JSON or invalid body; the message names the path and the rule', content: { 'application/json': { schema: errorBodySchema } } },
  401: { description: 'Missing, unknown or revoked key', content: { 'application/json': { schema: errorBodySchema } } },
  413: { description: 'Body over the limit (32 KB per event, 500 KB per batch)', content: { 'application/json': { schema: errorBodySchema } } },
  429: { description: 'Rate limit of the key exceeded; see Retry-After', content: { 'application/json': { schema: errorBodySchema } } },
} as const;
