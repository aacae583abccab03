import type { Kysely } from 'kysely';

/**
 * Customer clusters (`tailor segments cluster`): which cluster of which clustering model each
 * customer was placed in. The model itself (features, scaling, centres, descriptions) is a
 * row of `models` (kind `segment-clusters`); `{ "cluster": { "model": …, "number": … } }`
 * segment conditions read these rows.
 */
export function clusterAssignments() {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not today's type
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createTable('cluster_assignments')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('model_id', 'text', (c) => c.notNull())
        .addColumn('profile_id', 'text', (c) => c.notNull())
        .addColumn('cluster', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('cluster_assignments_pk', ['workspace_id', 'model_id', 'profile_id'])
        .execute();
      await db.schema.createIndex('cluster_assignments_cluster').on('cluster_assignments').columns(['workspace_id', 'model_id', 'cluster', 'profile_id']).execute();
      await db.schema.createIndex('cluster_assignments_profile').on('cluster_assignments').columns(['workspace_id', 'profile_id']).execute();
    },
  };
}
