import type { ModelRecord, PredictionRepository } from '../../predict/prediction-repository.js';
import { readJson } from '../../shared/json.js';
import type { Store } from '../store.js';
import { chunkRowsInShapes } from './chunk.js';

/** PredictionRepository on Kysely (SQLite and PostgreSQL). */
export function predictionRepositorySql(store: Store): PredictionRepository {
  const db = store.db;
  const toModel = (r: { id: string; kind: string; version: number; status: 'active' | 'retired'; created_at: number; data_from: number | null; data_to: number | null; params: unknown; stats: unknown }): ModelRecord => ({
    id: r.id, kind: r.kind, version: Number(r.version), status: r.status, createdAt: Number(r.created_at), dataFrom: r.data_from === null ? null : Number(r.data_from),
    dataTo: r.data_to === null ? null : Number(r.data_to), params: readJson<Record<string, unknown>>(r.params, {}), stats: readJson<Record<string, unknown>>(r.stats, {}),
  });
  return {
    saveModel: (ws, m) => store.inTransaction(async (tx) => {
      await store.features.lock(tx, `models:${ws}:${m.kind}`);
      const last = await tx.selectFrom('models').select('version').where('workspace_id', '=', ws).where('kind', '=', m.kind).orderBy('version', 'desc').limit(1).executeTakeFirst();
      const version = last === undefined ? 1 : Number(last.version) + 1;
      await tx.updateTable('models').set({ status: 'retired' }).where('workspace_id', '=', ws).where('kind', '=', m.kind).where('status', '=', 'active').execute();
      await tx.insertInto('models').values({
        workspace_id: ws, id: m.id, kind: m.kind, version, status: 'active', created_at: m.createdAt, data_from: m.dataFrom, data_to: m.dataTo,
        params: JSON.stringify(m.params), stats: JSON.stringify(m.stats), artifact: null,
      }).execute();
      return { ...m, version, status: 'active' as const };
    }),
    async models(ws, kind) {
      let q = db.selectFrom('models').select(['id', 'kind', 'version', 'status', 'created_at', 'data_from', 'data_to', 'params', 'stats']).where('workspace_id', '=', ws);
      if (kind !== undefined) q = q.where('kind', '=', kind);
      return (await q.orderBy('created_at', 'desc').orderBy('version', 'desc').execute()).map(toModel);
    },
    async writePredictions(ws, model, rows, at) {
      for (const chunk of chunkRowsInShapes(rows, 6, store.features.maxParameters)) {
        await db.insertInto('predictions')
          .values(chunk.map((r) => ({ workspace_id: ws, profile_id: r.profileId, model_id: model.id, model_version: model.version, traits: JSON.stringify(r.traits), predicted_at: at })))
          .onConflict((oc) => oc.columns(['workspace_id', 'profile_id']).doUpdateSet((eb) => ({
            model_id: eb.ref('excluded.model_id'), model_version: eb.ref('excluded.model_version'), traits: eb.ref('excluded.traits'), predicted_at: eb.ref('excluded.predicted_at'),
          })))
          .execute();
      }
    },
    async deleteOtherPredictions(ws, modelVersion) {
      const r = await db.deleteFrom('predictions').where('workspace_id', '=', ws).where('model_version', '<>', modelVersion).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
