import type { PeoplePrivacy } from '../privacy/privacy-repository.js';
import type { ConsentRecord } from '../privacy/consent-ledger.js';
import type { CatalogEntry } from './catalog-index.js';
import type { InteractionList } from './packed.js';
import type { TrainingInteraction } from './serving-model.js';

/** What one request reads about a person (by indexed look-ups only). */
export interface PersonRecord {
  /** Identify traits (`preferences`, `address`…). */
  traits: Record<string, unknown>;
  /** Computed traits (`country`, `timezone`…), empty when never computed. */
  computed: Record<string, unknown>;
  /** Purchases (one per order line), cart adds and views: the latest, as a model's history. */
  interactions: InteractionList;
  /** Every item the person ever bought (in their latest 5,000 orders), with when they last bought it. */
  purchased: ReadonlyMap<string, number>;
  segments: Array<{ id: string; name: string }>;
  /** Items shown to the person since the exposure window began, one entry per showing (parallel arrays, compact). */
  shown: { itemIds: string[]; times: number[] };
  /** Items the person responded to (click, cart add, purchase) since the window began. */
  responded: Array<{ itemId: string; at: number }>;
}

/** One served response, as logged. */
export interface RecommendationLogRow {
  id: string;
  profileId: string | null;
  placement: string;
  personalized: boolean;
  modelVersion: number | null;
  items: Array<{ itemId: string; exploration: boolean }>;
  details: { strategies: string[]; scenes: string[]; reasons?: Array<{ code: string; message: string }> };
  createdAt: number;
}

export type FeedbackKind = 'click' | 'add_to_cart' | 'purchase';

export interface FeedbackRow {
  id: string;
  recommendationId: string;
  profileId: string | null;
  placement: string;
  itemId: string;
  kind: FeedbackKind;
  revenue: number | null;
  currency: string | null;
  messageId: string;
  at: number;
}

export interface ItemStatsRow {
  placement: string;
  itemId: string;
  impressions: number;
  responses: number;
}

/** Per placement: responses served, items shown, and what came back. */
export interface PlacementReport {
  placement: string;
  responses: number;
  personalized: number;
  impressions: number;
  clicks: number;
  addsToCart: number;
  purchases: number;
  revenue: Record<string, number>;
  explorationImpressions: number;
  explorationResponses: number;
}

/** The storage recommendation serving, training and reporting need. */
export interface RecommendationRepository {
  /** The whole catalog (read when serving state is built, not per request). */
  catalog(workspaceId: string): Promise<CatalogEntry[]>;
  /** Changes whenever an item is added or updated (count and latest update): polled to notice catalog imports by other processes. */
  catalogSignature(workspaceId: string): Promise<string>;
  /**
   * Everything one request needs to know about a person: their latest order lines, cart adds
   * and views whatever their age (at most 500 order lines and 200 events), every item they bought, and what they were
   * shown since `exposuresSince` (in their latest 50 responses). `unchanged` is what was read
   * before from the profile and its history — identify traits, interactions, purchases —,
   * given when the profile has not changed since (the same update time: every event, order and
   * identify moves it), taken as it is instead of read again.
   */
  person(workspaceId: string, profileId: string, window: { exposuresSince: number; unchanged?: Pick<PersonRecord, 'traits' | 'interactions' | 'purchased'> }): Promise<PersonRecord>;
  /** The person's personalization switch and consent records (read for every request: never cached, P5). */
  /** A person's consent records, personalization switch and guardian consent. */
  personPrivacy(workspaceId: string, profileId: string): Promise<PersonPrivacyFacts>;
  /** Time of the latest purchase, cart add or view in the workspace (null when there is none). */
  latestInteractionAt(workspaceId: string): Promise<number | null>;
  /**
   * Training interactions since a time, page by page: purchases (order lines of completed,
   * not cancelled orders, with their order id), cart adds and views (`Product Added`,
   * `Product Viewed` with a `product_id`), each with the person's profile id and, for events,
   * the device type of the event context.
   */
  trainingInteractions(workspaceId: string, since: number): AsyncIterable<TrainingInteraction[]>;
  /** Profiles' privacy state (switch and consent), for leaving out people who refused profiling. */
  privacyOf(workspaceId: string, profileIds: readonly string[]): Promise<PeoplePrivacy>;
  /** The `country` computed trait of profiles that have one. */
  regionsOf(workspaceId: string, profileIds: readonly string[]): Promise<Map<string, string>>;
  /** The workspace's segments' names by id. */
  segmentNames(workspaceId: string): Promise<Map<string, string>>;
  /** Segment memberships of profiles (segment ids). */
  membershipsOf(workspaceId: string, profileIds: readonly string[]): Promise<Map<string, string[]>>;
  /** Stores a trained model with its artifact as the active version of kind `recommender`; returns its version. */
  saveModel(workspaceId: string, model: { id: string; createdAt: number; dataFrom: number | null; dataTo: number | null; params: Record<string, unknown>; stats: Record<string, unknown>; artifact: string }): Promise<number>;
  /** The active model's version (cheap: polled to hot-swap models trained by another process). */
  activeModelVersion(workspaceId: string): Promise<number | null>;
  /** The active model with its artifact. */
  activeModel(workspaceId: string): Promise<{ id: string; version: number; createdAt: number; artifact: string } | null>;
  appendLogs(workspaceId: string, rows: readonly RecommendationLogRow[]): Promise<void>;
  getLog(workspaceId: string, id: string): Promise<RecommendationLogRow | null>;
  /** Inserts feedback rows; returns the ones that were new (a replayed event adds nothing). */
  addFeedback(workspaceId: string, rows: readonly FeedbackRow[]): Promise<FeedbackRow[]>;
  feedbackOf(workspaceId: string, recommendationId: string): Promise<FeedbackRow[]>;
  itemStats(workspaceId: string): Promise<ItemStatsRow[]>;
  /** Adds counts to the stored item stats. */
  addItemStats(workspaceId: string, rows: readonly ItemStatsRow[], at: number): Promise<void>;
  /** Served responses and their outcomes per placement since a time. */
  report(workspaceId: string, since: number): Promise<PlacementReport[]>;
  /** A person's served recommendations and their feedback (for the export, P13). */
  logsOf(workspaceId: string, profileId: string): Promise<Array<RecommendationLogRow & { feedback: FeedbackRow[] }>>;
}

/**
 * What serving reads fresh about one person, on every request, before it decides whether to
 * personalize (their declared age comes with their identify traits, `PersonRecord.traits`).
 */
export interface PersonPrivacyFacts {
  consents: ConsentRecord[];
  personalizationOff: boolean;
  /** A guardian's consent is recorded (P11). */
  guardianConsent: boolean;
}
