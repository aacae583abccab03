import { sql, type Kysely } from 'kysely';
import type { DialectFeatures } from '../dialects/features.js';

/**
 * Computed traits, one row per profile, written by the recompute job: `traits` holds every
 * computed trait value keyed by its registry name, as of `computed_at`. The incremental fold
 * state that ingest maintains (activity, journey signals) lives on the profile row
 * (`profiles.trait_state`), which ingest rewrites anyway: keeping it there costs no extra
 * page writes per event. Readers of the API merge the two (activity values from the state
 * are always current).
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
        .addColumn('computed_at', big)
        .addColumn('updated_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('computed_traits_pk', ['workspace_id', 'profile_id'])
        .execute();
      await db.schema.alterTable('profiles').addColumn('trait_state', json).execute();
    },
  };
}
