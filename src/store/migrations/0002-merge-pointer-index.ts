import type { Kysely } from 'kysely';

/** Merges re-point older merge pointers (`where merged_into = ?`): index them. */
export function mergePointerIndex() {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not today's type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createIndex('profiles_merged_into').on('profiles').columns(['workspace_id', 'merged_into']).execute();
    },
  };
}
