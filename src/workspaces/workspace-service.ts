import { workspaceSettingsSchema, type ApiKeyKind, type Jurisdiction, type WorkspaceSettings } from '../contracts/workspace.js';
import type { Clock } from '../shared/clock.js';
import type { Ids } from '../shared/ids.js';
import { err, ok, type Result } from '../shared/result.js';
import { formatKey, hashKey, kindOfKey, visiblePrefix } from './api-keys.js';
import { JURISDICTION_RULES, validatePurposeDefaults } from '../privacy/jurisdictions.js';
import { describeIssues } from '../contracts/segment.js';
import type { ApiKeyRecord, Workspace, WorkspaceRepository } from './workspace-repository.js';

export interface AuthenticatedKey {
  workspace: Workspace;
  keyId: string;
  kind: ApiKeyKind;
}

/** How long a successful key lookup is reused. A key revoked in another process stops working within this time. */
export const KEY_CACHE_MS = 5_000;

/**
 * Workspaces and their API keys: create, list (prefix only), revoke, authenticate.
 *
 * @example
 * const service = createWorkspaceService({ repository, clock: systemClock(), ids: cryptoIds() });
 * const { workspace, keys } = await service.createWorkspace({ name: 'Demo', jurisdiction: 'EU' });
 */
export function createWorkspaceService(deps: { repository: WorkspaceRepository; clock: Clock; ids: Ids }) {
  const { repository, clock, ids } = deps;
  const cache = new Map<string, { value: AuthenticatedKey; until: number }>();

  async function createKey(workspaceId: string, kind: ApiKeyKind, name: string): Promise<{ record: ApiKeyRecord; key: string }> {
    const key = formatKey(kind, ids.secret(32));
    const record: ApiKeyRecord = { workspaceId, id: ids.uuid(), kind, name, prefix: visiblePrefix(key), createdAt: clock.now(), revokedAt: null };
    await repository.insertKey({ ...record, hash: hashKey(key) });
    return { record, key };
  }

  return {
    /** Creates a workspace with one write key and one admin key; the keys are shown only now. */
    async createWorkspace(input: { name: string; jurisdiction: Jurisdiction; settings?: Partial<WorkspaceSettings> | undefined }) {
      const workspace: Workspace = {
        id: ids.uuid(),
        name: input.name,
        jurisdiction: input.jurisdiction,
        settings: workspaceSettingsSchema.parse(input.settings ?? {}),
        createdAt: clock.now(),
      };
      await repository.insertWorkspace(workspace);
      const write = await createKey(workspace.id, 'write', 'default write key');
      const admin = await createKey(workspace.id, 'admin', 'default admin key');
      return { workspace, keys: { write: write.key, admin: admin.key, writeKeyId: write.record.id, adminKeyId: admin.record.id } };
    },

    getWorkspace: (id: string) => repository.getWorkspace(id),
    listWorkspaces: () => repository.listWorkspaces(),

    /**
     * Replaces sections of the settings: `patch` is the new sections, or a function of the
     * settings as stored that returns them (for an edit of part of a section — a placement in
     * the list — so that edits made meanwhile by other requests or processes are kept; it may
     * throw to abandon the edit). Read and written in one transaction.
     */
    async updateSettings(workspaceId: string, patch: Partial<WorkspaceSettings> | ((current: WorkspaceSettings) => Partial<WorkspaceSettings>)): Promise<Result<Workspace, { type: 'workspace_not_found' } | { type: 'invalid_settings'; message: string }>> {
      let invalid: string | null = null;
      const updated = await repository.changeSettings(workspaceId, (current) => {
        const parsed = workspaceSettingsSchema.safeParse({ ...current.settings, ...(typeof patch === 'function' ? patch(current.settings) : patch) });
        if (!parsed.success) {
          invalid = describeIssues(parsed.error, 'settings');
          throw new InvalidSettings();
        }
        const settings = parsed.data;
        // A default that turns a purpose on must rest on a basis the jurisdiction allows (P3).
        const checked = validatePurposeDefaults({ jurisdiction: current.jurisdiction, settings: settings.privacy.defaults });
        if (!checked.ok) {
          invalid = checked.error.map((i) => `settings.privacy.defaults.${i.path}: ${i.message}`).join('; ');
          throw new InvalidSettings();
        }
        // A workspace may lower the age of minors only as far as its jurisdiction's law lets it (P11).
        const threshold = settings.privacy.policy.minorAgeThreshold;
        const floor = JURISDICTION_RULES[current.jurisdiction].minorAgeFloor;
        if (threshold !== undefined && threshold < floor) {
          invalid = `settings.privacy.policy.minorAgeThreshold: ${current.jurisdiction} does not allow an age of minors below ${floor}; got ${threshold}`;
          throw new InvalidSettings();
        }
        return settings;
      }).catch((e: unknown) => {
        if (e instanceof InvalidSettings) return undefined;
        throw e;
      });
      if (invalid !== null || updated === undefined) return err({ type: 'invalid_settings', message: invalid ?? 'invalid settings' });
      if (updated === null) return err({ type: 'workspace_not_found' });
      cache.clear();
      return ok(updated);
    },

    createKey,
    listKeys: (workspaceId: string) => repository.listKeys(workspaceId),

    async revokeKey(workspaceId: string, keyId: string): Promise<Result<void, { type: 'key_not_found' }>> {
      const done = await repository.revokeKey(workspaceId, keyId, clock.now());
      cache.clear();
      return done ? ok(undefined) : err({ type: 'key_not_found' });
    },

    /** The workspace and kind of an active key, or null for an unknown or revoked key. */
    async authenticate(key: string): Promise<AuthenticatedKey | null> {
      if (kindOfKey(key) === null || key.length > 200) return null;
      const now = clock.now();
      const hash = hashKey(key);
      const hit = cache.get(hash);
      if (hit !== undefined && hit.until > now) return hit.value;
      const record = await repository.findKeyByHash(hash);
      if (record === null || record.revokedAt !== null) {
        cache.delete(hash);
        return null;
      }
      const workspace = await repository.getWorkspace(record.workspaceId);
      if (workspace === null) return null;
      const value: AuthenticatedKey = { workspace, keyId: record.id, kind: record.kind };
      if (cache.size > 10_000) cache.clear();
      cache.set(hash, { value, until: now + KEY_CACHE_MS });
      return value;
    },
  };
}

export type WorkspaceService = ReturnType<typeof createWorkspaceService>;

/** Abandons a settings edit that failed validation (the transaction rolls back). */
class InvalidSettings extends Error {}
