import type { Kysely } from 'kysely';
import type { DialectFeatures } from '../dialects/features.js';

/**
 * Recommendation serving (README "Recommendations"): every response served (what was shown
 * to whom, by which placement and model version), the clicks, cart adds and purchases that
 * came back carrying its id, and per placement and item how often it was shown and answered
 * (the exploration bandit's counts; no person in it). The trained model itself is a row of
 * `models` (kind `recommender`).
 */
export function recommendations(features: DialectFeatures) {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not today's type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createTable('recommendation_log')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('profile_id', 'text')
        .addColumn('placement', 'text', (c) => c.notNull())
        .addColumn('personalized', 'integer', (c) => c.notNull())
        .addColumn('model_version', 'integer')
        .addColumn('items', features.jsonType, (c) => c.notNull())
        .addColumn('details', features.jsonType, (c) => c.notNull())
        .addColumn('created_at', features.bigIntType, (c) => c.notNull())
        .addPrimaryKeyConstraint('recommendation_log_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('recommendation_log_profile').on('recommendation_log').columns(['workspace_id', 'profile_id', 'created_at']).execute();
      await db.schema.createIndex('recommendation_log_time').on('recommendation_log').columns(['workspace_id', 'created_at']).execute();

      await db.schema.createTable('recommendation_feedback')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('recommendation_id', 'text', (c) => c.notNull())
        .addColumn('profile_id', 'text')
        .addColumn('placement', 'text', (c) => c.notNull())
        .addColumn('item_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('revenue', features.floatType)
        .addColumn('currency', 'text')
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('at', features.bigIntType, (c) => c.notNull())
        .addPrimaryKeyConstraint('recommendation_feedback_pk', ['workspace_id', 'id'])
        .execute();
      await db.schema.createIndex('recommendation_feedback_recommendation').on('recommendation_feedback').columns(['workspace_id', 'recommendation_id']).execute();
      await db.schema.createIndex('recommendation_feedback_profile').on('recommendation_feedback').columns(['workspace_id', 'profile_id', 'at']).execute();

      await db.schema.createTable('recommendation_item_stats')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('placement', 'text', (c) => c.notNull())
        .addColumn('item_id', 'text', (c) => c.notNull())
        .addColumn('impressions', features.bigIntType, (c) => c.notNull())
        .addColumn('responses', features.bigIntType, (c) => c.notNull())
        .addColumn('updated_at', features.bigIntType, (c) => c.notNull())
        .addPrimaryKeyConstraint('recommendation_item_stats_pk', ['workspace_id', 'placement', 'item_id'])
        .execute();
      // Training reads a workspace's orders in time order, and starts from the latest.
      await db.schema.createIndex('orders_time').on('orders').columns(['workspace_id', 'placed_at']).execute();
    },
  };
}
