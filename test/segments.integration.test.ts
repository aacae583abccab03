import { afterAll, expect, it } from 'vitest';
import { startScheduler } from '../src/cli/scheduler.js';
import { consentInputSchema } from '../src/privacy/consent-input.js';
import type { Condition } from '../src/segments/definition.js';
import type { Tailor } from '../src/main.js';
import type { Workspace } from '../src/workspaces/workspace-repository.js';
import { appFor, basic, bearer } from './support/app.js';
import { describeEachEngine } from './support/engines.js';
import { identifyMessage, orderCompleted, trackMessage } from './support/factories.js';

const DAY = 86_400_000;
const NOW = Date.parse('2024-03-02T00:00:00Z');
const at = (daysAgo: number, hour = 10) => new Date(NOW - daysAgo * DAY + hour * 3_600_000 - 24 * 3_600_000).toISOString();
const PROFILING_ON = {
  privacy: { defaults: { overrides: (['profiling', 'personalization'] as const).map((purpose) => ({ purpose, default: 'on', legalBasis: 'legitimate_interests', note: 'test' })) } },
};

/**
 * Four people with known histories (times relative to NOW = 2024-03-02):
 * - alice: Product Added then Order Completed an hour later 10 days ago (coupon, £30), another order 5 days ago (£80); plan pro, signed up 2023-06-01.
 * - bob: one order 60 days ago (£20); viewed a £12 tea 2 days ago.
 * - carol: viewed a £30 coffee 1 day ago and a £5 tea 3 days ago; plan free.
 * - dave: switched personalization off; ordered 3 days ago (£50); plan pro.
 */
async function seed(tailor: Tailor, writeKey: string, post: (path: string, body: unknown, headers?: Record<string, string>) => Response | Promise<Response>) {
  const w = { authorization: basic(writeKey) };
  const res = await post('/v1/batch', { batch: [
    identifyMessage({ userId: 'alice', traits: { plan: 'pro', signup: '2023-06-01T00:00:00.000Z', score: 10 }, timestamp: at(30) }),
    trackMessage({ userId: 'alice', event: 'Product Added', properties: { product_id: 'sku-1' }, timestamp: at(10, 10) }),
    orderCompleted({ userId: 'alice', timestamp: at(10, 11) }, { revenue: 30, coupon: 'SPRING' }),
    orderCompleted({ userId: 'alice', timestamp: at(5) }, { revenue: 80 }),
    identifyMessage({ userId: 'bob', traits: { score: 20 }, timestamp: at(90) }),
    orderCompleted({ userId: 'bob', timestamp: at(60) }, { revenue: 20 }),
    trackMessage({ userId: 'bob', event: 'Product Viewed', properties: { category: 'Tea', price: 12, shipping: { country: 'GB' } }, timestamp: at(2) }),
    identifyMessage({ userId: 'carol', traits: { plan: 'free', score: 30 }, timestamp: at(20) }),
    trackMessage({ userId: 'carol', event: 'Product Viewed', properties: { category: 'Coffee', price: 30 }, timestamp: at(1) }),
    trackMessage({ userId: 'carol', event: 'Product Viewed', properties: { category: 'Tea', price: 5, shipping: { country: 'IE' } }, timestamp: at(3) }),
    identifyMessage({ userId: 'dave', traits: { plan: 'pro', score: 40 }, timestamp: at(40) }),
    orderCompleted({ userId: 'dave', timestamp: at(3) }, { revenue: 50 }),
  ] }, w);
  expect(res.status).toBe(200);
}

describeEachEngine('segments', (engine) => {
  afterAll(() => engine.cleanup());

  /** The user ids a definition matches now, by preview (sorted). */
  const whoFor = (tailor: Tailor, workspace: Workspace) => async (condition: Condition | Record<string, unknown>) => {
    const r = await tailor.segments.preview(workspace, { name: 'preview', condition });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    const rows = await tailor.store.db.selectFrom('identities').select(['profile_id', 'value']).where('workspace_id', '=', workspace.id).where('type', '=', 'user_id').execute();
    const userOf = new Map(rows.map((row) => [row.profile_id, row.value]));
    expect(r.value.count).toBe(r.value.sample.length);
    return r.value.sample.map((id) => userOf.get(id) ?? id).sort();
  };

  it('evaluates every kind of condition against what is stored, and never places a person who refused profiling in a behaviour segment (P5)', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, clock, b } = await appFor(store);
      clock.set(NOW);
      const { workspace, keys } = await tailor.workspaces.createWorkspace({ name: 'tea shop', jurisdiction: 'UK', settings: { defaultCurrency: 'GBP', ...PROFILING_ON } as never });
      await seed(tailor, keys.write, post);
      // Another workspace's buyer never shows up here.
      await post('/v1/batch', { batch: [orderCompleted({ userId: 'alice', timestamp: at(1) })] }, { authorization: basic(b.keys.write) });
      expect((await tailor.consent.setPersonalization(workspace, 'user_id:dave', false, 'test')).ok).toBe(true);
      const ws = (await tailor.workspaces.getWorkspace(workspace.id))!;
      await tailor.compute.computeWorkspace(ws);
      const who = whoFor(tailor, ws);

      // Events: windows, counts, property filters (nested paths), absence.
      expect(await who({ event: 'Order Completed', withinLastDays: 30 })).toEqual(['alice']);
      const preview = await tailor.segments.preview(ws, { name: 'x', condition: { event: 'Order Completed', withinLastDays: 30 } });
      expect(preview.ok && preview.value.profilingExcluded).toBe(1); // dave bought, but refused profiling
      expect(await who({ event: 'Order Completed', withinLastDays: 90 })).toEqual(['alice', 'bob']);
      expect(await who({ event: 'Order Completed', count: { atLeast: 2 } })).toEqual(['alice']);
      expect(await who({ event: 'Order Completed', count: { atMost: 1 }, withinLastDays: 365 })).toEqual(['bob', 'carol']);
      expect(await who({ event: 'Order Completed', between: [at(70), { daysAgo: 30 }] })).toEqual(['bob']);
      expect(await who({ event: 'Order Completed', where: [{ property: 'coupon', op: 'exists' }] })).toEqual(['alice']);
      expect(await who({ event: 'Order Completed', where: [{ property: 'revenue', op: '>=', value: 50 }] })).toEqual(['alice']);
      expect(await who({ event: 'Product Viewed', where: [{ property: 'category', op: '=', value: 'Tea' }, { property: 'price', op: '<', value: 10 }] })).toEqual(['carol']);
      expect(await who({ event: 'Product Viewed', where: [{ property: 'shipping.country', op: 'in', value: ['GB', 'FR'] }] })).toEqual(['bob']);
      expect(await who({ event: 'Product Viewed', where: [{ property: 'category', op: '!=', value: 'Tea' }] })).toEqual(['carol']);
      expect(await who({ event: 'Product Viewed', count: { atMost: 0 } })).toEqual(['alice']);
      expect(await who({ not: { event: 'Order Completed' } })).toEqual(['carol']);
      // In order A then B within T.
      expect(await who({ sequence: ['Product Added', 'Order Completed'], withinHours: 2 })).toEqual(['alice']);
      expect(await who({ sequence: ['Product Added', 'Order Completed'], withinHours: 0.5 })).toEqual([]);
      expect(await who({ sequence: ['Order Completed', 'Product Added'], withinHours: 1000 })).toEqual([]);

      // Traits sent with identify are not behaviour: dave is in.
      expect(await who({ trait: 'plan', source: 'profile', op: '=', value: 'pro' })).toEqual(['alice', 'dave']);
      expect(await who({ trait: 'plan', source: 'profile', op: '!=', value: 'pro' })).toEqual(['bob', 'carol']);
      expect(await who({ trait: 'plan', source: 'profile', op: 'not_exists' })).toEqual(['bob']);
      expect(await who({ trait: 'signup', source: 'profile', op: 'before', value: '2024-01-01' })).toEqual(['alice']);
      expect(await who({ trait: 'score', source: 'profile', op: 'between', value: [15, 35] })).toEqual(['bob', 'carol']);
      expect(await who({ trait: 'score', source: 'profile', op: 'top_percent', value: 50 })).toEqual(['carol', 'dave']);
      // Computed traits from the recompute.
      expect(await who({ trait: 'orders_count', op: '>=', value: 1 })).toEqual(['alice', 'bob']);
      expect(await who({ trait: 'revenue_total', key: 'GBP', op: '>', value: 50 })).toEqual(['alice']);
      expect(await who({ trait: 'last_order_at', op: 'within_last', value: { days: 30 } })).toEqual(['alice']);
      expect(await who({ trait: 'first_seen', op: 'before', value: { daysAgo: 50 } })).toEqual(['bob']);
      expect(await who({ trait: 'favourite_categories', op: 'contains', value: 'Kitchen' })).toEqual(['alice', 'bob']);
      expect(await who({ trait: 'orders_count', op: 'top_percent', value: 25 })).toEqual(['alice']); // counts 2, 1, 1 (dave), 0
      expect(await who({ trait: 'orders_count', op: 'top_percent', value: 50 })).toEqual(['alice', 'bob']); // the boundary value 1 is tied: ties are in

      // Consent and subscriptions: the latest record; a withdrawal counts as denied.
      const decide = (decision: 'granted' | 'withdrawn') => [consentInputSchema.parse({ purpose: 'marketing_email', decision, noticeVersion: 'v1' })];
      expect((await tailor.consent.record(ws, 'user_id:bob', decide('granted'), 'test')).ok).toBe(true);
      expect((await tailor.consent.record(ws, 'user_id:carol', decide('granted'), 'test')).ok).toBe(true);
      clock.advance(1000);
      expect((await tailor.consent.record(ws, 'user_id:carol', decide('withdrawn'), 'test')).ok).toBe(true);
      expect(await who({ consent: 'marketing_email', state: 'granted' })).toEqual(['bob']);
      expect(await who({ consent: 'marketing_email', state: 'denied' })).toEqual(['carol']);
      expect(await who({ consent: 'marketing_email', state: 'none' })).toEqual(['alice', 'dave']);
      expect((await tailor.consent.subscribe(ws, 'user_id:bob', { channel: 'email', status: 'subscribed', source: 'api' }, 'test')).ok).toBe(true);
      expect(await who({ subscription: 'email', state: 'subscribed' })).toEqual(['bob']);

      // Nesting and references to other segments.
      const buyers = await tailor.segments.create(ws, { name: 'Bought in 90 days', condition: { event: 'Order Completed', withinLastDays: 90 } });
      if (!buyers.ok) throw new Error('create failed');
      expect(await tailor.segments.evaluate(ws, buyers.value.id)).toMatchObject({ ok: true, value: { members: 2, entered: 2, exited: 0, profilingExcluded: 1 } });
      expect(await who({ any: [{ segment: buyers.value.id }, { trait: 'plan', source: 'profile', op: '=', value: 'free' }] })).toEqual(['alice', 'bob', 'carol']);
      expect(await who({ all: [{ segment: buyers.value.id }, { not: { trait: 'orders_count', op: '>=', value: 2 } }] })).toEqual(['bob']);

      // Bad definitions are refused with the path; unknown segments are named.
      const bad = await tailor.segments.create(ws, { name: 'bad', condition: { all: [{ segment: 'nope' }, { trait: 'orders_count', op: 'before', value: '2024-01-01' }] } });
      expect(bad).toMatchObject({ ok: false, error: { type: 'invalid_definition', issues: [{ path: 'condition.all[1].op' }] } });
      const missing = await tailor.segments.create(ws, { name: 'bad', condition: { segment: 'nope' } });
      expect(missing).toMatchObject({ ok: false, error: { type: 'invalid_definition', issues: [{ path: 'condition.segment', message: 'no segment with id "nope"' }] } });
      expect(await tailor.segments.list(ws)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('updates membership on ingest, re-evaluates over time, and records every entry and exit', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, clock } = await appFor(store);
      clock.set(NOW);
      const { workspace, keys } = await tailor.workspaces.createWorkspace({ name: 'tea shop', jurisdiction: 'UK', settings: { defaultCurrency: 'GBP', ...PROFILING_ON } as never });
      await seed(tailor, keys.write, post);
      await tailor.realtime.drain();
      const ws = (await tailor.workspaces.getWorkspace(workspace.id))!;
      const w = { authorization: basic(keys.write) };
      const recent = await tailor.segments.create(ws, { name: 'Bought in the last 30 days', condition: { event: 'Order Completed', withinLastDays: 30 } });
      const tea = await tailor.segments.create(ws, { name: 'Tea lovers', condition: { event: 'Product Viewed', where: [{ property: 'category', op: '=', value: 'Tea' }] } });
      if (!recent.ok || !tea.ok) throw new Error('create failed');
      const both = await tailor.segments.create(ws, { name: 'Recent tea buyers', condition: { all: [{ segment: recent.value.id }, { segment: tea.value.id }] } });
      if (!both.ok) throw new Error('create failed');
      const summaries = await tailor.segments.evaluateAll(ws);
      // References first: "Recent tea buyers" after the two it reads.
      expect(summaries.map((s) => s.segmentId).indexOf(both.value.id)).toBe(2);
      const memberIds = async (id: string) => (await tailor.segments.members(ws, id, { after: null, limit: 100 })).value!.map((m) => m.userId).sort();
      expect(await memberIds(recent.value.id)).toEqual(['alice', 'dave']);
      expect(await memberIds(tea.value.id)).toEqual(['bob', 'carol']);
      expect(await memberIds(both.value.id)).toEqual([]);

      // Bob completes an order: he enters "bought in the last 30 days", and the segment that refers to it, on ingest.
      clock.advance(60_000);
      const before = tailor.realtime.stats();
      expect((await post('/v1/batch', { batch: [orderCompleted({ userId: 'bob', timestamp: new Date(clock.now()).toISOString() })] }, w)).status).toBe(200);
      await tailor.realtime.drain();
      // Only segments an order can change were looked at: "bought…" (decided by the order itself),
      // then "recent tea buyers" because bob's "bought…" changed (decided from his memberships); not
      // "tea lovers". Neither needed a query.
      const after = tailor.realtime.stats();
      expect(after.decidedWithoutQuery - before.decidedWithoutQuery).toBe(2);
      expect(after.evaluations - before.evaluations).toBe(0);
      expect(await memberIds(recent.value.id)).toEqual(['alice', 'bob', 'dave']);
      expect(await memberIds(both.value.id)).toEqual(['bob']);
      expect(await tailor.segments.get(ws, recent.value.id)).toMatchObject({ value: { memberCount: 3 } });
      const bobHistory = await tailor.segments.historyOf(ws, 'user_id:bob');
      expect(bobHistory.ok && bobHistory.value.changes.map((c) => [c.segmentId, c.change, c.reason])).toEqual([
        [tea.value.id, 'entered', 'evaluation'],
        [recent.value.id, 'entered', 'event'],
        [both.value.id, 'entered', 'event'],
      ]);

      // An anonymous visitor buys, then is identified as carol: the merged-away profile leaves, carol enters.
      expect((await post('/v1/batch', { batch: [orderCompleted({ userId: undefined, anonymousId: 'anon-9', timestamp: new Date(clock.now()).toISOString() })] }, w)).status).toBe(200);
      await tailor.realtime.drain();
      expect(await tailor.segments.get(ws, recent.value.id)).toMatchObject({ value: { memberCount: 4 } });
      expect((await post('/v1/batch', { batch: [identifyMessage({ userId: 'carol', anonymousId: 'anon-9', timestamp: new Date(clock.now()).toISOString() })] }, w)).status).toBe(200);
      await tailor.realtime.drain();
      expect(await memberIds(recent.value.id)).toEqual(['alice', 'bob', 'carol', 'dave']);
      expect(await tailor.segments.get(ws, recent.value.id)).toMatchObject({ value: { memberCount: 4 } });

      // Time passes: the scheduled evaluation lets people out whose window has closed.
      clock.advance(29 * DAY);
      const later = await tailor.segments.evaluate(ws, recent.value.id);
      // alice's last order was 5 + 29 days ago, dave's 3 + 29; bob's and carol's a minute before the 29 days.
      expect(later).toMatchObject({ ok: true, value: { members: 2, entered: 0, exited: 2 } });
      const aliceHistory = await tailor.segments.historyOf(ws, 'user_id:alice');
      expect(aliceHistory.ok && aliceHistory.value.changes.map((c) => [c.change, c.reason, c.at])).toEqual([['entered', 'evaluation', NOW], ['exited', 'evaluation', clock.now()]]);
      expect(aliceHistory.ok && aliceHistory.value.current).toEqual([]);

      // The internal event stream journeys read: every change in order, resumable by cursor.
      const stream = await tailor.segments.changesSince(ws, null, 1000);
      expect(stream.length).toBeGreaterThanOrEqual(9);
      for (let i = 1; i < stream.length; i++) expect(stream[i]!.at).toBeGreaterThanOrEqual(stream[i - 1]!.at);
      const tail = await tailor.segments.changesSince(ws, { at: stream[stream.length - 2]!.at, id: stream[stream.length - 2]!.id }, 10);
      expect(tail).toEqual([stream[stream.length - 1]]);

      // Real-time updates can be switched off per workspace.
      await tailor.workspaces.updateSettings(ws.id, { segments: { realtime: false, evaluateEveryMinutes: 15 } });
      await post('/v1/batch', { batch: [trackMessage({ userId: 'alice', event: 'Product Viewed', properties: { category: 'Tea' }, timestamp: new Date(clock.now()).toISOString() })] }, w);
      await tailor.realtime.drain();
      expect(await memberIds(tea.value.id)).toEqual(['bob', 'carol']);
    } finally {
      await store.close();
    }
  });

  it('re-checks a person on ingest-free privacy changes: consent and subscriptions through the API, and the personalization switch (P5)', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, clock } = await appFor(store);
      clock.set(NOW);
      const { workspace, keys } = await tailor.workspaces.createWorkspace({ name: 'tea shop', jurisdiction: 'UK', settings: { defaultCurrency: 'GBP', ...PROFILING_ON } as never });
      await seed(tailor, keys.write, post);
      const ws = (await tailor.workspaces.getWorkspace(workspace.id))!;
      const optIns = await tailor.segments.create(ws, { name: 'Email opt-ins', condition: { consent: 'marketing_email', state: 'granted' } });
      const sms = await tailor.segments.create(ws, { name: 'SMS subscribers', condition: { subscription: 'sms', state: 'subscribed' } });
      const buyers = await tailor.segments.create(ws, { name: 'Buyers', condition: { event: 'Order Completed', withinLastDays: 90 } });
      if (!optIns.ok || !sms.ok || !buyers.ok) throw new Error('create failed');
      for (const s of [optIns, sms, buyers]) await tailor.segments.evaluate(ws, s.value.id);
      const users = async (id: string) => (await tailor.segments.members(ws, id, { after: null, limit: 100 })).value!.map((m) => m.userId).sort();
      expect(await users(optIns.value.id)).toEqual([]);
      expect(await users(buyers.value.id)).toEqual(['alice', 'bob', 'dave']);

      clock.advance(1000);
      expect((await tailor.consent.record(ws, 'user_id:carol', consentInputSchema.array().parse([{ purpose: 'marketing_email', decision: 'granted', noticeVersion: 'v1' }]), 'test')).ok).toBe(true);
      expect((await tailor.consent.subscribe(ws, 'user_id:bob', { channel: 'sms', status: 'subscribed', source: 'api' }, 'test')).ok).toBe(true);
      expect((await tailor.consent.setPersonalization(ws, 'user_id:alice', false, 'test')).ok).toBe(true);
      await tailor.realtime.drain();
      expect(await users(optIns.value.id)).toEqual(['carol']);
      expect(await users(sms.value.id)).toEqual(['bob']);
      expect(await users(buyers.value.id)).toEqual(['bob', 'dave']); // alice switched personalization off: she leaves behaviour segments at once
      const history = await tailor.segments.historyOf(ws, 'user_id:alice');
      expect(history.ok && history.value.changes.at(-1)).toMatchObject({ segmentId: buyers.value.id, change: 'exited', reason: 'event' });

      expect((await tailor.consent.setPersonalization(ws, 'user_id:alice', true, 'test')).ok).toBe(true);
      await tailor.realtime.drain();
      expect(await users(buyers.value.id)).toEqual(['alice', 'bob', 'dave']);
    } finally {
      await store.close();
    }
  });

  it('pages members, exports them as CSV (audited), refuses to delete a segment in use, and erasure removes a person\'s memberships', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, clock } = await appFor(store);
      clock.set(NOW);
      const { workspace, keys } = await tailor.workspaces.createWorkspace({ name: 'tea shop', jurisdiction: 'UK', settings: { defaultCurrency: 'GBP', ...PROFILING_ON } as never });
      await seed(tailor, keys.write, post);
      const ws = (await tailor.workspaces.getWorkspace(workspace.id))!;
      const pros = await tailor.segments.create(ws, { name: 'Pro plan', description: 'identify plan = pro, or score over 15', condition: { any: [{ trait: 'plan', source: 'profile', op: '=', value: 'pro' }, { trait: 'score', source: 'profile', op: '>', value: 15 }] } });
      if (!pros.ok) throw new Error('create failed');
      await tailor.segments.evaluate(ws, pros.value.id);
      const first = await tailor.segments.members(ws, pros.value.id, { after: null, limit: 2 });
      const second = await tailor.segments.members(ws, pros.value.id, { after: first.value!.at(-1)!.profileId, limit: 2 });
      const paged = [...first.value!, ...second.value!].map((m) => m.userId).sort();
      expect(paged).toEqual(['alice', 'bob', 'carol', 'dave']);
      expect(new Set([...first.value!, ...second.value!].map((m) => m.profileId)).size).toBe(4);

      const csv = await tailor.segments.exportCsv(ws, pros.value.id, 'admin_key:test');
      expect(csv.ok).toBe(true);
      const lines = csv.ok ? csv.value.trim().split('\n') : [];
      expect(lines[0]).toBe('profile_id,user_id,entered_at');
      expect(lines.slice(1).map((l) => l.split(',')[1]).sort()).toEqual(['alice', 'bob', 'carol', 'dave']);
      expect(lines[1]).toContain(',2024-03-02T00:00:00.000Z');
      const audit = await tailor.audit.entries(ws.id, { subject: pros.value.id });
      expect(audit.map((e) => e.action)).toEqual(['segment.created', 'segment.exported']);

      const child = await tailor.segments.create(ws, { name: 'Pros who bought', condition: { all: [{ segment: pros.value.id }, { event: 'Order Completed' }] } });
      if (!child.ok) throw new Error('create failed');
      expect(await tailor.segments.remove(ws, pros.value.id)).toMatchObject({ ok: false, error: { type: 'in_use', message: expect.stringContaining('Pros who bought') } });
      expect(await tailor.segments.remove(ws, child.value.id)).toMatchObject({ ok: true });
      expect(await tailor.segments.get(ws, child.value.id)).toMatchObject({ ok: false, error: { type: 'segment_not_found' } });

      // The scheduler of `tailor serve` re-evaluates every `segments.evaluateEveryMinutes` (default 15).
      const logs: string[] = [];
      const scheduler = startScheduler(tailor, (m) => logs.push(m), 10);
      clock.advance(16 * 60_000);
      for (let i = 0; i < 100 && !logs.some((l) => l.startsWith('evaluated 1 segments')); i++) await new Promise((r) => setTimeout(r, 10));
      scheduler.stop();
      expect(logs).toContain(`evaluated 1 segments of workspace ${ws.id}: 0 entries, 0 exits`);
      // One run for each of the three workspaces, counted in the metrics.
      expect(await tailor.metrics.registry.metrics()).toContain('tailor_jobs_total{job="segments",outcome="ok"} 3');
      expect(await tailor.segments.get(ws, pros.value.id)).toMatchObject({ value: { evaluatedAt: clock.now() } });

      // Erasure: the person's memberships and history go; the count follows at the next evaluation.
      const alice = await tailor.profiles.resolve(ws.id, 'user_id:alice');
      const report = await tailor.erasure.erase(ws, 'user_id:alice', 'test');
      expect(report.ok && report.value.tables).toMatchObject({ segment_memberships: 1, segment_history: 1 });
      const left = await store.db.selectFrom('segment_history').select('profile_id').where('workspace_id', '=', ws.id).execute();
      expect(left.map((r) => r.profile_id)).not.toContain(alice.ok ? alice.value.id : '');
      expect(await tailor.segments.evaluate(ws, pros.value.id)).toMatchObject({ ok: true, value: { members: 3, entered: 0, exited: 0 } });
    } finally {
      await store.close();
    }
  });

  it('serves segments over HTTP: errors with paths, 404 across workspaces, pages, CSV, history, 409 in use', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, clock, b } = await appFor(store);
      clock.set(NOW);
      const { keys } = await tailor.workspaces.createWorkspace({ name: 'tea shop', jurisdiction: 'UK', settings: { defaultCurrency: 'GBP', ...PROFILING_ON } as never });
      await seed(tailor, keys.write, post);
      await tailor.realtime.drain();
      const req = (path: string, init: { method?: string; body?: unknown; key?: string } = {}) => tailor.app.request(path, {
        method: init.method ?? 'GET', ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        headers: { 'content-type': 'application/json', authorization: bearer(init.key ?? keys.admin) },
      });

      const bad = await req('/v1/segments', { method: 'POST', body: { name: 'x', condition: { all: [{ event: 'Order Completed', withinLastDays: -1 }] } } });
      expect(bad.status).toBe(400);
      const badBody = await bad.json() as { error: { message: string; details: Array<{ path: string }> } };
      expect(badBody.error.details[0]!.path).toBe('condition.all[0].withinLastDays');
      expect(badBody.error.message).toContain('condition.all[0].withinLastDays');
      expect((await req('/v1/segments/validate', { method: 'POST', body: { name: 'ok', condition: { event: 'Order Completed' } } })).status).toBe(200);
      const preview = await req('/v1/segments/preview', { method: 'POST', body: { name: 'buyers', condition: { event: 'Order Completed' } } });
      expect(await preview.json()).toMatchObject({ count: 3 });

      const created = await req('/v1/segments', { method: 'POST', body: { name: 'Buyers', condition: { event: 'Order Completed' } } });
      expect(created.status).toBe(201);
      const { segment, evaluation } = await created.json() as { segment: { id: string; memberCount: number }; evaluation: { members: number } };
      expect(evaluation.members).toBe(3);
      expect(segment.memberCount).toBe(3);
      expect(((await (await req('/v1/segments')).json()) as { segments: unknown[] }).segments).toHaveLength(1);
      // Another workspace's admin key sees nothing of it.
      expect((await req(`/v1/segments/${segment.id}`, { key: b.keys.admin })).status).toBe(404);
      expect((await req(`/v1/segments/${segment.id}/members`, { key: b.keys.admin })).status).toBe(404);

      const page1 = await (await req(`/v1/segments/${segment.id}/members?limit=2`)).json() as { members: Array<{ profileId: string }>; next: string };
      expect(page1.members).toHaveLength(2);
      const page2 = await (await req(`/v1/segments/${segment.id}/members?limit=2&after=${page1.next}`)).json() as { members: Array<{ profileId: string }>; next: string | null };
      expect(page2).toMatchObject({ next: null });
      expect(page2.members).toHaveLength(1);
      expect((await req(`/v1/segments/${segment.id}/members?limit=5000`)).status).toBe(400);
      const csv = await req(`/v1/segments/${segment.id}/members?format=csv`);
      expect(csv.headers.get('content-type')).toContain('text/csv');
      expect((await csv.text()).trim().split('\n')).toHaveLength(4);

      const history = await (await req('/v1/profiles/user_id:alice/segments')).json() as { current: Array<{ segmentId: string }>; changes: Array<{ change: string; reason: string }> };
      expect(history.current.map((c) => c.segmentId)).toEqual([segment.id]);
      expect(history.changes).toMatchObject([{ change: 'entered', reason: 'created' }]);
      expect((await req('/v1/profiles/user_id:nobody/segments')).status).toBe(404);

      const child = await req('/v1/segments', { method: 'POST', body: { name: 'Child', condition: { not: { segment: segment.id } } } });
      const childId = ((await child.json()) as { segment: { id: string } }).segment.id;
      expect((await req(`/v1/segments/${segment.id}`, { method: 'DELETE' })).status).toBe(409);
      // Editing: a loop through references is refused; a new condition re-evaluates, exits recorded as `edited`.
      const loop = await req(`/v1/segments/${segment.id}`, { method: 'PUT', body: { name: 'Buyers', condition: { segment: childId } } });
      expect(loop.status).toBe(400);
      expect(((await loop.json()) as { error: { message: string } }).error.message).toContain('refer back to it');
      expect((await req('/v1/segments/nope', { method: 'PUT', body: { name: 'x', condition: { event: 'X' } } })).status).toBe(404);
      expect((await req(`/v1/segments/${segment.id}`, { method: 'PUT', body: { name: 'x', condition: { event: 'X' } }, key: b.keys.admin })).status).toBe(404);
      clock.advance(1000);
      const edited = await req(`/v1/segments/${segment.id}`, { method: 'PUT', body: { name: 'Big buyers', condition: { event: 'Order Completed', where: [{ property: 'revenue', op: '>=', value: 50 }] } } });
      expect(edited.status).toBe(200);
      expect(await edited.json()).toMatchObject({ segment: { name: 'Big buyers', memberCount: 2 }, evaluation: { members: 2, exited: 1, entered: 0 } }); // alice (£80) and dave (£50) stay; bob (£20) leaves
      const bobAfter = await (await req('/v1/profiles/user_id:bob/segments')).json() as { changes: Array<{ segmentId: string; change: string; reason: string }> };
      expect(bobAfter.changes.filter((c) => c.segmentId === segment.id).at(-1)).toMatchObject({ change: 'exited', reason: 'edited' });
      expect((await req(`/v1/segments/${childId}`, { method: 'DELETE' })).status).toBe(200);
      expect((await req(`/v1/segments/${segment.id}/evaluate`, { method: 'POST' })).status).toBe(200);
      const doc = await (await tailor.app.request('/openapi.json')).json() as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/segments', '/v1/segments/{id}/members', '/v1/profiles/{ref}/segments']));
    } finally {
      await store.close();
    }
  });
});
