import type { Condition } from './definition.js';
import type { ProfileFacts } from './profile-evidence.js';

export interface SegmentRecord {
  id: string;
  name: string;
  description: string | null;
  condition: Condition;
  createdAt: number;
  updatedAt: number;
  evaluatedAt: number | null;
  memberCount: number;
}

export interface SegmentChange {
  segmentId: string;
  profileId: string;
  change: 'entered' | 'exited';
  reason: string;
  at: number;
}

/** One entry or exit to record. */
export interface MembershipChange {
  segmentId: string;
  profileId: string;
  change: 'entered' | 'exited';
}

/** The storage segments need. */
export interface SegmentRepository {
  insert(workspaceId: string, segment: SegmentRecord): Promise<void>;
  get(workspaceId: string, id: string): Promise<SegmentRecord | null>;
  /** Replaces a segment's name, description and condition (members are left to the next evaluation). */
  update(workspaceId: string, id: string, change: { name: string; description: string | null; condition: Condition; updatedAt: number }): Promise<void>;
  list(workspaceId: string): Promise<SegmentRecord[]>;
  /** Live profiles matching the condition now, in id order (the condition compiled to SQL). */
  matching(workspaceId: string, condition: Condition, now: number): Promise<string[]>;
  /** Current members, all of them (for the diff of a re-evaluation). */
  memberIds(workspaceId: string, segmentId: string): Promise<Set<string>>;
  /** A page of members in profile id order. */
  members(workspaceId: string, segmentId: string, page: { after: string | null; limit: number }): Promise<Array<{ profileId: string; enteredAt: number; userId: string | null }>>;
  /** Applies a re-evaluation in one transaction: members added and removed, their changes recorded, the count and time set. */
  applyEvaluation(workspaceId: string, segmentId: string, change: { entered: readonly string[]; exited: readonly string[]; at: number; reason: string; memberCount: number }): Promise<void>;
  /** Which of the given people match the condition now (compiled per person: correlated event lookups). */
  matchingAmong(workspaceId: string, condition: Condition, profileIds: readonly string[], now: number): Promise<Set<string>>;
  /**
   * What a real-time flush reads of the given people, in one pass where it can: the rows of
   * those that exist and are not merged into another (identify traits, first and last seen),
   * with the number of events stored for each counted up to `countEventsUpTo`; and the
   * segments each of them is in now (as `membershipsOf`, people in none left out). For people
   * in `known` (the row as the caller holds it) only whether the row is still live, the count
   * (unless the known row has it: `storedEvents`) and the memberships are read; their facts
   * are the known row with that count.
   */
  liveProfilesAmong(workspaceId: string, profileIds: readonly string[], countEventsUpTo: number, known?: ReadonlyMap<string, ProfileFacts>): Promise<{ profiles: Map<string, ProfileFacts>; memberships: Map<string, Set<string>> }>;
  /** The segments each of the given people is in now (people in none are left out). */
  membershipsOf(workspaceId: string, profileIds: readonly string[]): Promise<Map<string, Set<string>>>;
  /** Current memberships of profiles merged into the given ones. */
  membershipsMergedInto(workspaceId: string, profileIds: readonly string[]): Promise<Array<{ segmentId: string; profileId: string }>>;
  /** Applies entries and exits of several segments in one transaction, member counts adjusted. */
  applyChanges(workspaceId: string, changes: readonly MembershipChange[], at: number, reason: string): Promise<void>;
  /**
   * Entries and exits in the order they were recorded, after a cursor (the internal event
   * stream journeys read). A change's `id` is its number in the workspace's sequence ("1",
   * "2", …); the cursor is the last change read (its `at` is kept for callers holding a
   * cursor from before migration 0012, whose ids were UUIDs: they resume after that time).
   */
  changesSince(workspaceId: string, after: { at: number; id: string } | null, limit: number): Promise<Array<SegmentChange & { id: string }>>;
  /** Deletes a segment with its members and its history. */
  remove(workspaceId: string, id: string): Promise<void>;
  /** A person's entries and exits, oldest first. */
  history(workspaceId: string, profileId: string): Promise<SegmentChange[]>;
  /** The segments a person is in now. */
  segmentsOf(workspaceId: string, profileId: string): Promise<Array<{ segmentId: string; enteredAt: number }>>;
}
