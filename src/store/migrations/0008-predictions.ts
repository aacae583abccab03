import { sql, type Kysely } from 'kysely';
import type { DialectFeatures } from '../dialects/features.js';

/**
 * Per-person predictions (`tailor predict`): one row per profile with the prediction traits
 * keyed by registry name and the model version they came from. Kept apart from
 * `computed_traits` so that the trait recompute and the prediction run never overwrite each
 * other; readers merge the two.
 */
export function predictions(f: DialectFeatures) {
  const json = sql.raw(f.jsonType);
  const big = sql.raw(f.bigIntType);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not today's type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createTable('predictions')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('profile_id', 'text', (c) => c.notNull())
        .addColumn('model_id', 'text', (c) => c.notNull())
        .addColumn('model_version', 'integer', (c) => c.notNull())
        .addColumn('traits', json, (c) => c.notNull())
        .addColumn('predicted_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('predictions_pk', ['workspace_id', 'profile_id'])
        .execute();
    },
  };
}
