import { afterAll, expect, it } from 'vitest';
import { appFor, basic, bearer } from './support/app.js';
import { describeEachEngine } from './support/engines.js';
import { orderCompleted } from './support/factories.js';

const NOW = Date.parse('2024-03-02T00:00:00Z');
const PROFILING_ON = {
  privacy: { defaults: { overrides: (['profiling', 'personalization'] as const).map((purpose) => ({ purpose, default: 'on', legalBasis: 'legitimate_interests', note: 'test' })) } },
};

/**
 * Minors (PRIVACY.md P11): a person under the workspace's age threshold — by their `birthday`
 * or `age` trait — is not personalized, profiled or marketed to until a guardian's consent is
 * recorded; the policy endpoint, recommendation serving, segments (full and real-time) and the
 * export all see it, on both engines.
 */
describeEachEngine('minors and guardian consent (P11)', (engine) => {
  afterAll(() => engine.cleanup());

  it('refuses personalization, profiling and marketing for a minor until a guardian consents, everywhere the policy is asked', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, clock } = await appFor(store);
      clock.set(NOW);
      // UK: under 13 (the UK GDPR's age of digital consent); profiling and personalization on by legitimate interests.
      const { workspace, keys } = await tailor.workspaces.createWorkspace({ name: 'toy shop', jurisdiction: 'UK', settings: { defaultCurrency: 'GBP', ...PROFILING_ON } as never });
      const w = { authorization: basic(keys.write) };
      const admin = { authorization: bearer(keys.admin) };
      const req = (path: string, init: RequestInit = {}) => tailor.app.request(path, { ...init, headers: { 'content-type': 'application/json', ...admin } });
      const seeded = await post('/v1/batch', { batch: [
        { type: 'identify', userId: 'kid', traits: { birthday: '2012-03-03' }, timestamp: '2024-02-01T00:00:00.000Z' }, // 12 the day before their 13th birthday
        { type: 'identify', userId: 'teen', traits: { birthday: '2011-03-02T09:00:00Z' }, timestamp: '2024-02-01T00:00:00.000Z' }, // 13 today
        { type: 'identify', userId: 'said-twelve', traits: { age: 12 }, timestamp: '2024-02-01T00:00:00.000Z' },
        orderCompleted({ userId: 'kid', timestamp: '2024-02-20T10:00:00.000Z' }),
        orderCompleted({ userId: 'teen', timestamp: '2024-02-20T11:00:00.000Z' }),
        orderCompleted({ userId: 'said-twelve', timestamp: '2024-02-20T12:00:00.000Z' }),
        orderCompleted({ userId: 'unknown-age', timestamp: '2024-02-20T13:00:00.000Z' }),
      ] }, w);
      expect(seeded.status).toBe(200);

      const policy = async (who: string, action: string) => (await (await req(`/v1/profiles/user_id:${who}/policy?action=${action}${action === 'send_marketing' ? '&channel=email' : ''}`)).json()) as { allowed: boolean; reasons: Array<{ code: string }> };
      for (const action of ['personalize', 'profile', 'send_marketing']) {
        expect(await policy('kid', action), action).toMatchObject({ allowed: false, reasons: expect.arrayContaining([expect.objectContaining({ code: 'minor_without_guardian_consent' })]) });
        expect((await policy('said-twelve', action)).reasons.map((r) => r.code)).toContain('minor_without_guardian_consent');
        expect((await policy('teen', action)).reasons.map((r) => r.code)).not.toContain('minor_without_guardian_consent');
        expect((await policy('unknown-age', action)).reasons.map((r) => r.code)).not.toContain('minor_without_guardian_consent');
      }
      expect((await policy('teen', 'personalize')).allowed).toBe(true);

      // Recommendation serving asks the same policy on every request.
      const recs = async (who: string) => (await (await req('/v1/recommendations', { method: 'POST', body: JSON.stringify({ user: `user_id:${who}`, strategy: 'trending', n: 3 }) })).json()) as { personalized: boolean; personalizedReason?: string; reasons?: unknown };
      const kidRecs = await recs('kid');
      expect(kidRecs.personalized).toBe(false);
      expect(JSON.stringify(kidRecs)).toContain('minor');
      expect((await recs('teen')).personalized).toBe(true);

      // Segments: a behaviour segment leaves the minors out.
      const buyers = await tailor.segments.create(workspace, { name: 'Buyers', condition: { event: 'Order Completed', withinLastDays: 90 } });
      if (!buyers.ok) throw new Error('create failed');
      await tailor.segments.evaluate(workspace, buyers.value.id);
      await tailor.realtime.drain();
      const members = async () => (await tailor.segments.members(workspace, buyers.value.id, { after: null, limit: 100 })).value!.map((m) => m.userId).sort();
      expect(await members()).toEqual(['teen', 'unknown-age']);

      // The export says what the policy sees.
      const exported = await (await req('/v1/profiles/user_id:kid/export')).json() as { profile: { minor: boolean | null; guardianConsent: boolean } };
      expect(exported.profile).toMatchObject({ minor: true, guardianConsent: false });
      expect(((await (await req('/v1/profiles/user_id:unknown-age/export')).json()) as { profile: { minor: unknown } }).profile.minor).toBeNull();

      // A guardian consents: the kid is personalized and profiled again, at once and in real time.
      clock.advance(1000);
      const bad = await req('/v1/profiles/user_id:kid/guardian-consent', { method: 'PUT', body: JSON.stringify({ granted: true }) });
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain('method');
      const granted = await req('/v1/profiles/user_id:kid/guardian-consent', { method: 'PUT', body: JSON.stringify({ granted: true, method: 'signed form, checked by the store' }) });
      expect(granted.status).toBe(200);
      expect(await granted.json()).toMatchObject({ guardianConsent: true });
      expect((await policy('kid', 'personalize')).allowed).toBe(true);
      expect((await recs('kid')).personalized).toBe(true);
      await tailor.realtime.drain();
      expect(await members()).toEqual(['kid', 'teen', 'unknown-age']);
      const audit = await tailor.audit.entries(workspace.id, { subject: (await tailor.profiles.resolve(workspace.id, 'user_id:kid')).ok ? (await tailor.profiles.resolve(workspace.id, 'user_id:kid') as { value: { id: string } }).value.id : '' });
      expect(audit.map((e) => e.action)).toContain('guardian_consent.granted');
      expect(audit.find((e) => e.action === 'guardian_consent.granted')?.details).toEqual({ source: 'signed form, checked by the store' });

      // Withdrawn: off again.
      clock.advance(1000);
      expect((await req('/v1/profiles/user_id:kid/guardian-consent', { method: 'PUT', body: JSON.stringify({ granted: false, method: 'guardian asked by phone' }) })).status).toBe(200);
      expect((await policy('kid', 'personalize')).allowed).toBe(false);
      await tailor.realtime.drain();
      expect(await members()).toEqual(['teen', 'unknown-age']);

      // A birthday sent later takes a member out in real time (an identify that declares an age is a privacy change).
      clock.advance(1000);
      expect((await post('/v1/identify', { userId: 'unknown-age', traits: { birthday: '2015-06-01' } }, w)).status).toBe(200);
      await tailor.realtime.drain();
      expect(await members()).toEqual(['teen']);
      expect(tailor.realtime.stats().failures).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('takes the workspace\'s own threshold, not below its jurisdiction\'s floor, and unknown ages as minors when asked', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, clock } = await appFor(store);
      clock.set(NOW);
      const cn = await tailor.workspaces.createWorkspace({ name: 'cn shop', jurisdiction: 'CN' });
      const low = await tailor.workspaces.updateSettings(cn.workspace.id, { privacy: { ...cn.workspace.settings.privacy, policy: { ...cn.workspace.settings.privacy.policy, minorAgeThreshold: 13 } } });
      expect(low).toMatchObject({ ok: false, error: { type: 'invalid_settings', message: 'settings.privacy.policy.minorAgeThreshold: CN does not allow an age of minors below 14; got 13' } });

      const eu = await tailor.workspaces.createWorkspace({ name: 'eu shop', jurisdiction: 'EU', settings: PROFILING_ON as never });
      const w = { authorization: basic(eu.keys.write) };
      expect((await post('/v1/identify', { userId: 'fourteen', traits: { birthday: '2010-01-01' } }, w)).status).toBe(200);
      expect((await post('/v1/identify', { userId: 'no-age' }, w)).status).toBe(200);
      const decide = async (who: string) => tailor.consent.decide((await tailor.workspaces.getWorkspace(eu.workspace.id))!, `user_id:${who}`, { action: 'profile' });
      // EU: under 16 by default (GDPR 8(1)); a member state may set 13 – 16.
      expect(await decide('fourteen')).toMatchObject({ ok: true, value: { allowed: false } });
      const set = await tailor.workspaces.updateSettings(eu.workspace.id, { privacy: { ...eu.workspace.settings.privacy, policy: { ...eu.workspace.settings.privacy.policy, minorAgeThreshold: 14 } } });
      expect(set.ok).toBe(true);
      expect(await decide('fourteen')).toMatchObject({ ok: true, value: { allowed: true } });
      expect(await decide('no-age')).toMatchObject({ ok: true, value: { allowed: true } });
      const strict = await tailor.workspaces.updateSettings(eu.workspace.id, { privacy: { ...eu.workspace.settings.privacy, policy: { ...eu.workspace.settings.privacy.policy, minorAgeThreshold: 14, unknownAgeIsMinor: true } } });
      expect(strict.ok).toBe(true);
      expect(await decide('no-age')).toMatchObject({ ok: true, value: { allowed: false, reasons: expect.arrayContaining([expect.objectContaining({ code: 'age_unknown' })]) } });
      expect(await decide('fourteen')).toMatchObject({ ok: true, value: { allowed: true } });
    } finally {
      await store.close();
    }
  });

  it('keeps a guardian\'s consent through a merge', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, clock } = await appFor(store);
      clock.set(NOW);
      const { workspace, keys } = await tailor.workspaces.createWorkspace({ name: 'toy shop', jurisdiction: 'UK', settings: PROFILING_ON as never });
      const w = { authorization: basic(keys.write) };
      // Two profiles: the child's account (birthday known), and the tablet their guardian consented on.
      expect((await post('/v1/identify', { userId: 'kid-2', traits: { birthday: '2015-01-01' } }, w)).status).toBe(200);
      expect((await post('/v1/track', { anonymousId: 'tablet-1', event: 'Product Viewed' }, w)).status).toBe(200);
      const before = [await tailor.profiles.resolve(workspace.id, 'user_id:kid-2'), await tailor.profiles.resolve(workspace.id, 'anonymous_id:tablet-1')].map((r) => (r.ok ? r.value.id : null));
      expect(before[0]).not.toBe(before[1]);
      expect((await tailor.consent.decide(workspace, 'user_id:kid-2', { action: 'personalize' }))).toMatchObject({ ok: true, value: { allowed: false } });
      expect((await tailor.consent.setGuardianConsent(workspace, 'anonymous_id:tablet-1', true, 'signed form', 'test')).ok).toBe(true);
      clock.advance(1000);
      expect((await post('/v1/identify', { userId: 'kid-2', anonymousId: 'tablet-1' }, w)).status).toBe(200);
      const after = [await tailor.profiles.resolve(workspace.id, 'user_id:kid-2'), await tailor.profiles.resolve(workspace.id, 'anonymous_id:tablet-1')].map((r) => (r.ok ? r.value.id : null));
      expect(after[0]).toBe(after[1]);
      const d = await tailor.consent.decide(workspace, 'user_id:kid-2', { action: 'personalize' });
      expect(d).toMatchObject({ ok: true, value: { allowed: true } });
      const exported = await tailor.exporter.export(workspace, 'user_id:kid-2', 'test');
      expect(exported.ok && exported.value.profile).toMatchObject({ minor: true, guardianConsent: true });
    } finally {
      await store.close();
    }
  });
});
