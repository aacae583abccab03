/** A record of one import of one file, so that an interrupted import resumes where it stopped. */
export interface ImportRun {
  id: string;
  kind: string;
  source: string;
  fingerprint: string;
  /** Data rows consumed and committed so far. */
  position: number;
  status: 'running' | 'completed' | 'failed';
  summary: Record<string, unknown>;
  startedAt: number;
  updatedAt: number;
}

export interface ImportRunRepository {
  /** The latest run of this kind for this file fingerprint, if any. */
  findLatest(workspaceId: string, kind: string, fingerprint: string): Promise<ImportRun | null>;
  save(workspaceId: string, run: ImportRun): Promise<void>;
}
