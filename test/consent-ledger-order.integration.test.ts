import { afterAll, expect, it } from 'vitest';
import { buildConfig } from '../src/config/config.js';
import type { IngestListener } from '../src/ingest/index.js';
import { createTailor } from '../src/main.js';
import { fixedClock } from '../src/shared/clock.js';
import { cryptoIds } from '../src/shared/ids.js';
import type { Store } from '../src/store/store.js';
import { basic, bearer } from './support/app.js';
import { describeEachEngine } from './support/engines.js';
import { identifyMessage, trackMessage } from './support/factories.js';

const NOW = Date.parse('2024-03-02T00:00:00Z');

/**
 * A Tailor whose clock never moves and whose ids read that clock: every record of a test
 * shares one millisecond, so only the ids order records of the same time (README: "ties in
 * append order").
 */
async function tailorFor(store: Store) {
  const clock = fixedClock(NOW);
  const errors: unknown[] = [];
  const tailor = await createTailor(buildConfig({ env: {}, flags: {} }), { store, clock, ids: cryptoIds(clock), log: (_m, e) => errors.push(e) });
  const { workspace, keys } = await tailor.workspaces.createWorkspace({
    name: 'shop', jurisdiction: 'EU',
    settings: { privacy: { identifyConsent: { categories: { Advertising: ['marketing_email', 'marketing_push'] } } } } as never,
  });
  const write = { authorization: basic(keys.write) };
  const admin = { 'content-type': 'application/json', authorization: bearer(keys.admin) };
  const batch = (messages: unknown[]) => tailor.app.request('/v1/batch', { method: 'POST', body: JSON.stringify({ batch: messages }), headers: { 'content-type': 'application/json', ...write } });
  const req = (path: string, init: RequestInit = {}) => tailor.app.request(path, { ...init, headers: admin });
  const consents = async (ref: string) => (await (await req(`/v1/profiles/${ref}/consents`)).json()) as {
    records: Array<{ purpose: string; decision: string; source: string; method?: string }>;
    consents: { purposes: Record<string, { allowed: boolean }> };
  };
  return { tailor, workspace, batch, req, consents, errors };
}

describeEachEngine('consent ledger: order, unsubscribes and consent carried by any call', (engine) => {
  afterAll(() => engine.cleanup());

  it('keeps decisions of one API call in append order: the last one decides (bug: 3 of 8 people came back allowed)', async () => {
    const store = await engine.open();
    try {
      const { batch, req, consents } = await tailorFor(store);
      const people = Array.from({ length: 24 }, (_, i) => `t${i}`);
      expect((await batch(people.map((userId) => identifyMessage({ userId })))).status).toBe(200);
      for (const [i, userId] of people.entries()) {
        // Half grant then withdraw, half the other way round: refusals must not simply win.
        const pair = [{ purpose: 'marketing_email', decision: 'granted', noticeVersion: 'v1' }, { purpose: 'marketing_email', decision: 'withdrawn' }];
        const res = await req(`/v1/profiles/user_id:${userId}/consents`, { method: 'POST', body: JSON.stringify({ consents: i % 2 === 0 ? pair : pair.reverse() }) });
        expect(res.status).toBe(200);
      }
      const seen = await Promise.all(people.map(async (userId, i) => {
        const s = await consents(`user_id:${userId}`);
        return { userId, records: s.records.map((r) => r.decision), allowed: s.consents.purposes.marketing_email!.allowed, expected: i % 2 === 1 };
      }));
      expect(seen.filter((s) => s.allowed !== s.expected || s.records.join() !== (s.expected ? 'withdrawn,granted' : 'granted,withdrawn'))).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('keeps consent of one ingest batch in append order (all its records share one time)', async () => {
    const store = await engine.open();
    try {
      const { batch, consents } = await tailorFor(store);
      const people = Array.from({ length: 16 }, (_, i) => `b${i}`);
      const res = await batch(people.flatMap((userId) => [
        identifyMessage({ userId, context: { consent: { purposes: { marketing_email: true }, noticeVersion: 'v1' } } }),
        identifyMessage({ userId, context: { consent: { purposes: { marketing_email: false } } } }),
        identifyMessage({ userId, traits: { consent: { purposes: { marketing_email: true }, noticeVersion: 'v1' } } }),
      ]));
      expect(res.status).toBe(200);
      const seen = await Promise.all(people.map(async (userId) => {
        const s = await consents(`user_id:${userId}`);
        return { userId, records: s.records.map((r) => r.decision).join(), allowed: s.consents.purposes.marketing_email!.allowed };
      }));
      expect(seen.filter((s) => s.records !== 'granted,withdrawn,granted' || !s.allowed)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('withdraws the channel\'s marketing consent on an unsubscribe, says so in the response and the audit log (P17)', async () => {
    const store = await engine.open();
    try {
      const { tailor, workspace, batch, req, consents } = await tailorFor(store);
      expect((await batch([identifyMessage({ userId: 'c1' }), identifyMessage({ userId: 'c2' })])).status).toBe(200);
      await req('/v1/profiles/user_id:c1/consents', { method: 'POST', body: JSON.stringify({ consents: [{ purpose: 'marketing_email', decision: 'granted', noticeVersion: 'v1' }] }) });
      const subscribed = await req('/v1/profiles/user_id:c1/subscriptions', { method: 'POST', body: JSON.stringify({ channel: 'email', status: 'subscribed' }) });
      expect(await subscribed.json()).toMatchObject({ channel: 'email', status: 'subscribed', consentRecords: [] });
      expect((await consents('user_id:c1')).consents.purposes.marketing_email!.allowed).toBe(true);

      const res = await req('/v1/profiles/user_id:c1/subscriptions', { method: 'POST', body: JSON.stringify({ channel: 'email', status: 'unsubscribed' }) });
      expect(res.status).toBe(200);
      const body = await res.json() as { profileId: string; status: string; consentRecords: Array<Record<string, unknown>> };
      expect(body).toMatchObject({ channel: 'email', status: 'unsubscribed', source: 'api' });
      expect(body.consentRecords).toEqual([expect.objectContaining({ purpose: 'marketing_email', decision: 'withdrawn', source: 'unsubscribe', recordedAt: NOW })]);
      const after = await consents('user_id:c1');
      expect(after.consents.purposes.marketing_email!.allowed).toBe(false);
      expect(after.records.map((r) => `${r.decision}/${r.source}`)).toEqual(['granted/api', 'withdrawn/unsubscribe']);
      const policy = await (await req('/v1/profiles/user_id:c1/policy?action=send_marketing&channel=email')).json() as { allowed: boolean; reasons: Array<{ code: string }> };
      expect(policy.allowed).toBe(false);
      expect(policy.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(['no_consent:marketing_email', 'unsubscribed:email']));

      // Someone who never granted it opts out: recorded as denied, so the ledger shows the unsubscribe.
      const never = await (await req('/v1/profiles/user_id:c2/subscriptions', { method: 'POST', body: JSON.stringify({ channel: 'sms', status: 'unsubscribed' }) })).json() as { consentRecords: Array<Record<string, unknown>> };
      expect(never.consentRecords).toEqual([expect.objectContaining({ purpose: 'marketing_sms', decision: 'denied', source: 'unsubscribe' })]);

      const log = (await tailor.audit.entries(workspace.id, { subject: body.profileId })).filter((e) => e.action !== 'consent.read' && e.action !== 'profile.policy.read');
      expect(log.slice(-2).map((e) => [e.action, e.details])).toEqual([
        ['subscription.changed', { channel: 'email', status: 'unsubscribed', source: 'api', consents: [{ purpose: 'marketing_email', decision: 'withdrawn', noticeVersion: expect.any(String), source: 'unsubscribe' }] }],
        ['consent.recorded', { decisions: [{ purpose: 'marketing_email', decision: 'withdrawn', noticeVersion: expect.any(String), source: 'unsubscribe' }] }],
      ]);
    } finally {
      await store.close();
    }
  });

  it('records context.consent from any call (Segment\'s "Consent Preference Updated" track), reports the change to listeners, and audits it', async () => {
    const store = await engine.open();
    try {
      const { tailor, workspace, batch, consents, errors } = await tailorFor(store);
      const told: Array<Pick<Parameters<IngestListener>[0], 'privacyChanged' | 'consentRecords' | 'source'>> = [];
      tailor.ingest.onCommitted(({ privacyChanged, consentRecords, source }) => { told.push({ privacyChanged, consentRecords, source }); });
      const res = await batch([
        identifyMessage({ userId: 'k1' }),
        identifyMessage({ userId: 'k2' }),
        trackMessage({ userId: 'k1', event: 'Segment Consent Preference Updated', properties: {}, context: { consent: { categoryPreferences: { Advertising: true } } } }),
        { type: 'page', userId: 'k2', name: 'Settings', messageId: 'page-k2', context: { consent: { purposes: { analytics: false } } }, timestamp: '2024-03-01T10:00:00.000Z' },
        // traits.consent is read from identify only: a track carrying one changes nothing.
        trackMessage({ userId: 'k2', event: 'Odd', traits: { consent: { purposes: { profiling: true } } } }),
        // The same preferences repeated on the next event add nothing.
        trackMessage({ userId: 'k1', event: 'Product Viewed', context: { consent: { categoryPreferences: { Advertising: true } } } }),
      ]);
      expect(res.status).toBe(200);
      const k1 = await consents('user_id:k1');
      expect(k1.records.map((r) => [r.purpose, r.decision, r.source, r.method])).toEqual([
        ['marketing_email', 'granted', 'identify', 'track: context.consent.categoryPreferences.Advertising; notice assumed current'],
        ['marketing_push', 'granted', 'identify', 'track: context.consent.categoryPreferences.Advertising; notice assumed current'],
      ]);
      expect(k1.consents.purposes.marketing_email!.allowed).toBe(true);
      const k2 = await consents('user_id:k2');
      expect(k2.records.map((r) => [r.purpose, r.decision, r.method])).toEqual([['analytics', 'denied', 'page: context.consent.purposes.analytics']]);

      // Listeners hear of both people as a privacy change, as for identify consent.
      expect(told).toHaveLength(1);
      const profileOf = async (userId: string) => {
        const r = await tailor.profiles.resolve(workspace.id, `user_id:${userId}`);
        if (!r.ok) throw new Error(`no profile for ${userId}`);
        return r.value.id;
      };
      const [p1, p2] = [await profileOf('k1'), await profileOf('k2')];
      expect([...told[0]!.privacyChanged].sort()).toEqual([p1, p2].sort());
      expect(told[0]!.consentRecords.map((r) => r.purpose)).toEqual(['marketing_email', 'marketing_push', 'analytics']);

      // One audit entry per person and batch, with the decisions, and the chain still verifies.
      await tailor.consentAudited();
      const entries = (await tailor.audit.entries(workspace.id, {})).filter((e) => e.action === 'consent.recorded');
      expect(entries.map((e) => [e.actor, e.subject, e.details])).toEqual([
        ['ingest:api', p1, { decisions: [
          { purpose: 'marketing_email', decision: 'granted', noticeVersion: expect.any(String), source: 'identify' },
          { purpose: 'marketing_push', decision: 'granted', noticeVersion: expect.any(String), source: 'identify' },
        ] }],
        ['ingest:api', p2, { decisions: [{ purpose: 'analytics', decision: 'denied', noticeVersion: expect.any(String), source: 'identify' }] }],
      ]);
      expect(await tailor.audit.verify(workspace.id)).toMatchObject({ ok: true });
      expect(errors).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
