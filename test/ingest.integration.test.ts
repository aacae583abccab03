import { afterAll, expect, it } from 'vitest';
import { ingestRepositorySql } from '../src/store/repositories/ingest-repository-sql.js';
import { profileRepositorySql } from '../src/store/repositories/profile-repository-sql.js';
import { createProfileService } from '../src/profiles/profile-service.js';
import { createIngestService, type IngestRepository } from '../src/ingest/index.js';
import { seededRng } from '../src/recommend/rng.js';
import { fixedClock } from '../src/shared/clock.js';
import { sequentialIds } from '../src/shared/ids.js';
import { readJson } from '../src/shared/json.js';
import { describeEachEngine } from './support/engines.js';
import { identifyMessage, orderCompleted, servicesFor, trackMessage } from './support/factories.js';

describeEachEngine('ingest service', (engine) => {
  afterAll(() => engine.cleanup());

  it('stores a retried messageId once', async () => {
    const store = await engine.open();
    try {
      const { ingest, workspace } = await servicesFor(store);
      const m = trackMessage({ messageId: 'same' });
      const first = await ingest.ingest({ workspace, messages: [{ raw: m }, { raw: m }] });
      expect(first).toMatchObject({ accepted: 1, duplicates: 1, rejected: [] });
      const second = await ingest.ingest({ workspace, messages: [{ raw: m }] });
      expect(second).toMatchObject({ accepted: 0, duplicates: 1 });
      const rows = await store.db.selectFrom('events').select('message_id').execute();
      expect(rows).toEqual([{ message_id: 'same' }]);
    } finally {
      await store.close();
    }
  });

  it('links anonymous browsing to the user who logs in, keeping all history on one profile', async () => {
    const store = await engine.open();
    try {
      const { ingest, workspace } = await servicesFor(store);
      await ingest.ingest({ workspace, messages: [
        { raw: trackMessage({ userId: undefined, anonymousId: 'anon-1', event: 'Product Viewed' }) },
        { raw: trackMessage({ userId: undefined, anonymousId: 'anon-1', event: 'Product Added' }) },
      ] });
      await ingest.ingest({ workspace, messages: [{ raw: trackMessage({ userId: 'u-42', event: 'Signed In' }) }] });
      const before = await store.db.selectFrom('profiles').select('id').where('merged_into', 'is', null).execute();
      expect(before).toHaveLength(2);

      const r = await ingest.ingest({ workspace, messages: [{ raw: identifyMessage({ userId: 'u-42', anonymousId: 'anon-1', traits: { email: 'Ann@Example.com', firstName: 'Ann' } }) }] });
      expect(r.merges).toBe(1);
      const live = await store.db.selectFrom('profiles').selectAll().where('merged_into', 'is', null).execute();
      expect(live).toHaveLength(1);
      const profileId = live[0]!.id;
      const events = await store.db.selectFrom('events').select(['event', 'profile_id']).execute();
      expect(events).toHaveLength(4);
      expect(new Set(events.map((e) => e.profile_id))).toEqual(new Set([profileId]));
      const identities = await store.db.selectFrom('identities').select(['type', 'value', 'profile_id']).orderBy('type').execute();
      expect(identities).toEqual([
        { type: 'anonymous_id', value: 'anon-1', profile_id: profileId },
        { type: 'email', value: 'ann@example.com', profile_id: profileId },
        { type: 'user_id', value: 'u-42', profile_id: profileId },
      ]);
      const merges = await store.db.selectFrom('identity_merges').selectAll().execute();
      expect(merges).toHaveLength(1);
      expect(merges[0]).toMatchObject({ into_profile_id: profileId, reason: 'shared_identifier', identifier_type: 'anonymous_id', identifier_value: 'anon-1' });
      const merged = await store.db.selectFrom('profiles').select(['id', 'merged_into']).where('merged_into', 'is not', null).execute();
      expect(merged).toEqual([{ id: merges[0]!.from_profile_id, merged_into: profileId }]);
    } finally {
      await store.close();
    }
  });

  it('never merges two user ids: records a conflict and attributes the event to the new user', async () => {
    const store = await engine.open();
    try {
      const { ingest, workspace } = await servicesFor(store);
      await ingest.ingest({ workspace, messages: [{ raw: identifyMessage({ userId: 'u1', anonymousId: 'shared-device' }) }] });
      const r = await ingest.ingest({ workspace, messages: [{ raw: identifyMessage({ userId: 'u2', anonymousId: 'shared-device' }) }] });
      expect(r).toMatchObject({ merges: 0, conflicts: 1 });
      const conflicts = await store.db.selectFrom('identity_conflicts').selectAll().execute();
      expect(conflicts[0]).toMatchObject({ identifier_type: 'anonymous_id', identifier_value: 'shared-device' });
      const owners = await store.db.selectFrom('identities').select(['value', 'profile_id']).orderBy('value').execute();
      expect(owners.find((o) => o.value === 'u1')!.profile_id).not.toBe(owners.find((o) => o.value === 'u2')!.profile_id);
    } finally {
      await store.close();
    }
  });

  it('resolves like a full neighbourhood load while reading only the identities of profiles an event may change', async () => {
    // The service reads a profile's other identifiers only for events that may attach to or
    // merge it. Here the same random traffic — returning visitors, new devices past the
    // anonymous-id limit, second user ids, second emails past the email limit, aliases — goes
    // once through the real repository and once through one that hands over every identity of
    // every owner (what the service read before): every outcome must be the same.
    const everyIdentity = (repository: IngestRepository): IngestRepository => ({
      withIdentityLock: (ws, fn) => repository.withIdentityLock(ws, (uow) => fn({
        ...uow,
        findIdentities: async (identifiers) => {
          const found = await uow.findIdentities(identifiers);
          return [...found, ...await uow.identitiesOfProfiles([...new Set(found.map((r) => r.profileId))])];
        },
      })),
    });
    const rng = seededRng(7);
    const batches: Array<Array<Record<string, unknown>>> = [];
    let n = 0;
    while (n < 600) {
      const batch: Array<Record<string, unknown>> = [];
      for (let size = 1 + Math.floor(rng() * 40); size > 0; size--, n++) {
        const v = Math.floor(rng() * 40);
        const anonymousId = `a${v}-${Math.floor(rng() * 4)}`;
        const userId = rng() < 0.4 ? (rng() < 0.1 ? `u${v}-other` : `u${v}`) : undefined;
        const common = { messageId: `m${n}`, anonymousId, timestamp: new Date(Date.UTC(2024, 2, 1) + n * 1000).toISOString() };
        const r = rng();
        if (r < 0.05) batch.push({ ...common, type: 'alias', userId: `u${v}`, previousId: `a${v}-${Math.floor(rng() * 4)}` });
        else if (r < 0.35) batch.push({ ...common, type: 'identify', ...(userId === undefined ? {} : { userId }), traits: { email: rng() < 0.8 ? `e${v}@example.com` : `e${v}b@example.com` } });
        else batch.push({ ...common, type: 'track', ...(userId === undefined ? {} : { userId }), event: 'Product Viewed', properties: { product_id: `sku-${v}` } });
      }
      batches.push(batch);
    }
    const outcome = async (wrap: (r: IngestRepository) => IngestRepository) => {
      const store = await engine.open();
      try {
        const { workspace } = await servicesFor(store);
        const limited = { ...workspace, settings: { ...workspace.settings, identity: { ...workspace.settings.identity, limits: { email: 1, phone: 10, anonymous_id: 3 } } } };
        const ingest = createIngestService({ repository: wrap(ingestRepositorySql(store)), clock: fixedClock(Date.UTC(2024, 2, 2)), ids: sequentialIds('p') });
        for (const batch of batches) await ingest.ingest({ workspace: limited, messages: batch.map((raw) => ({ raw })) });
        const ws = workspace.id;
        return {
          events: await store.db.selectFrom('events').select(['message_id', 'profile_id']).where('workspace_id', '=', ws).orderBy('message_id').execute(),
          identities: await store.db.selectFrom('identities').select(['type', 'value', 'profile_id']).where('workspace_id', '=', ws).orderBy('type').orderBy('value').execute(),
          conflicts: await store.db.selectFrom('identity_conflicts').select(['profile_id', 'other_profile_id', 'identifier_type', 'identifier_value', 'reason', 'message_id'])
            .where('workspace_id', '=', ws).orderBy('message_id').orderBy('identifier_type').orderBy('identifier_value').execute(),
          merges: await store.db.selectFrom('identity_merges').select(['from_profile_id', 'into_profile_id', 'identifier_type', 'identifier_value', 'message_id'])
            .where('workspace_id', '=', ws).orderBy('message_id').orderBy('from_profile_id').execute(),
          profiles: await store.db.selectFrom('profiles').select(['id', 'merged_into']).where('workspace_id', '=', ws).orderBy('id').execute(),
        };
      } finally {
        await store.close();
      }
    };
    const selective = await outcome((r) => r);
    const full = await outcome(everyIdentity);
    expect(selective.events).toHaveLength(n);
    // The traffic exercises what the identities are read for.
    const over = (type: string) => selective.conflicts.filter((c) => c.reason.includes(`of type ${type} `)).length;
    expect(over('email')).toBeGreaterThan(0);
    expect(over('anonymous_id')).toBeGreaterThan(0);
    expect(over('user_id')).toBeGreaterThan(0);
    expect(selective.merges.length).toBeGreaterThan(0);
    expect(selective).toEqual(full);
  });

  it('finds the same profile by its head (serving) as by its whole record, whatever the reference', async () => {
    const store = await engine.open();
    try {
      const { workspace, ingest } = await servicesFor(store);
      const ws = workspace.id;
      // Anonymous visitors who log in (merging their anonymous profiles), aliases, emails.
      const rng = seededRng(11);
      const messages: Array<Record<string, unknown>> = [];
      for (let n = 0; n < 300; n++) {
        const v = Math.floor(rng() * 30);
        const common = { messageId: `h${n}`, anonymousId: `a${v}-${Math.floor(rng() * 3)}`, timestamp: new Date(Date.UTC(2024, 2, 1) + n * 1000).toISOString() };
        const r = rng();
        if (r < 0.05) messages.push({ ...common, type: 'alias', userId: `u${v}`, previousId: `a${v}-${Math.floor(rng() * 3)}` });
        else if (r < 0.3) messages.push({ ...common, type: 'identify', userId: `u${v}`, traits: { email: `e${v}@example.com` } });
        else messages.push({ ...common, type: 'track', event: 'Product Viewed', properties: { product_id: `sku-${v}` } });
      }
      for (let i = 0; i < messages.length; i += 30) await ingest.ingest({ workspace, messages: messages.slice(i, i + 30).map((raw) => ({ raw })) });
      const profiles = createProfileService({ repository: profileRepositorySql(store.db) });
      const identities = await store.db.selectFrom('identities').select(['type', 'value']).where('workspace_id', '=', ws).execute();
      const rows = await store.db.selectFrom('profiles').select(['id', 'merged_into']).where('workspace_id', '=', ws).execute();
      expect(rows.filter((r) => r.merged_into !== null).length).toBeGreaterThan(0);
      const refs = [
        ...identities.map((i) => `${i.type}:${i.value}`),
        ...rows.flatMap((r) => [`profile_id:${r.id}`, r.id]),
        'u3', ' u3 ', 'E3@Example.com', 'email:E3@Example.com', 'user_id:nobody', 'nobody', 'email:not-an-email', 'profile_id:', '', 'profile_id:no-such-profile',
      ];
      let throughMerge = 0;
      for (const ref of refs) {
        const full = await profiles.resolve(ws, ref);
        const head = await profiles.resolveHead(ws, ref);
        if (!full.ok) expect(head, ref).toEqual(full);
        else {
          expect(head, ref).toEqual({ ok: true, value: { id: full.value.id, updatedAt: full.value.updatedAt, mergedInto: null } });
          if (ref.startsWith('profile_id:') && ref.slice(11) !== full.value.id) throughMerge++;
        }
      }
      expect(throughMerge).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });

  it("marks a profile's trait state incomplete when events are stored without folding them into it", async () => {
    const store = await engine.open();
    try {
      const { ingest, workspace } = await servicesFor(store);
      await ingest.ingest({ workspace, messages: [{ raw: trackMessage({ userId: 'u-fold', event: 'Product Viewed' }) }] });
      const stateOf = async () => readJson<{ complete: boolean; activity: { eventCounts: Record<string, number> } } | null>((await store.db.selectFrom('profiles').select('trait_state').executeTakeFirstOrThrow()).trait_state, null);
      expect(await stateOf()).toMatchObject({ complete: true, activity: { eventCounts: { 'Product Viewed': 1 } } });
      const unfolded = createIngestService({ repository: ingestRepositorySql(store), clock: fixedClock(Date.UTC(2024, 2, 2)), ids: sequentialIds('x'), incrementalTraits: false });
      await unfolded.ingest({ workspace, messages: [{ raw: trackMessage({ userId: 'u-fold', event: 'Product Viewed' }) }] });
      // Two views stored, one counted: the state must not claim the whole history.
      expect(await stateOf()).toMatchObject({ complete: false, activity: { eventCounts: { 'Product Viewed': 1 } } });
    } finally {
      await store.close();
    }
  });

  it('aliases a previous anonymous id to a user id', async () => {
    const store = await engine.open();
    try {
      const { ingest, workspace } = await servicesFor(store);
      await ingest.ingest({ workspace, messages: [{ raw: trackMessage({ userId: undefined, anonymousId: 'old-anon' }) }, { raw: trackMessage({ userId: 'new-user' }) }] });
      const r = await ingest.ingest({ workspace, messages: [{ raw: { type: 'alias', previousId: 'old-anon', userId: 'new-user' } }] });
      expect(r.merges).toBe(1);
      const m = await store.db.selectFrom('identity_merges').select('reason').executeTakeFirstOrThrow();
      expect(m.reason).toBe('alias');
    } finally {
      await store.close();
    }
  });

  it('derives orders from Order Completed, then applies refunds and cancellations', async () => {
    const store = await engine.open();
    try {
      const { ingest, workspace } = await servicesFor(store);
      const r = await ingest.ingest({ workspace, messages: [
        { raw: orderCompleted({ userId: 'buyer' }, { order_id: 'A1', revenue: 100 }) },
        { raw: trackMessage({ userId: 'buyer', event: 'Order Refunded', properties: { order_id: 'A1', total: 40 } }) },
        { raw: orderCompleted({ userId: 'buyer' }, { order_id: 'A2', revenue: 20 }) },
        { raw: trackMessage({ userId: 'buyer', event: 'Order Cancelled', properties: { order_id: 'A2' } }) },
        { raw: orderCompleted({ userId: 'buyer' }, { order_id: 'A3', products: [{ product_id: 'x', price: 'abc' }] }) },
        // Sent without a messageId: the rejection has none either (an id made up here would mean nothing to the sender).
        { raw: { type: 'track', userId: 'buyer', event: 'Order Completed', properties: { order_id: 'A4', products: [{ product_id: 'y', price: 'zz' }] } } },
      ] });
      expect(r.accepted).toBe(4);
      expect(r.rejected).toEqual([
        { index: 4, messageId: expect.any(String), reason: expect.stringMatching(/^properties\.products\[0\]\.price: /) },
        { index: 5, messageId: null, reason: expect.stringMatching(/^properties\.products\[0\]\.price: /) },
      ]);
      const orders = await store.db.selectFrom('orders').select(['order_id', 'status', 'revenue', 'refunded_amount', 'currency']).orderBy('order_id').execute();
      expect(orders).toEqual([
        { order_id: 'A1', status: 'partially_refunded', revenue: 100, refunded_amount: 40, currency: 'GBP' },
        { order_id: 'A2', status: 'cancelled', revenue: 20, refunded_amount: 0, currency: 'GBP' },
      ]);
      const items = await store.db.selectFrom('order_items').select(['order_id', 'item_id', 'quantity', 'price']).where('order_id', '=', 'A1').execute();
      expect(items).toEqual([{ order_id: 'A1', item_id: 'sku-1', quantity: 3, price: 10 }]);
    } finally {
      await store.close();
    }
  });

  it('keeps traits from identify and first/last seen across events', async () => {
    const store = await engine.open();
    try {
      const { ingest, workspace } = await servicesFor(store);
      await ingest.ingest({ workspace, messages: [
        { raw: identifyMessage({ userId: 'u', traits: { plan: 'free', city: 'Leeds' }, timestamp: '2024-01-05T00:00:00Z' }) },
        { raw: trackMessage({ userId: 'u', timestamp: '2024-01-01T00:00:00Z' }) },
      ] });
      await ingest.ingest({ workspace, messages: [{ raw: identifyMessage({ userId: 'u', traits: { plan: 'pro' }, timestamp: '2024-02-01T00:00:00Z' }) }] });
      const p = await store.db.selectFrom('profiles').selectAll().executeTakeFirstOrThrow();
      expect(typeof p.traits === 'string' ? JSON.parse(p.traits) : p.traits).toEqual({ plan: 'pro', city: 'Leeds' });
      expect(p.first_seen_at).toBe(Date.parse('2024-01-01T00:00:00Z'));
      expect(p.last_seen_at).toBe(Date.parse('2024-02-01T00:00:00Z'));
    } finally {
      await store.close();
    }
  });
});

describeEachEngine('ingest group commit', (engine) => {
  afterAll(() => engine.cleanup());

  it('commits concurrent batches together and accounts each request on its own', async () => {
    const store = await engine.open();
    try {
      const { ingest, workspace } = await servicesFor(store);
      const shared = trackMessage({ messageId: 'shared-1' });
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => ingest.ingest({ workspace, messages: [
        { raw: trackMessage({ messageId: `own-${i}`, userId: `u${i}` }) },
        { raw: shared },
      ] })));
      expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(9);
      expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(7);
      results.forEach((r, i) => expect(r.profiles.has(`own-${i}`)).toBe(true));
      const rows = await store.db.selectFrom('events').select('message_id').execute();
      expect(rows).toHaveLength(9);
    } finally {
      await store.close();
    }
  });

  it('isolates a failing batch: the others in its group still commit', async () => {
    const store = await engine.open();
    try {
      const { workspace, clock, ids } = await servicesFor(store);
      const real = ingestRepositorySql(store);
      // A repository that fails any transaction holding the poisoned message (a stand-in for a storage error).
      const repository: IngestRepository = {
        withIdentityLock: (ws, fn) => real.withIdentityLock(ws, (uow) => fn({
          ...uow,
          insertEvents: async (rows) => {
            if (rows.some((r) => r.event.messageId === 'poison')) throw new Error('storage refused');
            return uow.insertEvents(rows);
          },
        })),
      };
      const ingest = createIngestService({ repository, clock, ids });
      const outcomes = await Promise.allSettled([
        ingest.ingest({ workspace, messages: [{ raw: trackMessage({ messageId: 'a' }) }] }),
        ingest.ingest({ workspace, messages: [{ raw: trackMessage({ messageId: 'poison' }) }] }),
        ingest.ingest({ workspace, messages: [{ raw: trackMessage({ messageId: 'b' }) }] }),
        ingest.ingest({ workspace, messages: [{ raw: trackMessage({ messageId: 'c' }) }] }),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      const rows = await store.db.selectFrom('events').select('message_id').orderBy('message_id').execute();
      expect(rows.map((r) => r.message_id)).toEqual(['a', 'b', 'c']);
    } finally {
      await store.close();
    }
  });

  it('gathers batches that arrive while the event loop turns into one transaction', async () => {
    const store = await engine.open();
    try {
      const { workspace, clock, ids } = await servicesFor(store);
      const real = ingestRepositorySql(store);
      const groups: number[] = [];
      const repository: IngestRepository = {
        withIdentityLock: (ws, fn) => real.withIdentityLock(ws, (uow) => fn({
          ...uow,
          insertEvents: async (rows) => { groups.push(rows.length); return uow.insertEvents(rows); },
        })),
      };
      const ingest = createIngestService({ repository, clock, ids });
      // Five requests arriving in five separate turns of the event loop, as HTTP requests do.
      const sent = Array.from({ length: 5 }, (_, i) => new Promise((resolve) => setImmediate(() => {
        resolve(ingest.ingest({ workspace, messages: [{ raw: trackMessage({ messageId: `turn-${i}` }) }] }));
      })));
      await Promise.all(sent);
      expect(groups).toEqual([5]);
      // A lone request is not held back: it commits on its own.
      await ingest.ingest({ workspace, messages: [{ raw: trackMessage({ messageId: 'alone' }) }] });
      expect(groups).toEqual([5, 1]);
    } finally {
      await store.close();
    }
  });
});
