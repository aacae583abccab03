import { afterAll, expect, it } from 'vitest';
import { readJson } from '../src/shared/json.js';
import { appFor, basic } from './support/app.js';
import { describeEachEngine } from './support/engines.js';
import { identifyMessage, trackMessage } from './support/factories.js';

/**
 * Ingest rules as the README states them, through the HTTP API on both engines: what the
 * undeclared-trait policy drops is stored nowhere; times must be ISO 8601; an identifier over
 * 256 characters rejects its event; the nesting limit is per event, in a batch too; and a bare
 * user id with a colon is found.
 */
describeEachEngine('ingest rules', (engine) => {
  afterAll(() => engine.cleanup());

  const nest = (levels: number): unknown => (levels === 0 ? 1 : { a: nest(levels - 1) });

  it('stores neither in the profile nor in the event the traits the "drop" policy leaves out', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, get } = await appFor(store);
      const { workspace, keys } = await tailor.workspaces.createWorkspace({
        name: 'drop', jurisdiction: 'EU',
        settings: { traits: { undeclared: 'drop', declared: [{ name: 'hatSize', type: 'number', description: 'Hat size (EU)' }] } } as never,
      });
      const res = await post('/v1/identify', identifyMessage({ userId: 'drop1', messageId: 'd1', traits: { email: 'd@x.io', hatSize: 3, shoe: 44 } }), { authorization: basic(keys.write) });
      expect(await res.json()).toMatchObject({ accepted: 1, droppedTraits: ['shoe'] });

      const events = await (await get('/v1/profiles/user_id:drop1/events', keys.admin)).json() as { events: Array<{ traits: Record<string, unknown> }> };
      expect(events.events.map((e) => e.traits)).toEqual([{ email: 'd@x.io', hatSize: 3 }]);
      const rows = await store.db.selectFrom('events').select('traits').where('workspace_id', '=', workspace.id).where('message_id', '=', 'd1').execute();
      expect(rows.map((r) => readJson<Record<string, unknown>>(r.traits, {}))).toEqual([{ email: 'd@x.io', hatSize: 3 }]);
      const profile = await tailor.profiles.get(workspace.id, 'user_id:drop1', { events: 0 });
      expect(profile.ok && profile.value.profile.traits).toEqual({ email: 'd@x.io', hatSize: 3 });
    } finally {
      await store.close();
    }
  });

  it('shows on both profiles the conflict an alias between two user ids records, instead of merging them', async () => {
    const store = await engine.open();
    try {
      const { post, get, a } = await appFor(store);
      const w = { authorization: basic(a.keys.write) };
      await post('/v1/identify', identifyMessage({ userId: 'old-login', messageId: 'i-old', traits: { email: 'old@x.io' } }), w);
      await post('/v1/identify', identifyMessage({ userId: 'new-login', messageId: 'i-new' }), w);
      const alias = await post('/v1/alias', { type: 'alias', previousId: 'old-login', userId: 'new-login', messageId: 'al-1' }, w);
      expect(alias.status).toBe(200);
      type Read = { profile: { id: string }; conflicts: Array<{ profileId: string; otherProfileId: string | null; identifier: { type: string; value: string }; reason: string; messageId: string | null }> };
      const older = await (await get('/v1/profiles/user_id:old-login', a.keys.admin)).json() as Read;
      const newer = await (await get('/v1/profiles/user_id:new-login', a.keys.admin)).json() as Read;
      expect(older.profile.id).not.toBe(newer.profile.id);
      const conflict = { profileId: newer.profile.id, otherProfileId: older.profile.id, identifier: { type: 'user_id', value: 'old-login' }, messageId: 'al-1' };
      expect(newer.conflicts).toEqual([expect.objectContaining(conflict)]);
      expect(older.conflicts).toEqual([expect.objectContaining(conflict)]);
      expect(newer.conflicts[0]!.reason).toMatch(/user_id/);
    } finally {
      await store.close();
    }
  });

  it('refuses timestamp, sentAt and originalTimestamp that are not ISO 8601, alone and in a batch', async () => {
    const store = await engine.open();
    try {
      const { post, a } = await appFor(store);
      const w = { authorization: basic(a.keys.write) };
      for (const [field, text] of [['timestamp', '1'], ['timestamp', 'foo 3'], ['sentAt', '1'], ['originalTimestamp', 'foo 3']] as const) {
        const res = await post('/v1/track', trackMessage({ [field]: text }), w);
        expect(res.status, `${field}: ${text}`).toBe(400);
        expect(await res.json()).toMatchObject({ error: { message: `${field}: must be an ISO-8601 date-time` } });
      }
      const batch = await post('/v1/batch', { batch: [trackMessage({ messageId: 'ok' }), trackMessage({ messageId: 'bad', timestamp: '1' })] }, w);
      expect(await batch.json()).toMatchObject({ accepted: 1, rejected: [{ index: 1, messageId: 'bad', reason: 'timestamp: must be an ISO-8601 date-time' }] });
      const envelope = await post('/v1/batch', { sentAt: 'foo 3', batch: [trackMessage()] }, w);
      expect(envelope.status).toBe(400);
      expect(await envelope.json()).toMatchObject({ error: { message: 'sentAt: must be an ISO-8601 date-time' } });
    } finally {
      await store.close();
    }
  });

  it('rejects an event whose identifier in traits, context.traits or externalIds is over 256 characters', async () => {
    const store = await engine.open();
    try {
      const { tailor, post } = await appFor(store);
      const { workspace, keys } = await tailor.workspaces.createWorkspace({
        name: 'ids', jurisdiction: 'EU', settings: { identity: { customTypes: [{ name: 'member_number', trait: 'memberNumber', limit: 1 }] } } as never,
      });
      const w = { authorization: basic(keys.write) };
      const long = 'x'.repeat(300);
      const single = await post('/v1/identify', identifyMessage({ userId: 'long1', traits: { email: `${long}@x.io`, memberNumber: long } }), w);
      expect(single.status).toBe(400);
      expect(await single.json()).toMatchObject({ error: { message: 'traits.email: must be at most 256 characters' } });
      const member = await post('/v1/identify', identifyMessage({ userId: 'long1', traits: { memberNumber: long } }), w);
      expect(await member.json()).toMatchObject({ error: { message: 'traits.memberNumber: must be at most 256 characters' } });

      const res = await post('/v1/batch', { batch: [
        identifyMessage({ userId: 'short1', messageId: 'fine', traits: { memberNumber: 'M-1' } }),
        trackMessage({ userId: 'long2', messageId: 'ctx', context: { traits: { phone: `+44${'1'.repeat(300)}` } } }),
        trackMessage({ userId: 'long3', messageId: 'ext', context: { externalIds: [{ id: 'fine', type: 'email' }, { id: ` ${'y'.repeat(250)} `, type: 'member_number' }] } }),
      ] }, w);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ accepted: 2, rejected: [
        { index: 1, messageId: 'ctx', reason: 'context.traits.phone: must be at most 256 characters' },
      ] });
      const stored = await store.db.selectFrom('events').select('message_id').where('workspace_id', '=', workspace.id).orderBy('message_id').execute();
      expect(stored.map((r) => r.message_id)).toEqual(['ext', 'fine']);
      for (const ref of ['user_id:long1', 'user_id:long2']) expect(await tailor.profiles.resolve(workspace.id, ref), ref).toMatchObject({ ok: false });
    } finally {
      await store.close();
    }
  });

  it('finds a bare user id that contains a colon; a declared custom type is still a typed reference', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, get } = await appFor(store);
      const { workspace, keys } = await tailor.workspaces.createWorkspace({
        name: 'refs', jurisdiction: 'EU', settings: { identity: { customTypes: [{ name: 'member_number', trait: 'memberNumber', limit: 1 }] } } as never,
      });
      const w = { authorization: basic(keys.write) };
      expect((await post('/v1/identify', identifyMessage({ userId: 'auth0:abc123', traits: { memberNumber: 'M-7' } }), w)).status).toBe(200);
      expect((await post('/v1/identify', identifyMessage({ userId: 'member_number:M-9' }), w)).status).toBe(200);
      const idOf = async (ref: string) => {
        const res = await get(`/v1/profiles/${encodeURIComponent(ref)}`, keys.admin);
        return res.status === 200 ? ((await res.json()) as { profile: { id: string } }).profile.id : res.status;
      };
      const auth0 = await idOf('user_id:auth0:abc123');
      expect(typeof auth0).toBe('string');
      expect(await idOf('auth0:abc123')).toBe(auth0);
      expect(await idOf('member_number:M-7')).toBe(auth0);
      // A declared type wins over a user id spelled like one of its references (typed first, as documented).
      expect(await idOf('member_number:M-9')).toBe(404);
      expect(typeof await idOf('user_id:member_number:M-9')).toBe('string');
      expect(await idOf('nothing:here')).toBe(404);
      const head = await tailor.profiles.resolveHead(workspace.id, 'auth0:abc123');
      expect(head.ok && head.value.id).toBe(auth0);
    } finally {
      await store.close();
    }
  });

  it('holds each event of a batch to the nesting limit of a single call', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, a } = await appFor(store);
      const w = { authorization: basic(a.keys.write) };
      // properties of 31 levels: the event is 32 levels deep, the limit.
      const deepest = () => trackMessage({ properties: nest(31) as Record<string, unknown> });
      expect((await post('/v1/track', deepest(), w)).status).toBe(200);
      expect((await post('/v1/track', trackMessage({ properties: nest(32) as Record<string, unknown> }), w)).status).toBe(400);
      const ok = await post('/v1/batch', { batch: [deepest(), deepest()] }, w);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ accepted: 2, rejected: [] });

      // One event over the limit is rejected on its own.
      const mixed = await post('/v1/batch', { batch: [deepest(), trackMessage({ messageId: 'too-deep', properties: nest(32) as Record<string, unknown> }), deepest()] }, w);
      expect(mixed.status).toBe(200);
      expect(await mixed.json()).toMatchObject({ accepted: 2, rejected: [{ index: 1, messageId: 'too-deep', reason: 'JSON nested deeper than 32 levels' }] });
      // Batch-level fields are held to the limit as an event's own are: context is level 2 in both.
      const context = await post('/v1/batch', { context: { traits: nest(30) }, batch: [trackMessage()] }, w);
      expect(context.status).toBe(200);
      const deepContext = await post('/v1/batch', { context: { traits: nest(31) }, batch: [trackMessage()] }, w);
      expect(deepContext.status).toBe(400);
      expect(await deepContext.json()).toMatchObject({ error: { message: 'context: JSON nested deeper than 32 levels' } });
      // Hostile nesting is still refused before parsing.
      const hostile = await post('/v1/batch', `{"batch":[${'['.repeat(10_000)}`, w);
      expect(hostile.status).toBe(400);
      expect(await hostile.json()).toMatchObject({ error: { message: 'JSON nested deeper than 64 levels' } });
      const stored = await tailor.store.db.selectFrom('events').select('message_id').where('workspace_id', '=', a.workspace.id).execute();
      expect(stored).toHaveLength(6);
    } finally {
      await store.close();
    }
  });

  it('lists with the total of the profiles that match', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, a } = await appFor(store);
      const w = { authorization: basic(a.keys.write) };
      await post('/v1/batch', { batch: ['ann-1', 'ann-2', 'bob-1'].map((userId) => identifyMessage({ userId })) }, w);
      expect(await tailor.profiles.count(a.workspace.id)).toBe(3);
      expect(await tailor.profiles.count(a.workspace.id, 'ann')).toBe(2);
      expect(await tailor.profiles.count(a.workspace.id, ' ')).toBe(3);
    } finally {
      await store.close();
    }
  });
});
