import { sql, type Kysely } from 'kysely';
import type { Condition } from '../../segments/definition.js';
import { compileCondition, profilesSource, segmentSource } from '../../segments/compile-sql.js';
import type { ProfileFacts } from '../../segments/profile-evidence.js';
import { formatChanges, formatMemberships, membershipOrdinals, ordinalPattern, parseChanges, parseMemberships, REMOVED_ORDINAL, type PackedChange } from '../../segments/packed-memberships.js';
import type { MembershipChange, SegmentChange, SegmentRecord, SegmentRepository } from '../../segments/segment-repository.js';
import { readJson } from '../../shared/json.js';
import { readStoredTraitState } from '../../profiles/trait-state.js';
import type { Database } from '../schema.js';
import { precompiled, precompiledRowsCounted } from '../precompiled.js';
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

/** Segment id → ordinal and back, of one workspace. */
interface Ordinals { of: Map<string, number>; id: Map<number, string> }

async function ordinalsOf(d: Kysely<Database>, ws: string): Promise<Ordinals> {
  const out: Ordinals = { of: new Map(), id: new Map() };
  for (const r of await d.selectFrom('segments').select(['id', 'ordinal']).where('workspace_id', '=', ws).execute()) {
    out.of.set(r.id, Number(r.ordinal));
    out.id.set(Number(r.ordinal), r.id);
  }
  return out;
}

/** The packed memberships of the given people that have any (by primary key). */
async function packedOf(d: Kysely<Database>, maxParameters: number, ws: string, profileIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const chunk of chunkRows(profileIds, 1, Math.min(LOOKUP_ROWS, maxParameters - 1))) {
    const rows = await d.selectFrom('segment_memberships').select(['profile_id', 'segments']).where('workspace_id', '=', ws).where('profile_id', 'in', padded(chunk)).execute();
    for (const r of rows) out.set(r.profile_id, r.segments);
  }
  return out;
}

/** A packed memberships text as segment ids (segments no longer there left out). */
function idsIn(text: string | null, o: Ordinals): Set<string> {
  const out = new Set<string>();
  for (const ordinal of membershipOrdinals(text)) {
    const id = o.id.get(ordinal);
    if (id !== undefined) out.add(id);
  }
  return out;
}

/** A history row's changes with their numbers (`last_seq − n + 1 …`), those of deleted segments left out. */
function changesOf(r: { last_seq: number; profile_id: string; reason: string; at: number; changes: string }, o: Ordinals): Array<{ seq: number; change: SegmentChange }> {
  const changes = parseChanges(r.changes);
  const first = Number(r.last_seq) - changes.length + 1;
  const out: Array<{ seq: number; change: SegmentChange }> = [];
  changes.forEach((c, k) => {
    const segmentId = o.id.get(c.ordinal);
    if (segmentId !== undefined) out.push({ seq: first + k, change: { segmentId, profileId: r.profile_id, change: c.change, reason: r.reason, at: Number(r.at) } });
  });
  return out;
}

/**
 * The segments each of the given people is in now (people in none left out): the segment
 * repository's `membershipsOf`, also read by recommendation training.
 */
export async function readMembershipsOf(db: Kysely<Database>, maxParameters: number, ws: string, profileIds: readonly string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const packed = await packedOf(db, maxParameters, ws, profileIds);
  if (packed.size === 0) return out;
  const o = await ordinalsOf(db, ws);
  for (const [id, text] of packed) {
    const set = idsIn(text, o);
    if (set.size > 0) out.set(id, set);
  }
  return out;
}

/** SegmentRepository on Kysely (SQLite and PostgreSQL); memberships and history packed per person (src/segments/packed-memberships.ts). */
export function segmentRepositorySql(store: Store): SegmentRepository {
  const db = store.db;
  const max = store.features.maxParameters;
  type MembershipRow = { workspace_id: string; profile_id: string; segments: string };
  const upsertMemberships = precompiledRowsCounted<MembershipRow>(db, ['workspace_id', 'profile_id', 'segments'], (d, rows) =>
    d.insertInto('segment_memberships').values(rows).onConflict((oc) => oc.columns(['workspace_id', 'profile_id']).doUpdateSet({ segments: (eb) => eb.ref('excluded.segments') })));
  /** A segment's member count moved by `d` (compiled once: a flush moves every segment it changed). */
  const addMembers = precompiled((d, v: { ws: string; id: string; d: number }) =>
    d.updateTable('segments').set({ member_count: sql`member_count + ${v.d}` }).where('workspace_id', '=', v.ws).where('id', '=', v.id));
  type HistoryRow = { workspace_id: string; last_seq: number; profile_id: string; reason: string; at: number; changes: string };
  const insertHistory = precompiledRowsCounted<HistoryRow>(db, ['workspace_id', 'last_seq', 'profile_id', 'reason', 'at', 'changes'], (d, rows) => d.insertInto('segment_history').values(rows));
  /**
   * Takes the workspace's segment-change sequence row (creating it at 0) and so the right to
   * write memberships: PostgreSQL holds other writers of the workspace — real-time flushes in
   * other processes, evaluations, a segment's creation or deletion — on that row until this
   * transaction ends; SQLite has one writer at a time anyway. Returns the last number handed out.
   */
  const lockSequence = async (tx: Kysely<Database>, ws: string): Promise<number> => {
    const r = await tx.insertInto('segment_change_sequence').values({ workspace_id: ws, last_seq: 0 })
      .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ last_seq: sql`segment_change_sequence.last_seq` }))
      .returning('last_seq').executeTakeFirstOrThrow();
    return Number(r.last_seq);
  };
  /**
   * Applies entries and exits in the caller's transaction and records the ones that took place,
   * one history row per person, numbered from the workspace's sequence; returns them. With the
   * sequence row held, the people's memberships are read as the last writer left them and
   * numbers become visible in order: a change another writer made first (the person is already
   * in, or already out) is not recorded twice, and changes of a segment deleted meanwhile (by a
   * flush that read the segment list before) are dropped. A person's exits are numbered before
   * their entries; people in id order.
   */
  const writeChanges = async (tx: Kysely<Database>, ws: string, changes: readonly MembershipChange[], at: number, reason: string): Promise<MembershipChange[]> => {
    if (changes.length === 0) return [];
    const last = await lockSequence(tx, ws);
    const o = await ordinalsOf(tx, ws);
    const byPerson = new Map<string, MembershipChange[]>();
    for (const c of changes) {
      if (!o.of.has(c.segmentId)) continue;
      let list = byPerson.get(c.profileId);
      if (list === undefined) byPerson.set(c.profileId, (list = []));
      list.push(c);
    }
    if (byPerson.size === 0) return [];
    const people = [...byPerson.keys()].sort();
    const current = await packedOf(tx, max, ws, people);
    const kept: MembershipRow[] = [];
    const emptied: string[] = [];
    const history: HistoryRow[] = [];
    const done: MembershipChange[] = [];
    let seq = last;
    for (const profileId of people) {
      const m = parseMemberships(current.get(profileId) ?? null);
      const applied: PackedChange[] = [];
      for (const want of ['exited', 'entered'] as const) {
        for (const c of byPerson.get(profileId)!) {
          if (c.change !== want) continue;
          const ordinal = o.of.get(c.segmentId)!;
          if (m.has(ordinal) === (want === 'entered')) continue;
          if (want === 'entered') m.set(ordinal, at);
          else m.delete(ordinal);
          applied.push({ ordinal, change: want });
          done.push({ segmentId: c.segmentId, profileId, change: want });
        }
      }
      if (applied.length === 0) continue;
      const text = formatMemberships(m);
      if (text === '') emptied.push(profileId);
      else kept.push({ workspace_id: ws, profile_id: profileId, segments: text });
      seq += applied.length;
      history.push({ workspace_id: ws, last_seq: seq, profile_id: profileId, reason, at, changes: formatChanges(applied) });
    }
    if (done.length === 0) return done;
    for (const chunk of chunkRowsInShapes(kept, 3, max)) await upsertMemberships(tx, chunk);
    for (const chunk of chunkRows(emptied, 1, max - 1)) await tx.deleteFrom('segment_memberships').where('workspace_id', '=', ws).where('profile_id', 'in', chunk).execute();
    await tx.updateTable('segment_change_sequence').set({ last_seq: seq }).where('workspace_id', '=', ws).execute();
    for (const chunk of chunkRowsInShapes(history, 6, max)) await insertHistory(tx, chunk);
    return done;
  };
  const membershipsOf = (ws: string, profileIds: readonly string[]) => readMembershipsOf(db, max, ws, profileIds);
  /** A segment's ordinal (null when the segment is gone). */
  const ordinalOf = async (ws: string, segmentId: string): Promise<number | null> => {
    const r = await db.selectFrom('segments').select('ordinal').where('workspace_id', '=', ws).where('id', '=', segmentId).executeTakeFirst();
    return r === undefined ? null : Number(r.ordinal);
  };
  const toRecord = (r: { id: string; name: string; description: string | null; definition: unknown; created_at: number; updated_at: number; evaluated_at: number | null; member_count: number }): SegmentRecord => ({
    id: r.id, name: r.name, description: r.description, condition: readJson<Condition>(r.definition, { all: [] } as never), createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
    evaluatedAt: r.evaluated_at === null ? null : Number(r.evaluated_at), memberCount: Number(r.member_count),
  });
  return {
    // The next ordinal, with the workspace's writers held (lockSequence), so two creations never take the same one.
    insert: (ws, s) => store.inTransaction(async (tx) => {
      await lockSequence(tx, ws);
      const top = await tx.selectFrom('segments').select((eb) => eb.fn.max('ordinal').as('top')).where('workspace_id', '=', ws).executeTakeFirst();
      await tx.insertInto('segments').values({
        workspace_id: ws, id: s.id, name: s.name, description: s.description, definition: JSON.stringify(s.condition), created_at: s.createdAt, updated_at: s.updatedAt, evaluated_at: null, member_count: 0,
        ordinal: Number(top?.top ?? 0) + 1,
      }).execute();
    }),
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
    // Both read every person's row of the workspace (a segment's members are not indexed by segment).
    async memberIds(ws, segmentId) {
      const ordinal = await ordinalOf(ws, segmentId);
      if (ordinal === null) return new Set();
      const rows = await db.selectFrom('segment_memberships').select('profile_id').where('workspace_id', '=', ws).where('segments', 'like', ordinalPattern(ordinal)).execute();
      return new Set(rows.map((r) => r.profile_id));
    },
    async members(ws, segmentId, page) {
      const ordinal = await ordinalOf(ws, segmentId);
      if (ordinal === null) return [];
      let q = db.selectFrom('segment_memberships as m')
        .leftJoin('identities as i', (j) => j.onRef('i.workspace_id', '=', 'm.workspace_id').onRef('i.profile_id', '=', 'm.profile_id').on('i.type', '=', 'user_id'))
        .select(['m.profile_id', 'm.segments', 'i.value as user_id']).where('m.workspace_id', '=', ws).where('m.segments', 'like', ordinalPattern(ordinal));
      if (page.after !== null) q = q.where('m.profile_id', '>', page.after);
      const rows = await q.orderBy('m.profile_id').limit(page.limit).execute();
      return rows.map((row) => ({ profileId: row.profile_id, enteredAt: parseMemberships(row.segments).get(ordinal) ?? 0, userId: row.user_id ?? null }));
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
    async liveProfilesAmong(ws, profileIds, countEventsUpTo, known = new Map()) {
      const profiles = new Map<string, ProfileFacts>();
      const memberships = new Map<string, Set<string>>();
      // Counted through events_profile_time, at most `countEventsUpTo` index entries a person.
      const stored = sql<number>`(select count(*) from (select 1 as one from events e where e.workspace_id = p.workspace_id and e.profile_id = p.id limit ${countEventsUpTo}) as bounded)`;
      const segments = sql<string | null>`(select m.segments from segment_memberships m where m.workspace_id = p.workspace_id and m.profile_id = p.id)`;
      const o = await ordinalsOf(db, ws);
      const keep = (id: string, text: string | null) => {
        const set = idsIn(text, o);
        if (set.size > 0) memberships.set(id, set);
      };
      const limit = Math.min(LOOKUP_ROWS, max - 3);
      // People whose row the caller holds: whether it is still live, the memberships, and the count unless the row has it.
      for (const chunk of chunkRows(profileIds.filter((id) => known.get(id)?.storedEvents !== undefined), 1, limit)) {
        const rows = await db.selectFrom('profiles as p').select(['p.id', segments.as('segments')])
          .where('p.workspace_id', '=', ws).where('p.id', 'in', padded(chunk)).where('p.merged_into', 'is', null).execute();
        for (const r of rows) {
          profiles.set(r.id, known.get(r.id)!);
          keep(r.id, r.segments);
        }
      }
      for (const chunk of chunkRows(profileIds.filter((id) => known.has(id) && known.get(id)!.storedEvents === undefined), 1, limit)) {
        const rows = await db.selectFrom('profiles as p').select(['p.id', stored.as('stored_events'), segments.as('segments')])
          .where('p.workspace_id', '=', ws).where('p.id', 'in', padded(chunk)).where('p.merged_into', 'is', null).execute();
        for (const r of rows) {
          const k = known.get(r.id)!;
          profiles.set(r.id, { traits: k.traits, firstSeenAt: k.firstSeenAt, lastSeenAt: k.lastSeenAt, storedEvents: Number(r.stored_events), activity: k.activity });
          keep(r.id, r.segments);
        }
      }
      for (const chunk of chunkRows(profileIds.filter((id) => !known.has(id)), 1, limit)) {
        const rows = await db.selectFrom('profiles as p').select(['p.id', 'p.traits', 'p.first_seen_at', 'p.last_seen_at', 'p.trait_state', stored.as('stored_events'), segments.as('segments')])
          .where('p.workspace_id', '=', ws).where('p.id', 'in', padded(chunk)).where('p.merged_into', 'is', null).execute();
        for (const r of rows) {
          // The incremental state counts every stored event by name when it is complete (it has folded them all).
          const state = readStoredTraitState(r.trait_state);
          const a = state?.complete === true ? state.activity : null;
          profiles.set(r.id, {
            traits: readJson<Record<string, unknown>>(r.traits, {}), firstSeenAt: Number(r.first_seen_at), lastSeenAt: Number(r.last_seen_at), storedEvents: Number(r.stored_events),
            activity: a ?? undefined,
          });
          keep(r.id, r.segments);
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
      let o: Ordinals | null = null;
      for (const chunk of chunkRows(profileIds, 1, max - 2)) {
        const rows = await db.selectFrom('segment_memberships as m')
          .innerJoin('profiles as p', (j) => j.onRef('p.workspace_id', '=', 'm.workspace_id').onRef('p.id', '=', 'm.profile_id'))
          .select(['m.segments', 'm.profile_id']).where('m.workspace_id', '=', ws).where('p.merged_into', 'in', chunk).execute();
        if (rows.length > 0) o ??= await ordinalsOf(db, ws);
        for (const r of rows) for (const segmentId of idsIn(r.segments, o!)) out.push({ segmentId, profileId: r.profile_id });
      }
      return out;
    },
    applyChanges: (ws, changes, at, reason) => store.inTransaction(async (tx) => {
      const written = await writeChanges(tx, ws, changes, at, reason);
      const delta = new Map<string, number>();
      for (const c of written) delta.set(c.segmentId, (delta.get(c.segmentId) ?? 0) + (c.change === 'entered' ? 1 : -1));
      for (const [segmentId, d] of delta) {
        if (d !== 0) await addMembers(tx, { ws, id: segmentId, d });
      }
    }),
    async changesSince(ws, after, limit) {
      // Rows whose last number is past the cursor, then their changes past it (the first row may
      // straddle it, and deleted segments' changes are skipped: rows are read until the page is full).
      const from = after === null ? 0 : /^[0-9]{1,15}$/.test(after.id) ? Number(after.id) : null;
      const out: Array<SegmentChange & { id: string }> = [];
      let o: Ordinals | null = null;
      for (let lastRead: number | null = null; out.length < limit;) {
        let q = db.selectFrom('segment_history').selectAll().where('workspace_id', '=', ws);
        if (lastRead !== null) q = q.where('last_seq', '>', lastRead);
        else q = from === null ? q.where('at', '>', after!.at) : q.where('last_seq', '>', from);
        const rows = await q.orderBy('last_seq').limit(limit).execute();
        if (rows.length === 0) break;
        o ??= await ordinalsOf(db, ws);
        for (const r of rows) {
          for (const c of changesOf(r, o)) if ((from === null || c.seq > from) && out.length < limit) out.push({ ...c.change, id: String(c.seq) });
        }
        if (rows.length < limit) break;
        lastRead = Number(rows[rows.length - 1]!.last_seq);
      }
      return out;
    },
    // The segment's parts leave every person's memberships and history (rows left with none go).
    remove: (ws, id) => store.inTransaction(async (tx) => {
      await lockSequence(tx, ws);
      const r = await tx.selectFrom('segments').select('ordinal').where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst();
      if (r !== undefined) {
        const ordinal = Number(r.ordinal);
        const pattern = ordinalPattern(ordinal);
        const members = await tx.selectFrom('segment_memberships').select(['profile_id', 'segments']).where('workspace_id', '=', ws).where('segments', 'like', pattern).execute();
        for (const m of members) {
          const set = parseMemberships(m.segments);
          set.delete(ordinal);
          const text = formatMemberships(set);
          if (text === '') await tx.deleteFrom('segment_memberships').where('workspace_id', '=', ws).where('profile_id', '=', m.profile_id).execute();
          else await tx.updateTable('segment_memberships').set({ segments: text }).where('workspace_id', '=', ws).where('profile_id', '=', m.profile_id).execute();
        }
        // Its changes become placeholders, so that the others of their rows keep their numbers.
        const history = await tx.selectFrom('segment_history').select(['last_seq', 'changes']).where('workspace_id', '=', ws).where('changes', 'like', pattern).execute();
        for (const h of history) {
          const changes = parseChanges(h.changes).map((c) => (c.ordinal === ordinal ? { ordinal: REMOVED_ORDINAL, change: c.change } : c));
          if (changes.every((c) => c.ordinal === REMOVED_ORDINAL)) await tx.deleteFrom('segment_history').where('workspace_id', '=', ws).where('last_seq', '=', h.last_seq).execute();
          else await tx.updateTable('segment_history').set({ changes: formatChanges(changes) }).where('workspace_id', '=', ws).where('last_seq', '=', h.last_seq).execute();
        }
      }
      await tx.deleteFrom('segments').where('workspace_id', '=', ws).where('id', '=', id).execute();
    }),
    async history(ws, profileId) {
      const rows = await db.selectFrom('segment_history').selectAll().where('workspace_id', '=', ws).where('profile_id', '=', profileId).execute();
      if (rows.length === 0) return [];
      const o = await ordinalsOf(db, ws);
      return rows.flatMap((r) => changesOf(r, o))
        .sort((a, b) => a.change.at - b.change.at || (a.change.change === b.change.change ? a.seq - b.seq : a.change.change === 'exited' ? -1 : 1))
        .map((c) => c.change);
    },
    async segmentsOf(ws, profileId) {
      const r = await db.selectFrom('segment_memberships').select('segments').where('workspace_id', '=', ws).where('profile_id', '=', profileId).executeTakeFirst();
      if (r === undefined) return [];
      const o = await ordinalsOf(db, ws);
      return [...parseMemberships(r.segments)].flatMap(([ordinal, enteredAt]) => {
        const segmentId = o.id.get(ordinal);
        return segmentId === undefined ? [] : [{ segmentId, enteredAt }];
      });
    },
  };
}
