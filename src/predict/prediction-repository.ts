import type { TraitValues } from '../profiles/trait-registry.js';

/** A stored model version (the `models` table). */
export interface ModelRecord {
  id: string;
  kind: string;
  version: number;
  status: 'active' | 'retired';
  createdAt: number;
  dataFrom: number | null;
  dataTo: number | null;
  params: Record<string, unknown>;
  stats: Record<string, unknown>;
}

export interface PredictionRow {
  profileId: string;
  traits: TraitValues;
}

/** The storage `tailor predict` and `tailor models show` need. */
export interface PredictionRepository {
  /** Stores a new version of a model kind as the active one (earlier versions retired); returns its version. */
  saveModel(workspaceId: string, model: Omit<ModelRecord, 'version' | 'status'>): Promise<ModelRecord>;
  /** Model versions of the workspace, newest first, optionally of one kind. */
  models(workspaceId: string, kind?: string): Promise<ModelRecord[]>;
  /** Replaces the predictions of these profiles. */
  writePredictions(workspaceId: string, model: { id: string; version: number }, rows: readonly PredictionRow[], at: number): Promise<void>;
  /** Deletes predictions not written by this model version (people no longer predicted); returns how many. */
  deleteOtherPredictions(workspaceId: string, modelVersion: number): Promise<number>;
}
