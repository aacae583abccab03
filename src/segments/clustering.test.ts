import { describe, expect, it } from 'vitest';
import { seededRng } from '../recommend/rng.js';
import type { TraitValues } from '../profiles/trait-registry.js';
import { clusterCustomers, clusteredIds, describeCluster, featureSpecs, nearestCluster, rawFeatures, topCategories, type Customer } from './clustering.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 1);

/** A customer's traits as `tailor compute` writes them. */
function traits(o: { orders: number; revenue: number; lastDaysAgo: number; firstDaysAgo: number; discount: number; categories?: string[]; premium?: number }): TraitValues {
  return {
    orders_count: o.orders,
    revenue_total: { GBP: o.revenue },
    average_order_value: { GBP: o.revenue / o.orders },
    last_order_at: NOW - o.lastDaysAgo * DAY,
    first_order_at: NOW - o.firstDaysAgo * DAY,
    discount_affinity: o.discount,
    favourite_categories: o.categories ?? [],
    price_band_shares: o.premium === undefined ? null : { budget: 0.2, mid: 0.8 - o.premium, premium: o.premium },
  } as TraitValues;
}

/**
 * Three kinds of customer, 60 of each, with noise: frequent big spenders who bought lately;
 * one-off small buyers who lapsed long ago; coupon users buying gifts.
 */
function population(seed = 1): Customer[] {
  const rng = seededRng(seed);
  const jitter = (v: number, spread: number) => v * (1 + (rng() - 0.5) * spread);
  const out: Customer[] = [];
  for (let i = 0; i < 180; i++) {
    const kind = i % 3;
    const t = kind === 0
      ? traits({ orders: Math.round(jitter(25, 0.4)), revenue: jitter(5000, 0.4), lastDaysAgo: jitter(5, 0.8), firstDaysAgo: jitter(700, 0.2), discount: jitter(0.05, 1), categories: ['Home', 'Kitchen'], premium: jitter(0.4, 0.3) })
      : kind === 1
        ? traits({ orders: 1, revenue: jitter(30, 0.4), lastDaysAgo: jitter(400, 0.3), firstDaysAgo: jitter(420, 0.3), discount: 0, categories: ['Kitchen'], premium: jitter(0.1, 0.5) })
        : traits({ orders: Math.round(jitter(4, 0.5)), revenue: jitter(200, 0.4), lastDaysAgo: jitter(60, 0.5), firstDaysAgo: jitter(300, 0.3), discount: jitter(0.8, 0.2), categories: ['Gifts', 'Home'], premium: jitter(0.15, 0.5) });
    out.push({ profileId: `p${String(i).padStart(3, '0')}`, traits: t });
  }
  return out;
}

describe('customer clustering', () => {
  it('finds the three kinds of customer, chooses k = 3 by silhouette and says what sets each apart', () => {
    const people = population();
    const r = clusterCustomers(people, { currency: 'GBP', seed: 42 });
    if (!r.ok) throw new Error(r.error.message);
    const { model, assignments } = r.value;
    expect(model.k).toBe(3);
    expect(model.silhouettes.map((s) => s.k)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    const best = Math.max(...model.silhouettes.map((s) => s.silhouette));
    expect(model.silhouettes.find((s) => s.k === 3)!.silhouette).toBe(best);
    // Each true kind lands in one cluster of its own.
    const clusterOfKind = [0, 1, 2].map((kind) => new Set(people.flatMap((_, i) => (i % 3 === kind ? [assignments[i]!] : []))));
    expect(clusterOfKind.map((s) => s.size)).toEqual([1, 1, 1]);
    expect(new Set(clusterOfKind.map((s) => [...s][0])).size).toBe(3);
    const describe = (kind: number) => model.clusters[[...clusterOfKind[kind]!][0]!]!.description;
    expect(describe(0)).toMatch(/buys often|high spend|large baskets/);
    expect(describe(1)).toMatch(/buys rarely|low spend|has not bought lately/);
    expect(describe(2)).toMatch(/discount-driven|Gifts-oriented/);
    expect(model.clusters.map((c) => c.size)).toEqual([60, 60, 60]);
    expect(model.clusters.reduce((s, c) => s + c.share, 0)).toBeCloseTo(1, 3);
    // Means are in the units people read: the big spenders' mean order count is about 25.
    expect(model.clusters[[...clusterOfKind[0]!][0]!]!.means['frequency']).toBeGreaterThan(20);
    expect(model.features.map((f) => f.id)).toContain('category:Gifts');
  });

  it('places a customer with the stored model exactly where the run placed them, and a newcomer by their likeness', () => {
    const people = population();
    const r = clusterCustomers(people, { currency: 'GBP', seed: 42 });
    if (!r.ok) throw new Error(r.error.message);
    const { model, assignments } = r.value;
    // The model survives a round trip through JSON (it is stored as the model's parameters).
    const stored = JSON.parse(JSON.stringify(model)) as typeof model;
    people.forEach((p, i) => expect(nearestCluster(p.traits, stored)).toBe(assignments[i]! + 1));
    const newcomer = traits({ orders: 30, revenue: 6000, lastDaysAgo: 3, firstDaysAgo: 650, discount: 0, categories: ['Home', 'Kitchen'], premium: 0.45 });
    expect(nearestCluster(newcomer, stored)).toBe(assignments[0]! + 1); // like the big spenders (person 0)
  });

  it('gives the same clusters for the same seed', () => {
    const a = clusterCustomers(population(), { currency: 'GBP', seed: 9, kRange: [2, 5] });
    const b = clusterCustomers(population(), { currency: 'GBP', seed: 9, kRange: [2, 5] });
    if (!a.ok || !b.ok) throw new Error('clustering failed');
    expect([...a.value.assignments]).toEqual([...b.value.assignments]);
    expect(a.value.model).toEqual(b.value.model);
  });

  it('leaves out people without an order and features nobody differs in', () => {
    const people = population().map((p) => ({ ...p, traits: { ...p.traits, discount_affinity: 0, price_band_shares: null } as TraitValues }));
    people.push({ profileId: 'browser', traits: { orders_count: 0 } as TraitValues });
    const r = clusterCustomers(people, { currency: 'GBP', seed: 1, kRange: [2, 4] });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.model.people).toBe(180);
    expect(clusteredIds(people)).not.toContain('browser');
    expect(r.value.model.features.map((f) => f.id)).not.toContain('discount');
    expect(r.value.model.features.map((f) => f.id)).not.toContain('premium');
    expect(r.value.model.fitSample).toBe(180);
  });

  it('refuses bad options and too few customers with a message naming the problem', () => {
    const few = population().slice(0, 5);
    const r = clusterCustomers(few, { currency: 'GBP' });
    expect(r).toMatchObject({ ok: false, error: { type: 'too_few', message: expect.stringContaining('5 customers') } });
    expect(clusterCustomers(population(), { currency: 'GBP', kRange: [1, 4] })).toMatchObject({ ok: false, error: { type: 'invalid_option', message: expect.stringContaining('2 ≤ min') } });
    expect(clusterCustomers(population(), { currency: 'GBP', kRange: [5, 3] })).toMatchObject({ ok: false, error: { type: 'invalid_option' } });
    expect(clusterCustomers(population(), { currency: 'GBP', fitSample: 10 })).toMatchObject({ ok: false, error: { type: 'invalid_option', message: expect.stringContaining('fit sample') } });
  });

  it('limits k to a third of the customers', () => {
    const r = clusterCustomers(population().slice(0, 12), { currency: 'GBP', kRange: [2, 8] });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.model.silhouettes.map((s) => s.k)).toEqual([2, 3, 4]);
  });
});

describe('cluster features and descriptions', () => {
  it('reads each feature from the traits, missing values as NaN', () => {
    const specs = featureSpecs('GBP', ['Gifts', 'Tea']);
    const t = traits({ orders: 4, revenue: 400, lastDaysAgo: 10, firstDaysAgo: 100, discount: 0.25, categories: ['Tea', 'Gifts', 'Toys'] });
    const v = rawFeatures(t, specs, 'GBP', NOW);
    const at = (id: string) => v[specs.findIndex((s) => s.id === id)];
    expect(at('recency')).toBeCloseTo(10, 9);
    expect(at('frequency')).toBe(4);
    expect(at('monetary')).toBe(400);
    expect(at('basket')).toBe(100);
    expect(at('tenure')).toBeCloseTo(100, 9);
    expect(at('discount')).toBe(0.25);
    expect(at('premium')).toBeNaN();
    expect(at('category:Tea')).toBe(1);
    expect(at('category:Gifts')).toBeCloseTo(2 / 3, 12);
    expect(rawFeatures({ ...t, revenue_total: { EUR: 5 } } as TraitValues, specs, 'GBP', NOW)[2]).toBeNaN();
    // Category features share one unit of weight.
    expect(specs.filter((s) => s.id.startsWith('category:')).reduce((s, f) => s + f.weight ** 2, 0)).toBeCloseTo(1, 12);
  });

  it('names the most common favourite categories first', () => {
    expect(topCategories(population(), 2)).toEqual(['Home', 'Kitchen']);
  });

  it('describes a cluster by its most distinctive features', () => {
    const specs = featureSpecs('GBP', ['Gifts']);
    expect(describeCluster({ monetary: 1.4, frequency: -0.9, recency: 0.1 }, specs)).toBe('high spend, buys rarely');
    expect(describeCluster({ 'category:Gifts': 2, monetary: 1, discount: 0.7, frequency: 0.6 }, specs)).toBe('Gifts-oriented, high spend, discount-driven');
    expect(describeCluster({ 'category:Gifts': -2, premium: -1 }, specs)).toBe('close to the average customer');
  });
});
