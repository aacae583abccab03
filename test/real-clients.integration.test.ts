import { request } from 'node:http';
import { join } from 'node:path';
import { Analytics } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServerProcess } from './support/server-process.js';
import { tempDir } from './support/temp-dir.js';

// The real Segment Node SDK, pointed at a running Tailor server with its `host` option.
describe('@segment/analytics-node against a running server', () => {
  const db = join(tempDir('tailor-sdk-'), 'sdk.db');
  let server: Awaited<ReturnType<typeof startServerProcess>>;
  let keys: { writeKey: string; adminKey: string };

  beforeAll(async () => {
    keys = JSON.parse(await runCli(['--db', db, '--json', 'init', '--name', 'SDK shop'])) as typeof keys;
    server = await startServerProcess(['--db', db]);
  });
  afterAll(async () => { await server?.stop(); });

  it('stores what the SDK sends and attributes it to the right profile', async () => {
    const analytics = new Analytics({ writeKey: keys.writeKey, host: server.url, flushAt: 5, flushInterval: 200, maxRetries: 1 });
    const errors: unknown[] = [];
    analytics.on('error', (e) => errors.push(e));
    analytics.track({ anonymousId: 'browser-1', event: 'Product Viewed', properties: { product_id: '85123A' } });
    analytics.track({ anonymousId: 'browser-1', event: 'Product Added', properties: { product_id: '85123A', quantity: 2 } });
    analytics.identify({ userId: 'sdk-user', anonymousId: 'browser-1', traits: { email: 'sdk@example.com', name: 'Ada' } });
    analytics.track({ userId: 'sdk-user', event: 'Order Completed', properties: { order_id: 'sdk-o1', revenue: 12.5, currency: 'GBP', products: [{ product_id: '85123A', price: 6.25, quantity: 2 }] } });
    analytics.page({ userId: 'other-user', name: 'Home' });
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(errors).toEqual([]);

    const res = await fetch(`${server.url}/v1/profiles/email:sdk@example.com?events=10`, { headers: { authorization: `Bearer ${keys.adminKey}` } });
    expect(res.status).toBe(200);
    const body = await res.json() as { identifiers: Array<{ type: string; value: string }>; events: Array<{ event: string | null; type: string }>; orders: Array<{ orderId: string; revenue: number }>; profile: { traits: Record<string, unknown> } };
    expect(body.identifiers.map((i) => `${i.type}:${i.value}`).sort()).toEqual(['anonymous_id:browser-1', 'email:sdk@example.com', 'user_id:sdk-user']);
    expect(body.events.map((e) => e.event ?? e.type).sort()).toEqual(['Order Completed', 'Product Added', 'Product Viewed', 'identify']);
    expect(body.orders).toEqual([expect.objectContaining({ orderId: 'sdk-o1', revenue: 12.5 })]);
    expect(body.profile.traits).toMatchObject({ name: 'Ada' });
    const other = await fetch(`${server.url}/v1/profiles/user_id:other-user`, { headers: { authorization: `Bearer ${keys.adminKey}` } });
    expect(((await other.json()) as { events: unknown[] }).events).toHaveLength(1);
  });

  it('reports an unknown write key to the SDK as an error, not silently', async () => {
    const analytics = new Analytics({ writeKey: 'tw_not-a-real-key', host: server.url, flushAt: 1, maxRetries: 0 });
    const errors: Array<{ code?: string; reason?: unknown }> = [];
    analytics.on('error', (e) => errors.push(e as { code?: string }));
    analytics.track({ userId: 'x', event: 'Nope' });
    await analytics.closeAndFlush({ timeout: 5_000 });
    expect(errors.length).toBeGreaterThan(0);
  });

  it('answers browsers with CORS: preflights, successes and errors', async () => {
    const origin = { origin: 'https://shop.example' };
    const preflight = await fetch(`${server.url}/v1/t`, { method: 'OPTIONS', headers: { ...origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(preflight.status).toBe(204);
    expect(Object.fromEntries(['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-max-age'].map((h) => [h, preflight.headers.get(h)]))).toEqual({
      'access-control-allow-origin': '*', 'access-control-allow-methods': 'POST,GET,DELETE,OPTIONS', 'access-control-allow-headers': 'Authorization,Content-Type,X-Retry-Count', 'access-control-max-age': '86400',
    });
    // analytics-next posts text/plain with the write key in the body (no preflight).
    const sent = await fetch(`${server.url}/v1/t`, { method: 'POST', headers: { ...origin, 'content-type': 'text/plain' }, body: JSON.stringify({ writeKey: keys.writeKey, type: 'track', anonymousId: 'cors-1', event: 'Product Viewed' }) });
    expect(sent.status).toBe(200);
    expect(sent.headers.get('access-control-allow-origin')).toBe('*');
    expect(sent.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Number(sent.headers.get('content-length'))).toBe(Buffer.byteLength(await sent.text()));
    const refused = await fetch(`${server.url}/v1/t`, { method: 'POST', headers: { ...origin, 'content-type': 'text/plain' }, body: JSON.stringify({ writeKey: 'tw_not-a-real-key', type: 'track', anonymousId: 'cors-1', event: 'X' }) });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
    const recs = await fetch(`${server.url}/v1/recommendations`, { method: 'POST', headers: { ...origin, authorization: `Bearer ${keys.adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'sdk-user', n: 3 }) });
    expect(recs.status).toBe(200);
    expect(recs.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('enforces the body limits on the server\'s own request stream: declared or chunked, single or batch', async () => {
    const auth = `Basic ${Buffer.from(`${keys.writeKey}:`).toString('base64')}`;
    // A body sent in chunks without a declared length (the server counts as it reads).
    const chunked = (path: string, body: string) => new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${server.url}${path}`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => { text += d.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      for (let i = 0; i < body.length; i += 4096) req.write(body.slice(i, i + 4096));
      req.end();
    });
    const event = (padding: number) => JSON.stringify({ type: 'track', anonymousId: 'limits-1', event: 'Product Viewed', properties: { note: 'x'.repeat(padding) } });
    const send = (path: string, body: string) => fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body });

    const declared = await send('/v1/track', event(40_000));
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: { code: 'payload_too_large', message: expect.stringContaining('32768 bytes (32 KB); see the ingest limits') } });
    const streamed = await chunked('/v1/t', event(40_000));
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.text)).toMatchObject({ error: { code: 'payload_too_large', message: expect.stringContaining('32768 bytes') } });
    const batch = JSON.stringify({ batch: Array.from({ length: 20 }, () => JSON.parse(event(30_000)) as unknown) });
    expect((await send('/v1/batch', batch)).status).toBe(413);
    const streamedBatch = await chunked('/v1/b', batch);
    expect(streamedBatch.status).toBe(413);
    expect(JSON.parse(streamedBatch.text)).toMatchObject({ error: { message: expect.stringContaining('512000 bytes') } });

    // Just under the limits, chunked or not, the events are stored.
    expect((await chunked('/v1/track', event(30_000))).status).toBe(200);
    expect((await send('/v1/batch', JSON.stringify({ batch: Array.from({ length: 15 }, () => JSON.parse(event(30_000)) as unknown) }))).status).toBe(200);
    const res = await fetch(`${server.url}/v1/profiles/anonymous_id:limits-1?events=50`, { headers: { authorization: `Bearer ${keys.adminKey}` } });
    expect(((await res.json()) as { events: unknown[] }).events).toHaveLength(16);

    // A client that goes away in the middle of a body: nothing is stored, and the server goes on.
    await new Promise<void>((resolve) => {
      const req = request(`${server.url}/v1/track`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
      req.on('error', () => resolve());
      req.write(event(10_000).slice(0, 5_000));
      setTimeout(() => req.destroy(), 100);
    });
    expect((await send('/v1/track', event(10))).status).toBe(200);
    const after = await fetch(`${server.url}/v1/profiles/anonymous_id:limits-1?events=50`, { headers: { authorization: `Bearer ${keys.adminKey}` } });
    expect(((await after.json()) as { events: unknown[] }).events).toHaveLength(17);
  });
});
