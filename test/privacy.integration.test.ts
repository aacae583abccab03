import { afterAll, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { exportDocumentSchema } from '../src/privacy/export-schema.js';
import { appFor, basic, bearer } from './support/app.js';
import { describeEachEngine } from './support/engines.js';
import { identifyMessage, orderCompleted, trackMessage } from './support/factories.js';

describeEachEngine('privacy', (engine) => {
  afterAll(() => engine.cleanup());

  it('records consent through the API and identify, rebuilds past states, and the policy follows the switch', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, a, clock } = await appFor(store);
      const admin = { authorization: bearer(a.keys.admin) };
      const req = (path: string, init: RequestInit = {}) => tailor.app.request(path, { ...init, headers: { 'content-type': 'application/json', ...admin } });
      await post('/v1/identify', { userId: 'c1', traits: { email: 'c1@x.io' } }, { authorization: basic(a.keys.write) });
      // EU workspace: personalization is off until granted (P3).
      const before = await (await req('/v1/profiles/user_id:c1/policy?action=personalize')).json() as { allowed: boolean; reasons: Array<{ code: string }> };
      expect(before.allowed).toBe(false);
      expect(before.reasons.map((r) => r.code)).toContain('no_consent:personalization');

      const granted = await req('/v1/profiles/user_id:c1/consents', { method: 'POST', body: JSON.stringify({ consents: [{ purpose: 'personalization', decision: 'granted', noticeVersion: 'v1' }] }) });
      expect(granted.status).toBe(200);
      const grantTime = clock.now();
      clock.advance(60_000);
      expect((await (await req('/v1/profiles/user_id:c1/policy?action=personalize')).json() as { allowed: boolean }).allowed).toBe(true);

      // The off switch wins at once (P5).
      await req('/v1/profiles/user_id:c1/personalization', { method: 'PUT', body: JSON.stringify({ enabled: false }) });
      const off = await (await req('/v1/profiles/user_id:c1/policy?action=personalize')).json() as { allowed: boolean; reasons: Array<{ code: string }> };
      expect(off.allowed).toBe(false);
      expect(off.reasons.map((r) => r.code)).toContain('personalization_off');

      // Consent sent with identify, in Tailor's documented form, is written to the ledger (and not to traits).
      clock.advance(60_000);
      await post('/v1/identify', { userId: 'c1', traits: { consent: { purposes: { personalization: false } } } }, { authorization: basic(a.keys.write) });
      const state = await (await req('/v1/profiles/user_id:c1/consents')).json() as { records: Array<{ decision: string; source: string }>; consents: { purposes: Record<string, { allowed: boolean }> } };
      expect(state.records.map((r) => `${r.decision}/${r.source}`)).toEqual(['granted/api', 'withdrawn/identify']);
      expect(state.consents.purposes.personalization!.allowed).toBe(false);
      const past = await (await req(`/v1/profiles/user_id:c1/consents?at=${encodeURIComponent(new Date(grantTime).toISOString())}`)).json() as { consents: { purposes: Record<string, { allowed: boolean }> } };
      expect(past.consents.purposes.personalization!.allowed).toBe(true);
      const profile = await (await req('/v1/profiles/user_id:c1')).json() as { profile: { traits: Record<string, unknown> } };
      expect(profile.profile.traits).not.toHaveProperty('consent');

      const bad = await req('/v1/profiles/user_id:c1/consents', { method: 'POST', body: JSON.stringify({ consents: [{ purpose: 'mind_reading', decision: 'granted', noticeVersion: 'v1' }] }) });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: { message: expect.stringMatching(/^consents\[0\]\.purpose: /) } });
    } finally {
      await store.close();
    }
  });

  it('exports everything held about a person in the documented schema', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, a } = await appFor(store);
      const w = { authorization: basic(a.keys.write) };
      await post('/v1/batch', { batch: [
        identifyMessage({ userId: 'e1', anonymousId: 'an-e1', traits: { email: 'e1@x.io', city: 'York' } }),
        trackMessage({ userId: 'e1', event: 'Product Viewed' }),
        orderCompleted({ userId: 'e1' }, { order_id: 'EX-1' }),
      ] }, w);
      // A recommendation shown to them (not personalized: no consent in the EU) and their click.
      await tailor.catalog.upsert(a.workspace.id, [{ id: 'sku-1', name: 'Mug' }]);
      const shown = await (await post('/v1/recommendations', { user: 'user_id:e1', strategy: 'trending', n: 1 }, { authorization: bearer(a.keys.admin) })).json() as { recommendationId: string };
      await post('/v1/batch', { batch: [trackMessage({ userId: 'e1', event: 'Product Clicked', properties: { product_id: 'sku-1', recommendation_id: shown.recommendationId } })] }, w);
      const res = await tailor.app.request('/v1/profiles/email:e1@x.io/export', { headers: { authorization: bearer(a.keys.admin) } });
      expect(res.status).toBe(200);
      const doc = exportDocumentSchema.parse(await res.json());
      expect(doc.identifiers.map((i) => i.type).sort()).toEqual(['anonymous_id', 'email', 'user_id']);
      expect(doc.events).toHaveLength(4);
      expect(doc.recommendations).toEqual([expect.objectContaining({
        recommendationId: shown.recommendationId, placement: 'trending', personalized: false, items: [{ itemId: 'sku-1', exploration: false }],
        feedback: [expect.objectContaining({ itemId: 'sku-1', kind: 'click' })],
      })]);
      expect(doc.orders.map((o) => o.orderId)).toEqual(['EX-1']);
      expect(doc.profile.traits).toMatchObject({ city: 'York' });
      expect(doc.consents.current.find((c) => c.purpose === 'personalization')).toMatchObject({ allowed: false, source: 'default' });
      expect(doc.auditEntries.map((e) => e.action)).toEqual([]);
      const log = await tailor.audit.entries(a.workspace.id, {});
      expect(log.map((e) => e.action)).toContain('export.created');
    } finally {
      await store.close();
    }
  });

  it('erases a person from every table, suppresses replays, and leaves other people alone', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, a, b } = await appFor(store);
      const w = { authorization: basic(a.keys.write) };
      const admin = { authorization: bearer(a.keys.admin) };
      const req = (path: string, init: RequestInit = {}) => tailor.app.request(path, { ...init, headers: { 'content-type': 'application/json', ...admin } });
      // Seed the person into every table that exists: events, identities, merges, conflicts, orders,
      // consent, subscriptions, the switch, audit entries, and a merged-away profile.
      await post('/v1/batch', { batch: [trackMessage({ userId: undefined, anonymousId: 'erase-anon', event: 'Product Viewed' })] }, w);
      await post('/v1/batch', { batch: [trackMessage({ userId: 'erase-me', event: 'Signed In' })] }, w);
      await post('/v1/batch', { batch: [
        identifyMessage({ userId: 'erase-me', anonymousId: 'erase-anon', traits: { email: 'Erase@Me.io', phone: '+44 20 7946 0999', name: 'Eveline Q. Erased' } }),
        orderCompleted({ userId: 'erase-me' }, { order_id: 'ERASE-O1' }),
        trackMessage({ userId: 'erase-me', event: 'Order Refunded', properties: { order_id: 'ERASE-O1', total: 5 } }),
      ] }, w);
      await post('/v1/identify', { userId: 'someone-else', anonymousId: 'erase-anon' }, w); // conflict on the shared device
      await post('/v1/identify', { userId: 'keep-me', traits: { email: 'keep@me.io' } }, w);
      await post('/v1/identify', { userId: 'erase-me' }, { authorization: basic(b.keys.write) }); // same user id in another workspace
      await req('/v1/profiles/user_id:erase-me/consents', { method: 'POST', body: JSON.stringify({ consents: [{ purpose: 'marketing_email', decision: 'granted', noticeVersion: 'v1' }] }) });
      await req('/v1/profiles/user_id:erase-me/subscriptions', { method: 'POST', body: JSON.stringify({ channel: 'email', status: 'subscribed' }) });
      await req('/v1/profiles/user_id:erase-me/personalization', { method: 'PUT', body: JSON.stringify({ enabled: false }) });
      await tailor.compute.computeWorkspace((await tailor.workspaces.getWorkspace(a.workspace.id))!); // computed traits
      const segment = await tailor.segments.create(a.workspace, { name: 'Email opt-ins', condition: { consent: 'marketing_email', state: 'granted' } });
      expect(segment.ok && (await tailor.segments.evaluate(a.workspace, segment.value.id))).toMatchObject({ ok: true, value: { members: 1 } }); // segment members and history
      // A recommendation shown to the person, and their click on it (recommendation log and feedback).
      await tailor.catalog.upsert(a.workspace.id, [{ id: 'sku-1', name: 'Mug' }]);
      const shown = await (await req('/v1/recommendations', { method: 'POST', body: JSON.stringify({ user: 'user_id:erase-me', strategy: 'trending', n: 1 }) })).json() as { recommendationId: string; items: Array<{ itemId: string }> };
      expect(shown.items.map((i) => i.itemId)).toEqual(['sku-1']);
      await post('/v1/batch', { batch: [trackMessage({ userId: 'erase-me', event: 'Product Clicked', properties: { product_id: 'sku-1', recommendation_id: shown.recommendationId } })] }, w);
      await tailor.recommendations.flush();
      const { profile } = await (await req('/v1/profiles/user_id:erase-me')).json() as { profile: { id: string } };
      // A customer cluster (clustering leaves this person out, as they refused profiling: the row is written directly).
      await store.db.insertInto('cluster_assignments').values({ workspace_id: a.workspace.id, model_id: 'm-1', profile_id: profile.id, cluster: 1 }).execute();
      const merged = await store.db.selectFrom('profiles').select('id').where('merged_into', '=', profile.id).execute();
      expect(merged).toHaveLength(1);

      // One more recommendation, still in memory when the erasure starts: it must never be written.
      await req('/v1/recommendations', { method: 'POST', body: JSON.stringify({ user: 'user_id:erase-me', strategy: 'trending', n: 1 }) });
      const res = await req('/v1/profiles/user_id:erase-me', { method: 'DELETE' });
      expect(res.status).toBe(200);
      await tailor.recommendations.flush();
      const report = await res.json() as { profileId: string; mergedProfiles: number; identifiersSuppressed: number; tables: Record<string, number> };
      expect(report).toMatchObject({ profileId: profile.id, mergedProfiles: 1, identifiersSuppressed: 4 });
      for (const t of ['events', 'identities', 'orders', 'order_items', 'consent_records', 'subscription_records', 'privacy_switches', 'identity_merges', 'identity_conflicts', 'profiles', 'computed_traits', 'segment_memberships', 'segment_history', 'cluster_assignments', 'recommendation_log', 'recommendation_feedback']) {
        expect(report.tables[t], t).toBeGreaterThan(0);
      }

      // The generic check: no row of this workspace, in any table and any column, holds the
      // person's identifiers or profile ids — except the audit log and the erasure report,
      // which keep the profile id (never an identifier) as the record of what was done.
      const needles = ['erase-me', 'erase-anon', 'erase@me.io', '+442079460999', 'Eveline Q. Erased', 'ERASE-O1', profile.id, merged[0]!.id];
      const keepsProfileId = new Set(['audit_log', 'erasure_reports']);
      const db = store.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
      for (const table of await store.features.listTables(store.db)) {
        const columns = await store.features.listColumns(store.db, table);
        const rows = columns.includes('workspace_id')
          ? await db.selectFrom(table).selectAll().where('workspace_id', '=', a.workspace.id).execute()
          : table === 'workspaces' ? [] : await db.selectFrom(table).selectAll().execute();
        for (const row of rows) {
          const text = JSON.stringify(row);
          for (const needle of needles) {
            if (keepsProfileId.has(table) && (needle === profile.id || needle === merged[0]!.id)) continue;
            expect.soft(text.includes(needle), `${table} still holds ${needle}: ${text.slice(0, 200)}`).toBe(false);
          }
        }
      }
      // Other people and other workspaces are untouched.
      expect((await req('/v1/profiles/user_id:keep-me')).status).toBe(200);
      expect((await req('/v1/profiles/user_id:someone-else')).status).toBe(200);
      expect((await tailor.app.request('/v1/profiles/user_id:erase-me', { headers: { authorization: bearer(b.keys.admin) } })).status).toBe(200);

      // Replayed and late events for the erased person are dropped (P14), in any identifier.
      const replay = await post('/v1/batch', { batch: [
        trackMessage({ userId: 'erase-me', event: 'Late' }),
        trackMessage({ userId: undefined, anonymousId: 'x', context: { traits: { email: 'ERASE@me.io' } }, event: 'Late too' }),
        trackMessage({ userId: 'keep-me', event: 'Fine' }),
      ] }, w);
      const body = await replay.json() as { accepted: number; rejected: Array<{ reason: string }> };
      expect(body.accepted).toBe(1);
      expect(body.rejected.map((r) => r.reason)).toEqual([expect.stringMatching(/^suppressed/), expect.stringMatching(/^suppressed/)]);
      expect((await req('/v1/profiles/user_id:erase-me')).status).toBe(404);
    } finally {
      await store.close();
    }
  });

  it('keeps a hash-chained audit log of reads and changes, and detects tampering', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, a } = await appFor(store);
      await post('/v1/identify', { userId: 'au1' }, { authorization: basic(a.keys.write) });
      const admin = { authorization: bearer(a.keys.admin) };
      await tailor.app.request('/v1/profiles/user_id:au1', { headers: admin });
      await tailor.app.request('/v1/profiles/user_id:au1/events', { headers: admin });
      await tailor.app.request('/v1/keys', { method: 'POST', body: JSON.stringify({ kind: 'write' }), headers: { ...admin, 'content-type': 'application/json' } });
      await tailor.app.request('/v1/workspace', { method: 'PATCH', body: JSON.stringify({ settings: { defaultCurrency: 'EUR' } }), headers: { ...admin, 'content-type': 'application/json' } });
      const entries = await (await tailor.app.request('/v1/audit', { headers: admin })).json() as { entries: Array<{ action: string; seq: number; hash: string }> };
      expect(entries.entries.map((e) => e.action)).toEqual(['profile.read', 'profile.events.read', 'key.created', 'config.changed']);
      const ok = await (await tailor.app.request('/v1/audit/verify', { headers: admin })).json() as { ok: boolean; head: { seq: number; hash: string } };
      expect(ok).toMatchObject({ ok: true, head: { seq: 4 } });

      // Alter an entry behind Tailor's back.
      await store.db.updateTable('audit_log').set({ actor: 'admin_key:someone-else' }).where('workspace_id', '=', a.workspace.id).where('seq', '=', 2).execute();
      expect(await (await tailor.app.request('/v1/audit/verify', { headers: admin })).json()).toMatchObject({ ok: false, seq: 2, reason: 'altered' });
      await store.db.updateTable('audit_log').set({ actor: entries.entries[1] ? (await store.db.selectFrom('audit_log').select('actor').where('seq', '=', 1).executeTakeFirstOrThrow()).actor : '' }).where('workspace_id', '=', a.workspace.id).where('seq', '=', 2).execute();
      expect(await (await tailor.app.request('/v1/audit/verify', { headers: admin })).json()).toMatchObject({ ok: true });
      // Remove the newest entry: only a head kept elsewhere reveals it.
      await store.db.deleteFrom('audit_log').where('workspace_id', '=', a.workspace.id).where('seq', '=', 4).execute();
      expect(await (await tailor.app.request('/v1/audit/verify', { headers: admin })).json()).toMatchObject({ ok: true });
      const withHead = await (await tailor.app.request(`/v1/audit/verify?seq=${ok.head.seq}&hash=${ok.head.hash}`, { headers: admin })).json() as { ok: boolean };
      expect(withHead.ok).toBe(false);
      // Remove one in the middle.
      await store.db.deleteFrom('audit_log').where('workspace_id', '=', a.workspace.id).where('seq', '=', 2).execute();
      expect(await (await tailor.app.request('/v1/audit/verify', { headers: admin })).json()).toMatchObject({ ok: false, seq: 2, reason: 'deleted' });
    } finally {
      await store.close();
    }
  });
});
