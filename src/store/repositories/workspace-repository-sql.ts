import type { Kysely } from 'kysely';
import { workspaceSettingsSchema, type ApiKeyKind, type Jurisdiction } from '../../contracts/workspace.js';
import { readJson } from '../../shared/json.js';
import type { ApiKeyRecord, Workspace, WorkspaceRepository } from '../../workspaces/index.js';
import type { Database } from '../schema.js';
import type { Store } from '../store.js';

type WorkspaceRow = { id: string; name: string; jurisdiction: string; settings: unknown; created_at: number };
type KeyRow = { workspace_id: string; id: string; kind: string; name: string; prefix: string; created_at: number; revoked_at: number | null };

const toWorkspace = (r: WorkspaceRow): Workspace => ({
  id: r.id,
  name: r.name,
  jurisdiction: r.jurisdiction as Jurisdiction,
  settings: workspaceSettingsSchema.parse(readJson(r.settings, {})),
  createdAt: r.created_at,
});

const toKey = (r: KeyRow): ApiKeyRecord => ({
  workspaceId: r.workspace_id, id: r.id, kind: r.kind as ApiKeyKind, name: r.name, prefix: r.prefix, createdAt: r.created_at, revokedAt: r.revoked_at,
});

/** WorkspaceRepository on Kysely (SQLite and PostgreSQL). */
export function workspaceRepositorySql(store: Pick<Store, 'db' | 'features' | 'inTransaction'>): WorkspaceRepository {
  const db: Kysely<Database> = store.db;
  const keyColumns = ['workspace_id', 'id', 'kind', 'name', 'prefix', 'created_at', 'revoked_at'] as const;
  return {
    async insertWorkspace(w) {
      await db.insertInto('workspaces').values({ id: w.id, name: w.name, jurisdiction: w.jurisdiction, settings: JSON.stringify(w.settings), created_at: w.createdAt }).execute();
    },
    async getWorkspace(id) {
      const row = await db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toWorkspace(row);
    },
    async listWorkspaces() {
      return (await db.selectFrom('workspaces').selectAll().orderBy('created_at').execute()).map(toWorkspace);
    },
    changeSettings: (id, change) => store.inTransaction(async (tx) => {
      // SQLite's transaction already holds the write lock (BEGIN IMMEDIATE); PostgreSQL locks the row.
      let read = tx.selectFrom('workspaces').selectAll().where('id', '=', id);
      if (store.features.name === 'postgres') read = read.forUpdate();
      const row = await read.executeTakeFirst();
      if (row === undefined) return null;
      const current = toWorkspace(row);
      const settings = change(current);
      await tx.updateTable('workspaces').set({ settings: JSON.stringify(settings) }).where('id', '=', id).execute();
      return { ...current, settings };
    }),
    async insertKey(k) {
      await db.insertInto('api_keys').values({
        workspace_id: k.workspaceId, id: k.id, kind: k.kind, name: k.name, prefix: k.prefix, hash: k.hash, scopes: '[]', created_at: k.createdAt, revoked_at: k.revokedAt,
      }).execute();
    },
    async listKeys(workspaceId) {
      const rows = await db.selectFrom('api_keys').select(keyColumns).where('workspace_id', '=', workspaceId).orderBy('created_at').execute();
      return rows.map(toKey);
    },
    async revokeKey(workspaceId, keyId, at) {
      const r = await db.updateTable('api_keys').set({ revoked_at: at }).where('workspace_id', '=', workspaceId).where('id', '=', keyId).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async findKeyByHash(hash) {
      const row = await db.selectFrom('api_keys').select(keyColumns).where('hash', '=', hash).executeTakeFirst();
      return row === undefined ? null : toKey(row);
    },
  };
}
