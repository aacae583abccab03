import { sql, type Kysely } from 'kysely';
import type { DialectFeatures } from '../dialects/features.js';

/**
 * Trained models (purchase/spend models, recommenders…): one row per version, with the
 * data window it learned from, its parameters, fit statistics and, when it has one, the
 * serialized artifact that serving loads. Rows are immutable; `status` marks the active one.
 */
export function models(f: DialectFeatures) {
  const json = sql.raw(f.jsonType);
  const big = sql.raw(f.bigIntType);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not today's type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createTable('models')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('data_from', big)
        .addColumn('data_to', big)
        .addColumn('params', json, (c) => c.notNull())
        .addColumn('stats', json, (c) => c.notNull())
        // Serialized artifact as text (JSON): large, read whole, never queried into.
        .addColumn('artifact', 'text')
        .addPrimaryKeyConstraint('models_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('models_kind_version').on('models').columns(['workspace_id', 'kind', 'version']).unique().execute();
    },
  };
}
