import { afterAll, expect, it } from 'vitest';
import { exportDocumentSchema } from '../src/privacy/export-schema.js';
import { appFor, basic, bearer } from './support/app.js';
import { describeEachEngine } from './support/engines.js';

/**
 * When an anonymous visitor logs in and their profile is merged into the account's, the
 * person keeps every privacy decision made on either profile (P2, P5, P13): the ledgers are
 * joined (the latest decision per purpose or channel wins), the off switch survives, and the
 * export shows all of it.
 */
describeEachEngine('privacy across profile merges', (engine) => {
  afterAll(() => engine.cleanup());

  async function usShop(store: Awaited<ReturnType<typeof engine.open>>) {
    const app = await appFor(store);
    // US: consent-based purposes are on by default, so only the visitor's own decisions refuse anything.
    const { workspace, keys } = await app.tailor.workspaces.createWorkspace({ name: 'Shop US', jurisdiction: 'US' });
    await app.tailor.catalog.upsert(workspace.id, [{ id: 'sku-1', name: 'Mug' }]);
    const w = { authorization: basic(keys.write) };
    const req = (path: string, init: RequestInit = {}) => app.tailor.app.request(path, { ...init, headers: { 'content-type': 'application/json', authorization: bearer(keys.admin) } });
    const policy = async (ref: string, action: string, channel?: string) =>
      await (await req(`/v1/profiles/${ref}/policy?action=${action}${channel === undefined ? '' : `&channel=${channel}`}`)).json() as { allowed: boolean; reasons: Array<{ code: string }> };
    const personalized = async (query: string) => (await (await req(`/v1/recommendations?${query}&strategy=trending&n=1`)).json() as { personalized: boolean }).personalized;
    return { ...app, workspace, keys, w, req, policy, personalized };
  }

  it('keeps the absorbed profile\'s switch, consents and subscriptions after an identify merges it, and exports them', async () => {
    const store = await engine.open();
    try {
      const { post, clock, w, req, policy, personalized, tailor } = await usShop(store);
      await post('/v1/identify', { userId: '14390', traits: { email: 'p14390@example.com' } }, w);
      clock.advance(1_000);
      await post('/v1/track', { anonymousId: 'anonB', event: 'Product Viewed', properties: { product_id: 'sku-1' } }, w);
      clock.advance(1_000);
      // The visitor, still anonymous, turns personalization off and refuses profiling, sharing and email.
      expect((await req('/v1/profiles/anonymous_id:anonB/personalization', { method: 'PUT', body: JSON.stringify({ enabled: false }) })).status).toBe(200);
      expect((await req('/v1/profiles/anonymous_id:anonB/consents', { method: 'POST', body: JSON.stringify({ consents: [
        { purpose: 'profiling', decision: 'denied', source: 'ui' }, { purpose: 'third_party_sharing', decision: 'denied', source: 'ui' },
      ] }) })).status).toBe(200);
      expect((await req('/v1/profiles/anonymous_id:anonB/subscriptions', { method: 'POST', body: JSON.stringify({ channel: 'email', status: 'unsubscribed' }) })).status).toBe(200);
      const anon = await (await req('/v1/profiles/anonymous_id:anonB')).json() as { profile: { id: string } };
      const account = await (await req('/v1/profiles/user_id:14390')).json() as { profile: { id: string } };
      expect(anon.profile.id).not.toBe(account.profile.id);
      expect(await personalized('userId=14390')).toBe(true);
      expect(await personalized('anonymousId=anonB')).toBe(false);
      const shownToVisitor = await (await req('/v1/recommendations', { method: 'POST', body: JSON.stringify({ anonymousId: 'anonB', strategy: 'trending', n: 1 }) })).json() as { recommendationId: string };
      await tailor.recommendations.flush();

      clock.advance(1_000);
      expect((await post('/v1/identify', { userId: '14390', anonymousId: 'anonB' }, w)).status).toBe(200);
      const merged = await (await req('/v1/profiles/anonymous_id:anonB')).json() as { profile: { id: string } };
      expect(merged.profile.id).toBe(account.profile.id);

      for (const ref of ['user_id:14390', 'anonymous_id:anonB']) {
        expect(await policy(ref, 'personalize')).toMatchObject({ allowed: false, reasons: expect.arrayContaining([expect.objectContaining({ code: 'personalization_off' })]) });
        expect((await policy(ref, 'profile')).allowed).toBe(false);
        expect((await policy(ref, 'share_third_party')).reasons.map((r) => r.code)).toContain('no_consent:third_party_sharing');
        expect((await policy(ref, 'send_marketing', 'email')).reasons.map((r) => r.code)).toContain('unsubscribed:email');
      }
      // Serving reads the switch of the profile the visitor now resolves to, on the next request.
      expect(await personalized('anonymousId=anonB')).toBe(false);
      expect(await personalized('userId=14390')).toBe(false);

      const doc = exportDocumentSchema.parse(await (await req('/v1/profiles/user_id:14390/export')).json());
      expect(doc.profile).toMatchObject({ id: account.profile.id, mergedProfileIds: [anon.profile.id], personalizationOff: true });
      expect(doc.consents.records.map((r) => `${r.purpose}/${r.decision}`)).toEqual(expect.arrayContaining(['profiling/denied', 'third_party_sharing/denied']));
      expect(doc.subscriptions.records.map((r) => `${r.channel}/${r.status}`)).toEqual(['email/unsubscribed']);
      expect(doc.recommendations.map((r) => r.recommendationId)).toContain(shownToVisitor.recommendationId);
      // The audit entries about the absorbed profile are part of the person's audit trail (docs/privacy.md "Export").
      expect(doc.auditEntries.map((e) => e.action)).toEqual(expect.arrayContaining(['personalization.disabled', 'consent.recorded', 'subscription.changed']));
      // Nothing privacy-related is left behind under the absorbed id.
      for (const table of ['consent_records', 'subscription_records', 'privacy_switches'] as const) {
        expect(await store.db.selectFrom(table).select('profile_id').where('profile_id', '=', anon.profile.id).execute(), table).toEqual([]);
      }
    } finally {
      await store.close();
    }
  });

  it('joins the two ledgers in time order: the latest decision per purpose and channel wins, and a later switch change on the survivor wins', async () => {
    const store = await engine.open();
    try {
      const { post, clock, w, req, policy } = await usShop(store);
      // The account: switched off long ago, then on again after the visitor switched off (below).
      await post('/v1/identify', { userId: 'u-late', traits: { email: 'late@example.com' } }, w);
      await post('/v1/track', { anonymousId: 'anon-late', event: 'Product Viewed' }, w);
      await req('/v1/profiles/user_id:u-late/personalization', { method: 'PUT', body: JSON.stringify({ enabled: false }) });
      clock.advance(1_000);
      await req('/v1/profiles/anonymous_id:anon-late/personalization', { method: 'PUT', body: JSON.stringify({ enabled: false }) });
      await req('/v1/profiles/anonymous_id:anon-late/consents', { method: 'POST', body: JSON.stringify({ consents: [{ purpose: 'profiling', decision: 'denied', source: 'ui' }] }) });
      await req('/v1/profiles/anonymous_id:anon-late/subscriptions', { method: 'POST', body: JSON.stringify({ channel: 'email', status: 'unsubscribed' }) });
      clock.advance(1_000);
      await req('/v1/profiles/user_id:u-late/personalization', { method: 'PUT', body: JSON.stringify({ enabled: true }) });
      await req('/v1/profiles/user_id:u-late/consents', { method: 'POST', body: JSON.stringify({ consents: [{ purpose: 'profiling', decision: 'granted', noticeVersion: 'v1', source: 'ui' }] }) });
      clock.advance(1_000);

      // The account switched on after the visitor switched off: the account's later choice stands.
      // The visitor's unsubscribe is the latest word on email; the account's grant the latest on profiling.
      await post('/v1/identify', { userId: 'u-late', anonymousId: 'anon-late' }, w);
      expect((await policy('user_id:u-late', 'personalize')).allowed).toBe(true);
      expect((await policy('user_id:u-late', 'profile')).allowed).toBe(true);
      expect((await policy('user_id:u-late', 'send_marketing', 'email')).reasons.map((r) => r.code)).toContain('unsubscribed:email');
      const state = await (await req('/v1/profiles/user_id:u-late/consents')).json() as { records: Array<{ purpose: string; decision: string }> };
      expect(state.records.filter((r) => r.purpose === 'profiling').map((r) => r.decision)).toEqual(['denied', 'granted']);

      // The other way round: the account's switch is older than the visitor's "off", so off wins.
      await post('/v1/identify', { userId: 'u-early', traits: { email: 'early@example.com' } }, w);
      await req('/v1/profiles/user_id:u-early/personalization', { method: 'PUT', body: JSON.stringify({ enabled: true }) });
      clock.advance(1_000);
      await post('/v1/track', { anonymousId: 'anon-early', event: 'Product Viewed' }, w);
      await req('/v1/profiles/anonymous_id:anon-early/personalization', { method: 'PUT', body: JSON.stringify({ enabled: false }) });
      clock.advance(1_000);
      await post('/v1/identify', { userId: 'u-early', anonymousId: 'anon-early' }, w);
      expect(await policy('user_id:u-early', 'personalize')).toMatchObject({ allowed: false, reasons: [expect.objectContaining({ code: 'personalization_off' })] });
    } finally {
      await store.close();
    }
  });
});
