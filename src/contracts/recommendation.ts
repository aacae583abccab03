import { z } from 'zod';
import { isTimeZone } from '../profiles/time-zones.js';
import { parseIsoDate } from '../shared/iso-date.js';

/**
 * Wire schemas of recommendation serving (README "Recommendations"; docs/api.md): placements
 * and scenes (workspace data a marketer edits), and the request of `POST /v1/recommendations`.
 * They validate at the edge and yield the TS types and the OpenAPI document.
 */

/**
 * The strategies a placement blends:
 * - `for_you`: the personalized model on the person's purchases, cart adds and views, blended
 *   with cold-start signals (declared preferences, region, segments) while history is short;
 * - `similar`: items like the given item(s) — co-interaction neighbours and content;
 * - `bought_together`: items bought in the same orders as the given item(s) or cart;
 * - `buy_again`: repeat-bought items near the person's replenishment time;
 * - `trending`: time-decayed popularity with a short half-life, updated on ingest;
 * - `popular`: the same with a long half-life;
 * - `new_arrivals`: recently added items, ranked by their content's match to the person.
 */
export const STRATEGIES = ['for_you', 'similar', 'bought_together', 'buy_again', 'trending', 'popular', 'new_arrivals'] as const;
export const strategySchema = z.enum(STRATEGIES);
export type Strategy = z.infer<typeof strategySchema>;

/** Most items one response may hold. */
export const MAX_RECOMMENDATIONS = 100;
/** Most items a request may pass as context (the item being viewed, the cart). */
export const MAX_CONTEXT_ITEMS = 50;
export const MAX_PLACEMENTS = 100;
export const MAX_SCENES = 100;

const name = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1–64 characters: lower-case letters, digits, "_" or "-", starting with a letter or digit');
const words = (max: number) => z.array(z.string().trim().min(1).max(200)).max(max);

/**
 * Which items a rule applies to. An item matches when it matches any listed value of any
 * listed field: a tag, a category path prefix (`Home > Kitchen` matches `Home > Kitchen >
 * Mugs`), a brand, an item id, or a word of its name. Text compares case-insensitively.
 */
export const itemMatchSchema = z.object({
  tags: words(50).optional(),
  categories: words(50).optional(),
  brands: words(50).optional(),
  items: words(200).optional(),
  words: words(50).optional(),
}).strict().refine((m) => Object.values(m).some((v) => v !== undefined && v.length > 0), { message: 'must list at least one tag, category, brand, item or word' });
export type ItemMatch = z.infer<typeof itemMatchSchema>;

/** Filters: which items may be recommended at all. */
export const filtersSchema = z.object({
  /** Only items in stock (default true). */
  inStock: z.boolean().optional(),
  /** Only items under one of these category path prefixes. */
  categories: words(50).optional(),
  excludeCategories: words(50).optional(),
  /** Only items with one of these tags. */
  tags: words(50).optional(),
  excludeTags: words(50).optional(),
  priceMin: z.number().finite().min(0).optional(),
  priceMax: z.number().finite().min(0).optional(),
  excludeItems: words(500).optional(),
}).strict().refine((f) => f.priceMin === undefined || f.priceMax === undefined || f.priceMin <= f.priceMax, { message: 'priceMin must not exceed priceMax', path: ['priceMin'] });
export type Filters = z.infer<typeof filtersSchema>;

export const boostSchema = z.object({
  match: itemMatchSchema,
  /** Multiplies the score of matching items: 2 doubles it, 0.5 halves it. */
  factor: z.number().finite().min(0).max(10),
  /** Shown in the item's reasons, e.g. "summer campaign". */
  label: z.string().trim().min(1).max(100).optional(),
}).strict();
export type Boost = z.infer<typeof boostSchema>;

export const placementSchema = z.object({
  name,
  description: z.string().max(500).default(''),
  /** The strategies blended, each with a weight (scores are scaled to 0–1 per strategy first). */
  strategies: z.array(z.object({ strategy: strategySchema, weight: z.number().finite().positive().max(100).default(1) }).strict()).min(1).max(STRATEGIES.length)
    .refine((list) => new Set(list.map((s) => s.strategy)).size === list.length, { message: 'lists a strategy twice' })
    .default([{ strategy: 'for_you', weight: 1 }]),
  n: z.number().int().min(1).max(MAX_RECOMMENDATIONS).default(10),
  filters: filtersSchema.default({}),
  /**
   * Leave out what the person bought within `withinDays` (null: ever; 0: keep everything they
   * bought), except repeat-bought products that are due again when `keepReplenishable` (the
   * `buy_again` strategy always keeps them).
   */
  excludePurchased: z.object({ withinDays: z.number().int().min(0).max(3650).nullable().default(null), keepReplenishable: z.boolean().default(true) }).strict().default({ withinDays: null, keepReplenishable: true }),
  /** Leave out items shown to the person `count` times within `withinDays` without a click, cart add or purchase (0 turns it off). */
  fatigue: z.object({ count: z.number().int().min(0).max(100).default(3), withinDays: z.number().int().min(1).max(365).default(30) }).strict().default({ count: 3, withinDays: 30 }),
  boosts: z.array(boostSchema).max(20).default([]),
  /** Items placed at fixed positions (1-based) when they pass the filters. */
  pinned: z.array(z.object({ itemId: z.string().min(1).max(256), position: z.number().int().min(1).max(MAX_RECOMMENDATIONS) }).strict()).max(10).default([])
    .refine((p) => new Set(p.map((x) => x.position)).size === p.length, { message: 'pins two items to one position' }),
  diversity: z.object({
    /** At most this many items of one category in a list (null: no limit). */
    maxPerCategory: z.number().int().min(1).max(MAX_RECOMMENDATIONS).nullable().default(3),
    /** How many levels of the category path make "one category" (1: top level). */
    categoryLevel: z.number().int().min(1).max(10).default(2),
    /**
     * Spread of price tiers (low / mid / high thirds of the item's category): no tier may
     * fill more than this share of the list while another tier has candidates (1 turns it off).
     */
    maxPriceTierShare: z.number().min(0.34).max(1).default(0.6),
  }).strict().default({ maxPerCategory: 3, categoryLevel: 2, maxPriceTierShare: 0.6 }),
  exploration: z.object({
    /** Share of the list given to exploring new or little-shown items (the seeds use 20%). */
    share: z.number().min(0).max(0.5).default(0.2),
    /** Items added to the catalog within this many days count as new. */
    newWithinDays: z.number().int().min(1).max(365).default(30),
    /** Items shown fewer times than this in the placement count as little-shown. */
    underExposedBelow: z.number().int().min(0).max(1_000_000).default(100),
  }).strict().default({ share: 0.2, newWithinDays: 30, underExposedBelow: 100 }),
  /** Apply the workspace's scenes (re-ranking by context). */
  scenes: z.boolean().default(true),
  /** History size (weighted interactions) at which the personalized model gets half the weight of cold-start signals. */
  coldStartHalfWeight: z.number().positive().max(1000).default(3),
}).strict();
export type Placement = z.infer<typeof placementSchema>;
export type PlacementInput = z.input<typeof placementSchema>;

/**
 * A scene maps context to needs (the seeds: office, commute, home, workout, late night).
 * It applies when the request names it (`context.scene`) or when every condition in `when`
 * holds (a scene with an empty `when` applies only when named). Applied as re-ranking: boosts
 * multiply matching items' scores, `exclude` removes matching items.
 */
export const sceneSchema = z.object({
  name,
  label: z.string().trim().min(1).max(100),
  description: z.string().max(500).default(''),
  when: z.object({
    /** Local hours [from, to): `[22, 2]` wraps past midnight. */
    hours: z.tuple([z.number().int().min(0).max(23), z.number().int().min(0).max(24)]).optional(),
    /** ISO weekdays, 1 = Monday … 7 = Sunday. */
    weekdays: z.array(z.number().int().min(1).max(7)).min(1).max(7).optional(),
    months: z.array(z.number().int().min(1).max(12)).min(1).max(12).optional(),
    device: words(20).optional(),
    locationType: words(20).optional(),
    activity: words(20).optional(),
    weather: words(20).optional(),
  }).strict().default({}),
  boost: z.array(z.object({ match: itemMatchSchema, factor: z.number().finite().min(0).max(10) }).strict()).max(20).default([]),
  exclude: z.array(itemMatchSchema).max(20).default([]),
}).strict();
export type Scene = z.infer<typeof sceneSchema>;
export type SceneInput = z.input<typeof sceneSchema>;

/** The `recommendations` section of workspace settings. */
export const recommendationSettingsSchema = z.object({
  placements: z.array(placementSchema).max(MAX_PLACEMENTS).default([])
    .refine((p) => new Set(p.map((x) => x.name)).size === p.length, { message: 'two placements share a name' }),
  scenes: z.array(sceneSchema).max(MAX_SCENES).default([])
    .refine((s) => new Set(s.map((x) => x.name)).size === s.length, { message: 'two scenes share a name' }),
  /** Minutes between scheduled retrains in `tailor serve` (0 turns it off). */
  retrainEveryMinutes: z.number().int().min(0).max(43_200).default(1440),
  /** Interactions older than this are not trained on. */
  trainingWindowDays: z.number().int().min(7).max(3650).default(730),
});
export type RecommendationSettings = z.infer<typeof recommendationSettingsSchema>;

/** What the caller knows about the moment: all optional; unknown fields are refused. */
export const requestContextSchema = z.object({
  /** Apply this scene by name. */
  scene: name.optional(),
  /** When the recommendation is for (default: now); ISO-8601. */
  time: z.string().max(64).refine((s) => parseIsoDate(s) !== null, { message: 'must be an ISO-8601 date-time' }).optional(),
  /** IANA time zone for the scene's hours (default: the person's, else UTC). */
  timezone: z.string().max(64).refine(isTimeZone, { error: (issue) => `"${String(issue.input)}" is not an IANA time zone (e.g. Europe/London)` }).optional(),
  device: z.string().trim().max(50).optional(),
  /** Country or region code (e.g. `GB`), or name as the data spells it. */
  region: z.string().trim().max(100).optional(),
  locale: z.string().trim().max(35).optional(),
  referrer: z.string().max(2000).optional(),
  utm: z.object({ source: z.string().max(200).optional(), medium: z.string().max(200).optional(), campaign: z.string().max(200).optional(), term: z.string().max(200).optional(), content: z.string().max(200).optional() }).strict().optional(),
  locationType: z.string().trim().max(50).optional(),
  activity: z.string().trim().max(50).optional(),
  weather: z.string().trim().max(50).optional(),
}).strict();
export type RequestContext = z.infer<typeof requestContextSchema>;

export const recommendationRequestSchema = z.object({
  /** The person, by any identifier (`user_id:…`, `anonymous_id:…`, `email:…`, a profile id, or a bare user id). Omit for anonymous. */
  user: z.string().trim().min(1).max(600).optional(),
  userId: z.union([z.string(), z.number()]).transform((v) => String(v).trim()).pipe(z.string().min(1).max(256)).optional(),
  anonymousId: z.union([z.string(), z.number()]).transform((v) => String(v).trim()).pipe(z.string().min(1).max(256)).optional(),
  placement: name.optional(),
  /** A single strategy instead of a placement (its defaults apply). */
  strategy: strategySchema.optional(),
  n: z.number().int().min(1).max(MAX_RECOMMENDATIONS).optional(),
  /** The item being looked at (for `similar`, `bought_together`). */
  itemId: z.string().trim().min(1).max(256).optional(),
  /** Items in the cart or on the page. */
  items: z.array(z.string().trim().min(1).max(256)).max(MAX_CONTEXT_ITEMS).optional(),
  context: requestContextSchema.optional(),
  /** Narrow the placement's filters for this request. */
  filters: filtersSchema.optional(),
  /** Scope `trending` and `popular` to what a segment's members favour (a segment id); read only when personalized. */
  segment: z.string().trim().min(1).max(100).optional(),
}).strict()
  .refine((r) => !(r.placement !== undefined && r.strategy !== undefined), { message: 'give a placement or a strategy, not both', path: ['strategy'] })
  .refine((r) => [r.user, r.userId, r.anonymousId].filter((x) => x !== undefined).length <= 1, { message: 'identify the person once: user, userId or anonymousId', path: ['user'] });
export type RecommendationRequest = z.infer<typeof recommendationRequestSchema>;
