import { sql } from 'kysely';
import type { TraitValues } from '../../profiles/trait-registry.js';
import type { ClusterRepository } from '../../segments/cluster-repository.js';
import { readJson } from '../../shared/json.js';
import type { Store } from '../store.js';
import { chunkRowsInShapes } from './chunk.js';

/** ClusterRepository on Kysely (SQLite and PostgreSQL). */
export function clusterRepositorySql(store: Store): ClusterRepository {
  const db = store.db;
  return {
    async customerPage(ws, after, limit) {
      const orders = store.features.jsonScalar('c.traits', ['orders_count'], 'number');
      const r = await sql<{ id: string; traits: unknown }>`select p.id as id, c.traits as traits from profiles p
        join computed_traits c on c.workspace_id = p.workspace_id and c.profile_id = p.id
        where p.workspace_id = ${ws} and p.merged_into is null ${after === null ? sql`` : sql`and p.id > ${after}`} and ${orders} >= 1
        order by p.id limit ${limit}`.execute(db);
      return r.rows.map((row) => ({ profileId: row.id, traits: readJson<TraitValues>(row.traits, {} as TraitValues) }));
    },
    writeAssignments: (ws, modelId, rows) => store.inTransaction(async (tx) => {
      await tx.deleteFrom('cluster_assignments').where('workspace_id', '=', ws).where('model_id', '=', modelId).execute();
      for (const chunk of chunkRowsInShapes(rows, 4, store.features.maxParameters, 1024)) {
        await tx.insertInto('cluster_assignments').values(chunk.map((r) => ({ workspace_id: ws, model_id: modelId, profile_id: r.profileId, cluster: r.cluster }))).execute();
      }
    }),
    async unassignedPage(ws, modelId, after, limit) {
      let q = db.selectFrom('profiles as p').select('p.id').where('p.workspace_id', '=', ws).where('p.merged_into', 'is', null)
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('cluster_assignments as a').select('a.profile_id')
          .where('a.workspace_id', '=', ws).where('a.model_id', '=', modelId).whereRef('a.profile_id', '=', 'p.id'))));
      if (after !== null) q = q.where('p.id', '>', after);
      return (await q.orderBy('p.id').limit(limit).execute()).map((r) => r.id);
    },
    async addAssignments(ws, modelId, rows) {
      for (const chunk of chunkRowsInShapes(rows, 4, store.features.maxParameters, 1024)) {
        await db.insertInto('cluster_assignments').values(chunk.map((r) => ({ workspace_id: ws, model_id: modelId, profile_id: r.profileId, cluster: r.cluster })))
          .onConflict((oc) => oc.columns(['workspace_id', 'model_id', 'profile_id']).doNothing()).execute();
      }
    },
    async deleteAssignmentsExcept(ws, keep) {
      let q = db.deleteFrom('cluster_assignments').where('workspace_id', '=', ws);
      if (keep.size > 0) q = q.where('model_id', 'not in', [...keep]);
      return Number((await q.executeTakeFirst()).numDeletedRows);
    },
    async clusterSizes(ws, modelId) {
      const rows = await db.selectFrom('cluster_assignments as a').innerJoin('profiles as p', (j) => j.onRef('p.workspace_id', '=', 'a.workspace_id').onRef('p.id', '=', 'a.profile_id'))
        .select(['a.cluster', (eb) => eb.fn.countAll<number | string>().as('n')])
        .where('a.workspace_id', '=', ws).where('a.model_id', '=', modelId).where('p.merged_into', 'is', null).groupBy('a.cluster').execute();
      return new Map(rows.map((r) => [Number(r.cluster), Number(r.n)]));
    },
    async assignmentsOf(ws, profileId) {
      const rows = await db.selectFrom('cluster_assignments').select(['model_id', 'cluster']).where('workspace_id', '=', ws).where('profile_id', '=', profileId).orderBy('model_id').execute();
      return rows.map((r) => ({ modelId: r.model_id, cluster: Number(r.cluster) }));
    },
  };
}
