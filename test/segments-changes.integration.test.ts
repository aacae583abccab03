import { afterAll, expect, it } from 'vitest';
import { segmentRepositorySql } from '../src/store/repositories/segment-repository-sql.js';
import { describeEachEngine } from './support/engines.js';

const T = Date.parse('2024-03-01T00:00:00Z');

/**
 * The change stream journeys read (`changesSince`) and the writes behind it when several
 * writers meet: real-time flushes in other processes, full evaluations, a segment's deletion.
 */
describeEachEngine('segment changes', (engine) => {
  afterAll(() => engine.cleanup());

  it('records a change once when two writers make it together, numbers changes in commit order, and drops changes of a deleted segment', async () => {
    const store = await engine.open();
    try {
      const repository = segmentRepositorySql(store);
      for (const id of ['s1', 's2']) {
        await repository.insert('w', { id, name: id, description: null, condition: { event: 'Order Completed' }, createdAt: T, updatedAt: T, evaluatedAt: null, memberCount: 0 });
      }
      // Two flushes decided the same entries from the same (stale) reading; both commit.
      const entries = ['p1', 'p2', 'p3'].map((profileId) => ({ segmentId: 's1', profileId, change: 'entered' as const }));
      await Promise.all([repository.applyChanges('w', entries, T, 'event'), repository.applyChanges('w', [...entries].reverse(), T + 1, 'event')]);
      const stream = await repository.changesSince('w', null, 100);
      expect(stream.map((c) => c.profileId).sort()).toEqual(['p1', 'p2', 'p3']);
      expect(stream.map((c) => c.id)).toEqual(['1', '2', '3']);
      expect((await repository.get('w', 's1'))?.memberCount).toBe(3);
      // Entries written together with one that another writer made first: only the new ones
      // are recorded, and the old member keeps the time it entered.
      await repository.applyChanges('w', ['p0', 'p2', 'p9'].map((profileId) => ({ segmentId: 's1', profileId, change: 'entered' as const })), T + 10, 'event');
      expect((await repository.changesSince('w', { at: T, id: '3' }, 100)).map((c) => [c.id, c.profileId])).toEqual([['4', 'p0'], ['5', 'p9']]);
      expect((await repository.memberIds('w', 's1'))).toEqual(new Set(['p0', 'p1', 'p2', 'p3', 'p9']));
      expect((await repository.segmentsOf('w', 'p2'))[0]?.enteredAt).toBeLessThan(T + 10);
      expect((await repository.get('w', 's1'))?.memberCount).toBe(5);
      await repository.applyChanges('w', [{ segmentId: 's1', profileId: 'p0', change: 'exited' }, { segmentId: 's1', profileId: 'p9', change: 'exited' }], T + 10, 'event');
      expect((await repository.get('w', 's1'))?.memberCount).toBe(3);
      // An exit of someone who already left is not recorded either.
      await repository.applyChanges('w', [{ segmentId: 's1', profileId: 'p1', change: 'exited' }], T + 2, 'event');
      await repository.applyChanges('w', [{ segmentId: 's1', profileId: 'p1', change: 'exited' }, { segmentId: 's2', profileId: 'p1', change: 'entered' }], T + 3, 'event');
      expect((await repository.changesSince('w', { at: T, id: '7' }, 100)).map((c) => [c.id, c.segmentId, c.change])).toEqual([['8', 's1', 'exited'], ['9', 's2', 'entered']]);
      expect((await repository.get('w', 's1'))?.memberCount).toBe(2);

      // A flush that read the segment list before s2 was deleted writes nothing for s2.
      await repository.remove('w', 's2');
      await repository.applyChanges('w', [{ segmentId: 's2', profileId: 'p4', change: 'entered' }, { segmentId: 's1', profileId: 'p4', change: 'entered' }], T + 4, 'event');
      expect(await repository.segmentsOf('w', 'p4')).toEqual([{ segmentId: 's1', enteredAt: T + 4 }]);
      expect((await repository.changesSince('w', { at: T, id: '9' }, 100)).map((c) => [c.id, c.segmentId])).toEqual([['10', 's1']]);
      // Pages of the stream follow the numbers.
      const first = await repository.changesSince('w', null, 2);
      const rest = await repository.changesSince('w', { at: first[1]!.at, id: first[1]!.id }, 100);
      expect([...first, ...rest].map((c) => c.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '10']);
      // The deleted segment left the person's history too; the other change of that write kept its number.
      expect((await repository.history('w', 'p1')).map((c) => [c.segmentId, c.change])).toEqual([['s1', 'entered'], ['s1', 'exited']]);
      expect(await repository.segmentsOf('w', 'p1')).toEqual([]);

      // Segments created together take different ordinals (their members are told apart by them).
      await Promise.all(['s3', 's4', 's5'].map((id) => repository.insert('w', { id, name: id, description: null, condition: { event: 'Order Completed' }, createdAt: T, updatedAt: T, evaluatedAt: null, memberCount: 0 })));
      const ordinals = await store.db.selectFrom('segments').select('ordinal').where('workspace_id', '=', 'w').execute();
      expect(new Set(ordinals.map((r) => Number(r.ordinal))).size).toBe(ordinals.length);
      await repository.applyChanges('w', ['s3', 's4', 's5'].map((segmentId) => ({ segmentId, profileId: 'p7', change: 'entered' as const })), T + 5, 'event');
      for (const id of ['s3', 's4', 's5']) expect(await repository.memberIds('w', id)).toEqual(new Set(['p7']));
      expect(await repository.memberIds('w', 's1')).toEqual(new Set(['p2', 'p3', 'p4']));
      // One write's changes of a person share a history row; pages of one change still walk the
      // stream one number at a time, across rows and past a deleted segment's changes.
      await repository.remove('w', 's4');
      const whole = (await repository.changesSince('w', null, 100)).map((c) => c.id);
      expect(whole.slice(-3)).toEqual(['10', '11', '13']);
      const walked: string[] = [];
      for (let cursor: { at: number; id: string } | null = null; ;) {
        const page = await repository.changesSince('w', cursor, 1);
        if (page.length === 0) break;
        walked.push(page[0]!.id);
        cursor = { at: page[0]!.at, id: page[0]!.id };
      }
      expect(walked).toEqual(whole);
    } finally {
      await store.close();
    }
  });

  it('reads a flush\'s people with their memberships in one pass, and the memberships of people who are no longer live profiles apart', async () => {
    const store = await engine.open();
    try {
      const repository = segmentRepositorySql(store);
      for (const id of ['s1', 's2']) {
        await repository.insert('w', { id, name: id, description: null, condition: { event: 'Order Completed' }, createdAt: T, updatedAt: T, evaluatedAt: null, memberCount: 0 });
      }
      await store.db.insertInto('profiles').values(['p1', 'p2'].map((id) => ({ workspace_id: 'w', id, traits: '{"city":"Leeds"}', first_seen_at: T, last_seen_at: T, created_at: T, updated_at: T, merged_into: null, trait_state: null }))).execute();
      // p3 has no live row (merged away or erased after its events were committed).
      await repository.applyChanges('w', [['s1', 'p1'], ['s2', 'p1'], ['s2', 'p3']].map(([segmentId, profileId]) => ({ segmentId: segmentId!, profileId: profileId!, change: 'entered' as const })), T, 'event');
      const { profiles, memberships } = await repository.liveProfilesAmong('w', ['p1', 'p2', 'p3', 'p4'], 10);
      expect([...profiles.keys()].sort()).toEqual(['p1', 'p2']);
      expect(profiles.get('p1')).toMatchObject({ traits: { city: 'Leeds' }, storedEvents: 0 });
      expect(memberships).toEqual(new Map([['p1', new Set(['s1', 's2'])], ['p3', new Set(['s2'])]]));
      expect(memberships).toEqual(await repository.membershipsOf('w', ['p1', 'p2', 'p3', 'p4']));
      // Rows the caller holds (the ingest that queued them wrote them) are taken as given with
      // the count read; someone no longer live is left out even then (merged away, erased).
      const known = new Map([['p1', { traits: { city: 'York' }, firstSeenAt: T + 5, lastSeenAt: T + 6 }], ['p3', { traits: {}, firstSeenAt: T, lastSeenAt: T }]]);
      const again = await repository.liveProfilesAmong('w', ['p1', 'p2', 'p3'], 10, known);
      expect(again.profiles).toEqual(new Map([
        ['p1', { traits: { city: 'York' }, firstSeenAt: T + 5, lastSeenAt: T + 6, storedEvents: 0 }],
        ['p2', { traits: { city: 'Leeds' }, firstSeenAt: T, lastSeenAt: T, storedEvents: 0 }],
      ]));
      expect(again.memberships).toEqual(new Map([['p1', new Set(['s1', 's2'])], ['p3', new Set(['s2'])]]));
    } finally {
      await store.close();
    }
  });
});
