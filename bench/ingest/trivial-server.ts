/**
 * The floor for bench/ingest: the same HTTP stack (Hono on @hono/node-server) with an
 * endpoint that only reads and parses the batch and answers. Tailor's ingest cannot be
 * faster than this on the same machine and load generator.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.post('/v1/batch', async (c) => {
  const body = JSON.parse(await c.req.text()) as { batch: unknown[] };
  return c.json({ success: true, accepted: body.batch.length, duplicates: 0, rejected: [] });
});
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${info.port}` }, null, 2)}\n`);
});
process.on('SIGTERM', () => process.exit(0));
