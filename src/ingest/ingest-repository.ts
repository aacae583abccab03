import type { IncrementalTraitState } from '../profiles/trait-state.js';
import type { Identifier } from '../identity/index.js';
import type { ConsentRecord } from '../privacy/consent-ledger.js';
import type { OrderRecord } from '../orders/order-state.js';
import type { NormalizedEvent } from './normalize.js';

export interface ProfileState {
  id: string;
  traits: Record<string, unknown>;
  firstSeenAt: number;
  lastSeenAt: number;
  createdAt: number;
  /** The incremental computed-trait state (activity, journey signals), kept on the profile row; null when not maintained. */
  traitState: IncrementalTraitState | null;
}

/** An order as ingest stores it (see src/orders/order-state.ts). */
export type OrderRow = OrderRecord;

/**
 * The storage a batch of events needs, inside one transaction that holds the workspace's
 * identity lock (see `IngestRepository.withIdentityLock`).
 */
export interface IngestUnitOfWork {
  /** Which of these message ids are already stored. */
  existingMessageIds(messageIds: readonly string[]): Promise<Set<string>>;
  /** The identity rows of these identifiers (those that have an owner). */
  findIdentities(identifiers: readonly Identifier[]): Promise<Array<{ type: string; value: string; profileId: string }>>;
  /** Every identity row of these profiles. */
  identitiesOfProfiles(profileIds: readonly string[]): Promise<Array<{ type: string; value: string; profileId: string }>>;
  loadProfiles(profileIds: readonly string[]): Promise<ProfileState[]>;
  /** Inserts new profiles and overwrites traits/seen times of existing ones. */
  upsertProfiles(profiles: readonly ProfileState[], now: number): Promise<void>;
  /** Moves identities, events and orders of `from` to `into` and marks `from` merged. */
  mergeProfile(merge: { from: string; into: string; reason: string; identifier: Identifier; messageId: string | null; at: number; id: string }): Promise<void>;
  insertIdentities(rows: ReadonlyArray<{ identifier: Identifier; profileId: string; at: number; messageId: string | null }>): Promise<void>;
  insertConflicts(rows: ReadonlyArray<{ id: string; profileId: string; otherProfileId: string | null; identifier: Identifier; reason: string; messageId: string | null; at: number }>): Promise<void>;
  insertEvents(rows: ReadonlyArray<{ event: NormalizedEvent; profileId: string }>): Promise<void>;
  /** The stored orders with these ids, with their lines (ids not stored are left out). */
  getOrders(orderIds: readonly string[]): Promise<OrderRow[]>;
  /** Inserts or replaces orders with their lines. */
  upsertOrders(orders: readonly OrderRow[]): Promise<void>;
  /** The workspace's erasure suppression salt, or null when nobody was ever erased. */
  suppressionSalt(): Promise<string | null>;
  /** Which of these suppression hashes are on the list. */
  findSuppressed(hashes: readonly string[]): Promise<Set<string>>;
  consentRecords(profileIds: readonly string[]): Promise<ConsentRecord[]>;
  insertConsentRecords(records: readonly ConsentRecord[]): Promise<void>;
  /**
   * Hands the batch, as written, to the transaction participants registered with the
   * repository (real-time computed traits, segment membership…), in the same transaction,
   * so that what they derive commits or rolls back with the events.
   */
  afterBatch(batch: CommittedBatch): Promise<void>;
}

/** What one ingest transaction wrote: events with their (canonical) profile, and merges in order. */
export interface CommittedBatch {
  workspaceId: string;
  events: ReadonlyArray<{ event: NormalizedEvent; profileId: string }>;
  merges: ReadonlyArray<{ from: string; into: string }>;
  /** Orders written or changed by this batch (ids), so participants can reload them. */
  orderIds: readonly string[];
  now: number;
}

export interface IngestRepository {
  /**
   * Runs `fn` in one transaction that serializes identity resolution for the workspace
   * (PostgreSQL: advisory lock; SQLite: the database write lock).
   */
  withIdentityLock<T>(workspaceId: string, fn: (uow: IngestUnitOfWork) => Promise<T>): Promise<T>;
}
