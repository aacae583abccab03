import { createHash, timingSafeEqual } from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { matchedRoutes } from 'hono/route';
import { ClientError } from '../shared/errors.js';
import { errorBodySchema } from './ingest-routes.js';
import type { Metrics } from './metrics.js';

export interface MetricsRouteDeps {
  /** The bearer token a scraper must send; null: `/metrics` is not served (404). */
  token: string | null;
  /** The text to answer with (in a `--workers` cluster: every worker's, aggregated by the primary). */
  scrape: () => Promise<{ contentType: string; text: string }>;
  log: (message: string, error?: unknown) => void;
}

/** Whether two secrets are equal, in time that does not depend on where they differ. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Times every request and counts it by method, route pattern and status (registered first,
 * so it sees the answer of every route and of the error boundary); a request no route
 * matched is counted under the route `unmatched`, so unknown paths add no series.
 */
export function registerRequestMetrics(app: OpenAPIHono, metrics: Metrics): void {
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    // The route a handler was registered for (middleware is registered for every method), even
    // when a middleware answered before it (a body over the limit).
    const route = matchedRoutes(c).findLast((r) => r.method !== 'ALL')?.path ?? 'unmatched';
    metrics.request(c.req.method, route, c.res.status, (performance.now() - started) / 1000);
  });
}

/**
 * `GET /metrics`: the Prometheus text exposition (format 0.0.4), for a scraper that sends
 * `Authorization: Bearer <metrics.token>`. Without a configured token the route answers 404,
 * as if it did not exist: the metrics describe the whole process (every workspace's traffic
 * together), so no workspace key may read them.
 */
export function registerMetricsRoute(app: OpenAPIHono, deps: MetricsRouteDeps): void {
  app.get('/metrics', async (c) => {
    if (deps.token === null) throw new ClientError('not_found', 'no route for GET /metrics: set metrics.token (TAILOR_METRICS_TOKEN) to serve metrics');
    const header = c.req.header('authorization') ?? '';
    const match = /^bearer\s+(\S+)\s*$/i.exec(header.trim());
    if (match === null || !sameSecret(match[1]!, deps.token)) {
      c.header('WWW-Authenticate', 'Bearer realm="tailor-metrics"');
      return c.json({ success: false, error: { code: 'unauthorized', message: 'send the metrics token as Authorization: Bearer <token>' } }, 401);
    }
    let scraped: { contentType: string; text: string };
    try {
      scraped = await deps.scrape();
    } catch (error) {
      deps.log('metrics could not be gathered', error);
      return c.json({ success: false, error: { code: 'unavailable', message: 'metrics could not be gathered; see the server log' } }, 503);
    }
    return c.body(scraped.text, 200, { 'content-type': scraped.contentType });
  });
  app.openAPIRegistry.registerPath({
    method: 'get', path: '/metrics', tags: ['operations'],
    summary: 'Operational metrics in the Prometheus text format (requires metrics.token as Bearer; 404 when no token is configured)',
    security: [{ metricsToken: [] }],
    responses: {
      200: { description: 'Prometheus text exposition, format 0.0.4', content: { 'text/plain': { schema: z.string() } } },
      401: { description: 'Missing or wrong metrics token', content: { 'application/json': { schema: errorBodySchema } } },
      404: { description: 'Metrics are not served: no metrics.token is configured', content: { 'application/json': { schema: errorBodySchema } } },
      503: { description: 'The metrics could not be gathered (in a cluster: the primary did not answer in time)', content: { 'application/json': { schema: errorBodySchema } } },
    },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'metricsToken', { type: 'http', scheme: 'bearer', description: 'The `metrics.token` of the configuration (TAILOR_METRICS_TOKEN); not a workspace key' });
}
