import { DAY_MS, type EventInput } from './inputs.js';
import { median } from './statistics.js';
import type { JOURNEY_STAGES, LIFECYCLE_STAGES, TraitValues } from './trait-registry.js';

export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];
export type JourneyStage = (typeof JOURNEY_STAGES)[number];

/**
 * Lifecycle thresholds (README "Lifecycle stage"). `I` is the person's expected purchase
 * interval in days: their own median inter-purchase interval when they have one, else the
 * population's median, else `defaultIntervalDays`; never less than `minIntervalDays`.
 */
export interface LifecycleThresholds {
  /** Declining once days since the last order exceed this many times I. */
  decliningAfter: number;
  /** Churned once days since the last order exceed this many times I. */
  churnedAfter: number;
  /** Orders from which a person is growing (below: new). */
  growingFromOrders: number;
  /** Orders from which a person is mature. */
  matureFromOrders: number;
  /** Floor on I, so two orders a day apart do not make someone "churned" within a week. */
  minIntervalDays: number;
  /** I when neither the person nor the population has an interval. */
  defaultIntervalDays: number;
}

export const DEFAULT_LIFECYCLE_THRESHOLDS: LifecycleThresholds = {
  decliningAfter: 1.5, churnedAfter: 3, growingFromOrders: 2, matureFromOrders: 4, minIntervalDays: 7, defaultIntervalDays: 30,
};

export interface LifecycleResult {
  stage: LifecycleStage;
  /** I, in days. */
  expectedIntervalDays: number;
  intervalSource: 'own' | 'population' | 'default';
  daysSinceLastOrder: number;
}

/**
 * The population's median purchase interval: the median of each person's own median
 * inter-purchase interval, over the people who have one (null entries are skipped).
 *
 * @example
 * populationMedianInterval([10, null, 30, 20]); // 20
 */
export function populationMedianInterval(personalMedians: ReadonlyArray<number | null>): number | null {
  return median(personalMedians.filter((v): v is number => v !== null && Number.isFinite(v)));
}

/**
 * A person's lifecycle stage, relative to their own purchase rhythm. Evaluated top to
 * bottom (d = whole days since the last order):
 *
 * | stage     | condition                                   |
 * |-----------|---------------------------------------------|
 * | (none)    | no counted order → `null`                   |
 * | churned   | d > churnedAfter × I   (3 × I)              |
 * | declining | d > decliningAfter × I (1.5 × I)            |
 * | new       | orders < growingFromOrders (1 order)        |
 * | growing   | orders < matureFromOrders (2–3 orders)      |
 * | mature    | otherwise (4+ orders)                       |
 *
 * @example
 * lifecycleStage({ ordersCount: 5, lastOrderAt, medianInterpurchaseDays: 20, populationMedianIntervalDays: 35, now });
 * // { stage: 'declining', expectedIntervalDays: 20, intervalSource: 'own', daysSinceLastOrder: 41 }
 */
export function lifecycleStage(input: {
  ordersCount: number;
  lastOrderAt: number | null;
  /** The person's own median inter-purchase interval (commerce trait), null with one order day. */
  medianInterpurchaseDays: number | null;
  populationMedianIntervalDays: number | null;
  now: number;
  thresholds?: Partial<LifecycleThresholds>;
}): LifecycleResult | null {
  const t = { ...DEFAULT_LIFECYCLE_THRESHOLDS, ...input.thresholds };
  if (input.ordersCount < 1 || input.lastOrderAt === null) return null;
  const own = input.ordersCount >= 2 ? input.medianInterpurchaseDays : null;
  const [interval, intervalSource]: [number, LifecycleResult['intervalSource']] =
    own !== null ? [own, 'own']
      : input.populationMedianIntervalDays !== null ? [input.populationMedianIntervalDays, 'population']
        : [t.defaultIntervalDays, 'default'];
  const expectedIntervalDays = Math.max(interval, t.minIntervalDays);
  const daysSinceLastOrder = Math.max(0, Math.floor((input.now - input.lastOrderAt) / DAY_MS));
  const stage: LifecycleStage =
    daysSinceLastOrder > t.churnedAfter * expectedIntervalDays ? 'churned'
      : daysSinceLastOrder > t.decliningAfter * expectedIntervalDays ? 'declining'
        : input.ordersCount < t.growingFromOrders ? 'new'
          : input.ordersCount < t.matureFromOrders ? 'growing'
            : 'mature';
  return { stage, expectedIntervalDays, intervalSource, daysSinceLastOrder };
}

/**
 * The track events the journey stage reads. Names follow the Segment E-commerce Events
 * spec v2 where it has one; the referral and NPS events are Tailor's own names (the spec
 * has none), documented in the README.
 */
export interface JourneyEventNames {
  /** Any of these shows interest in products. */
  interest: readonly string[];
  /** Any of these is advocacy: a review, a share, a referral. */
  advocacy: readonly string[];
  /** An NPS answer whose `properties.score` is 9 or 10 (a promoter) is advocacy. */
  npsEvent: string;
}

export const DEFAULT_JOURNEY_EVENTS: JourneyEventNames = {
  interest: [
    'Products Searched', 'Product List Viewed', 'Product List Filtered', 'Product Clicked', 'Product Viewed',
    'Product Added', 'Cart Viewed', 'Checkout Started', 'Product Added to Wishlist', 'Promotion Clicked',
  ],
  advocacy: ['Product Reviewed', 'Product Shared', 'Cart Shared', 'Referral Sent', 'Referral Completed'],
  npsEvent: 'NPS Survey Submitted',
};

/** What the events say about the journey; both flags only ever turn on, so any order of folding gives the same result. */
export interface JourneySignals {
  interest: boolean;
  advocacy: boolean;
}

/** NPS promoters answer 9 or 10 (Reichheld 2003, "The One Number You Need to Grow"). */
const NPS_PROMOTER_MIN = 9;

/**
 * Makes the journey-signal fold for a set of event names.
 *
 * @example
 * const fold = createJourneySignalsFold({ ...DEFAULT_JOURNEY_EVENTS, npsEvent: 'Survey Answered' });
 */
export function createJourneySignalsFold(names: JourneyEventNames): (signals: JourneySignals, event: EventInput) => JourneySignals {
  const interest = new Set(names.interest);
  const advocacy = new Set(names.advocacy);
  return (signals, event) => {
    if (event.type !== 'track' || event.event === null) return signals;
    const score = event.properties.score;
    const promoter = event.event === names.npsEvent && typeof score === 'number' && score >= NPS_PROMOTER_MIN && score <= 10;
    const next = { interest: signals.interest || interest.has(event.event), advocacy: signals.advocacy || advocacy.has(event.event) || promoter };
    return next.interest === signals.interest && next.advocacy === signals.advocacy ? signals : next;
  };
}

/**
 * Folds one event into the journey signals, with the default event names. Commutative and
 * idempotent (flags are OR-ed), so it can run on the ingest path in any order.
 *
 * @example
 * const signals = events.reduce(foldJourneySignals, { interest: false, advocacy: false });
 */
export const foldJourneySignals = createJourneySignalsFold(DEFAULT_JOURNEY_EVENTS);

/**
 * The journey stage, the furthest the person has come:
 *
 * | stage     | condition                                      |
 * |-----------|------------------------------------------------|
 * | advocate  | ≥ 1 counted order and an advocacy signal       |
 * | repeat    | ≥ 2 counted orders                             |
 * | purchase  | 1 counted order                                |
 * | interest  | an interest or advocacy signal, no order       |
 * | awareness | anything else (the person is known)            |
 *
 * @example
 * journeyStage({ ordersCount: 2, signals: { interest: true, advocacy: false } }); // 'repeat'
 */
export function journeyStage(input: { ordersCount: number; signals: JourneySignals }): JourneyStage {
  const { ordersCount, signals } = input;
  if (ordersCount >= 1 && signals.advocacy) return 'advocate';
  if (ordersCount >= 2) return 'repeat';
  if (ordersCount >= 1) return 'purchase';
  if (signals.interest || signals.advocacy) return 'interest';
  return 'awareness';
}

/**
 * The lifecycle and journey stages as declared trait values.
 *
 * @example
 * lifecycleTraitValues({ lifecycle: lifecycleStage(…), journey: 'repeat' }); // { lifecycle_stage: 'growing', journey_stage: 'repeat' }
 */
export function lifecycleTraitValues(input: { lifecycle: LifecycleResult | null; journey: JourneyStage }): TraitValues {
  return { lifecycle_stage: input.lifecycle?.stage ?? null, journey_stage: input.journey };
}
