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
  updateSettings(id: string, settings: WorkspaceSettings): Promise<void>;
  insertKey(key: ApiKeyRecord & { hash: string }): Promise<void>;
  listKeys(workspaceId: string): Promise<ApiKeyRecord[]>;
  /** Marks a key revoked; false when the workspace has no such active key. */
  revokeKey(workspaceId: string, keyId: string, at: number): Promise<boolean>;
  findKeyByHash(hash: string): Promise<ApiKeyRecord | null>;
}
