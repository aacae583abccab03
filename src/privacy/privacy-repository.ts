import type { ChainedAuditEntry, ChainHead } from './audit-chain.js';
import type { ConsentRecord } from './consent-ledger.js';
import type { SubscriptionRecord } from './subscriptions.js';

/** What erasure removed, table by table. */
export type ErasureCounts = Record<string, number>;

/** Storage port of the privacy module. */
export interface PrivacyRepository {
  consentRecords(workspaceId: string, profileIds: readonly string[]): Promise<ConsentRecord[]>;
  insertConsentRecords(workspaceId: string, records: readonly ConsentRecord[]): Promise<void>;
  subscriptionRecords(workspaceId: string, profileIds: readonly string[]): Promise<SubscriptionRecord[]>;
  insertSubscriptionRecords(workspaceId: string, records: readonly SubscriptionRecord[]): Promise<void>;
  personalizationOff(workspaceId: string, profileIds: readonly string[]): Promise<Set<string>>;
  setPersonalization(workspaceId: string, change: { profileId: string; off: boolean; source: string; at: number }): Promise<void>;
  /** The workspace's suppression salt, created from `create()` the first time. */
  salt(workspaceId: string, create: () => string, at: number): Promise<string>;
  addSuppressions(workspaceId: string, hashes: readonly string[], at: number): Promise<void>;
  findSuppressed(workspaceId: string, hashes: readonly string[]): Promise<Set<string>>;
  /** Appends to the workspace's audit chain: `build` gets the current head inside a serialized transaction. */
  appendAudit(workspaceId: string, build: (head: ChainHead) => ChainedAuditEntry): Promise<ChainedAuditEntry>;
  auditEntries(workspaceId: string, page: { afterSeq: number; limit: number; subject?: string | undefined }): Promise<ChainedAuditEntry[]>;
  /** Profiles merged into `profileId` (their rows are kept with `merged_into`). */
  mergedInto(workspaceId: string, profileId: string): Promise<string[]>;
  /**
   * Deletes everything held about these profiles in one transaction: every table with a
   * `profile_id` column, plus rows that name them or their identifier values in other
   * columns. Returns counts per table.
   */
  eraseProfiles(workspaceId: string, erase: { profileIds: readonly string[]; identifierValues: readonly string[] }): Promise<ErasureCounts>;
  insertErasureReport(workspaceId: string, report: { id: string; profileId: string; report: Record<string, unknown>; at: number }): Promise<void>;
}
