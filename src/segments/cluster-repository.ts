/** The storage customer clustering needs beyond models and computed traits. */
import type { TraitValues } from '../profiles/trait-registry.js';

export interface ClusterRepository {
  /** Live profiles with at least one counted order (computed `orders_count` ≥ 1) after `after`, in id order, with their computed traits; at most `limit`. */
  customerPage(workspaceId: string, after: string | null, limit: number): Promise<Array<{ profileId: string; traits: TraitValues }>>;
  /** Replaces the assignments of one clustering model (1-based cluster numbers). */
  writeAssignments(workspaceId: string, modelId: string, rows: ReadonlyArray<{ profileId: string; cluster: number }>): Promise<void>;
  /** Live profiles in id order after `after` that a model has not placed, at most `limit`. */
  unassignedPage(workspaceId: string, modelId: string, after: string | null, limit: number): Promise<string[]>;
  /** Adds assignments to a model (existing ones are kept). */
  addAssignments(workspaceId: string, modelId: string, rows: ReadonlyArray<{ profileId: string; cluster: number }>): Promise<void>;
  /** Deletes the assignments of clustering models other than `keep`; returns the rows deleted. */
  deleteAssignmentsExcept(workspaceId: string, keep: ReadonlySet<string>): Promise<number>;
  /** How many customers each cluster of a model holds now (erased and merged-away people no longer count). */
  clusterSizes(workspaceId: string, modelId: string): Promise<Map<number, number>>;
  /** A person's cluster in each model that placed them. */
  assignmentsOf(workspaceId: string, profileId: string): Promise<Array<{ modelId: string; cluster: number }>>;
}
