import { sql, type Kysely } from 'kysely';
import type { DialectFeatures } from '../dialects/features.js';

/**
 * Cheaper membership writes for the real-time segment update (docs/benchmarks.md
 * "bench/segments").
 *
 * `segment_changes` is keyed by a per-workspace sequence number (`seq`, 1, 2, … in the order
 * the changes were recorded) instead of a random UUID: appending a change now adds to the
 * end of its primary key, and the sequence is the cursor of the change stream journeys read,
 * so the index on (at, id) goes. The index on (segment, at) goes too: only deleting a segment
 * read it, and that now reads the workspace's changes. Existing changes are numbered in the
 * order the stream returned them before (time, then id). `segment_change_sequence` holds the
 * last number handed out per workspace, so numbers are never reused after rows are deleted
 * (erasure, a deleted segment) and a consumer's cursor never skips a later change; updating
 * that row also serializes writers of one workspace until they commit (PostgreSQL row lock),
 * so numbers become visible in order.
 *
 * `segment_members` gets its per-person index with the segment id in it: the real-time update
 * reads every current membership of a batch of people at once, from the index alone.
 */
export function segmentChangeSequence(f: DialectFeatures) {
  const big = sql.raw(f.bigIntType);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not today's type
    async up(db: Kysely<any>): Promise<void> {
      for (const index of ['segment_changes_profile', 'segment_changes_time', 'segment_changes_segment']) await db.schema.dropIndex(index).execute();
      await db.schema.alterTable('segment_changes').renameTo('segment_changes_0009').execute();
      await db.schema.createTable('segment_changes')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('seq', big, (c) => c.notNull())
        .addColumn('segment_id', 'text', (c) => c.notNull())
        .addColumn('profile_id', 'text', (c) => c.notNull())
        .addColumn('change', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('segment_changes_seq_pk', ['workspace_id', 'seq'])
        .execute();
      await sql`insert into segment_changes (workspace_id, seq, segment_id, profile_id, change, reason, at)
        select workspace_id, row_number() over (partition by workspace_id order by at, id), segment_id, profile_id, change, reason, at
        from segment_changes_0009`.execute(db);
      await db.schema.dropTable('segment_changes_0009').execute();
      await db.schema.createIndex('segment_changes_profile').on('segment_changes').columns(['workspace_id', 'profile_id']).execute();

      await db.schema.createTable('segment_change_sequence')
        .addColumn('workspace_id', 'text', (c) => c.notNull().primaryKey())
        .addColumn('last_seq', big, (c) => c.notNull())
        .execute();
      await sql`insert into segment_change_sequence (workspace_id, last_seq) select workspace_id, max(seq) from segment_changes group by workspace_id`.execute(db);

      await db.schema.createIndex('segment_members_profile_segment').on('segment_members').columns(['workspace_id', 'profile_id', 'segment_id']).execute();
      await db.schema.dropIndex('segment_members_profile').execute();
    },
  };
}
