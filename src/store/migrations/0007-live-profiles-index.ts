import type { Kysely } from 'kysely';

/**
 * Jobs that walk every live profile (`merged_into is null`, in id order) read them from an
 * index that holds exactly that, instead of every profile row (a profile row carries its
 * traits and trait state, a few pages per hundred profiles). It replaces the merge-pointer
 * index of 0002, whose lookups (`merged_into = ?`) it serves as well: no extra write cost.
 */
export function liveProfilesIndex() {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not today's type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createIndex('profiles_merged_into_id').on('profiles').columns(['workspace_id', 'merged_into', 'id']).execute();
      await db.schema.dropIndex('profiles_merged_into').execute();
    },
  };
}
