import type { PeoplePrivacy } from '../privacy/privacy-repository.js';
import type { CategoryPriceDistribution, EventInput, OrderInput } from './inputs.js';
import type { IncrementalTraitState } from './trait-state.js';
import type { TraitValues } from './trait-registry.js';

/** A profile's stored computed traits. */
export interface ComputedTraitsRecord {
  profileId: string;
  traits: TraitValues;
  state: IncrementalTraitState;
  /** Whether a state was stored (false: none yet, `state` is the empty one). */
  hasState?: boolean;
  /** On write: store `state` too (it was rebuilt from the events). */
  stateChanged?: boolean;
  /** Last full recompute (null: only ingest has written the row). */
  computedAt: number | null;
  updatedAt: number;
}

/**
 * How the ids given to a read were chosen. `page: true` says they are one page of
 * `profilePage` — consecutive live ids in ascending order — so the store may read the
 * page's id range in one scan (and leave out rows of profiles between them that are not in
 * the list, such as merged ones) instead of looking each id up.
 */
export interface ReadOptions {
  page?: boolean;
}

/** `privacyOf` options: `declaredAges: false` leaves out the ages declared in traits (a caller holding the traits reads them there, with `ageFactsOf`). */
export interface PrivacyReadOptions extends ReadOptions {
  declaredAges?: boolean;
}

/** The storage the recompute job and the readers of computed traits need. */
export interface ComputedTraitRepository {
  /** Live (not merged) profile ids after `after` in id order, at most `limit`. */
  profilePage(workspaceId: string, after: string | null, limit: number): Promise<string[]>;
  /**
   * Every order and return of these profiles, with lines (brand from the catalog) unless
   * `items: false` (then every order's `items` is empty: enough for counts, dates and revenue).
   * Each person's orders come by time (then order id) and lines in their order, so that sums
   * over them do not depend on how the store found the rows.
   */
  ordersOf(workspaceId: string, profileIds: readonly string[], options?: ReadOptions & { items?: boolean }): Promise<Map<string, OrderInput[]>>;
  /**
   * The events of these profiles as the trait functions read them. `properties` is read only
   * for the events named in `withProperties` (the NPS survey), `{}` otherwise.
   */
  eventsOf(workspaceId: string, profileIds: readonly string[], withProperties: readonly string[]): Promise<Map<string, EventInput[]>>;
  /** What the policy needs to decide `profile` for each of these profiles. */
  privacyOf(workspaceId: string, profileIds: readonly string[], options?: PrivacyReadOptions): Promise<PeoplePrivacy>;
  /** Catalog prices per category (each element of an item's category path is a category). */
  priceDistributions(workspaceId: string): Promise<CategoryPriceDistribution[]>;
  /**
   * The incremental state of each of these profiles: the stored one, or null when there is
   * none this version can read (the recompute job rebuilds it from the events).
   */
  statesOf(workspaceId: string, profileIds: readonly string[], options?: ReadOptions): Promise<Map<string, IncrementalTraitState | null>>;
  /** Stored rows of these profiles. */
  read(workspaceId: string, profileIds: readonly string[]): Promise<Map<string, ComputedTraitsRecord>>;
  /** Replaces the recomputed traits of these profiles (and their states where `stateChanged`). */
  write(workspaceId: string, rows: readonly ComputedTraitsRecord[]): Promise<void>;
}
