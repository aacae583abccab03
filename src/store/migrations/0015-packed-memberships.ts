import { sql, type Kysely } from 'kysely';
import type { DialectFeatures } from '../dialects/features.js';
import { formatMemberships, type PackedMemberships } from '../../segments/packed-memberships.js';

/** People converted per statement. */
const PEOPLE_PER_STEP = 1_000;

/**
 * Memberships and their history stored per person instead of per person and segment
 * (docs/benchmarks.md "bench/segments"): a person entering twelve segments at once wrote 24
 * rows (a member row and a history row each, five index entries); now it writes two.
 *
 * - `segments.ordinal`: 1, 2, … per workspace (in creation order here; new segments take the
 *   next one), the short name the packed texts use (src/segments/packed-memberships.ts).
 * - `segment_memberships` (replaces `segment_members`): one row per person in any segment,
 *   keyed by (workspace, person), holding every segment they are in with when they entered.
 * - `segment_history` (replaces `segment_changes`): one row per person and write, with the
 *   person's changes of that write; its changes carry the numbers `last_seq − n + 1 …
 *   last_seq` of the workspace's sequence (migration 0012), which stay the change stream's
 *   cursor. Existing changes keep their numbers (one row each).
 */
export function packedMemberships(f: DialectFeatures) {
  const big = sql.raw(f.bigIntType);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not today's type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('segments').addColumn('ordinal', 'integer').execute();
      await sql`update segments set ordinal = (select count(*) from segments s2 where s2.workspace_id = segments.workspace_id
        and (s2.created_at < segments.created_at or (s2.created_at = segments.created_at and s2.id <= segments.id)))`.execute(db);
      await db.schema.createIndex('segments_ordinal').on('segments').columns(['workspace_id', 'ordinal']).unique().execute();

      await db.schema.createTable('segment_memberships')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('profile_id', 'text', (c) => c.notNull())
        .addColumn('segments', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('segment_memberships_pk', ['workspace_id', 'profile_id'])
        .execute();
      // Person by person, in (workspace, person) order through the old per-person index.
      let after: { ws: string; id: string } | null = null;
      for (;;) {
        const cursor: { ws: string; id: string } | null = after;
        const people: Array<{ workspace_id: string; profile_id: string }> = (await sql<{ workspace_id: string; profile_id: string }>`select distinct workspace_id, profile_id from segment_members
          ${cursor === null ? sql`` : sql`where workspace_id > ${cursor.ws} or (workspace_id = ${cursor.ws} and profile_id > ${cursor.id})`}
          order by workspace_id, profile_id limit ${PEOPLE_PER_STEP}`.execute(db)).rows;
        if (people.length === 0) break;
        const last: { workspace_id: string; profile_id: string } = people[people.length - 1]!;
        const first = people[0]!;
        const rows = (await sql<{ workspace_id: string; profile_id: string; ordinal: number; entered_at: number }>`select m.workspace_id, m.profile_id, s.ordinal, m.entered_at
          from segment_members m join segments s on s.workspace_id = m.workspace_id and s.id = m.segment_id
          where (m.workspace_id > ${first.workspace_id} or (m.workspace_id = ${first.workspace_id} and m.profile_id >= ${first.profile_id}))
            and (m.workspace_id < ${last.workspace_id} or (m.workspace_id = ${last.workspace_id} and m.profile_id <= ${last.profile_id}))`.execute(db)).rows;
        const packed = new Map<string, { ws: string; id: string; m: PackedMemberships }>();
        for (const r of rows) {
          const key = `${r.workspace_id}\u0000${r.profile_id}`;
          let p = packed.get(key);
          if (p === undefined) packed.set(key, (p = { ws: r.workspace_id, id: r.profile_id, m: new Map() }));
          p.m.set(Number(r.ordinal), Number(r.entered_at));
        }
        if (packed.size > 0) {
          await db.insertInto('segment_memberships').values([...packed.values()].map((p) => ({ workspace_id: p.ws, profile_id: p.id, segments: formatMemberships(p.m) }))).execute();
        }
        after = { ws: last.workspace_id, id: last.profile_id };
      }
      await db.schema.dropTable('segment_members').execute();

      await db.schema.createTable('segment_history')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('last_seq', big, (c) => c.notNull())
        .addColumn('profile_id', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('at', big, (c) => c.notNull())
        .addColumn('changes', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('segment_history_pk', ['workspace_id', 'last_seq'])
        .execute();
      await sql`insert into segment_history (workspace_id, last_seq, profile_id, reason, at, changes)
        select c.workspace_id, c.seq, c.profile_id, c.reason, c.at, ',' || s.ordinal || (case c.change when 'entered' then ':+,' else ':-,' end)
        from segment_changes c join segments s on s.workspace_id = c.workspace_id and s.id = c.segment_id`.execute(db);
      await db.schema.createIndex('segment_history_profile').on('segment_history').columns(['workspace_id', 'profile_id']).execute();
      await db.schema.dropTable('segment_changes').execute();
    },
  };
}
