import { sql, type Kysely } from 'kysely';
import type { Condition } from '../../segments/definition.js';
import { compileCondition, segmentSource } from '../../segments/compile-sql.js';
import type { MembershipChange, SegmentRecord, SegmentRepository } from '../../segments/segment-repository.js';
import { readJson } from '../../shared/json.js';
import type { Database } from '../schema.js';
import type { Store } from '../store.js';
import { chunkRows, chunkRowsInShapes } from './chunk.js';

/** SegmentRepository on Kysely (SQLite and PostgreSQL). */
export function segmentRepositorySql(store: Store): SegmentRepository {
  const db = store.db;
  const max = store.features.maxParameters;
  /** Members added and removed, and one history row per change, in the caller's transaction. */
  const writeChanges = async (tx: Kysely<Database>, ws: string, changes: readonly MembershipChange[], at: number, reason: string, newId: () => string) => {
    const entered = changes.filter((c) => c.change === 'entered');
    for (const chunk of chunkRowsInShapes(entered, 4, max)) {
      await tx.insertInto('segment_members').values(chunk.map((c) => ({ workspace_id: ws, segment_id: c.segmentId, profile_id: c.profileId, entered_at: at })))
        .onConflict((oc) => oc.columns(['workspace_id', 'segment_id', 'profile_id']).doNothing()).execute();
    }
    const exited = new Map<string, string[]>();
    for (const c of changes) if (c.change === 'exited') exited.set(c.segmentId, [...(exited.get(c.segmentId) ?? []), c.profileId]);
    for (const [segmentId, profileIds] of exited) {
      for (const chunk of chunkRows(profileIds, 1, max - 2)) {
        await tx.deleteFrom('segment_members').where('workspace_id', '=', ws).where('segment_id', '=', segmentId).where('profile_id', 'in', chunk).execute();
      }
    }
    for (const chunk of chunkRowsInShapes(changes, 7, max)) {
      await tx.insertInto('segment_changes').values(chunk.map((c) => ({ workspace_id: ws, id: newId(), segment_id: c.segmentId, profile_id: c.profileId, change: c.change, reason, at }))).execute();
    }
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
    applyEvaluation: (ws, segmentId, change, newId) => store.inTransaction(async (tx) => {
      const changes: MembershipChange[] = [
        ...change.entered.map((profileId) => ({ segmentId, profileId, change: 'entered' as const })),
        ...change.exited.map((profileId) => ({ segmentId, profileId, change: 'exited' as const })),
      ];
      await writeChanges(tx, ws, changes, change.at, change.reason, newId);
      await tx.updateTable('segments').set({ evaluated_at: change.at, member_count: change.memberCount }).where('workspace_id', '=', ws).where('id', '=', segmentId).execute();
    }),
    async matchingAmong(ws, condition, profileIds, now) {
      const out = new Set<string>();
      if (profileIds.length === 0) return out;
      const where = await compileCondition(db, store.features, ws, condition, now, 'profiles');
      // The condition's own parameters count against the engine's limit too.
      for (const chunk of chunkRows(profileIds, 1, Math.min(500, Math.floor(max / 2)))) {
        const r = await sql<{ id: string }>`select p.id as id from ${segmentSource(ws)} and p.id in (${sql.join(chunk)}) and ${where}`.execute(db);
        for (const row of r.rows) out.add(row.id);
      }
      return out;
    },
    async liveAmong(ws, profileIds) {
      const out = new Set<string>();
      for (const chunk of chunkRows(profileIds, 1, max - 2)) {
        const rows = await db.selectFrom('profiles').select('id').where('workspace_id', '=', ws).where('id', 'in', chunk).where('merged_into', 'is', null).execute();
        for (const r of rows) out.add(r.id);
      }
      return out;
    },
    async membersAmong(ws, segmentId, profileIds) {
      const out = new Set<string>();
      for (const chunk of chunkRows(profileIds, 1, max - 3)) {
        const rows = await db.selectFrom('segment_members').select('profile_id').where('workspace_id', '=', ws).where('segment_id', '=', segmentId).where('profile_id', 'in', chunk).execute();
        for (const r of rows) out.add(r.profile_id);
      }
      return out;
    },
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
    applyChanges: (ws, changes, at, reason, newId) => store.inTransaction(async (tx) => {
      await writeChanges(tx, ws, changes, at, reason, newId);
      const delta = new Map<string, number>();
      for (const c of changes) delta.set(c.segmentId, (delta.get(c.segmentId) ?? 0) + (c.change === 'entered' ? 1 : -1));
      for (const [segmentId, d] of delta) {
        if (d !== 0) await tx.updateTable('segments').set({ member_count: sql`member_count + ${d}` }).where('workspace_id', '=', ws).where('id', '=', segmentId).execute();
      }
    }),
    async changesSince(ws, after, limit) {
      let q = db.selectFrom('segment_changes').selectAll().where('workspace_id', '=', ws);
      if (after !== null) q = q.where((eb) => eb.or([eb('at', '>', after.at), eb.and([eb('at', '=', after.at), eb('id', '>', after.id)])]));
      const rows = await q.orderBy('at').orderBy('id').limit(limit).execute();
      return rows.map((r) => ({ id: r.id, segmentId: r.segment_id, profileId: r.profile_id, change: r.change, reason: r.reason, at: Number(r.at) }));
    },
    remove: (ws, id) => store.inTransaction(async (tx) => {
      await tx.deleteFrom('segment_members').where('workspace_id', '=', ws).where('segment_id', '=', id).execute();
      await tx.deleteFrom('segment_changes').where('workspace_id', '=', ws).where('segment_id', '=', id).execute();
      await tx.deleteFrom('segments').where('workspace_id', '=', ws).where('id', '=', id).execute();
    }),
    async history(ws, profileId) {
      const rows = await db.selectFrom('segment_changes').selectAll().where('workspace_id', '=', ws).where('profile_id', '=', profileId).execute();
      return rows.map((r) => ({ segmentId: r.segment_id, profileId: r.profile_id, change: r.change, reason: r.reason, at: Number(r.at) }))
        .sort((a, b) => a.at - b.at || (a.change === b.change ? 0 : a.change === 'exited' ? -1 : 1));
    },
    async segmentsOf(ws, profileId) {
      const rows = await db.selectFrom('segment_members').select(['segment_id', 'entered_at']).where('workspace_id', '=', ws).where('profile_id', '=', profileId).execute();
      return rows.map((r) => ({ segmentId: r.segment_id, enteredAt: Number(r.entered_at) }));
    },
  };
}
