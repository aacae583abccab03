import { sql, type Kysely } from 'kysely';
import type { DialectFeatures } from '../dialects/features.js';

/**
 * Erasure's search of other people's rows for the person's identifiers runs after the erasure
 * itself, in steps (docs/privacy.md, P14): finding them reads every event of the workspace,
 * which took seconds per million events inside the erasure's transaction — holding SQLite's
 * write lock, and the event loop, the whole time.
 *
 * `erasure_scrubs` holds one row per search still to finish: the identifier values to look for
 * (kept only until the search ends; the row is then deleted), the profiles erased (their rows
 * are gone already), where the search is (`phase`: events, then profiles; `cursor`: the last
 * key searched), what it changed so far, and a lease (`claimed_until`) so that one process at
 * a time advances it. Not `profile_id`: erasure deletes from every table with that column.
 */
export function erasureScrubs(f: DialectFeatures) {
  const big = sql.raw(f.bigIntType);
  const json = sql.raw(f.jsonType);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not today's type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createTable('erasure_scrubs')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('report_id', 'text', (c) => c.notNull())
        .addColumn('identifiers', json, (c) => c.notNull())
        .addColumn('erased_profile_ids', json, (c) => c.notNull())
        .addColumn('phase', 'text', (c) => c.notNull())
        .addColumn('cursor', 'text')
        .addColumn('events_scrubbed', big, (c) => c.notNull())
        .addColumn('profiles_scrubbed', big, (c) => c.notNull())
        .addColumn('scanned', big, (c) => c.notNull())
        .addColumn('claimed_until', big)
        .addColumn('created_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('erasure_scrubs_pk', ['workspace_id', 'report_id'])
        .execute();
    },
  };
}
