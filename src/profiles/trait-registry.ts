/**
 * The computed traits Tailor declares: one place that says what each trait is, what kind of
 * personal data it is (PRIVACY.md P10) and whether it is profiling (PRIVACY.md P5: skipped
 * for a person who switched personalization off). Code that writes a trait not listed here
 * is a bug; the README's trait table is written from this registry.
 */

/** Value types. `date` values are milliseconds since the Unix epoch (UTC). */
export type TraitType = 'number' | 'string' | 'date' | 'string[]' | 'record<string,number>';

/** PRIVACY.md P10 data categories. */
export type DataCategory = 'basic' | 'behavioural' | 'sensitive';

/**
 * Where the value comes from: folded on the ingest path event by event, recomputed by a
 * batch job (from orders or the whole population), a model's prediction, or declared by the
 * person or the brand.
 */
export type TraitSource = 'ingest-incremental' | 'recompute' | 'prediction' | 'declared';

export interface TraitDefinition {
  type: TraitType;
  description: string;
  category: DataCategory;
  source: TraitSource;
  /** True when the trait is an inference about the person used to personalize (P5). */
  profiling: boolean;
  /** The function that computes it (documentation for the wiring). */
  computedBy: string;
  /** The closed set of values of a `string` trait. */
  values?: readonly string[];
}

export const RFM_SEGMENTS = [
  'Champions', 'Loyal', 'Potential Loyalist', 'New', 'Promising', 'Need Attention',
  'About to Sleep', 'At Risk', "Can't Lose Them", 'Hibernating', 'Lost',
] as const;
export const LIFECYCLE_STAGES = ['new', 'growing', 'mature', 'declining', 'churned'] as const;
export const JOURNEY_STAGES = ['awareness', 'interest', 'purchase', 'repeat', 'advocate'] as const;
export const CHANNELS = ['email', 'sms', 'push', 'web', 'app'] as const;
export const PRICE_BANDS = ['budget', 'mid', 'premium'] as const;

export const CHURN_RISK_LEVELS = ['low', 'medium', 'high'] as const;
export const VALUE_TIER_NAMES = ['high_value_nurture', 'potential_convert', 'low_value_maintain'] as const;

const prediction = <T extends TraitType>(description: string, type: T, computedBy: string) =>
  ({ type, description, category: 'behavioural', source: 'prediction', profiling: true, computedBy }) as const;

const activity = (description: string, type: TraitType): TraitDefinition =>
  ({ type, description, category: 'behavioural', source: 'ingest-incremental', profiling: false, computedBy: 'foldActivity' });

/** Every declared trait, by name. */
export const TRAITS = {
  first_seen: activity('Time of the earliest event of any type.', 'date'),
  last_seen: activity('Time of the latest event of any type.', 'date'),
  sessions_count: activity('Sessions: runs of track/page/screen events with no gap longer than 30 minutes.', 'number'),
  page_views_count: activity('Number of page events.', 'number'),
  screen_views_count: activity('Number of screen events.', 'number'),
  event_counts: activity('Number of track events by event name.', 'record<string,number>'),
  last_event_at: activity('Time of the latest track event, by event name.', 'record<string,number>'),

  orders_count: {
    type: 'number', description: 'Orders placed and kept: not cancelled, not fully refunded; returns are not orders.',
    category: 'behavioural', source: 'recompute', profiling: false, computedBy: 'computeCommerceTraits',
  },
  revenue_total: {
    type: 'record<string,number>', description: 'Net revenue per currency: order revenue minus refunds, minus standalone returns.',
    category: 'behavioural', source: 'recompute', profiling: false, computedBy: 'computeCommerceTraits',
  },
  average_order_value: {
    type: 'record<string,number>', description: 'Net revenue per currency divided by the orders counted in that currency.',
    category: 'behavioural', source: 'recompute', profiling: false, computedBy: 'computeCommerceTraits',
  },
  first_order_at: {
    type: 'date', description: 'Time of the first counted order.',
    category: 'behavioural', source: 'recompute', profiling: false, computedBy: 'computeCommerceTraits',
  },
  last_order_at: {
    type: 'date', description: 'Time of the latest counted order.',
    category: 'behavioural', source: 'recompute', profiling: false, computedBy: 'computeCommerceTraits',
  },
  mean_interpurchase_days: {
    type: 'number', description: 'Mean gap in days between consecutive distinct UTC order days.',
    category: 'behavioural', source: 'recompute', profiling: true, computedBy: 'computeCommerceTraits',
  },
  median_interpurchase_days: {
    type: 'number', description: 'Median gap in days between consecutive distinct UTC order days.',
    category: 'behavioural', source: 'recompute', profiling: true, computedBy: 'computeCommerceTraits',
  },
  favourite_categories: {
    type: 'string[]', description: 'Top categories by recency-weighted net spend (half-life 90 days by default).',
    category: 'behavioural', source: 'recompute', profiling: true, computedBy: 'computeCommerceTraits',
  },
  favourite_brands: {
    type: 'string[]', description: 'Top brands by recency-weighted net spend (half-life 90 days by default).',
    category: 'behavioural', source: 'recompute', profiling: true, computedBy: 'computeCommerceTraits',
  },
  price_band_shares: {
    type: 'record<string,number>', description: "Share of units bought in each price band of their category ('budget' bottom quintile, 'mid', 'premium' top quintile).",
    category: 'behavioural', source: 'recompute', profiling: true, computedBy: 'computeCommerceTraits',
  },
  price_band_preference: {
    type: 'string', description: 'The price band with the largest share of units.', values: PRICE_BANDS,
    category: 'behavioural', source: 'recompute', profiling: true, computedBy: 'computeCommerceTraits',
  },
  discount_affinity: {
    type: 'number', description: 'Share of counted orders that used a coupon (0–1).',
    category: 'behavioural', source: 'recompute', profiling: true, computedBy: 'computeCommerceTraits',
  },

  rfm_recency_score: {
    type: 'number', description: 'Recency quintile 1–5 within the workspace (5 = most recent).',
    category: 'behavioural', source: 'recompute', profiling: true, computedBy: 'scoreRfm',
  },
  rfm_frequency_score: {
    type: 'number', description: 'Orders-count quintile 1–5 within the workspace (5 = most orders).',
    category: 'behavioural', source: 'recompute', profiling: true, computedBy: 'scoreRfm',
  },
  rfm_monetary_score: {
    type: 'number', description: 'Net-revenue quintile 1–5 within the workspace (5 = highest).',
    category: 'behavioural', source: 'recompute', profiling: true, computedBy: 'scoreRfm',
  },
  rfm_cell: {
    type: 'string', description: 'The three scores as one string, R then F then M ("545").',
    category: 'behavioural', source: 'recompute', profiling: true, computedBy: 'scoreRfm',
  },
  rfm_segment: {
    type: 'string', description: 'Named segment from the R × FM grid (README "RFM segments").', values: RFM_SEGMENTS,
    category: 'behavioural', source: 'recompute', profiling: true, computedBy: 'scoreRfm',
  },

  lifecycle_stage: {
    type: 'string', description: 'new → growing → mature → declining → churned, relative to the person\'s own purchase interval.', values: LIFECYCLE_STAGES,
    category: 'behavioural', source: 'recompute', profiling: true, computedBy: 'lifecycleStage',
  },
  journey_stage: {
    type: 'string', description: 'awareness → interest → purchase → repeat → advocate, from events and orders.', values: JOURNEY_STAGES,
    category: 'behavioural', source: 'recompute', profiling: true, computedBy: 'journeyStage',
  },

  preferred_channel: {
    type: 'string', description: 'Channel with the most days of engagement (opens, clicks, visits).', values: CHANNELS,
    category: 'behavioural', source: 'recompute', profiling: true, computedBy: 'computeEngagementTraits',
  },
  preferred_hour: {
    type: 'number', description: 'Hour of day (0–23, local time) at which the person engages most.',
    category: 'behavioural', source: 'recompute', profiling: true, computedBy: 'computeEngagementTraits',
  },
  timezone: {
    // Not profiling: quiet hours (P18) need it even when personalization is off.
    type: 'string', description: 'IANA time zone from the latest event context that had a valid one.',
    category: 'basic', source: 'recompute', profiling: false, computedBy: 'computeEngagementTraits',
  },
  locale: {
    type: 'string', description: 'BCP 47 locale from the latest event context that had a valid one.',
    category: 'basic', source: 'recompute', profiling: false, computedBy: 'computeEngagementTraits',
  },
  country: {
    // Not profiling, like timezone: a fact the data states (an address, where an order was placed), not an inference.
    type: 'string',
    description: 'Country from the latest event that had a valid one: context.location.country, else an identify call\'s address.country or country trait (ISO 3166 alpha-2 codes upper-cased, names kept as written).',
    category: 'basic', source: 'recompute', profiling: false, computedBy: 'computeEngagementTraits',
  },

  // Predictions (src/predict): written by `tailor predict` with the model version they came from.
  p_alive: prediction('Probability the person is still a customer (BG/NBD).', 'number', 'probabilityAlive'),
  expected_purchases_30d: prediction('Expected purchases in the next 30 days (BG/NBD conditional expectation).', 'number', 'conditionalExpectedPurchases'),
  expected_purchases_90d: prediction('Expected purchases in the next 90 days (BG/NBD conditional expectation).', 'number', 'conditionalExpectedPurchases'),
  expected_purchases_365d: prediction('Expected purchases in the next 365 days (BG/NBD conditional expectation).', 'number', 'conditionalExpectedPurchases'),
  predicted_clv: prediction('Predicted customer lifetime value over the model\'s horizon, discounted, in the workspace currency (BG/NBD × Gamma-Gamma).', 'number', 'predictedClv'),
  churn_risk: prediction('Churn risk 0–1: P(no purchase in the next 90 days) from BG/NBD, raised by being overdue against the person\'s own rhythm, falling frequency and complaints.', 'number', 'churnRisk'),
  churn_risk_level: { ...prediction('low / medium / high churn risk (thresholds 0.3 and 0.6).', 'string', 'churnRisk'), values: CHURN_RISK_LEVELS },
  value_tier: { ...prediction('high_value_nurture / potential_convert / low_value_maintain, from predicted CLV quantiles and churn risk.', 'string', 'valueTier'), values: VALUE_TIER_NAMES },
  replenishment_due: prediction('Expected date of the next purchase of each repeat-bought product the person buys (up to 10, soonest first).', 'record<string,number>', 'replenishmentDue'),
  prediction_model_version: prediction('Version of the purchase/spend model the predictions came from (`tailor models show`).', 'number', 'predictWorkspace'),
} as const satisfies Record<string, TraitDefinition>;

export type TraitName = keyof typeof TRAITS;

type ValueOfType<T extends TraitType> =
  T extends 'number' | 'date' ? number
    : T extends 'string' ? string
      : T extends 'string[]' ? string[]
        : Record<string, number>;

/** The TypeScript type of a trait's value; `null` means unknown (e.g. no orders yet). */
export type TraitValue<N extends TraitName> =
  (typeof TRAITS)[N] extends { values: readonly (infer V)[] } ? V | null : ValueOfType<(typeof TRAITS)[N]['type']> | null;

/** A set of computed trait values, keyed by trait name. */
export type TraitValues = { [N in TraitName]?: TraitValue<N> };

/**
 * Whether a string names a declared trait.
 *
 * @example
 * isTraitName('rfm_segment'); // true
 */
export function isTraitName(name: string): name is TraitName {
  return Object.hasOwn(TRAITS, name);
}

/**
 * Per-key traits whose entries are times (epoch ms by key: an event name, a product id), not
 * amounts; the registry types them `record<string,number>`, which does not say so. Segment
 * conditions compare their entries as dates; the export writes them as ISO times.
 */
export const TIME_BY_KEY_TRAITS: ReadonlySet<TraitName> = new Set<TraitName>(['last_event_at', 'replenishment_due']);

/**
 * The declared traits that are profiling (PRIVACY.md P5), sorted by name.
 *
 * @example
 * profilingTraitNames().includes('favourite_categories'); // true
 */
export function profilingTraitNames(): TraitName[] {
  return (Object.keys(TRAITS) as TraitName[]).filter((n) => TRAITS[n].profiling).sort();
}

/**
 * Drops the profiling traits from a set of values, for a person whose personalization is
 * off (PRIVACY.md P5): a profiling job calls this before writing, so those traits are never
 * computed into the profile.
 *
 * @example
 * withoutProfilingTraits({ orders_count: 3, rfm_segment: 'Loyal' }); // { orders_count: 3 }
 */
export function withoutProfilingTraits(values: TraitValues): TraitValues {
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    if (isTraitName(name) && !TRAITS[name].profiling) kept[name] = value;
  }
  return kept as TraitValues;
}
