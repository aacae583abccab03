import type { Kysely } from 'kysely';

/**
 * Erasure finds merges and conflicts by the identifiers they name and by the other profile
 * of a conflict; index those so that erasing one person never scans the tables (these
 * tables are written rarely, so the indexes cost ingest nothing measurable).
 */
export function erasureIndexes() {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not today's type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createIndex('identity_merges_identifier').on('identity_merges').columns(['workspace_id', 'identifier_value']).execute();
      await db.schema.createIndex('identity_conflicts_identifier').on('identity_conflicts').columns(['workspace_id', 'identifier_value']).execute();
      await db.schema.createIndex('identity_conflicts_other').on('identity_conflicts').columns(['workspace_id', 'other_profile_id']).execute();
    },
  };
}
