import { sql, type Kysely } from 'kysely';
import type { Condition } from '../../segments/definition.js';
import { compileCondition, profilesSource, segmentSource } from '../../segments/compile-sql.js';
import type { ProfileFacts } from '../../segments/profile-evidence.js';
import type { MembershipChange, SegmentRecord, SegmentRepository } from '../../segments/segment-repository.js';
import { readJson } from '../../shared/json.js';
import { readStoredTraitState } from '../../profiles/trait-state.js';
import type { Database } from '../schema.js';
import { precompiledRows, precompiledRowsCounted } from '../precompiled.js';
import type { Store } from '../store.js';
import { chunkRows, chunkRowsInShapes } from './chunk.js';

/** Most people one look-up statement names. */
const LOOKUP_ROWS = 1024;

/**
 * A list of keys padded to the next power of two (at least 8) by repeating its last key, so
 * that `in (…)` look-ups of any length come in a few statement shapes, which the prepared
 * statement cache (dialects/sqlite.ts) reuses instead of compiling one per length.
 */
function padded(keys: readonly string[]): string[] {
  let size = 8;
  while (size < keys.length) size *= 2;
  const out = keys.slice();
  while (out.length < size) out.push(keys[keys.length - 1]!);
  return out;
}

const byPerson = (a: MembershipChange, b: MembershipChange) => (a.profileId < b.profileId ? -1 : a.profileId > b.profileId ? 1 : a.segmentId < b.segmentId ? -1 : a.segmentId > b.segmentId ? 1 : 0);

/** SegmentRepository on Kysely (SQLite and PostgreSQL). */
export function segmentRepositorySql(store: Store): SegmentRepository {
  const db = store.db;
  const max = store.features.maxParameters;
  type MemberRow = { workspace_id: string; segment_id: string; profile_id: string; entered_at: number };
  const memberColumns = ['workspace_id', 'segment_id', 'profile_id', 'entered_at'] as const;
  const insertMembers = precompiledRows<MemberRow, { segment_id: string; profile_id: string }>(db, memberColumns, (d, rows) =>
    d.insertInto('segment_members').values(rows).onConflict((oc) => oc.columns(['workspace_id', 'segment_id', 'profile_id']).doNothing()).returning(['segment_id', 'profile_id']));
  const insertMembersCounted = precompiledRowsCounted<MemberRow>(db, memberColumns, (d, rows) =>
    d.insertInto('segment_members').values(rows).onConflict((oc) => oc.columns(['workspace_id', 'segment_id', 'profile_id']).doNothing()));
  type ChangeRow = { workspace_id: string; seq: number; segment_id: string; profile_id: string; change: 'entered' | 'exited'; reason: string; at: number };
  const insertChanges = precompiledRows<ChangeRow, never>(db, ['workspace_id', 'seq', 'segment_id', 'profile_id', 'change', 'reason', 'at'], (d, rows) => d.insertInto('segment_changes').values(rows));
  /**
   * Takes the workspace's segment-change sequence row (creating it at 0) and so the right to
   * write memberships: PostgreSQL holds other writers of the workspace — real-time flushes in
   * other processes, evaluations, a segment's deletion — on that row until this transaction
   * ends; SQLite has one writer at a time anyway. Returns the last number handed out.
   */
  const lockSequence = async (tx: Kysely<Database>, ws: string): Promise<number> => {
    const r = await tx.insertInto('segment_change_sequence').values({ workspace_id: ws, last_seq: 0 })
      .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ last_seq: sql`segment_change_sequence.last_seq` }))
      .returning('last_seq').executeTakeFirstOrThrow();
    return Number(r.last_seq);
  };
  /**
   * Members added and removed, and one history row per change that took place, numbered from
   * the workspace's sequence, in the caller's transaction; returns the changes that took place.
   * With the sequence row held, numbers become visible in order; a change another writer made
   * first (the person is already in, or already out) is not recorded twice, and changes of a
   * segment deleted meanwhile (by a flush that read the segment list before) are dropped.
   */
  const writeChanges = async (tx: Kysely<Database>, ws: string, changes: readonly MembershipChange[], at: number, reason: string): Promise<MembershipChange[]> => {
    if (changes.length === 0) return [];
    const last = await lockSequence(tx, ws);
    const named = [...new Set(changes.map((c) => c.segmentId))];
    const live = new Set<string>();
    for (const chunk of chunkRows(named, 1, max - 1)) {
      for (const r of await tx.selectFrom('segments').select('id').where('workspace_id', '=', ws).where('id', 'in', chunk).execute()) live.add(r.id);
    }
    const done: MembershipChange[] = [];
    // In the order of the per-person indexes (members' and history's): each statement then
    // touches neighbouring index pages instead of pages all over the tree (~15% less on SQLite).
    const entered = changes.filter((c) => c.change === 'entered' && live.has(c.segmentId)).sort(byPerson);
    for (const chunk of chunkRowsInShapes(entered, 4, max)) {
      const rows = chunk.map((c) => ({ workspace_id: ws, segment_id: c.segmentId, profile_id: c.profileId, entered_at: at }));
      // Counted, not returned (rows handed back cost about a fifth of the insert on SQLite);
      // when some were members already, the chunk is undone and inserted again returning which.
      await sql`savepoint segment_entries`.execute(tx);
      const added = await insertMembersCounted(tx, rows);
      if (added !== rows.length) {
        await sql`rollback to savepoint segment_entries`.execute(tx);
        for (const r of await insertMembers(tx, rows)) done.push({ segmentId: r.segment_id, profileId: r.profile_id, change: 'entered' });
      } else {
        for (const c of chunk) done.push({ segmentId: c.segmentId, profileId: c.profileId, change: 'entered' });
      }
      await sql`release savepoint segment_entries`.execute(tx);
    }
    const exited = new Map<string, string[]>();
    for (const c of changes) if (c.change === 'exited' && live.has(c.segmentId)) exited.set(c.segmentId, [...(exited.get(c.segmentId) ?? []), c.profileId]);
    for (const [segmentId, profileIds] of exited) {
      for (const chunk of chunkRows(profileIds, 1, max - 2)) {
        const rows = await tx.deleteFrom('segment_members').where('workspace_id', '=', ws).where('segment_id', '=', segmentId).where('profile_id', 'in', chunk).returning('profile_id').execute();
        for (const r of rows) done.push({ segmentId, profileId: r.profile_id, change: 'exited' });
      }
    }
    if (done.length === 0) return done;
    await tx.updateTable('segment_change_sequence').set({ last_seq: last + done.length }).where('workspace_id', '=', ws).execute();
    const numbered = done.map((c, i) => ({ workspace_id: ws, seq: last + 1 + i, segment_id: c.segmentId, profile_id: c.profileId, change: c.change, reason, at }));
    for (const chunk of chunkRowsInShapes(numbered, 7, max)) await insertChanges(tx, chunk);
    return done;
  };
  const membershipsOf = async (ws: string, profileIds: readonly string[]): Promise<Map<string, Set<string>>> => {
    const out = new Map<string, Set<string>>();
    for (const chunk of chunkRows(profileIds, 1, Math.min(LOOKUP_ROWS, max - 1))) {
      const rows = await db.selectFrom('segment_members').select(['profile_id', 'segment_id']).where('workspace_id', '=', ws).where('profile_id', 'in', padded(chunk)).execute();
      for (const r of rows) {
        let set = out.get(r.profile_id);
        if (set === undefined) out.set(r.profile_id, (set = new Set()));
        set.add(r.segment_id);
      }
    }
    return out;
  };
  const toRecord = (r: { id: string; name: string; description: string | null; definition: unknown; created_at: number; updated_at: number; evaluated_at: number | null; member_count: number }): SegmentRecord => ({
    id: r.id, name: r.name, description: r.description, condition: readJson<Condition>(r.definition, { all: [] } as never), createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
    evaluatedAt: r.evaluated_at === null ? null : Number(r.evaluated_at), memberCount: Number(r.member_count),
  });
  return {
    async insert(ws, s) {
      await db.insertInto('segments').values({
        workspace_id: ws, id: s.id, name: s.name, description: s.description, definition: JSON.stringify(s.condition), created_at: s.createdAt, updated_at: s.updatedAt, evaluated_at: null, member_count: 0,
      }).execute();
    },
    async update(ws, id, change) {
      await db.updateTable('segments').set({ name: change.name, description: change.description, definition: JSON.stringify(change.condition), updated_at: change.updatedAt })
        .where('workspace_id', '=', ws).where('id', '=', id).execute();
    },
    async get(ws, id) {
      const r = await db.selectFrom('segments').selectAll().where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst();
      return r === undefined ? null : toRecord(r);
    },
    async list(ws) {
      return (await db.selectFrom('segments').selectAll().where('workspace_id', '=', ws).orderBy('created_at').orderBy('id').execute()).map(toRecord);
    },
    async matching(ws, condition, now) {
      const where = await compileCondition(db, store.features, ws, condition, now);
      const r = await sql<{ id: string }>`select p.id as id from ${segmentSource(ws)} and ${where} order by p.id`.execute(db);
      return r.rows.map((row) => row.id);
    },
    async memberIds(ws, segmentId) {
      const rows = await db.selectFrom('segment_members').select('profile_id').where('workspace_id', '=', ws).where('segment_id', '=', segmentId).execute();
      return new Set(rows.map((r) => r.profile_id));
    },
    async members(ws, segmentId, page) {
      let q = db.selectFrom('segment_members as m')
        .leftJoin('identities as i', (j) => j.onRef('i.workspace_id', '=', 'm.workspace_id').onRef('i.profile_id', '=', 'm.profile_id').on('i.type', '=', 'user_id'))
        .select(['m.profile_id', 'm.entered_at', 'i.value as user_id']).where('m.workspace_id', '=', ws).where('m.segment_id', '=', segmentId);
      if (page.after !== null) q = q.where('m.profile_id', '>', page.after);
      const rows = await q.orderBy('m.profile_id').limit(page.limit).execute();
      return rows.map((r) => ({ profileId: r.profile_id, enteredAt: Number(r.entered_at), userId: r.user_id ?? null }));
    },
    applyEvaluation: (ws, segmentId, change) => store.inTransaction(async (tx) => {
      const changes: MembershipChange[] = [
        ...change.entered.map((profileId) => ({ segmentId, profileId, change: 'entered' as const })),
        ...change.exited.map((profileId) => ({ segmentId, profileId, change: 'exited' as const })),
      ];
      await writeChanges(tx, ws, changes, change.at, change.reason);
      await tx.updateTable('segments').set({ evaluated_at: change.at, member_count: change.memberCount }).where('workspace_id', '=', ws).where('id', '=', segmentId).execute();
    }),
    async matchingAmong(ws, condition, profileIds, now) {
      const out = new Set<string>();
      if (profileIds.length === 0) return out;
      const where = await compileCondition(db, store.features, ws, condition, now, 'profiles');
      // The condition's own parameters count against the engine's limit too.
      for (const chunk of chunkRows(profileIds, 1, Math.min(512, Math.floor(max / 2)))) {
        const r = await sql<{ id: string }>`select p.id as id from ${profilesSource(ws, padded(chunk))} and ${where}`.execute(db);
        for (const row of r.rows) out.add(row.id);
      }
      return out;
    },
    async liveProfilesAmong(ws, profileIds, countEventsUpTo) {
      const profiles = new Map<string, ProfileFacts>();
      const memberships = new Map<string, Set<string>>();
      // Counted through events_profile_time, at most `countEventsUpTo` index entries a person.
      const stored = sql<number>`(select count(*) from (select 1 as one from events e where e.workspace_id = p.workspace_id and e.profile_id = p.id limit ${countEventsUpTo}) as bounded)`;
      // The person's segments as one string (segment_members_profile_segment), not a row each.
      const segments = sql<string | null>`(select ${store.features.joinedText('m.segment_id')} from segment_members m where m.workspace_id = p.workspace_id and m.profile_id = p.id)`;
      for (const chunk of chunkRows(profileIds, 1, Math.min(LOOKUP_ROWS, max - 3))) {
        const rows = await db.selectFrom('profiles as p').select(['p.id', 'p.traits', 'p.first_seen_at', 'p.last_seen_at', 'p.trait_state', stored.as('stored_events'), segments.as('segments')])
          .where('p.workspace_id', '=', ws).where('p.id', 'in', padded(chunk)).where('p.merged_into', 'is', null).execute();
        for (const r of rows) {
          // The incremental state counts every stored event by name when it is complete (it has folded them all).
          const state = readStoredTraitState(r.trait_state);
          const a = state?.complete === true ? state.activity : null;
          profiles.set(r.id, {
            traits: readJson<Record<string, unknown>>(r.traits, {}), firstSeenAt: Number(r.first_seen_at), lastSeenAt: Number(r.last_seen_at), storedEvents: Number(r.stored_events),
            ...(a === null ? {} : { activity: a }),
          });
          if (r.segments !== null && r.segments !== '') memberships.set(r.id, new Set(r.segments.split('\u001f')));
        }
      }
      // Someone merged away (or erased) since their events were committed: memberships read apart.
      const others = profileIds.filter((id) => !profiles.has(id));
      if (others.length > 0) for (const [id, set] of await membershipsOf(ws, others)) memberships.set(id, set);
      return { profiles, memberships };
    },
    membershipsOf,
    async membershipsMergedInto(ws, profileIds) {
      const out: Array<{ segmentId: string; profileId: string }> = [];
      for (const chunk of chunkRows(profileIds, 1, max - 2)) {
        const rows = await db.selectFrom('segment_members as m')
          .innerJoin('profiles as p', (j) => j.onRef('p.workspace_id', '=', 'm.workspace_id').onRef('p.id', '=', 'm.profile_id'))
          .select(['m.segment_id', 'm.profile_id']).where('m.workspace_id', '=', ws).where('p.merged_into', 'in', chunk).execute();
        for (const r of rows) out.push({ segmentId: r.segment_id, profileId: r.profile_id });
      }
      return out;
    },
    applyChanges: (ws, changes, at, reason) => store.inTransaction(async (tx) => {
      const written = await writeChanges(tx, ws, changes, at, reason);
      const delta = new Map<string, number>();
      for (const c of written) delta.set(c.segmentId, (delta.get(c.segmentId) ?? 0) + (c.change === 'entered' ? 1 : -1));
      for (const [segmentId, d] of delta) {
        if (d !== 0) await tx.updateTable('segments').set({ member_count: sql`member_count + ${d}` }).where('workspace_id', '=', ws).where('id', '=', segmentId).execute();
      }
    }),
    async changesSince(ws, after, limit) {
      let q = db.selectFrom('segment_changes').selectAll().where('workspace_id', '=', ws);
      if (after !== null) q = /^[0-9]{1,15}$/.test(after.id) ? q.where('seq', '>', Number(after.id)) : q.where('at', '>', after.at);
      const rows = await q.orderBy('seq').limit(limit).execute();
      return rows.map((r) => ({ id: String(r.seq), segmentId: r.segment_id, profileId: r.profile_id, change: r.change, reason: r.reason, at: Number(r.at) }));
    },
    remove: (ws, id) => store.inTransaction(async (tx) => {
      await lockSequence(tx, ws);
      await tx.deleteFrom('segment_members').where('workspace_id', '=', ws).where('segment_id', '=', id).execute();
      await tx.deleteFrom('segment_changes').where('workspace_id', '=', ws).where('segment_id', '=', id).execute();
      await tx.deleteFrom('segments').where('workspace_id', '=', ws).where('id', '=', id).execute();
    }),
    async history(ws, profileId) {
      const rows = await db.selectFrom('segment_changes').selectAll().where('workspace_id', '=', ws).where('profile_id', '=', profileId).execute();
      return rows.sort((a, b) => Number(a.at) - Number(b.at) || (a.change === b.change ? Number(a.seq) - Number(b.seq) : a.change === 'exited' ? -1 : 1))
        .map((r) => ({ segmentId: r.segment_id, profileId: r.profile_id, change: r.change, reason: r.reason, at: Number(r.at) }));
    },
    async segmentsOf(ws, profileId) {
      const rows = await db.selectFrom('segment_members').select(['segment_id', 'entered_at']).where('workspace_id', '=', ws).where('profile_id', '=', profileId).execute();
      return rows.map((r) => ({ segmentId: r.segment_id, enteredAt: Number(r.entered_at) }));
    },
  };
}
