import type { Kysely } from 'kysely';
import type { ImportRunRepository } from '../../imports/import-run-repository.js';
import { readJson } from '../../shared/json.js';
import type { Database } from '../schema.js';

/** ImportRunRepository on Kysely. */
export function importRunRepositorySql(db: Kysely<Database>): ImportRunRepository {
  return {
    async findLatest(ws, kind, fingerprint) {
      const r = await db.selectFrom('import_runs').selectAll().where('workspace_id', '=', ws).where('kind', '=', kind).where('fingerprint', '=', fingerprint)
        .orderBy('started_at', 'desc').limit(1).executeTakeFirst();
      return r === undefined ? null : {
        id: r.id, kind: r.kind, source: r.source, fingerprint: r.fingerprint, position: r.position, status: r.status,
        summary: readJson(r.summary, {}), startedAt: r.started_at, updatedAt: r.updated_at,
      };
    },
    async save(ws, run) {
      await db.insertInto('import_runs').values({
        workspace_id: ws, id: run.id, kind: run.kind, source: run.source, fingerprint: run.fingerprint, position: run.position, status: run.status,
        summary: JSON.stringify(run.summary), started_at: run.startedAt, updated_at: run.updatedAt,
      }).onConflict((oc) => oc.columns(['workspace_id', 'id']).doUpdateSet((eb) => ({
        position: eb.ref('excluded.position'), status: eb.ref('excluded.status'), summary: eb.ref('excluded.summary'), updated_at: eb.ref('excluded.updated_at'),
      }))).execute();
    },
  };
}
