import type { ChainedAuditEntry, ChainHead } from './audit-chain.js';
import type { ConsentRecord } from './consent-ledger.js';
import type { SubscriptionRecord } from './subscriptions.js';
import type { AgeFacts } from './minors.js';

/**
 * What the jobs that profile people read to ask the policy about each (`profilingAllowed`):
 * consent records in ledger order, who switched personalization off, and the age facts of
 * those who have any (P11).
 */
export interface PeoplePrivacy {
  consents: ConsentRecord[];
  personalizationOff: Set<string>;
  ages?: ReadonlyMap<string, AgeFacts>;
}

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
  /** What is known of these people's age and guardian consent (P11): only those with a `birthday`, an `age` or a guardian's consent. */
  ageFacts(workspaceId: string, profileIds: readonly string[]): Promise<Map<string, AgeFacts>>;
  setGuardianConsent(workspaceId: string, change: { profileId: string; granted: boolean; source: string; at: number }): Promise<void>;
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
   * Deletes everything held about these profiles (the first is the person, the others were
   * merged into them) in one transaction: every table with a `profile_id` column, plus rows
   * that name them or their identifier values in other columns. In the same transaction it
   * stores the erasure report (`report(counts)`) and the search of other people's rows for
   * their identifiers (`scrubStep`), both under `reportId`. Returns counts per table, and
   * whether there is a search (there is none when the person had no identifier).
   */
  eraseProfiles(workspaceId: string, erase: {
    profileIds: readonly string[]; identifierValues: readonly string[]; reportId: string; at: number; report: (tables: ErasureCounts, searching: boolean) => Record<string, unknown>;
  }): Promise<{ tables: ErasureCounts; searching: boolean }>;
  /**
   * Takes a search of other people's rows that no process holds (never claimed, or its lease
   * ran out), for `leaseMs`; null when there is none.
   */
  claimScrub(now: number, leaseMs: number): Promise<ScrubJob | null>;
  /**
   * Searches the next `limit` events (then profiles) of the job after its cursor, removes the
   * identifiers from the rows that hold them, and moves the cursor on, renewing the lease;
   * at the end deletes the job (and the identifier values it held) and adds the counts to
   * the erasure report. Returns the job as it now is, or null when another process moved it
   * meanwhile (this one must drop it).
   */
  scrubStep(job: ScrubJob, options: { limit: number; now: number; leaseMs: number }): Promise<ScrubJob | null>;
  /** Gives up the lease of a search that stopped before its end, so that another process takes it up at once. */
  releaseScrub(job: ScrubJob): Promise<void>;
  /** Rows such a search reads in the workspace: its events and profiles (for progress). */
  searchableRows(workspaceId: string): Promise<number>;
}

/** Erasure's search of other people's rows for an erased person's identifiers, where it is. */
export interface ScrubJob {
  workspaceId: string;
  reportId: string;
  identifiers: Array<{ type: string; value: string }>;
  erasedProfileIds: string[];
  phase: 'events' | 'profiles' | 'done';
  /** The last key searched in the phase; null before its first step. */
  cursor: string | null;
  eventsScrubbed: number;
  profilesScrubbed: number;
  /** Rows searched so far (events and profiles). */
  scanned: number;
  createdAt: number;
}
