import type { ApiKeyKind, Jurisdiction, WorkspaceSettings } from '../contracts/workspace.js';

export interface Workspace {
  id: string;
  name: string;
  jurisdiction: Jurisdiction;
  settings: WorkspaceSettings;
  createdAt: number;
}

export interface ApiKeyRecord {
  workspaceId: string;
  id: string;
  kind: ApiKeyKind;
  name: string;
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
}

/** Storage port of the workspaces module. */
export interface WorkspaceRepository {
  insertWorkspace(workspace: Workspace): Promise<void>;
  getWorkspace(id: string): Promise<Workspace | null>;
  listWorkspaces(): Promise<Workspace[]>;
  /**
   * Reads the workspace's settings as stored (not as any cache has them), lets `change` derive
   * the new ones, and writes them, in one transaction that holds other writers of the workspace
   * until it ends: concurrent edits from other processes or requests are not lost. `change` may
   * throw to abandon the edit. Null when there is no such workspace.
   */
  changeSettings(id: string, change: (current: Workspace) => WorkspaceSettings): Promise<Workspace | null>;
  insertKey(key: ApiKeyRecord & { hash: string }): Promise<void>;
  listKeys(workspaceId: string): Promise<ApiKeyRecord[]>;
  /** Marks a key revoked; false when the workspace has no such active key. */
  revokeKey(workspaceId: string, keyId: string, at: number): Promise<boolean>;
  findKeyByHash(hash: string): Promise<ApiKeyRecord | null>;
}
