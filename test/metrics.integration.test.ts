import { expect, it } from 'vitest';
import { buildConfig } from '../src/config/config.js';
import { createTailor } from '../src/main.js';
import { fixedClock } from '../src/shared/clock.js';
import type { Store } from '../src/store/store.js';
import { basic, bearer } from './support/app.js';
import { describeEachEngine } from './support/engines.js';

const TOKEN = 'metrics-token-0123456789';

async function tailorWith(store: Store, env: Record<string, string>) {
  const tailor = await createTailor(buildConfig({ env, flags: {} }), { store, clock: fixedClock(Date.parse('2024-03-02T00:00:00Z')), log: () => {} });
  const { keys } = await tailor.workspaces.createWorkspace({ name: 'Metrics shop', jurisdiction: 'UK' });
  const scrape = (authorization?: string) => tailor.app.request('/metrics', authorization === undefined ? {} : { headers: { authorization } });
  return { tailor, keys, scrape };
}

describeEachEngine('GET /metrics', (engine) => {
  it('is not served without a configured token, and no workspace key reads it', async () => {
    const store = await engine.open();
    try {
      const off = await tailorWith(store, {});
      const res = await off.scrape(bearer(off.keys.admin));
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'not_found', message: expect.stringContaining('TAILOR_METRICS_TOKEN') } });

      const on = await tailorWith(store, { TAILOR_METRICS_TOKEN: TOKEN });
      for (const authorization of [undefined, bearer(on.keys.admin), basic(TOKEN), bearer(`${TOKEN}x`), bearer(TOKEN.slice(0, -1))]) {
        const denied = await on.scrape(authorization);
        expect(denied.status).toBe(401);
        expect(denied.headers.get('www-authenticate')).toBe('Bearer realm="tailor-metrics"');
        expect(await denied.text()).not.toContain('tailor_');
      }
      const ok = await on.scrape(bearer(TOKEN));
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(await ok.text()).toContain('tailor_info{version="0.1.0",database="' + store.features.name + '"} 1');
    } finally {
      await store.close();
    }
  });

  it('counts requests by route pattern and status, events by outcome, merges and recommendations — with no identifier in any label', async () => {
    const store = await engine.open();
    try {
      const { tailor, keys, scrape } = await tailorWith(store, { TAILOR_METRICS_TOKEN: TOKEN });
      const write = { authorization: basic(keys.write), 'content-type': 'application/json' };
      const batch = {
        batch: [
          { type: 'track', userId: 'secret-user-1', event: 'Product Viewed', messageId: 'm-1' },
          { type: 'track', anonymousId: 'anon-1', event: 'Product Viewed', messageId: 'm-2' },
          { type: 'track', event: 'No identity', messageId: 'm-3' },
        ],
      };
      expect((await tailor.app.request('/v1/batch', { method: 'POST', headers: write, body: JSON.stringify(batch) })).status).toBe(200);
      // The same message again (a duplicate) and an identify that links the visitor to the user (a merge).
      expect((await tailor.app.request('/v1/track', { method: 'POST', headers: write, body: JSON.stringify(batch.batch[0]) })).status).toBe(200);
      expect((await tailor.app.request('/v1/identify', { method: 'POST', headers: write, body: JSON.stringify({ userId: 'secret-user-1', anonymousId: 'anon-1', messageId: 'm-4' }) })).status).toBe(200);
      expect((await tailor.app.request('/v1/profiles/user_id:secret-user-1', { headers: { authorization: bearer(keys.admin) } })).status).toBe(200);
      expect((await tailor.app.request('/v1/profiles/user_id:nobody', { headers: { authorization: bearer(keys.admin) } })).status).toBe(404);
      expect((await tailor.app.request('/v1/no-such-route')).status).toBe(404);
      const recs = await tailor.app.request('/v1/recommendations', { method: 'POST', headers: { authorization: bearer(keys.admin), 'content-type': 'application/json' }, body: JSON.stringify({ anonymousId: 'new-visitor', strategy: 'trending', n: 3 }) });
      expect(recs.status).toBe(200);

      const text = await (await scrape(bearer(TOKEN))).text();
      expect(text).toContain('tailor_http_requests_total{method="POST",route="/v1/batch",status="200"} 1');
      expect(text).toContain('tailor_http_requests_total{method="GET",route="/v1/profiles/:ref",status="200"} 1');
      expect(text).toContain('tailor_http_requests_total{method="GET",route="/v1/profiles/:ref",status="404"} 1');
      expect(text).toContain('tailor_http_requests_total{method="GET",route="unmatched",status="404"} 1');
      expect(text).toContain('tailor_http_request_duration_seconds_count{method="POST",route="/v1/track"} 1');
      expect(text).toContain('tailor_ingest_events_total{source="api",outcome="accepted"} 3');
      expect(text).toContain('tailor_ingest_events_total{source="api",outcome="duplicate"} 1');
      expect(text).toContain('tailor_ingest_events_total{source="api",outcome="rejected"} 1');
      expect(text).toContain('tailor_identity_merges_total 1');
      expect(text).toContain('tailor_recommendations_total{personalized="false"} 1');
      expect(text).toMatch(/^tailor_segment_realtime_queue_people \d+$/m);
      expect(text).toMatch(/^tailor_ingest_waiting_events 0$/m);
      // While a batch waits for its commit, the gauge shows its events.
      const workspace = (await tailor.workspaces.listWorkspaces())[0]!;
      const pending = tailor.ingest.ingest({ workspace, messages: [{ raw: { userId: 'u-w', event: 'A', messageId: 'w-1' }, type: 'track' }, { raw: { userId: 'u-w', event: 'B', messageId: 'w-2' }, type: 'track' }] });
      expect(await (await scrape(bearer(TOKEN))).text()).toMatch(/^tailor_ingest_waiting_events 2$/m);
      expect((await pending).accepted).toBe(2);
      expect(await (await scrape(bearer(TOKEN))).text()).toMatch(/^tailor_ingest_waiting_events 0$/m);
      expect(text).toMatch(/^tailor_recommendation_logs_pending 1$/m);
      // Node's process metrics are on by default when metrics are served.
      expect(text).toContain('process_resident_memory_bytes');
      for (const secret of ['secret-user-1', 'anon-1', 'nobody', 'new-visitor', keys.write, keys.admin, 'Metrics shop']) expect(text).not.toContain(secret);
      await tailor.close();
    } finally {
      await store.close().catch(() => {});
    }
  });
});
