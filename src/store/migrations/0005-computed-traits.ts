import { sql, type Kysely } from 'kysely';
import type { DialectFeatures } from '../dialects/features.js';

/**
 * Computed traits, one row per live profile: `traits` holds every computed trait value keyed
 * by its registry name (the one place other modules read them from); `state` the incremental
 * fold state ingest maintains (activity, journey signals). `computed_at` is the last full
 * recompute, `updated_at` the last change of any kind.
 */
export function computedTraits(f: DialectFeatures) {
  const json = sql.raw(f.jsonType);
  const big = sql.raw(f.bigIntType);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not today's type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createTable('computed_traits')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('profile_id', 'text', (c) => c.notNull())
        .addColumn('traits', json, (c) => c.notNull())
        .addColumn('state', json, (c) => c.notNull())
        .addColumn('computed_at', big)
        .addColumn('updated_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('computed_traits_pk', ['workspace_id', 'profile_id'])
        .execute();
    },
  };
}
