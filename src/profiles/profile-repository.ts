import type { Identifier } from '../identity/index.js';

export interface ProfileRecord {
  id: string;
  traits: Record<string, unknown>;
  firstSeenAt: number;
  lastSeenAt: number;
  createdAt: number;
  updatedAt: number;
  mergedInto: string | null;
}

export interface StoredEvent {
  messageId: string;
  type: string;
  event: string | null;
  name: string | null;
  userId: string | null;
  anonymousId: string | null;
  timestamp: number;
  receivedAt: number;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context: Record<string, unknown>;
}

export interface StoredOrder {
  orderId: string;
  kind: 'order' | 'return';
  status: string;
  currency: string;
  revenue: number;
  refundedAmount: number;
  coupon: string | null;
  placedAt: number;
  lines: Array<{ itemId: string; name: string | null; category: string | null; price: number; quantity: number }>;
}

export interface MergeRecord {
  fromProfileId: string;
  intoProfileId: string;
  reason: string;
  identifier: Identifier;
  messageId: string | null;
  mergedAt: number;
}

/**
 * An identifier an event carried that was not given to a profile (README "Profiles and identity
 * resolution"): it would have merged two profiles holding different user ids, or gone over a
 * type's cap. `profileId` got the event; `otherProfileId` holds the identifier, when one does.
 */
export interface ConflictRecord {
  profileId: string;
  otherProfileId: string | null;
  identifier: Identifier;
  reason: string;
  messageId: string | null;
  recordedAt: number;
}

/** What a look-up needs of a profile to find the one to use and to know whether it changed (no traits read). */
export type ProfileHead = Pick<ProfileRecord, 'id' | 'updatedAt' | 'mergedInto'>;

/** Read-side storage port for profiles. */
export interface ProfileRepository {
  getProfile(workspaceId: string, profileId: string): Promise<ProfileRecord | null>;
  findOwner(workspaceId: string, identifier: Identifier): Promise<string | null>;
  profileHead(workspaceId: string, profileId: string): Promise<ProfileHead | null>;
  /** The head of the profile that owns an identifier, in one look-up. */
  ownerHead(workspaceId: string, identifier: Identifier): Promise<ProfileHead | null>;
  identifiers(workspaceId: string, profileId: string): Promise<Array<Identifier & { firstSeenAt: number }>>;
  merges(workspaceId: string, profileId: string): Promise<MergeRecord[]>;
  /** Conflicts that name the profile on either side, newest first, at most `limit`. */
  conflicts(workspaceId: string, profileId: string, limit: number): Promise<ConflictRecord[]>;
  /** Events newest first; `before` is an exclusive (timestamp, messageId) cursor. */
  events(workspaceId: string, profileId: string, page: { limit: number; before?: { timestamp: number; messageId: string } | undefined; event?: string | undefined }): Promise<StoredEvent[]>;
  orders(workspaceId: string, profileId: string, limit: number): Promise<StoredOrder[]>;
  /** Live profiles, most recently seen first; `after` is an exclusive (lastSeenAt, id) cursor; `q` a prefix of any identifier value. */
  list(workspaceId: string, page: { limit: number; after?: { lastSeenAt: number; id: string } | undefined; q?: string | undefined }): Promise<ProfileRecord[]>;
  /** Live profiles; with `q`, those `list` finds with it. */
  count(workspaceId: string, q?: string): Promise<number>;
  /** The profile's computed traits (migration 0005), or null before any were computed. */
  computedTraits(workspaceId: string, profileId: string): Promise<{ traits: Record<string, unknown>; computedAt: number | null; updatedAt: number; predictedAt?: number | null } | null>;
}
