import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { readJson } from '../src/shared/json.js';
import type { Store } from '../src/store/store.js';
import { profileRepositorySql } from '../src/store/repositories/profile-repository-sql.js';
import { appFor, basic, bearer } from './support/app.js';
import { describeEachEngine } from './support/engines.js';
import { identifyMessage, importDemoOrders, orderCompleted, trackMessage } from './support/factories.js';

const DAY = 86_400_000;
/** Profiling and personalization on by legitimate interests, so that RFM and interests are computed (P3, P5). */
const PROFILING_ON = {
  privacy: {
    defaults: {
      overrides: (['profiling', 'personalization'] as const).map((purpose) => ({ purpose, default: 'on', legalBasis: 'legitimate_interests', note: 'test' })),
    },
  },
};

/** A profile's computed traits as the API reads them (recomputed values + the live fold state). */
async function traitsOf(store: Store, workspaceId: string, profileId: string): Promise<Record<string, unknown> | null> {
  return (await profileRepositorySql(store.db).computedTraits(workspaceId, profileId))?.traits ?? null;
}

/** The recomputed traits alone, as stored by `tailor compute`. */
async function storedTraitsOf(store: Store, workspaceId: string, profileId: string): Promise<Record<string, unknown> | null> {
  const row = await store.db.selectFrom('computed_traits').select('traits').where('workspace_id', '=', workspaceId).where('profile_id', '=', profileId).executeTakeFirst();
  return row === undefined ? null : readJson<Record<string, unknown>>(row.traits, {});
}

/**
 * The mid-rank quintile written out from its definition (percentile = (worse + equal/2) / n,
 * score = floor(5 × percentile) + 1), counting by brute force: an implementation independent
 * of src/profiles/statistics.ts.
 */
function bruteForceQuintile(values: number[], i: number, better: 'higher' | 'lower'): number {
  const v = values[i]!;
  const worse = values.filter((w) => (better === 'higher' ? w < v : w > v)).length;
  const equal = values.filter((w) => w === v).length;
  return Math.floor((5 * (worse + equal / 2)) / values.length) + 1;
}

describeEachEngine('computed traits', (engine) => {
  afterAll(() => engine.cleanup());

  it('keeps activity traits current on ingest, in the same transaction, and combines them when profiles merge', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, a } = await appFor(store);
      const w = { authorization: basic(a.keys.write) };
      const t0 = Date.parse('2024-03-01T10:00:00Z');
      const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();
      await post('/v1/batch', { batch: [
        { type: 'page', anonymousId: 'anon-7', name: 'Home', timestamp: at(0) },
        trackMessage({ userId: undefined, anonymousId: 'anon-7', event: 'Product Viewed', timestamp: at(5) }),
        trackMessage({ userId: undefined, anonymousId: 'anon-7', event: 'Product Viewed', timestamp: at(90) }),
      ] }, w);
      const anon = await tailor.profiles.resolve(a.workspace.id, 'anonymous_id:anon-7');
      expect(anon.ok).toBe(true);
      const anonId = anon.ok ? anon.value.id : '';
      expect(await traitsOf(store, a.workspace.id, anonId)).toMatchObject({
        page_views_count: 1, sessions_count: 2, event_counts: { 'Product Viewed': 2 }, first_seen: t0, last_seen: t0 + 90 * 60_000,
      });

      await post('/v1/track', trackMessage({ userId: 'u-7', event: 'Product Added', timestamp: at(100) }), w);
      const user = await tailor.profiles.resolve(a.workspace.id, 'user_id:u-7');
      const userId = user.ok ? user.value.id : '';
      expect(await traitsOf(store, a.workspace.id, userId)).toMatchObject({ sessions_count: 1, event_counts: { 'Product Added': 1 } });

      // Logging in links the device: one profile, with both histories' activity.
      await post('/v1/identify', identifyMessage({ userId: 'u-7', anonymousId: 'anon-7', timestamp: at(101) }), w);
      const rows = await store.db.selectFrom('profiles').select('id').where('workspace_id', '=', a.workspace.id).where('trait_state', 'is not', null).execute();
      const survivor = await tailor.profiles.resolve(a.workspace.id, 'user_id:u-7');
      const survivorId = survivor.ok ? survivor.value.id : '';
      // Only the survivor keeps a state; the merged-away profile's was folded into it.
      expect(rows.map((r) => r.id)).toEqual([survivorId]);
      expect(await storedTraitsOf(store, a.workspace.id, survivorId)).toBeNull();
      expect(await traitsOf(store, a.workspace.id, survivorId)).toMatchObject({
        page_views_count: 1, event_counts: { 'Product Viewed': 2, 'Product Added': 1 },
        // 0–5 min, then 90–101 min (the add at 100 and the identify at 101 are not session events, but 90 and 100 join).
        sessions_count: 2, first_seen: t0,
      });

      // GET /v1/profiles shows them.
      const shown = await (await tailor.app.request('/v1/profiles/user_id:u-7', { headers: { authorization: bearer(a.keys.admin) } })).json() as { computedTraits: Record<string, unknown> };
      expect(shown.computedTraits).toMatchObject({ page_views_count: 1, computedAt: null });

      // The state counts every event it folded (five, all now the survivor's); a state stored
      // before that count was kept is rebuilt once by the recompute job, which learns it.
      const stateOf = async () => {
        const r = await store.db.selectFrom('profiles').select('trait_state').where('workspace_id', '=', a.workspace.id).where('id', '=', survivorId).executeTakeFirstOrThrow();
        return (typeof r.trait_state === 'string' ? JSON.parse(r.trait_state) : r.trait_state) as { complete: boolean; activity: { events?: number | null } };
      };
      const stored = await store.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', a.workspace.id).where('profile_id', '=', survivorId).executeTakeFirstOrThrow();
      expect(Number(stored.n)).toBe(5);
      expect((await stateOf()).activity.events).toBe(5);
      const old = await stateOf();
      delete old.activity.events;
      await store.db.updateTable('profiles').set({ trait_state: JSON.stringify(old) }).where('workspace_id', '=', a.workspace.id).where('id', '=', survivorId).execute();
      const summary = await tailor.compute.computeWorkspace(a.workspace);
      expect(summary.statesRebuilt).toBe(1);
      expect(await stateOf()).toMatchObject({ complete: true, activity: { events: 5 } });
    } finally {
      await store.close();
    }
  });

  it('computes commerce and RFM traits on the Online Retail excerpt that match independent SQL and brute-force quintiles', async () => {
    const store = await engine.open();
    try {
      const { tailor, clock } = await appFor(store);
      const { workspace } = await tailor.workspaces.createWorkspace({ name: 'retail', jurisdiction: 'UK', settings: { defaultCurrency: 'GBP', ...PROFILING_ON } as never });
      await importDemoOrders(tailor, workspace);
      clock.set(Date.parse('2012-01-01T00:00:00Z'));
      const summary = await tailor.compute.computeWorkspace(workspace);
      expect(summary).toMatchObject({ profiles: 445, profilingSkipped: 0 });

      // Hand-checked customers (numbers from an independent Python pass over the CSV; see test/import.integration.test.ts).
      const c17850 = await tailor.profiles.get(workspace.id, 'user_id:17850', { events: 0 });
      const t17850 = c17850.ok ? c17850.value.computedTraits! : {};
      expect(t17850['orders_count']).toBe(34);
      expect((t17850['revenue_total'] as Record<string, number>)['GBP']).toBeCloseTo(5288.63, 2);
      const c12680 = await tailor.profiles.get(workspace.id, 'user_id:12680', { events: 0 });
      expect(((c12680.ok ? c12680.value.computedTraits! : {})['revenue_total'] as Record<string, number>)['GBP']).toBeCloseTo(862.81, 2);
      // Country from the file's Country column (context.location.country), as the CSV spells it. 12370 ordered from
      // Cyprus (2010-12-14), Austria (2010-12-17), then Cyprus again (2011-03-10, 2011-10-19): the latest wins.
      expect(t17850['country']).toBe('United Kingdom');
      const c12370 = await tailor.profiles.get(workspace.id, 'user_id:12370', { events: 0 });
      expect((c12370.ok ? c12370.value.computedTraits! : {})['country']).toBe('Cyprus');
      // Rebuilt from stored events (no fold state, as for profiles that predate it): the same countries.
      await store.db.updateTable('profiles').set({ trait_state: null }).where('workspace_id', '=', workspace.id).execute();
      await tailor.compute.computeWorkspace(workspace);
      for (const [user, country] of [['17850', 'United Kingdom'], ['12370', 'Cyprus']] as const) {
        const again = await tailor.profiles.get(workspace.id, `user_id:${user}`, { events: 0 });
        expect((again.ok ? again.value.computedTraits! : {})['country'], user).toBe(country);
      }

      // RFM inputs straight from the orders table in SQL, scores by brute force.
      const now = clock.now();
      const { rows } = await sql<{ profile_id: string; last_at: number | string; f: number | string; m: number | string }>`
        select profile_id,
          max(case when kind = 'order' and status in ('completed', 'partially_refunded') then placed_at end) as last_at,
          sum(case when kind = 'order' and status in ('completed', 'partially_refunded') then 1 else 0 end) as f,
          sum(case when kind = 'order' and status in ('completed', 'partially_refunded') then revenue - refunded_amount
                   when kind = 'return' then -abs(revenue) else 0 end) as m
        from orders where workspace_id = ${workspace.id} group by profile_id`.execute(store.db);
      const people = rows.filter((r) => Number(r.f) > 0).map((r) => ({
        id: r.profile_id, days: Math.max(0, Math.floor((now - Number(r.last_at)) / DAY)), f: Number(r.f), m: Math.round(Number(r.m) * 100) / 100,
      }));
      expect(people.length).toBe(summary.rfmPopulation);
      const days = people.map((p) => p.days);
      const fs = people.map((p) => p.f);
      const ms = people.map((p) => p.m);
      let checked = 0;
      for (let i = 0; i < people.length; i++) {
        const traits = (await traitsOf(store, workspace.id, people[i]!.id))!;
        const expected = [bruteForceQuintile(days, i, 'lower'), bruteForceQuintile(fs, i, 'higher'), bruteForceQuintile(ms, i, 'higher')];
        expect([traits['rfm_recency_score'], traits['rfm_frequency_score'], traits['rfm_monetary_score']], people[i]!.id).toEqual(expected);
        expect(traits['rfm_cell']).toBe(expected.join(''));
        checked++;
      }
      expect(checked).toBeGreaterThan(400);
      const segments = new Set(await Promise.all(people.map(async (p) => (await traitsOf(store, workspace.id, p.id))!['rfm_segment'])));
      expect(segments.size).toBeGreaterThan(5);

      // Export carries them (P13).
      const doc = await tailor.exporter.export(workspace, 'user_id:17850', 'test');
      const exported = doc.ok ? doc.value.computedTraits : [];
      expect(exported.find((t) => t.name === 'orders_count')).toMatchObject({ value: 34, origin: { kind: 'rule' } });
      expect(exported.find((t) => t.name === 'country')).toMatchObject({ value: 'United Kingdom', origin: { kind: 'rule' } });
    } finally {
      await store.close();
    }
  });

  it('leaves a person whose personalization is off out of profiling (P5), and removes what was computed before', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, a } = await appFor(store);
      await tailor.workspaces.updateSettings(a.workspace.id, PROFILING_ON as never);
      const w = { authorization: basic(a.keys.write) };
      await post('/v1/batch', { batch: [
        orderCompleted({ userId: 'keeps' }, { coupon: 'SAVE' }),
        orderCompleted({ userId: 'opts-out' }),
        orderCompleted({ userId: 'opts-out', timestamp: '2024-02-01T10:00:00.000Z' }),
      ] }, w);
      const ws = (await tailor.workspaces.getWorkspace(a.workspace.id))!;
      await tailor.compute.computeWorkspace(ws);
      const optsOut = await tailor.profiles.resolve(a.workspace.id, 'user_id:opts-out');
      const id = optsOut.ok ? optsOut.value.id : '';
      expect(await traitsOf(store, a.workspace.id, id)).toMatchObject({ rfm_segment: expect.any(String), lifecycle_stage: expect.any(String), orders_count: 2 });

      const res = await tailor.app.request('/v1/profiles/user_id:opts-out/personalization', {
        method: 'PUT', body: JSON.stringify({ enabled: false }), headers: { 'content-type': 'application/json', authorization: bearer(a.keys.admin) },
      });
      expect(res.status).toBe(200);
      const summary = await tailor.compute.computeWorkspace(ws);
      expect(summary).toMatchObject({ profilingSkipped: 1, rfmPopulation: 1 });
      const after = (await storedTraitsOf(store, a.workspace.id, id))!;
      for (const name of ['rfm_segment', 'rfm_cell', 'lifecycle_stage', 'journey_stage', 'favourite_categories', 'discount_affinity', 'preferred_channel']) {
        expect(after, name).not.toHaveProperty(name);
      }
      // Non-profiling facts stay: the person's own orders and activity.
      expect(after).toMatchObject({ orders_count: 2, first_seen: expect.any(Number) });
      const keeps = await tailor.profiles.resolve(a.workspace.id, 'user_id:keeps');
      expect(await traitsOf(store, a.workspace.id, keeps.ok ? keeps.value.id : '')).toMatchObject({ discount_affinity: 1, rfm_segment: expect.any(String) });
    } finally {
      await store.close();
    }
  });

  it('applies the undeclared-trait policy, lists the registry, and runs a recompute through the API', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, a, get } = await appFor(store);
      const w = { authorization: basic(a.keys.write) };
      const accepted = await post('/v1/identify', identifyMessage({ userId: 'p1', traits: { email: 'p1@x.io', shoeSize: 42 } }), w);
      expect(await accepted.json()).not.toHaveProperty('droppedTraits');

      const currency = await tailor.app.request('/v1/workspace', {
        method: 'PATCH', headers: { 'content-type': 'application/json', authorization: bearer(a.keys.admin) }, body: JSON.stringify({ settings: { defaultCurrency: 'GBP' } }),
      });
      expect(currency.status).toBe(200);
      const patch = await tailor.app.request('/v1/workspace', {
        method: 'PATCH', headers: { 'content-type': 'application/json', authorization: bearer(a.keys.admin) },
        body: JSON.stringify({ settings: { traits: { undeclared: 'drop', declared: [{ name: 'hatSize', type: 'number', description: 'Hat size (EU)' }] } } }),
      });
      expect(patch.status).toBe(200);
      // Sections not given stay as they were.
      expect(await patch.json()).toMatchObject({ settings: { defaultCurrency: 'GBP', traits: { undeclared: 'drop' } } });
      const res = await post('/v1/identify', identifyMessage({ userId: 'p1', traits: { firstName: 'Pat', hatSize: 57, waist: 80, shoeSize: 43 } }), w);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ accepted: 1, droppedTraits: ['shoeSize', 'waist'] });
      const profile = await tailor.profiles.get(a.workspace.id, 'user_id:p1', { events: 0 });
      // shoeSize stays at the value accepted before the policy changed; the new one was not stored.
      expect(profile.ok ? profile.value.profile.traits : {}).toEqual({ email: 'p1@x.io', shoeSize: 42, firstName: 'Pat', hatSize: 57 });

      const bad = await tailor.app.request('/v1/workspace', {
        method: 'PATCH', headers: { 'content-type': 'application/json', authorization: bearer(a.keys.admin) },
        body: JSON.stringify({ settings: { traits: { undeclared: 'sometimes' } } }),
      });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(await bad.json())).toContain('traits.undeclared');

      const registry = await (await get('/v1/traits', a.keys.admin)).json() as { traits: Array<{ name: string; category: string; source: string; profiling: boolean }>; undeclared: string };
      expect(registry.undeclared).toBe('drop');
      expect(registry.traits.find((t) => t.name === 'rfm_segment')).toMatchObject({ category: 'behavioural', source: 'recompute', profiling: true });
      expect(registry.traits.find((t) => t.name === 'sessions_count')).toMatchObject({ source: 'ingest-incremental', profiling: false });
      expect(registry.traits.find((t) => t.name === 'country')).toMatchObject({ category: 'basic', source: 'recompute', profiling: false });
      expect(registry.traits.find((t) => t.name === 'hatSize')).toMatchObject({ source: 'declared', category: 'basic' });
      expect((await get('/v1/traits', 'ta_not-a-key')).status).toBe(401);

      const started = await tailor.app.request('/v1/traits/compute', { method: 'POST', headers: { authorization: bearer(a.keys.admin) } });
      expect(started.status).toBe(202);
      for (let i = 0; i < 100 && tailor.compute.status(a.workspace.id).running; i++) await new Promise((r) => setTimeout(r, 10));
      const status = await (await get('/v1/traits/compute', a.keys.admin)).json() as { running: boolean; last: { summary: { profiles: number } } };
      expect(status).toMatchObject({ running: false, last: { summary: { profiles: 1 } } });
      const log = await tailor.audit.entries(a.workspace.id, {});
      expect(log.map((e) => e.action)).toContain('traits.compute');
    } finally {
      await store.close();
    }
  });
});
