import { afterAll, expect, it } from 'vitest';
import type { Tailor } from '../src/main.js';
import type { Workspace } from '../src/workspaces/workspace-repository.js';
import { appFor, basic, bearer } from './support/app.js';
import { describeEachEngine } from './support/engines.js';
import { orderCompleted, trackMessage } from './support/factories.js';

const DAY = 86_400_000;
const NOW = Date.parse('2024-06-01T00:00:00Z');
const at = (daysAgo: number) => new Date(NOW - daysAgo * DAY).toISOString();
const PROFILING_ON = {
  privacy: { defaults: { overrides: (['profiling', 'personalization'] as const).map((purpose) => ({ purpose, default: 'on', legalBasis: 'legitimate_interests', note: 'test' })) } },
};

/**
 * Three kinds of customer, eight of each: `big-N` order £400 every two weeks for a year
 * (last a few days ago); `once-N` bought once for £15 about 300 days ago; `gift-N` order
 * gifts with a coupon every two months. Plus `browser` (no order) and `private` (a big
 * spender who switched personalization off).
 */
async function seed(tailor: Tailor, writeKey: string, post: (path: string, body: unknown, headers?: Record<string, string>) => Response | Promise<Response>) {
  const batch: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 8; i++) {
    for (let k = 0; k < 26; k++) batch.push(orderCompleted({ userId: `big-${i}`, timestamp: at(2 + i + 14 * k) }, { revenue: 400 + 10 * i, products: [{ product_id: 'lamp', price: 100, quantity: 4, category: 'Home' }] }));
    batch.push(orderCompleted({ userId: `once-${i}`, timestamp: at(290 + 5 * i) }, { revenue: 15 + i, products: [{ product_id: 'mug', price: 5, quantity: 3, category: 'Kitchen' }] }));
    for (let k = 0; k < 4; k++) batch.push(orderCompleted({ userId: `gift-${i}`, timestamp: at(20 + i + 60 * k) }, { revenue: 60 + 2 * i, coupon: 'GIFT10', products: [{ product_id: 'giftbox', price: 30, quantity: 2, category: 'Gifts' }] }));
  }
  for (let k = 0; k < 26; k++) batch.push(orderCompleted({ userId: 'private', timestamp: at(3 + 14 * k) }, { revenue: 420 }));
  batch.push(trackMessage({ userId: 'browser', event: 'Product Viewed', timestamp: at(1) }));
  const res = await post('/v1/batch', { batch }, { authorization: basic(writeKey) });
  expect(res.status).toBe(200);
}

describeEachEngine('customer clusters', (engine) => {
  afterAll(() => engine.cleanup());

  /** User id → profile id of a workspace. */
  const profileIds = async (tailor: Tailor, ws: Workspace) => new Map((await tailor.store.db.selectFrom('identities').select(['profile_id', 'value']).where('workspace_id', '=', ws.id).where('type', '=', 'user_id').execute()).map((r) => [r.value, r.profile_id]));

  it('clusters customers by behaviour, describes each cluster, saves clusters as segments, and keeps out people who refused profiling', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, clock } = await appFor(store);
      clock.set(NOW);
      const { workspace, keys } = await tailor.workspaces.createWorkspace({ name: 'gift shop', jurisdiction: 'UK', settings: { defaultCurrency: 'GBP', ...PROFILING_ON } as never });
      await seed(tailor, keys.write, post);
      expect((await tailor.consent.setPersonalization(workspace, 'user_id:private', false, 'test')).ok).toBe(true);
      const ws = (await tailor.workspaces.getWorkspace(workspace.id))!;
      await tailor.compute.computeWorkspace(ws);

      // Options are checked before anything is read.
      expect(await tailor.clusters.run(ws, { kRange: [1, 3] })).toMatchObject({ ok: false, error: { type: 'invalid_option' } });
      expect(await tailor.clusters.get(ws, 'latest')).toMatchObject({ ok: false, error: { type: 'model_not_found', message: expect.stringContaining('no clustering yet') } });

      const progress: number[] = [];
      const run = await tailor.clusters.run(ws, { kRange: [2, 5], seed: 7, onProgress: (p) => { if (p.phase === 'k') progress.push(p.k); } });
      if (!run.ok) throw new Error(run.error.message);
      const model = run.value.model;
      expect(progress).toEqual([2, 3, 4, 5]);
      expect(model.people).toBe(24);
      expect(run.value.profilingExcluded).toBe(1);
      expect(model.k).toBe(3);
      expect(model.features.map((f) => f.id)).toEqual(expect.arrayContaining(['recency', 'frequency', 'monetary', 'discount', 'category:Gifts']));

      // Each kind of customer is one cluster, with a description that fits it.
      const ids = await profileIds(tailor, ws);
      const rows = await store.db.selectFrom('cluster_assignments').select(['profile_id', 'cluster']).where('workspace_id', '=', ws.id).where('model_id', '=', run.value.id).execute();
      const clusterOf = new Map(rows.map((r) => [r.profile_id, Number(r.cluster)]));
      expect(clusterOf.size).toBe(24);
      expect(clusterOf.has(ids.get('private')!)).toBe(false);
      expect(clusterOf.has(ids.get('browser')!)).toBe(false);
      const kindCluster = (kind: string) => {
        const set = new Set([0, 1, 2, 3, 4, 5, 6, 7].map((i) => clusterOf.get(ids.get(`${kind}-${i}`)!)));
        expect(set.size, kind).toBe(1);
        return [...set][0]!;
      };
      const [big, once, gift] = [kindCluster('big'), kindCluster('once'), kindCluster('gift')];
      expect(new Set([big, once, gift]).size).toBe(3);
      expect(model.clusters[big - 1]!.description).toMatch(/buys often|high spend|large baskets/);
      expect(model.clusters[once - 1]!.description).toMatch(/buys rarely|low spend|has not bought lately/);
      expect(model.clusters[gift - 1]!.description).toMatch(/discount-driven|Gifts-oriented/);
      expect(model.clusters.map((c) => c.size)).toEqual([8, 8, 8]);

      // Save the first run's gift cluster as a segment: members are that cluster, evaluated now.
      const saved = await tailor.clusters.save(ws, run.value.id, [gift]);
      if (!saved.ok) throw new Error(saved.error.message);
      expect(saved.value[0]).toMatchObject({ memberCount: 8, name: `Cluster ${gift} of 3: ${model.clusters[gift - 1]!.description}` });
      const members = await tailor.segments.members(ws, saved.value[0]!.id, { after: null, limit: 100 });
      expect(members.ok && members.value.map((m) => m.userId).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `gift-${i}`));
      expect(await tailor.clusters.save(ws, run.value.id, [4])).toMatchObject({ ok: false, error: { type: 'invalid_cluster', message: expect.stringContaining('clusters 1 to 3') } });

      // A cluster combines with other conditions; bad references are named.
      const combined = await tailor.segments.preview(ws, { name: 'gift buyers lately', condition: { all: [{ cluster: { model: run.value.id, number: gift } }, { event: 'Order Completed', withinLastDays: 24 }] } });
      expect(combined.ok && combined.value.count).toBe(5); // gift-0 … gift-4 ordered 20–24 days ago (the window includes its start)
      const unknown = await tailor.segments.validate(ws, { name: 'x', condition: { cluster: { model: 'nope', number: 1 } } });
      expect(unknown).toMatchObject({ ok: false, error: { issues: [{ path: 'condition.cluster.model', message: expect.stringContaining('no clustering model with id "nope"') }] } });
      const tooHigh = await tailor.segments.validate(ws, { name: 'x', condition: { all: [{ event: 'Order Completed' }, { not: { cluster: { model: run.value.id, number: 9 } } }] } });
      expect(tooHigh).toMatchObject({ ok: false, error: { issues: [{ path: 'condition.all[1].not.cluster.number', message: expect.stringContaining('has clusters 1 to 3, not 9') }] } });
      expect(await tailor.segments.validate(ws, { name: 'x', condition: { cluster: { model: run.value.id, number: 0 } } })).toMatchObject({ ok: false, error: { issues: [{ path: 'condition.cluster.number' }] } });

      // The same seed on the same data gives the same clusters.
      const again = await tailor.clusters.run(ws, { kRange: [2, 5], seed: 7 });
      expect(again.ok && again.value.model.clusters.map((c) => c.description)).toEqual(model.clusters.map((c) => c.description));
      expect(again.ok && again.value.version).toBe(run.value.version + 1);

      // A third run drops the assignments of runs no segment uses (the second), keeps the saved one's.
      const third = await tailor.clusters.run(ws, { kRange: [2, 4], seed: 1 });
      if (!third.ok) throw new Error(third.error.message);
      const models = (await store.db.selectFrom('cluster_assignments').select('model_id').distinct().where('workspace_id', '=', ws.id).execute()).map((r) => r.model_id).sort();
      expect(models).toEqual([run.value.id, third.value.id].sort());
      expect((await tailor.clusters.list(ws)).map((r) => r.version)).toEqual([3, 2, 1]);
      expect(again.ok && await tailor.clusters.save(ws, again.value.id, 'all')).toMatchObject({ ok: false, error: { type: 'assignments_dropped', message: expect.stringContaining('run `tailor segments cluster` again') } });

      // Customers who arrive later are placed by likeness with the stored run, not by refitting it.
      const later: Array<Record<string, unknown>> = [];
      for (let k = 0; k < 4; k++) later.push(orderCompleted({ userId: 'gift-new', timestamp: at(25 + 60 * k) }, { revenue: 64, coupon: 'GIFT10', products: [{ product_id: 'giftbox', price: 32, quantity: 2, category: 'Gifts' }] }));
      for (let k = 0; k < 26; k++) later.push(orderCompleted({ userId: 'big-new', timestamp: at(4 + 14 * k) }, { revenue: 415, products: [{ product_id: 'lamp', price: 100, quantity: 4, category: 'Home' }] }));
      expect((await post('/v1/batch', { batch: later }, { authorization: basic(keys.write) })).status).toBe(200);
      // Their real-time segment update runs before they are placed (a flush that ran after the
      // placement would put them into the saved cluster segment itself, before the evaluation below).
      await tailor.realtime.drain();
      await tailor.compute.computeWorkspace(ws);
      expect(await tailor.clusters.placeNewCustomers(ws)).toEqual({ models: 1, placed: 2 });
      expect(await tailor.clusters.placeNewCustomers(ws)).toEqual({ models: 1, placed: 0 }); // placed once
      const placedNow = new Map((await store.db.selectFrom('cluster_assignments').select(['profile_id', 'cluster']).where('workspace_id', '=', ws.id).where('model_id', '=', run.value.id).execute()).map((r) => [r.profile_id, Number(r.cluster)]));
      const ids2 = await profileIds(tailor, ws);
      expect(placedNow.get(ids2.get('gift-new')!)).toBe(gift);
      expect(placedNow.get(ids2.get('big-new')!)).toBe(big);
      const withNew = await tailor.segments.evaluate(ws, saved.value[0]!.id);
      expect(withNew.ok && withNew.value).toMatchObject({ members: 9, entered: 1, exited: 0 });

      // Export shows the person's clusters; erasure removes them, and the segment membership.
      const admin = { authorization: bearer(keys.admin), 'content-type': 'application/json' };
      const doc = await (await tailor.app.request('/v1/profiles/user_id:gift-0/export', { headers: admin })).json() as { predictions: Array<{ name: string; value: { number: number }; model: string }> };
      expect(doc.predictions.filter((p) => p.name === 'cluster').map((p) => p.value.number).sort()).toHaveLength(2);
      expect(doc.predictions.find((p) => p.name === 'cluster')).toMatchObject({ model: 'segment-clusters' });
      expect((await tailor.app.request('/v1/profiles/user_id:gift-0', { method: 'DELETE', headers: admin })).status).toBe(200);
      expect(await store.db.selectFrom('cluster_assignments').select('profile_id').where('profile_id', '=', ids.get('gift-0')!).execute()).toEqual([]);
      const after = await tailor.segments.evaluate(ws, saved.value[0]!.id);
      expect(after.ok && after.value.members).toBe(8);
    } finally {
      await store.close();
    }
  });

  it('serves clustering over HTTP: run, list, show, save as segments; errors named; other workspaces see nothing', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, clock, b } = await appFor(store);
      clock.set(NOW);
      const { workspace, keys } = await tailor.workspaces.createWorkspace({ name: 'gift shop', jurisdiction: 'UK', settings: { defaultCurrency: 'GBP', ...PROFILING_ON } as never });
      await seed(tailor, keys.write, post);
      await tailor.compute.computeWorkspace((await tailor.workspaces.getWorkspace(workspace.id))!);
      const admin = { authorization: bearer(keys.admin), 'content-type': 'application/json' };
      const req = (path: string, init: RequestInit = {}, headers: Record<string, string> = admin) => tailor.app.request(path, { ...init, headers });

      const bad = await req('/v1/clusters', { method: 'POST', body: JSON.stringify({ minK: 3, maxK: 2 }) });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/2 ≤ min ≤ max ≤ 20, got 3–2/);
      expect((await req('/v1/clusters', { method: 'POST', body: JSON.stringify({ maxK: 4, colour: 'red' }) })).status).toBe(400);
      expect((await req('/v1/clusters/latest')).status).toBe(404);

      const run = await req('/v1/clusters', { method: 'POST', body: JSON.stringify({ minK: 2, maxK: 4, seed: 7 }) });
      expect(run.status).toBe(201);
      const body = await run.json() as { id: string; model: { k: number; people: number; clusters: Array<{ description: string; size: number }> } };
      expect(body.model).toMatchObject({ k: 3, people: 25 }); // `private` is in: personalization is on here
      const shown = await (await req('/v1/clusters/latest')).json() as { id: string };
      expect(shown.id).toBe(body.id);
      expect(((await (await req('/v1/clusters')).json()) as { clusterings: unknown[] }).clusterings).toHaveLength(1);

      const saved = await req(`/v1/clusters/${body.id}/segments`, { method: 'POST', body: JSON.stringify({ clusters: 'all' }) });
      expect(saved.status).toBe(201);
      const segments = ((await saved.json()) as { segments: Array<{ memberCount: number; name: string }> }).segments;
      expect(segments.map((s) => s.memberCount)).toEqual(body.model.clusters.map((c) => c.size));
      expect((await req(`/v1/clusters/${body.id}/segments`, { method: 'POST', body: JSON.stringify({ clusters: [7] }) })).status).toBe(400);
      expect((await req(`/v1/clusters/${body.id}/segments`, { method: 'POST', body: JSON.stringify({ clusters: [] }) })).status).toBe(400);

      // Another workspace's admin key sees none of it; a write key may not run it.
      const other = { authorization: bearer(b.keys.admin), 'content-type': 'application/json' };
      expect((await req(`/v1/clusters/${body.id}`, {}, other)).status).toBe(404);
      expect((await req(`/v1/clusters/${body.id}/segments`, { method: 'POST', body: JSON.stringify({ clusters: 'all' }) }, other)).status).toBe(404);
      expect((await req('/v1/clusters', { method: 'POST', body: '{}' }, { authorization: basic(keys.write), 'content-type': 'application/json' })).status).toBeGreaterThanOrEqual(401);
      const openapi = await (await tailor.app.request('/openapi.json')).json() as { paths: Record<string, unknown> };
      expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v1/clusters', '/v1/clusters/{id}', '/v1/clusters/{id}/segments']));
    } finally {
      await store.close();
    }
  });
});
