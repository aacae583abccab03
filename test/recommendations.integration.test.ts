import { afterAll, expect, it } from 'vitest';
import { buildConfig } from '../src/config/config.js';
import type { RecommendationResponse } from '../src/recommend/recommendation-service.js';
import { createTailor } from '../src/main.js';
import { fixedClock } from '../src/shared/clock.js';
import { recommendationRepositorySql } from '../src/store/repositories/recommendation-repository-sql.js';
import type { Store } from '../src/store/store.js';
import { basic, bearer } from './support/app.js';
import { describeEachEngine } from './support/engines.js';
import { ingestAll, openShop, SHOP_CATALOG, shopItem, shopOrders } from './support/shop.js';

const NOW = Date.parse('2024-06-01T12:00:00Z');
const DAY = 86_400_000;

/** The Tailor built on each store, so a test's end drains its queued real-time work before the store closes. */
const tailors = new Map<Store, Awaited<ReturnType<typeof createTailor>>>();
async function closeStore(store: Store): Promise<void> {
  const tailor = tailors.get(store);
  tailors.delete(store);
  if (tailor === undefined) await store.close();
  else await tailor.close();
}

async function shopFor(store: Store) {
  const clock = fixedClock(NOW);
  const errors: unknown[] = [];
  const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store, clock, log: (m, e) => errors.push([m, e]), recommendationTimers: false });
  tailors.set(store, tailor);
  const { workspace, keys } = await openShop(tailor, NOW);
  // Computed traits give each person's country (region popularity) before training.
  await tailor.compute.computeWorkspace(workspace);
  const trained = await tailor.recommendations.train(workspace);
  const admin = { authorization: bearer(keys.admin), 'content-type': 'application/json' };
  const recommend = async (body: Record<string, unknown>) => {
    const res = await tailor.app.request('/v1/recommendations', { method: 'POST', body: JSON.stringify(body), headers: admin });
    return { status: res.status, body: await res.json() as RecommendationResponse & { error?: { message: string } } };
  };
  const ws = async () => (await tailor.workspaces.getWorkspace(workspace.id))!;
  return { tailor, clock, workspace, keys, trained, admin, recommend, ws, errors };
}

const boughtBy = async (store: Store, workspaceId: string, userId: string) => {
  const owner = await store.db.selectFrom('identities').select('profile_id').where('workspace_id', '=', workspaceId).where('type', '=', 'user_id').where('value', '=', userId).executeTakeFirstOrThrow();
  const rows = await store.db.selectFrom('orders as o').innerJoin('order_items as i', (j) => j.onRef('i.workspace_id', '=', 'o.workspace_id').onRef('i.order_id', '=', 'o.order_id'))
    .select('i.item_id').where('o.workspace_id', '=', workspaceId).where('o.profile_id', '=', owner.profile_id).execute();
  return new Set(rows.map((r) => r.item_id));
};

describeEachEngine('recommendations', (engine) => {
  afterAll(() => engine.cleanup());

  it('trains on the shop, serves each person what fits their taste with reasons that cite only what they did, and never what they bought', async () => {
    const store = await engine.open();
    try {
      const { tailor, workspace, trained, recommend } = await shopFor(store);
      expect(trained).toMatchObject({ version: 1, excludedPeople: 0, stats: { people: 70, interactions: { purchase: expect.any(Number) } } });
      const { status, body } = await recommend({ user: 'user_id:tea-1', n: 5, placement: undefined });
      expect(status).toBe(200);
      expect(body).toMatchObject({ personalized: true, personalization: { basis: 'history' }, modelVersion: 1, placement: 'default' });
      const bought = await boughtBy(store, workspace.id, 'tea-1');
      const items = body.items.filter((i) => !i.exploration);
      expect(items.length).toBeGreaterThanOrEqual(3);
      for (const item of body.items) {
        // Bought before only if due again, and then it says so.
        if (bought.has(item.itemId)) expect(item.reasons.map((r) => r.type), `${item.itemId} was bought already`).toContain('buy_again');
        expect(item.itemId).not.toBe('coffee-oos');
        const total = item.reasons.reduce((s, r) => s + r.weight, 0);
        expect(total).toBeCloseTo(1, 2);
        // P8: a reason that cites items cites only what the person did.
        for (const r of item.reasons) if (r.type === 'history') for (const cited of r.items ?? []) expect(bought.has(cited), `${cited} cited but not bought`).toBe(true);
      }
      // The best non-exploring items are teas (or what tea lovers also buy), not coffee or protein.
      expect(items[0]!.itemId).toMatch(/^(tea|snack-1|snack-ls|new-tea)/);
      expect(items.slice(0, 3).some((i) => i.reasons.some((r) => r.type === 'history' && r.message.startsWith('because you bought')))).toBe(true);
      // Coffee lovers get coffee.
      const coffee = await recommend({ user: 'user_id:coffee-1', n: 3 });
      expect(coffee.body.items.filter((i) => !i.exploration)[0]!.itemId).toMatch(/^(coffee|snack-2)/);
      // Every response is logged with what was shown.
      await tailor.recommendations.flush();
      const log = await store.db.selectFrom('recommendation_log').selectAll().where('workspace_id', '=', workspace.id).where('id', '=', body.recommendationId).executeTakeFirstOrThrow();
      expect(log).toMatchObject({ placement: 'default', model_version: 1 });
    } finally {
      await closeStore(store);
    }
  });

  it('serves similar items, items bought together, buy-again near replenishment time, trending and new arrivals', async () => {
    const store = await engine.open();
    try {
      const { tailor, keys, recommend } = await shopFor(store);
      const similar = await recommend({ strategy: 'similar', itemId: 'tea-1', n: 4 });
      expect(similar.body.personalized).toBe(false);
      const main = similar.body.items.filter((i) => !i.exploration);
      expect(main.map((i) => i.itemId)).not.toContain('tea-1');
      expect(main[0]!.itemId).toMatch(/^(tea|new-tea|snack-1|snack-ls)/);
      expect(main[0]!.reasons.map((r) => r.message).join(' ')).toMatch(/tea blend 1/i);

      const together = await recommend({ strategy: 'bought_together', items: ['coffee-2'], n: 3 });
      expect(together.body.items.filter((i) => !i.exploration)[0]!.reasons[0]!.message).toMatch(/often bought with|also chose/);

      // A person who buys oat snack 5 every 10 days, last 9 days ago: due again.
      const events = [40, 30, 20, 10, 9].map((d, k) => ({
        type: 'track', event: 'Order Completed', userId: 'regular', messageId: `reg-${k}`, timestamp: new Date(NOW - d * DAY).toISOString(),
        properties: { order_id: `reg-${k}`, currency: 'GBP', revenue: 5, products: [{ product_id: k === 4 ? 'tea-6' : 'snack-5', price: 5, quantity: 1 }] },
      }));
      await ingestAll(tailor, keys.write, events);
      const again = await recommend({ user: 'user_id:regular', strategy: 'buy_again', n: 3 });
      const first = again.body.items.find((i) => !i.exploration)!;
      expect(first.itemId).toBe('snack-5');
      expect(first.reasons[0]!.message).toMatch(/you buy this about every 10 days; last bought 10 days ago/);

      const trending = await recommend({ strategy: 'trending', n: 5 });
      expect(trending.body.items.filter((i) => !i.exploration).every((i) => i.reasons.some((r) => r.type === 'trending'))).toBe(true);

      const fresh = await recommend({ user: 'user_id:tea-2', strategy: 'new_arrivals', n: 3 });
      expect(fresh.body.items[0]!.itemId).toBe('new-tea');
      expect(fresh.body.items[0]!.reasons.map((r) => r.type)).toContain('new');
    } finally {
      await closeStore(store);
    }
  });

  it('starts people without history from their declared preferences, search, region and segments, and blends toward their history as it grows', async () => {
    const store = await engine.open();
    try {
      const { tailor, keys, recommend } = await shopFor(store);
      await ingestAll(tailor, keys.write, [{ type: 'identify', userId: 'newbie', messageId: 'nb-1', timestamp: new Date(NOW - DAY).toISOString(), traits: { preferences: ['low sugar'] } }]);
      const cold = await recommend({ user: 'user_id:newbie', n: 5 });
      expect(cold.body).toMatchObject({ personalized: true, personalization: { basis: 'cold_start' } });
      expect(cold.body.items[0]).toMatchObject({ itemId: 'snack-ls' });
      expect(cold.body.items[0]!.reasons.map((r) => r.message)).toContain('matches your preference: low sugar');

      const searched = await recommend({ user: 'user_id:newbie', n: 3, context: { referrer: 'https://www.google.com/search?q=protein+bar' } });
      expect(searched.body.items[0]!.itemId).toMatch(/^prot-/);
      expect(searched.body.items[0]!.reasons.map((r) => r.message)).toContain('matches what you searched for: protein bar');

      // An unknown visitor from Germany (where the coffee lovers are): the region's favourites.
      const visitor = await recommend({ anonymousId: 'never-seen', n: 3, context: { region: 'DE' } });
      expect(visitor.body).toMatchObject({ personalized: true, personalization: { basis: 'context' } });
      expect(visitor.body.items.filter((i) => !i.exploration)[0]!.reasons.map((r) => r.message)).toContain('popular in your region (DE)');

      // After a few coffee purchases, history takes over from the cold start.
      await ingestAll(tailor, keys.write, [1, 2, 3, 4].map((k) => ({
        type: 'track', event: 'Order Completed', userId: 'newbie', messageId: `nb-o${k}`, timestamp: new Date(NOW - k * 3600_000).toISOString(),
        properties: { order_id: `nb-o${k}`, currency: 'GBP', revenue: 5, products: [{ product_id: `coffee-${k}`, price: 5, quantity: 1 }] },
      })));
      const warm = await recommend({ user: 'user_id:newbie', n: 3 });
      expect(warm.body.personalization.basis).toBe('history');
      expect(warm.body.items.filter((i) => !i.exploration)[0]!.itemId).toMatch(/^coffee-[56]$/);
    } finally {
      await closeStore(store);
    }
  });

  it('learns what each segment favours: a new member without history starts from it, and trending can be scoped to it', async () => {
    const store = await engine.open();
    try {
      const { tailor, keys, recommend, ws } = await shopFor(store);
      await ingestAll(tailor, keys.write, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((k) => ({ type: 'identify', userId: `gym-${k}`, messageId: `plan-${k}`, timestamp: new Date(NOW - DAY).toISOString(), traits: { plan: 'athlete' } })));
      const created = await tailor.segments.create(await ws(), { name: 'Athletes', condition: { trait: 'plan', source: 'profile', op: '=', value: 'athlete' } });
      if (!created.ok) throw new Error(JSON.stringify(created.error));
      expect(await tailor.segments.evaluate(await ws(), created.value.id)).toMatchObject({ ok: true, value: { members: 10 } });
      expect((await tailor.recommendations.train(await ws())).version).toBe(2);
      // A new athlete, no purchases yet.
      await ingestAll(tailor, keys.write, [{ type: 'identify', userId: 'new-athlete', messageId: 'plan-new', timestamp: new Date(NOW - DAY).toISOString(), traits: { plan: 'athlete' } }]);
      await tailor.segments.evaluate(await ws(), created.value.id);
      const cold = await recommend({ user: 'user_id:new-athlete', n: 3, placement: undefined });
      const first = cold.body.items.filter((i) => !i.exploration)[0]!;
      expect(first.itemId).toMatch(/^(prot-|snack-3)/);
      expect(first.reasons.map((r) => r.message)).toContain('popular with people like you ("Athletes")');
      // Trending for a coffee lover, scoped to the athletes' favourites.
      const scoped = await recommend({ user: 'user_id:coffee-2', strategy: 'trending', n: 3, segment: created.value.id });
      const top = scoped.body.items.filter((i) => !i.exploration)[0]!;
      expect(top.reasons.map((r) => r.message)).toContain('trending now with "Athletes"');
      // Not personalized, the scope is not read.
      const anonymous = await recommend({ strategy: 'trending', n: 3, segment: created.value.id });
      expect(anonymous.body.items.flatMap((i) => i.reasons.map((r) => r.message)).some((m) => m.includes('Athletes'))).toBe(false);
    } finally {
      await closeStore(store);
    }
  });

  it('applies placements: filters, out of stock, pins, boosts, diversity, fatigue and exploration; and scenes from the context', async () => {
    const store = await engine.open();
    try {
      const { tailor, recommend, admin, ws } = await shopFor(store);
      const put = (kind: string, name: string, body: unknown) => tailor.app.request(`/v1/${kind}/${name}`, { method: 'PUT', body: JSON.stringify(body), headers: admin });
      expect((await put('placements', 'home', { strategies: [{ strategy: 'trending', weight: 1 }], n: 6, diversity: { maxPerCategory: 2, maxPriceTierShare: 1 }, exploration: { share: 0 }, pinned: [{ itemId: 'beer-2', position: 2 }], filters: { priceMax: 12 } })).status).toBe(200);
      const home = await recommend({ placement: 'home' });
      expect(home.body.items).toHaveLength(6);
      expect(home.body.items[1]).toMatchObject({ itemId: 'beer-2', pinned: true });
      const perCategory = new Map<string, number>();
      for (const i of home.body.items.filter((x) => !x.pinned)) perCategory.set(i.category.join(' > '), (perCategory.get(i.category.join(' > ')) ?? 0) + 1);
      expect(Math.max(...perCategory.values())).toBeLessThanOrEqual(2);
      expect(home.body.items.every((i) => (i.price ?? 0) <= 12 && i.itemId !== 'coffee-oos')).toBe(true);

      // A boost lifts protein; a bad placement is refused with the path.
      expect((await put('placements', 'gym', { strategies: [{ strategy: 'popular' }], n: 3, exploration: { share: 0 }, boosts: [{ match: { tags: ['protein'] }, factor: 10, label: 'gym week' }] })).status).toBe(200);
      const gym = await recommend({ placement: 'gym' });
      expect(gym.body.items.every((i) => i.itemId.startsWith('prot-'))).toBe(true);
      expect(gym.body.items[0]!.reasons.map((r) => r.message)).toContain('promoted: gym week');
      const bad = await put('placements', 'bad', { strategies: [{ strategy: 'telepathy' }] });
      expect(bad.status).toBe(400);
      expect((await bad.json() as { error: { message: string } }).error.message).toMatch(/strategies\[0\]\.strategy/);
      expect((await recommend({ placement: 'nope' })).status).toBe(404);

      // Exploration: the seeds' 20% of a list of 10 is two items, marked.
      const explore = await recommend({ user: 'user_id:tea-3', n: 10 });
      expect(explore.body.items.filter((i) => i.exploration)).toHaveLength(2);
      expect(explore.body.items.find((i) => i.exploration)!.reasons).toEqual([{ type: 'exploring', message: 'new or rarely shown — exploring', weight: 1 }]);

      // Fatigue: an item shown three times without a response is not shown again.
      expect((await put('placements', 'fatigue', { strategies: [{ strategy: 'popular' }], n: 1, exploration: { share: 0 } })).status).toBe(200);
      const shown: string[] = [];
      for (let k = 0; k < 4; k++) {
        const r = await recommend({ user: 'user_id:gym-1', placement: 'fatigue' });
        shown.push(r.body.items[0]!.itemId);
        await tailor.recommendations.flush();
      }
      expect(shown.slice(0, 3)).toEqual([shown[0], shown[0], shown[0]]);
      expect(shown[3]).not.toBe(shown[0]);

      // Scenes: after a workout, protein is boosted and alcohol excluded; the scene is named in the response.
      expect((await put('scenes', 'after-workout', { label: 'After a workout', when: { activity: ['workout'] }, boost: [{ match: { tags: ['protein'] }, factor: 5 }], exclude: [{ tags: ['alcohol'] }] })).status).toBe(200);
      const workout = await recommend({ user: 'user_id:coffee-5', strategy: 'popular', n: 4, context: { activity: 'Workout' } });
      expect(workout.body.scenes).toEqual(['after-workout']);
      expect(workout.body.items.some((i) => i.itemId.startsWith('beer-'))).toBe(false);
      expect(workout.body.items.filter((i) => !i.exploration)[0]!.reasons.map((r) => r.message)).toContain('fits the moment: After a workout');
      expect((await ws()).settings.recommendations.scenes).toHaveLength(1);
    } finally {
      await closeStore(store);
    }
  });

  it('is not personalized when the person switched it off or has not consented, and then no personal data reaches the ranking (P5, P6)', async () => {
    const store = await engine.open();
    try {
      const { tailor, recommend, admin, workspace } = await shopFor(store);
      // Exploration off, so that two requests can be compared item by item.
      await tailor.app.request('/v1/placements/plain', { method: 'PUT', body: JSON.stringify({ strategies: [{ strategy: 'for_you', weight: 1 }, { strategy: 'trending', weight: 0.5 }], n: 8, exploration: { share: 0 } }), headers: admin });
      const switchOff = (user: string) => tailor.app.request(`/v1/profiles/user_id:${user}/personalization`, { method: 'PUT', body: JSON.stringify({ enabled: false }), headers: admin });
      expect((await switchOff('tea-4')).status).toBe(200);
      expect((await switchOff('coffee-4')).status).toBe(200);
      const tea = await recommend({ user: 'user_id:tea-4', placement: 'plain', context: { region: 'GB', device: 'mobile', activity: 'workout', timezone: 'Asia/Shanghai' } });
      const coffee = await recommend({ user: 'user_id:coffee-4', placement: 'plain', context: { region: 'DE', device: 'desktop', referrer: 'https://www.google.com/search?q=beer' } });
      const anonymous = await recommend({ placement: 'plain' });
      expect(tea.body).toMatchObject({ personalized: false, personalization: { basis: 'none', reasons: [expect.objectContaining({ code: expect.stringMatching(/personalization/) })] } });
      // Two people who differ in everything personal, and nobody at all, get the same list with the same scores.
      const list = (r: typeof tea) => r.body.items.map((i) => [i.itemId, i.score, i.reasons.map((x) => x.type)]);
      expect(list(tea)).toEqual(list(anonymous));
      expect(list(coffee)).toEqual(list(anonymous));
      // Turning it back on takes effect at the next request.
      await tailor.app.request('/v1/profiles/user_id:tea-4/personalization', { method: 'PUT', body: JSON.stringify({ enabled: true }), headers: admin });
      expect((await recommend({ user: 'user_id:tea-4', placement: 'plain' })).body.personalized).toBe(true);

      // In the EU, personalization needs consent: none yet, so not personalized, with the reason.
      const eu = await tailor.workspaces.createWorkspace({ name: 'EU shop', jurisdiction: 'EU' });
      await tailor.catalog.upsert(eu.workspace.id, [shopItem({ id: 'x1' })]);
      await ingestAll(tailor, eu.keys.write, [{ type: 'identify', userId: 'eu-1', messageId: 'eu-1', traits: { preferences: ['tea'] } }]);
      const res = await tailor.app.request('/v1/recommendations?user=user_id:eu-1', { headers: { authorization: bearer(eu.keys.admin) } });
      expect(await res.json()).toMatchObject({ personalized: false, personalization: { reasons: [expect.objectContaining({ code: expect.stringContaining('personalization') })] } });
      // Logged as not personalized, with the reason.
      await tailor.recommendations.flush();
      const logged = await store.db.selectFrom('recommendation_log').select(['personalized', 'details']).where('workspace_id', '=', workspace.id).where('placement', '=', 'plain').execute();
      expect(logged.filter((l) => Number(l.personalized) === 0)).toHaveLength(3);
    } finally {
      await closeStore(store);
    }
  });

  it('attributes clicks and purchases that carry the recommendation id, once each, and reports them per placement', async () => {
    const store = await engine.open();
    try {
      const { tailor, keys, recommend, admin } = await shopFor(store);
      const r = await recommend({ user: 'user_id:tea-5', n: 4 });
      const [first, second] = r.body.items;
      await ingestAll(tailor, keys.write, [
        { type: 'track', event: 'Product Clicked', userId: 'tea-5', messageId: 'click-1', timestamp: new Date(NOW).toISOString(), properties: { product_id: first!.itemId, recommendation_id: r.body.recommendationId } },
        { type: 'track', event: 'Order Completed', userId: 'tea-5', messageId: 'buy-1', timestamp: new Date(NOW).toISOString(), properties: { order_id: 'rec-order', currency: 'GBP', revenue: 17, products: [
          { product_id: first!.itemId, price: 6, quantity: 2, recommendation_id: r.body.recommendationId },
          { product_id: 'snack-4', price: 5, quantity: 1 },
        ] } },
        // An item the recommendation did not show, and an unknown id: ignored.
        { type: 'track', event: 'Product Clicked', userId: 'tea-5', messageId: 'click-2', properties: { product_id: 'beer-1', recommendation_id: r.body.recommendationId } },
        { type: 'track', event: 'Product Clicked', userId: 'tea-5', messageId: 'click-3', properties: { product_id: second!.itemId, recommendation_id: 'no-such-recommendation' } },
      ]);
      // A retried event counts once.
      await ingestAll(tailor, keys.write, [{ type: 'track', event: 'Product Clicked', userId: 'tea-5', messageId: 'click-1', timestamp: new Date(NOW).toISOString(), properties: { product_id: first!.itemId, recommendation_id: r.body.recommendationId } }]);
      const got = await (await tailor.app.request(`/v1/recommendations/${r.body.recommendationId}`, { headers: admin })).json() as { feedback: Array<{ itemId: string; kind: string; revenue: number | null }> };
      expect(got.feedback.map((f) => [f.itemId, f.kind, f.revenue])).toEqual([[first!.itemId, 'click', null], [first!.itemId, 'purchase', 12]]);
      const report = await (await tailor.app.request('/v1/recommendations/report?since=2024-01-01T00:00:00Z', { headers: admin })).json() as { placements: Array<Record<string, unknown>> };
      expect(report.placements).toEqual([expect.objectContaining({ placement: 'default', responses: 1, impressions: 4, clicks: 1, purchases: 1, revenue: { GBP: 12 }, clickThroughRate: 0.25 })]);
      // The bandit counts one response for the item in this placement.
      await tailor.recommendations.flush();
      const stats = await store.db.selectFrom('recommendation_item_stats').selectAll().where('item_id', '=', first!.itemId).execute();
      expect(stats).toEqual([expect.objectContaining({ placement: 'default', impressions: 1, responses: 1 })]);
      expect((await tailor.app.request('/v1/recommendations/nope', { headers: admin })).status).toBe(404);
    } finally {
      await closeStore(store);
    }
  });

  it('answers bad requests with the field at fault, keeps write keys out, and keeps workspaces apart', async () => {
    const store = await engine.open();
    try {
      const { tailor, keys, recommend } = await shopFor(store);
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ n: 0 }, /^n: /],
        [{ n: 101 }, /^n: /],
        [{ strategy: 'magic' }, /^strategy: /],
        [{ placement: 'home', strategy: 'trending' }, /placement or a strategy/],
        [{ user: 'user_id:a', userId: 'b' }, /identify the person once/],
        [{ context: { mood: 'happy' } }, /context/],
        [{ filters: { priceMin: 10, priceMax: 5 } }, /priceMin must not exceed priceMax/],
        [{ items: Array.from({ length: 51 }, (_, i) => `i${i}`) }, /^items: /],
        // Names of things the workspace does not have.
        [{ context: { scene: 'nosuch' } }, /^context\.scene: no scene "nosuch"/],
        [{ segment: 'nosuch' }, /^segment: no segment "nosuch"/],
        [{ context: { timezone: 'Not/AZone' } }, /^context\.timezone: "Not\/AZone" is not an IANA time zone/],
      ];
      for (const [body, message] of cases) {
        const r = await recommend(body);
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(r.body.error!.message, JSON.stringify(body)).toMatch(message);
      }
      const asWriter = await tailor.app.request('/v1/recommendations', { method: 'POST', body: '{}', headers: { authorization: basic(keys.write), 'content-type': 'application/json' } });
      expect(asWriter.status).toBe(403);
      const other = await tailor.workspaces.createWorkspace({ name: 'Other', jurisdiction: 'US' });
      const elsewhere = await tailor.app.request('/v1/recommendations?user=user_id:tea-1&n=3', { headers: { authorization: bearer(other.keys.admin) } });
      const body = await elsewhere.json() as RecommendationResponse;
      expect(body).toMatchObject({ profileId: null, items: [] });
      const get = await tailor.app.request('/v1/recommendations?user=user_id:tea-1&n=2&items=tea-1,tea-2&utm_term=coffee', { headers: { authorization: bearer(keys.admin) } });
      expect(get.status).toBe(200);
      expect(((await get.json()) as RecommendationResponse).items).toHaveLength(2);
      expect((await tailor.app.request('/v1/recommendations?n=abc', { headers: { authorization: bearer(keys.admin) } })).status).toBe(400);
      expect((await tailor.app.request('/v1/recommendations?timezone=Not/AZone', { headers: { authorization: bearer(keys.admin) } })).status).toBe(400);
    } finally {
      await closeStore(store);
    }
  });

  it('answers a person whose record outlived its time in memory (nothing new since) as a process that never saw them does', async () => {
    const store = await engine.open();
    try {
      const { tailor, recommend, admin, clock } = await shopFor(store);
      const put = (kind: string, name: string, body: unknown) => tailor.app.request(`/v1/${kind}/${name}`, { method: 'PUT', body: JSON.stringify(body), headers: admin });
      expect((await put('placements', 'steady', { strategies: [{ strategy: 'for_you' }], n: 6, exploration: { share: 0 }, fatigue: { count: 0, withinDays: 30 } })).status).toBe(200);
      const ask = { user: 'user_id:tea-1', placement: 'steady' };
      const shown = (r: Awaited<ReturnType<typeof recommend>>) => r.body.items.map((i) => ({ itemId: i.itemId, reasons: i.reasons }));
      const first = await recommend(ask);
      expect(first.body.personalization.basis).toBe('history');
      // Past the longest time to live: the record is read again and the person's scores are
      // kept (their events and orders are the same); the answer is the one a process without
      // them in memory gives.
      clock.advance(6 * 60_000);
      const again = await recommend(ask);
      await tailor.recommendations.flush();
      const other = await createTailor(buildConfig({ env: {}, flags: {} }), { store, clock, recommendationTimers: false });
      const fresh = await other.app.request('/v1/recommendations', { method: 'POST', body: JSON.stringify(ask), headers: admin });
      expect(fresh.status).toBe(200);
      const freshBody = await fresh.json() as RecommendationResponse;
      expect(shown(again)).toEqual(freshBody.items.map((i) => ({ itemId: i.itemId, reasons: i.reasons })));
      expect(shown(again)).toEqual(shown(first));
      await other.recommendations.close();
    } finally {
      await closeStore(store);
    }
  });

  it('reads a person again without their history when told the profile is unchanged, and still reads what changes without it', async () => {
    const store = await engine.open();
    try {
      const { workspace } = await shopFor(store);
      const repository = recommendationRepositorySql(store);
      const owner = await store.db.selectFrom('identities').select('profile_id').where('workspace_id', '=', workspace.id).where('type', '=', 'user_id').where('value', '=', 'tea-1').executeTakeFirstOrThrow();
      const window = { exposuresSince: NOW - 30 * DAY };
      const full = await repository.person(workspace.id, owner.profile_id, window);
      expect(full.interactions.length).toBeGreaterThan(0);
      expect(full.purchased.size).toBeGreaterThan(0);
      // Computed traits change without touching the profile: read again; the history given is taken as it is.
      await store.db.updateTable('computed_traits').set({ traits: JSON.stringify({ country: 'IS' }) }).where('workspace_id', '=', workspace.id).where('profile_id', '=', owner.profile_id).execute();
      const given = { traits: { marker: 1 }, interactions: full.interactions, purchased: new Map([['only-this', 5]]) };
      const again = await repository.person(workspace.id, owner.profile_id, { ...window, unchanged: given });
      expect(again.traits).toBe(given.traits);
      expect(again.interactions).toBe(full.interactions);
      expect(again.purchased).toBe(given.purchased);
      expect(again.computed).toEqual({ country: 'IS' });
      expect(again.segments).toEqual(full.segments);
      expect(again.shown).toEqual(full.shown);
    } finally {
      await closeStore(store);
    }
  });

  it('serves a model trained by another process after it notices, catalog changes without retraining, and a purchase another process ingested at the next request', async () => {
    const store = await engine.open();
    try {
      const { tailor, workspace, recommend, clock } = await shopFor(store);
      expect((await recommend({ strategy: 'trending', n: 1 })).body.modelVersion).toBe(1);
      // A second Tailor on the same store (another process would do the same) trains version 2.
      const other = await createTailor(buildConfig({ env: {}, flags: {} }), { store, clock, recommendationTimers: false });
      expect((await other.recommendations.train(workspace)).version).toBe(2);
      await tailor.recommendations.refresh(workspace.id);
      expect((await recommend({ strategy: 'trending', n: 1 })).body.modelVersion).toBe(2);
      // Taking the top trending item out of stock removes it from the next lists.
      const top = (await recommend({ strategy: 'trending', n: 1, context: {} })).body.items[0]!.itemId;
      await tailor.catalog.upsert(workspace.id, [shopItem({ id: top, in_stock: false, name: 'gone' })]);
      clock.advance(2000);
      await recommend({ strategy: 'trending', n: 1 });
      await tailor.recommendations.refresh(workspace.id);
      expect((await recommend({ strategy: 'trending', n: 3 })).body.items.map((i) => i.itemId)).not.toContain(top);
      // A purchase ingested by the other process shows at the person's next request here (their
      // record was in this process's memory): what they just bought is no longer offered.
      const before = (await recommend({ user: 'user_id:tea-1', n: 3 })).body.items.find((i) => !i.exploration)!.itemId;
      clock.advance(1000);
      const order = { type: 'track', event: 'Order Completed', userId: 'tea-1', messageId: 'other-process-order', timestamp: new Date(clock.now()).toISOString(), properties: { order_id: 'other-1', revenue: 5, currency: 'EUR', products: [{ product_id: before, price: 5, quantity: 1 }] } };
      expect((await other.ingest.ingest({ workspace, messages: [{ raw: order }] })).accepted).toBe(1);
      expect((await recommend({ user: 'user_id:tea-1', n: 10 })).body.items.map((i) => i.itemId)).not.toContain(before);
      // The other process's queued segment update and logs, before the store closes.
      await other.realtime.drain();
      await other.recommendations.close();
    } finally {
      await closeStore(store);
    }
  });

  it('takes filters flat in GET, with the rules and names of POST\'s, and refuses unknown parameters by name', async () => {
    const store = await engine.open();
    try {
      const { tailor, keys } = await shopFor(store);
      const get = async (query: string) => {
        const res = await tailor.app.request(`/v1/recommendations?${query}`, { headers: { authorization: bearer(keys.admin) } });
        return { status: res.status, body: await res.json() as RecommendationResponse & { error?: { message: string } } };
      };
      const tea = await get(`strategy=popular&n=4&categories=${encodeURIComponent('Drinks > Tea')}&priceMax=8`);
      expect(tea.status).toBe(200);
      expect(tea.body.items.length).toBeGreaterThan(0);
      for (const i of tea.body.items) {
        expect(i.category.join(' > ')).toBe('Drinks > Tea');
        expect(i.price).toBeLessThanOrEqual(8);
      }
      // List-valued filters repeat the parameter.
      const tagged = await get('strategy=popular&n=6&tags=protein&tags=alcohol&excludeItems=prot-1&excludeItems=beer-1');
      expect(tagged.status).toBe(200);
      expect(tagged.body.items.length).toBeGreaterThan(0);
      for (const i of tagged.body.items) {
        expect(i.itemId).toMatch(/^(prot|beer)-/);
        expect(['prot-1', 'beer-1']).not.toContain(i.itemId);
      }
      const refused: Array<[string, RegExp]> = [
        ['n=3&colour=red&size=xl', /unknown query parameters "colour", "size"/],
        ['priceMin=abc', /^priceMin: /],
        ['priceMin=10&priceMax=5', /^priceMin: priceMin must not exceed priceMax/],
        ['inStock=maybe', /^inStock: /],
        ['n=1&n=2', /^n: /],
      ];
      for (const [query, message] of refused) {
        const r = await get(query);
        expect(r.status, query).toBe(400);
        expect(r.body.error!.message, query).toMatch(message);
      }
      // The OpenAPI document lists them, from the same schema.
      const doc = await (await tailor.app.request('/openapi.json')).json() as { paths: Record<string, { get?: { parameters?: Array<{ name: string }> } }> };
      const names = doc.paths['/v1/recommendations']!.get!.parameters!.map((x) => x.name);
      expect(names).toEqual(expect.arrayContaining(['inStock', 'categories', 'excludeCategories', 'tags', 'excludeTags', 'priceMin', 'priceMax', 'excludeItems']));
    } finally {
      await closeStore(store);
    }
  });

  it('exports lists without recording them: the same lists every time, and nothing shown, logged or reported', async () => {
    const store = await engine.open();
    try {
      const { tailor, ws, admin } = await shopFor(store);
      const workspace = await ws();
      // The batch export's call (exploration kept: it is drawn per person, the same each time).
      const exportOf = async (user: string) => {
        const r = await tailor.recommendations.recommend(workspace, { user, n: 6 }, { record: false });
        if (!r.ok) throw new Error(r.error.message);
        return r.value.items.map((i) => [i.itemId, i.exploration]);
      };
      const first = await Promise.all(['user_id:tea-1', 'user_id:coffee-1', 'user_id:nobody-known'].map(exportOf));
      expect(first[0]!.some(([, exploring]) => exploring)).toBe(true);
      // Four runs (fatigue leaves out an item shown three times, were these impressions).
      for (let run = 0; run < 3; run++) {
        expect(await Promise.all(['user_id:tea-1', 'user_id:coffee-1', 'user_id:nobody-known'].map(exportOf))).toEqual(first);
      }
      await tailor.recommendations.flush();
      expect(await store.db.selectFrom('recommendation_log').select('id').execute()).toEqual([]);
      expect(await store.db.selectFrom('recommendation_item_stats').select('item_id').execute()).toEqual([]);
      const report = await (await tailor.app.request('/v1/recommendations/report?since=2024-01-01T00:00:00Z', { headers: admin })).json() as { placements: unknown[] };
      const loose = await tailor.app.request('/v1/recommendations/report?since=1', { headers: admin });
      expect(loose.status).toBe(400);
      expect(((await loose.json()) as { error: { message: string } }).error.message).toBe('since: "1" is not an ISO-8601 date-time');
      expect(report.placements).toEqual([]);
    } finally {
      await closeStore(store);
    }
  });

  it('counts everyone in popularity and trains a model where nobody may be profiled (EU, no consent), so lists are full', async () => {
    const store = await engine.open();
    try {
      const clock = fixedClock(NOW);
      const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store, clock, log: () => {}, recommendationTimers: false });
      tailors.set(store, tailor);
      const { workspace, keys } = await tailor.workspaces.createWorkspace({ name: 'EU shop', jurisdiction: 'EU' });
      await tailor.catalog.upsert(workspace.id, [...SHOP_CATALOG]);
      await ingestAll(tailor, keys.write, shopOrders(NOW));
      const trained = await tailor.recommendations.train(workspace);
      // The personal parts learned from nobody; popularity counted all 70 customers.
      expect(trained).toMatchObject({ version: 1, excludedPeople: 70, stats: { people: 0, popularity: { people: 70 } } });
      const ask = async (query: string) => (await (await tailor.app.request(`/v1/recommendations?${query}`, { headers: { authorization: bearer(keys.admin) } })).json()) as RecommendationResponse;
      for (const query of ['n=10', 'user=user_id:tea-1&n=10']) {
        const r = await ask(query);
        expect(r, query).toMatchObject({ personalized: false, modelVersion: 1 });
        expect(r.items, query).toHaveLength(10);
        // Two exploring slots (20%), the rest from shop-wide popularity.
        expect(r.items.filter((i) => !i.exploration).every((i) => i.reasons.some((x) => x.type === 'trending' || x.type === 'popular')), query).toBe(true);
      }
    } finally {
      await closeStore(store);
    }
  });
});
