import type { ColumnType } from 'kysely';

/**
 * The tables of Tailor's store, one type for SQLite and PostgreSQL.
 *
 * Conventions (docs/architecture.md):
 * - `workspace_id` leads every primary key, so that the schema can be distributed by it.
 * - Times are integer milliseconds since the Unix epoch (`*_at`), the same on both engines.
 * - JSON columns are `text` on SQLite and `jsonb` on PostgreSQL; write them with
 *   `JSON.stringify` and read them with `readJson` (src/shared/json.ts).
 */
export interface Database {
  workspaces: WorkspacesTable;
  api_keys: ApiKeysTable;
  profiles: ProfilesTable;
  identities: IdentitiesTable;
  identity_merges: IdentityMergesTable;
  identity_conflicts: IdentityConflictsTable;
  events: EventsTable;
  catalog_items: CatalogItemsTable;
  orders: OrdersTable;
  order_items: OrderItemsTable;
  import_runs: ImportRunsTable;
  consent_records: ConsentRecordsTable;
  subscription_records: SubscriptionRecordsTable;
  privacy_switches: PrivacySwitchesTable;
  audit_log: AuditLogTable;
  suppressions: SuppressionsTable;
  erasure_reports: ErasureReportsTable;
  erasure_scrubs: ErasureScrubsTable;
  workspace_secrets: WorkspaceSecretsTable;
  models: ModelsTable;
  computed_traits: ComputedTraitsTable;
  predictions: PredictionsTable;
  segments: SegmentsTable;
  segment_memberships: SegmentMembershipsTable;
  segment_history: SegmentHistoryTable;
  segment_change_sequence: SegmentChangeSequenceTable;
  cluster_assignments: ClusterAssignmentsTable;
  recommendation_log: RecommendationLogTable;
  recommendation_feedback: RecommendationFeedbackTable;
  recommendation_item_stats: RecommendationItemStatsTable;
}

/** A JSON column: written as a string, read back as a string (SQLite) or a value (PostgreSQL). */
export type Json = ColumnType<unknown, string, string>;
/** Integer column that the pg driver is configured to return as number (see dialects/postgres.ts). */
export type Millis = number;

export interface WorkspacesTable {
  id: string;
  name: string;
  jurisdiction: string;
  settings: Json;
  created_at: Millis;
}

export interface ApiKeysTable {
  workspace_id: string;
  id: string;
  kind: 'write' | 'admin';
  name: string;
  prefix: string;
  hash: string;
  scopes: Json;
  created_at: Millis;
  revoked_at: Millis | null;
}

export interface ProfilesTable {
  workspace_id: string;
  id: string;
  traits: Json;
  first_seen_at: Millis;
  last_seen_at: Millis;
  created_at: Millis;
  updated_at: Millis;
  /** Set when this profile was merged into another; the row stays for the record. */
  merged_into: string | null;
  /** Incremental computed-trait fold state (src/profiles/trait-state.ts; migration 0005). */
  trait_state: Json | null;
}

export interface IdentitiesTable {
  workspace_id: string;
  type: string;
  value: string;
  profile_id: string;
  first_seen_at: Millis;
  source_message_id: string | null;
}

export interface IdentityMergesTable {
  workspace_id: string;
  id: string;
  from_profile_id: string;
  into_profile_id: string;
  reason: string;
  identifier_type: string;
  identifier_value: string;
  message_id: string | null;
  merged_at: Millis;
}

export interface IdentityConflictsTable {
  workspace_id: string;
  id: string;
  profile_id: string;
  other_profile_id: string | null;
  identifier_type: string;
  identifier_value: string;
  reason: string;
  message_id: string | null;
  recorded_at: Millis;
}

export interface EventsTable {
  workspace_id: string;
  message_id: string;
  type: string;
  event: string | null;
  name: string | null;
  profile_id: string;
  user_id: string | null;
  anonymous_id: string | null;
  group_id: string | null;
  previous_id: string | null;
  timestamp: Millis;
  original_timestamp: Millis | null;
  received_at: Millis;
  sent_at: Millis | null;
  properties: Json;
  traits: Json;
  context: Json;
  integrations: Json;
}

export interface CatalogItemsTable {
  workspace_id: string;
  item_id: string;
  name: string;
  category_path: Json;
  brand: string | null;
  price: number | null;
  currency: string | null;
  tags: Json;
  attributes: Json;
  url: string | null;
  image_url: string | null;
  in_stock: number;
  created_at: Millis;
  updated_at: Millis;
}

export interface OrdersTable {
  workspace_id: string;
  order_id: string;
  profile_id: string | null;
  /** `order` for a purchase, `return` for a credit note such as an Online Retail cancellation invoice. */
  kind: 'order' | 'return';
  status: 'completed' | 'refunded' | 'partially_refunded' | 'cancelled';
  currency: string;
  revenue: number;
  total: number;
  discount: number;
  refunded_amount: number;
  coupon: string | null;
  placed_at: Millis;
  updated_at: Millis;
  source: string;
  message_id: string | null;
}

export interface OrderItemsTable {
  workspace_id: string;
  order_id: string;
  line: number;
  item_id: string;
  name: string | null;
  category: string | null;
  price: number;
  quantity: number;
}

export interface ImportRunsTable {
  workspace_id: string;
  id: string;
  kind: string;
  source: string;
  fingerprint: string;
  /** Rows consumed so far: a resumed run skips this many. */
  position: number;
  status: 'running' | 'completed' | 'failed';
  summary: Json;
  started_at: Millis;
  updated_at: Millis;
}

export interface ConsentRecordsTable {
  workspace_id: string;
  id: string;
  profile_id: string;
  purpose: string;
  decision: string;
  notice_version: string;
  source: string;
  method: string | null;
  jurisdiction: string;
  recorded_at: Millis;
}

export interface SubscriptionRecordsTable {
  workspace_id: string;
  id: string;
  profile_id: string;
  channel: string;
  status: string;
  source: string;
  recorded_at: Millis;
}

export interface PrivacySwitchesTable {
  workspace_id: string;
  profile_id: string;
  personalization_off: number;
  /** Where the personalization switch was last set, and when (0 and '' when it never was: a row made for the guardian's consent). */
  source: string;
  updated_at: Millis;
  /** A guardian's consent for a minor is recorded (1) or not (0) (migration 0014, P11). */
  guardian_consent: ColumnType<number, number | undefined, number>;
  guardian_source: ColumnType<string | null, string | null | undefined, string | null>;
  guardian_changed_at: ColumnType<Millis | null, Millis | null | undefined, Millis | null>;
}

export interface AuditLogTable {
  workspace_id: string;
  seq: number;
  actor: string;
  action: string;
  subject: string;
  details: Json;
  at: Millis;
  prev_hash: string;
  hash: string;
}

export interface SuppressionsTable {
  workspace_id: string;
  hash: string;
  created_at: Millis;
}

export interface ErasureReportsTable {
  workspace_id: string;
  id: string;
  erased_profile_id: string;
  report: Json;
  completed_at: Millis;
}

/** Erasure's searches of other people's rows still to finish (migration 0013). */
export interface ErasureScrubsTable {
  workspace_id: string;
  report_id: string;
  /** `[{ type, value }]`: what to look for; deleted with the row when the search ends. */
  identifiers: Json;
  erased_profile_ids: Json;
  phase: string;
  cursor: string | null;
  events_scrubbed: ColumnType<number, number, number>;
  profiles_scrubbed: ColumnType<number, number, number>;
  scanned: ColumnType<number, number, number>;
  claimed_until: Millis | null;
  created_at: Millis;
}

export interface WorkspaceSecretsTable {
  workspace_id: string;
  name: string;
  value: string;
  created_at: Millis;
}

/** A trained model version (migration 0004). */
export interface ModelsTable {
  workspace_id: string;
  id: string;
  /** What it is: `bgnbd-gamma-gamma`, `recommender`… */
  kind: string;
  /** 1, 2, … per workspace and kind. */
  version: number;
  status: 'active' | 'retired';
  created_at: Millis;
  /** The window of data it was trained on (epoch ms), when it has one. */
  data_from: Millis | null;
  data_to: Millis | null;
  params: Json;
  stats: Json;
  artifact: string | null;
}

/** Computed traits of a profile (migration 0005). */
export interface ComputedTraitsTable {
  workspace_id: string;
  profile_id: string;
  /** Trait values keyed by registry name (src/profiles/trait-registry.ts). */
  traits: Json;
  /** Last full recompute; null when only ingest has touched the row. */
  computed_at: Millis | null;
  updated_at: Millis;
}

/** Per-person predictions of the latest `tailor predict` run (migration 0008). */
export interface PredictionsTable {
  workspace_id: string;
  profile_id: string;
  model_id: string;
  model_version: number;
  /** Prediction trait values keyed by registry name. */
  traits: Json;
  predicted_at: Millis;
}

/** Segment definitions (migration 0009). */
export interface SegmentsTable {
  workspace_id: string;
  id: string;
  name: string;
  description: string | null;
  /** The condition tree (src/segments/definition.ts). */
  definition: Json;
  created_at: Millis;
  updated_at: Millis;
  evaluated_at: Millis | null;
  member_count: number;
  /** 1, 2, … per workspace: the segment's name in packed memberships and history (migration 0015). */
  ordinal: number;
}

/** The segments each person is in now, one row per person in any (migration 0015; src/segments/packed-memberships.ts). */
export interface SegmentMembershipsTable {
  workspace_id: string;
  profile_id: string;
  /** `,<ordinal>:<entered at>` per segment, closed by `,`. */
  segments: string;
}

/** The cluster each customer was placed in by a clustering model (migration 0010). */
export interface ClusterAssignmentsTable {
  workspace_id: string;
  model_id: string;
  profile_id: string;
  /** 1-based cluster number within the model. */
  cluster: number;
}

/**
 * Every entry into and exit from a segment, one row per person and write (migration 0015;
 * per change since 0009, numbered since 0012).
 */
export interface SegmentHistoryTable {
  workspace_id: string;
  /**
   * The number of the row's last change; its n changes carry `last_seq − n + 1 … last_seq`
   * (1, 2, … per workspace in the order the changes were recorded: the change stream's cursor).
   */
  last_seq: number;
  profile_id: string;
  /** Why: `evaluation` (a full re-evaluation), `event`, `merged`… */
  reason: string;
  at: Millis;
  /** `,<ordinal>:+` (entered) or `,<ordinal>:-` (exited) per change in number order, closed by `,`. */
  changes: string;
}

/** The last change number handed out in each workspace (migration 0012). */
export interface SegmentChangeSequenceTable {
  workspace_id: string;
  last_seq: number;
}

/** Every recommendation response served (migration 0011). */
export interface RecommendationLogTable {
  workspace_id: string;
  id: string;
  /** Null for an anonymous request. */
  profile_id: string | null;
  placement: string;
  personalized: number;
  model_version: number | null;
  /** `[{ itemId, exploration }]` in the order shown. */
  items: Json;
  /** Strategies, scenes and the non-personalization reason. */
  details: Json;
  created_at: Millis;
}

/** A click, cart add or purchase that carried a recommendation id (migration 0011). */
export interface RecommendationFeedbackTable {
  workspace_id: string;
  /** `<message id>:<item id>`: a retried event is counted once. */
  id: string;
  recommendation_id: string;
  profile_id: string | null;
  placement: string;
  item_id: string;
  kind: 'click' | 'add_to_cart' | 'purchase';
  revenue: number | null;
  currency: string | null;
  message_id: string;
  at: Millis;
}

/** How often each item was shown and answered in each placement (migration 0011). */
export interface RecommendationItemStatsTable {
  workspace_id: string;
  placement: string;
  item_id: string;
  impressions: number;
  responses: number;
  updated_at: Millis;
}
