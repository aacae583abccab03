import { describe, expect, it } from 'vitest';
import { DAY_MS, type EventInput } from './inputs.js';
import {
  createJourneySignalsFold, DEFAULT_JOURNEY_EVENTS, foldJourneySignals, journeyStage, lifecycleStage, lifecycleTraitValues, populationMedianInterval,
  type JourneySignals,
} from './lifecycle.js';

const NOW = Date.parse('2024-06-01T00:00:00Z');
const daysAgo = (d: number) => NOW - d * DAY_MS;

describe('lifecycleStage', () => {
  const stage = (ordersCount: number, lastDaysAgo: number, own: number | null, population: number | null = 40) =>
    lifecycleStage({ ordersCount, lastOrderAt: daysAgo(lastDaysAgo), medianInterpurchaseDays: own, populationMedianIntervalDays: population, now: NOW });

  it('follows the documented table with the person\'s own interval', () => {
    // I = 20 (own): declining after 1.5 × 20 = 30 days, churned after 3 × 20 = 60 days.
    expect(stage(5, 30, 20)?.stage).toBe('mature'); // 30 is not > 30
    expect(stage(5, 31, 20)?.stage).toBe('declining');
    expect(stage(5, 60, 20)?.stage).toBe('declining');
    expect(stage(5, 61, 20)?.stage).toBe('churned');
    expect(stage(2, 10, 20)?.stage).toBe('growing');
    expect(stage(3, 10, 20)?.stage).toBe('growing');
    expect(stage(4, 10, 20)).toEqual({ stage: 'mature', expectedIntervalDays: 20, intervalSource: 'own', daysSinceLastOrder: 10 });
  });

  it('falls back to the population median for one order, then to the default', () => {
    // One order, population I = 40: declining after 60 days, churned after 120.
    expect(stage(1, 59, null)).toEqual({ stage: 'new', expectedIntervalDays: 40, intervalSource: 'population', daysSinceLastOrder: 59 });
    expect(stage(1, 61, null)?.stage).toBe('declining');
    expect(stage(1, 121, null)?.stage).toBe('churned');
    // No population interval either: default I = 30 → churned after 90 days.
    expect(stage(1, 91, null, null)).toMatchObject({ stage: 'churned', expectedIntervalDays: 30, intervalSource: 'default' });
    // Two orders on the same day have no own interval: population fallback.
    expect(stage(2, 5, null)?.intervalSource).toBe('population');
  });

  it('never lets I drop below the floor of 7 days', () => {
    // Own median 1 day → I = 7: declining after 10.5 days.
    expect(stage(6, 10, 1)).toMatchObject({ stage: 'mature', expectedIntervalDays: 7 });
    expect(stage(6, 11, 1)?.stage).toBe('declining');
  });

  it('is null without a counted order and honours custom thresholds', () => {
    expect(stage(0, 1, null)).toBeNull();
    const custom = lifecycleStage({ ordersCount: 2, lastOrderAt: daysAgo(25), medianInterpurchaseDays: 10, populationMedianIntervalDays: null, now: NOW, thresholds: { churnedAfter: 2 } });
    expect(custom?.stage).toBe('churned');
  });

  it('takes the population median over people who have an interval', () => {
    expect(populationMedianInterval([10, null, 30, 20])).toBe(20);
    expect(populationMedianInterval([null, null])).toBeNull();
  });
});

describe('journey stage', () => {
  const track = (event: string, properties: Record<string, unknown> = {}): EventInput => ({ type: 'track', event, timestamp: NOW, properties, context: {} });
  const none: JourneySignals = { interest: false, advocacy: false };
  const signals = (events: EventInput[]) => events.reduce(foldJourneySignals, none);

  it('reads interest and advocacy from Segment e-commerce events', () => {
    expect(signals([{ type: 'page', event: null, timestamp: NOW, properties: {}, context: {} }])).toEqual(none);
    expect(signals([track('Product Viewed')])).toEqual({ interest: true, advocacy: false });
    expect(signals([track('Product Reviewed')])).toEqual({ interest: false, advocacy: true });
    expect(signals([track('Referral Completed')]).advocacy).toBe(true);
  });

  it('counts only NPS promoters (9–10) as advocacy', () => {
    expect(signals([track('NPS Survey Submitted', { score: 8 })]).advocacy).toBe(false);
    expect(signals([track('NPS Survey Submitted', { score: 9 })]).advocacy).toBe(true);
    expect(signals([track('NPS Survey Submitted', { score: '10' })]).advocacy).toBe(false);
    const custom = createJourneySignalsFold({ ...DEFAULT_JOURNEY_EVENTS, npsEvent: 'Survey Answered' });
    expect(custom(none, track('Survey Answered', { score: 10 })).advocacy).toBe(true);
  });

  it('is order-independent and idempotent', () => {
    const events = [track('Product Reviewed'), track('Product Added'), track('Email Opened')];
    expect(signals(events)).toEqual(signals([...events].reverse()));
    expect(signals([...events, ...events])).toEqual(signals(events));
  });

  it('takes the furthest stage reached', () => {
    expect(journeyStage({ ordersCount: 0, signals: none })).toBe('awareness');
    expect(journeyStage({ ordersCount: 0, signals: { interest: true, advocacy: false } })).toBe('interest');
    // A review without a purchase is interest, not advocacy.
    expect(journeyStage({ ordersCount: 0, signals: { interest: false, advocacy: true } })).toBe('interest');
    expect(journeyStage({ ordersCount: 1, signals: none })).toBe('purchase');
    expect(journeyStage({ ordersCount: 2, signals: { interest: true, advocacy: false } })).toBe('repeat');
    expect(journeyStage({ ordersCount: 1, signals: { interest: false, advocacy: true } })).toBe('advocate');
  });

  it('maps onto the declared trait names', () => {
    expect(lifecycleTraitValues({ lifecycle: null, journey: 'interest' })).toEqual({ lifecycle_stage: null, journey_stage: 'interest' });
  });
});
