import { afterAll, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { appFor, basic, bearer } from './support/app.js';
import { describeEachEngine } from './support/engines.js';

/**
 * Erasure (P14) removes the person's identifier values where they appear in other people's
 * rows — another profile's events (a shared device, an alias, a form that carried their
 * email) and profile traits — and keeps the rest of those rows, which belong to someone else.
 */
describeEachEngine('erasure of identifiers held in other people\'s rows', (engine) => {
  afterAll(() => engine.cleanup());

  it('clears previous_id, ids, context, traits and properties of other profiles\' events, and nothing else of theirs', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, a } = await appFor(store);
      const w = { authorization: basic(a.keys.write) };
      const req = (path: string, init: RequestInit = {}) => tailor.app.request(path, { ...init, headers: { 'content-type': 'application/json', authorization: bearer(a.keys.admin) } });
      await post('/v1/identify', { userId: 'erase-me-77', anonymousId: 'dev-77', traits: { email: 'erase77@example.com', phone: '+44 20 7946 0077' } }, w);
      await post('/v1/track', {
        userId: 'other-88', anonymousId: 'dev-77', event: 'Signed Up', messageId: 'm-other-1',
        properties: { plan: 'gold', referrer: 'Erase77@Example.com', invited: ['erase77@example.com', 'friend@example.com'] },
        context: {
          traits: { email: 'erase77@example.com', phone: '+44 20 7946-0077', name: 'Olga Other' }, page: { path: '/signup' },
          externalIds: [{ id: 'erase77@example.com', type: 'email', collection: 'users', encoding: 'none' }, { id: 'crm-88', type: 'crm_id', collection: 'users', encoding: 'none' }],
        },
      }, w);
      await post('/v1/alias', { previousId: 'erase-me-77', userId: 'other-88', messageId: 'm-other-2' }, w);
      await post('/v1/identify', { userId: 'other-88', messageId: 'm-other-3', traits: { name: 'Olga Other', email: 'olga@example.com', partner: 'erase-me-77' } }, w);
      const other = await (await req('/v1/profiles/user_id:other-88')).json() as { profile: { id: string } };
      const erased = await (await req('/v1/profiles/user_id:erase-me-77')).json() as { profile: { id: string } };
      expect(other.profile.id).not.toBe(erased.profile.id);

      const res = await req('/v1/profiles/user_id:erase-me-77', { method: 'DELETE' });
      expect(res.status).toBe(200);

      // The scan of every column of every table of the workspace finds none of the person's identifiers.
      const needles = ['erase-me-77', 'dev-77', 'erase77@example.com', '+442079460077', '7946 0077', '7946-0077', erased.profile.id];
      const keepsProfileId = new Set(['audit_log', 'erasure_reports']);
      const db = store.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
      for (const table of await store.features.listTables(store.db)) {
        const columns = await store.features.listColumns(store.db, table);
        if (!columns.includes('workspace_id')) continue;
        for (const row of await db.selectFrom(table).selectAll().where('workspace_id', '=', a.workspace.id).execute()) {
          const text = JSON.stringify(row).toLowerCase();
          for (const needle of needles) {
            if (keepsProfileId.has(table) && needle === erased.profile.id) continue;
            expect.soft(text.includes(needle.toLowerCase()), `${table} still holds ${needle}: ${text.slice(0, 300)}`).toBe(false);
          }
        }
      }

      // The other person keeps their profile and their events, minus the erased person's identifiers.
      expect((await req('/v1/profiles/user_id:other-88')).status).toBe(200);
      const events = await (await req('/v1/profiles/user_id:other-88/events?limit=10')).json() as { events: Array<{ messageId: string; userId: string | null; anonymousId: string | null; previousId: string | null; properties: Record<string, unknown>; traits: Record<string, unknown>; context: Record<string, unknown> }> };
      const byId = new Map(events.events.map((e) => [e.messageId, e]));
      expect([...byId.keys()].sort()).toEqual(['m-other-1', 'm-other-2', 'm-other-3']);
      expect(byId.get('m-other-1')).toMatchObject({
        userId: 'other-88', anonymousId: null,
        properties: { plan: 'gold', invited: ['friend@example.com'] },
        context: { traits: { name: 'Olga Other' }, page: { path: '/signup' }, externalIds: [{ id: 'crm-88', type: 'crm_id', collection: 'users', encoding: 'none' }] },
      });
      expect(byId.get('m-other-1')!.properties).not.toHaveProperty('referrer');
      expect(byId.get('m-other-1')!.context['traits']).toEqual({ name: 'Olga Other' });
      expect(byId.get('m-other-2')).toMatchObject({ userId: 'other-88', type: 'alias' });
      expect(await store.db.selectFrom('events').select(['previous_id', 'user_id']).where('workspace_id', '=', a.workspace.id).where('message_id', '=', 'm-other-2').executeTakeFirst())
        .toEqual({ previous_id: null, user_id: 'other-88' });
      expect(byId.get('m-other-3')!.traits).toEqual({ name: 'Olga Other', email: 'olga@example.com' });
    } finally {
      await store.close();
    }
  });
});
