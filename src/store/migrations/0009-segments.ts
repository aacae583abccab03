import { sql, type Kysely } from 'kysely';
import type { DialectFeatures } from '../dialects/features.js';

/**
 * Segments: definitions, current members, and the history of every entry and exit (time,
 * reason), which journeys read as internal events.
 */
export function segments(f: DialectFeatures) {
  const json = sql.raw(f.jsonType);
  const big = sql.raw(f.bigIntType);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not today's type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createTable('segments')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('definition', json, (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .addColumn('evaluated_at', big)
        .addColumn('member_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('segments_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createTable('segment_members')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('segment_id', 'text', (c) => c.notNull())
        .addColumn('profile_id', 'text', (c) => c.notNull())
        .addColumn('entered_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('segment_members_pk', ['workspace_id', 'segment_id', 'profile_id'])
        .execute();
      await db.schema.createIndex('segment_members_profile').on('segment_members').columns(['workspace_id', 'profile_id']).execute();
      await db.schema.createTable('segment_changes')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('segment_id', 'text', (c) => c.notNull())
        .addColumn('profile_id', 'text', (c) => c.notNull())
        .addColumn('change', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('segment_changes_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('segment_changes_profile').on('segment_changes').columns(['workspace_id', 'profile_id', 'at']).execute();
      await db.schema.createIndex('segment_changes_time').on('segment_changes').columns(['workspace_id', 'at', 'id']).execute();
      await db.schema.createIndex('segment_changes_segment').on('segment_changes').columns(['workspace_id', 'segment_id', 'at']).execute();
    },
  };
}
