import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { activityTraitValues, emptyActivityState, foldActivity } from './activity-traits.js';
import { commerceTraitValues, computeCommerceTraits } from './commerce-traits.js';
import { computeEngagementTraits, engagementTraitValues } from './engagement-traits.js';
import type { EventInput, OrderInput } from './inputs.js';
import { journeyStage, lifecycleStage, lifecycleTraitValues } from './lifecycle.js';
import { buildCategoryPriceDistributions } from './price-bands.js';
import { rfmTraitValues, scoreRfm } from './rfm.js';
import { personPredictions } from '../predict/predict-service.js';
import { TRAITS, isTraitName, profilingTraitNames, withoutProfilingTraits, type TraitName, type TraitValues } from './trait-registry.js';

const NOW = Date.parse('2024-06-01T00:00:00Z');

/** One value of every kind, computed through each module's public functions. */
function everyTraitValue(): TraitValues {
  const events: EventInput[] = [
    { type: 'page', event: null, timestamp: NOW - 3600_000, properties: {}, context: { timezone: 'Europe/Berlin', locale: 'de-DE', location: { country: 'de' } } },
    { type: 'track', event: 'Email Opened', timestamp: NOW - 1800_000, properties: {}, context: {} },
  ];
  const orders: OrderInput[] = [1, 2].map((n) => ({
    orderId: `o${n}`, kind: 'order', status: 'completed', currency: 'EUR', revenue: 10, refundedAmount: 0, coupon: null,
    placedAt: NOW - n * 10 * 86_400_000, items: [{ itemId: 'i', category: 'tea', brand: 'A', price: 10, quantity: 1 }],
  }));
  const commerce = computeCommerceTraits({ orders, now: NOW, priceDistributions: buildCategoryPriceDistributions([{ category: 'tea', price: 10 }]) });
  const rfm = scoreRfm({ population: [{ profileId: 'p', lastOrderAt: commerce.lastOrderAt, ordersCount: commerce.ordersCount, revenue: 20 }], now: NOW }).scored[0]!;
  const lifecycle = lifecycleStage({ ordersCount: 2, lastOrderAt: commerce.lastOrderAt, medianInterpurchaseDays: commerce.medianInterpurchaseDays, populationMedianIntervalDays: null, now: NOW });
  return {
    ...activityTraitValues(events.reduce(foldActivity, emptyActivityState())),
    ...commerceTraitValues(commerce),
    ...rfmTraitValues(rfm),
    ...lifecycleTraitValues({ lifecycle, journey: journeyStage({ ordersCount: 2, signals: { interest: false, advocacy: false } }) }),
    ...engagementTraitValues(computeEngagementTraits({ events })),
    ...personPredictions({
      summary: { purchases: { x: 1, tx: 10, T: 20 }, spend: { x: 1, m: 10 }, purchaseDays: [0, 10], lastPurchaseAt: NOW - 10 * 86_400_000 },
      purchase: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, spend: { p: 6.25, q: 3.74, gamma: 15.44 }, unit: 'day', horizonDays: 365, annualDiscountRate: 0.1,
      complaints: 0, replenishment: { i: NOW + 86_400_000 }, version: 1, populationIntervalDays: 30,
    }),
    value_tier: 'potential_convert',
  };
}

function hasDeclaredType(name: TraitName, value: unknown): boolean {
  const def = TRAITS[name];
  switch (def.type) {
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'date': return Number.isInteger(value);
    case 'string': return typeof value === 'string' && (!('values' in def) || (def.values as readonly string[]).includes(value));
    case 'string[]': return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'record<string,number>': return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'number');
  }
}

describe('trait registry', () => {
  const values = everyTraitValue();

  it('is the exact set of traits the modules produce, each of its declared type', () => {
    expect(Object.keys(values).sort()).toEqual(Object.keys(TRAITS).sort());
    for (const [name, value] of Object.entries(values)) {
      expect(isTraitName(name), name).toBe(true);
      expect(hasDeclaredType(name as TraitName, value), `${name} = ${JSON.stringify(value)}`).toBe(true);
    }
  });

  it('declares a category, source and description for every trait, none sensitive among the computed ones', () => {
    for (const def of Object.values(TRAITS)) {
      expect(def.description.length).toBeGreaterThan(10);
      expect(['basic', 'behavioural']).toContain(def.category);
      expect(['ingest-incremental', 'recompute', 'prediction']).toContain(def.source);
    }
  });

  it('drops profiling traits for a person who turned personalization off (P5)', () => {
    const kept = withoutProfilingTraits(values);
    expect(Object.keys(kept).sort()).toEqual((Object.keys(TRAITS) as TraitName[]).filter((n) => !TRAITS[n].profiling).sort());
    for (const name of ['rfm_segment', 'favourite_categories', 'preferred_hour', 'lifecycle_stage', 'discount_affinity'] as const) {
      expect(profilingTraitNames()).toContain(name);
      expect(kept).not.toHaveProperty(name);
    }
    // Quiet hours need the time zone even when personalization is off (P18).
    expect(kept).toHaveProperty('timezone', 'Europe/Berlin');
    expect(kept).toHaveProperty('country', 'DE');
    expect(TRAITS.country).toMatchObject({ type: 'string', category: 'basic', source: 'recompute', profiling: false, computedBy: 'computeEngagementTraits' });
    expect(withoutProfilingTraits({ ...values, ...{ undeclared: 1 } } as TraitValues)).not.toHaveProperty('undeclared');
  });
});

describe('README', () => {
  it('defines every declared trait', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    const traitTable = readme.slice(readme.indexOf('## Traits'), readme.indexOf('### Which orders count'));
    for (const name of Object.keys(TRAITS)) expect(traitTable, name).toContain(`\`${name}\``);
  });
});
