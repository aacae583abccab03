import { describe, expect, it } from 'vitest';
import { growsWithEvents, MAX_CONDITIONS, MAX_DEPTH, parseCondition, referencedClusters, referencedSegments, referencesOf, requiredEventNames, resolveDate, triggersOf, usesBehaviour, usesPopulationRank } from './definition.js';
import { dependencyLevels } from './segment-service.js';
import type { SegmentRecord } from './segment-repository.js';

const issuesOf = (input: unknown) => {
  const r = parseCondition(input);
  return r.ok ? [] : r.issues;
};

describe('segment definitions', () => {
  it('accepts every kind of condition, nested', () => {
    const r = parseCondition({
      all: [
        { trait: 'orders_count', op: '>=', value: 2 },
        { trait: 'revenue_total', key: 'GBP', op: 'between', value: [100, 500] },
        { trait: 'last_order_at', op: 'within_last', value: { days: 30 } },
        { trait: 'first_order_at', op: 'before', value: '2024-01-01' },
        { trait: 'favourite_categories', op: 'contains', value: 'Tea' },
        { trait: 'rfm_segment', op: 'in', value: ['Champions', 'Loyal'] },
        { trait: 'predicted_clv', op: 'top_percent', value: 10 },
        { trait: 'plan', source: 'profile', op: '=', value: 'pro' },
        { any: [
          { event: 'Order Completed', where: [{ property: 'coupon', op: 'exists' }, { property: 'shipping.country', op: 'in', value: ['GB', 'IE'] }], count: { atLeast: 2 }, withinLastDays: 90 },
          { event: 'Product Viewed', count: { atMost: 0 }, between: ['2024-01-01', { daysAgo: 7 }] },
        ] },
        { sequence: ['Product Added', 'Order Completed'], withinHours: 24 },
        { not: { segment: 'vip' } },
        { consent: 'marketing_email', state: 'granted' },
        { subscription: 'sms', state: 'none' },
      ],
    });
    expect(r.ok).toBe(true);
  });

  it('names the path of every problem', () => {
    expect(issuesOf({ all: [{ trait: 'plan', source: 'profile', op: '>', value: true }] })).toEqual([
      { path: 'condition.all[0].value', message: '">" needs a number or string value' },
    ]);
    expect(issuesOf({ all: [{ trait: 'orders_count', op: '>', value: 1 }, { any: [{ event: 'Order Completed', count: { atLeast: 3, atMost: 1 } }] }] })).toEqual([
      { path: 'condition.all[1].any[0].count', message: 'atLeast must not exceed atMost' },
    ]);
    expect(issuesOf({ not: { trait: 'orders_count', op: 'near', value: 1 } })[0]!.path).toBe('condition.not.op');
    expect(issuesOf({ all: [] })).toEqual([{ path: 'condition.all', message: '"all" needs a non-empty list of conditions' }]);
    expect(issuesOf({ all: [{ colour: 'red' }] })[0]).toMatchObject({ path: 'condition.all[0]', message: expect.stringContaining('must be a condition') });
    expect(issuesOf({ event: 'X', withinLastDays: 3, between: ['2024-01-01', '2024-02-01'] })[0]).toMatchObject({ path: 'condition.between' });
    expect(issuesOf({ event: 'X', where: [{ property: 'a"b', op: '=', value: 1 }] })[0]!.path).toBe('condition.where[0].property');
    expect(issuesOf({ trait: 'orders_count', op: '>', value: 1, extra: true })[0]!.path).toBe('condition');
  });

  it('checks computed traits against the registry: name, operator for its type, closed values', () => {
    expect(issuesOf({ trait: 'order_count', op: '>', value: 1 })[0]).toMatchObject({ path: 'condition.trait', message: expect.stringContaining('unknown computed trait "order_count"') });
    expect(issuesOf({ trait: 'last_order_at', op: '>', value: 1 })[0]).toMatchObject({ path: 'condition.op', message: expect.stringContaining('use one of before, after, within_last') });
    expect(issuesOf({ trait: 'revenue_total', op: '>', value: 1 })[0]).toMatchObject({ path: 'condition.op', message: expect.stringContaining('give "key"') });
    expect(issuesOf({ trait: 'orders_count', key: 'GBP', op: '>', value: 1 })[0]).toMatchObject({ path: 'condition.key' });
    expect(issuesOf({ trait: 'churn_risk_level', op: '=', value: 'severe' })[0]).toMatchObject({ path: 'condition.value', message: '"severe" is not a value of "churn_risk_level": low, medium, high' });
    expect(issuesOf({ trait: 'orders_count', op: '>', value: '3' })[0]).toMatchObject({ path: 'condition.value' });
    expect(issuesOf({ trait: 'last_event_at', key: 'Order Completed', op: 'within_last', value: { days: 7 } })).toEqual([]);
    // A trait sent with identify is free-form.
    expect(issuesOf({ trait: 'order_count', source: 'profile', op: '>', value: 1 })).toEqual([]);
  });

  it('checks consent purposes and channels by name', () => {
    expect(issuesOf({ consent: 'email_marketing', state: 'granted' })[0]).toMatchObject({ path: 'condition.consent', message: expect.stringContaining('marketing_email') });
    expect(issuesOf({ subscription: 'fax', state: 'subscribed' })[0]).toMatchObject({ path: 'condition.subscription', message: expect.stringContaining('email, sms, push, webhook') });
  });

  it(`enforces at most ${MAX_CONDITIONS} conditions and ${MAX_DEPTH} levels`, () => {
    const leaf = { trait: 'orders_count', op: '>', value: 1 };
    expect(parseCondition({ any: Array.from({ length: MAX_CONDITIONS - 1 }, () => leaf) }).ok).toBe(true);
    expect(issuesOf({ any: Array.from({ length: MAX_CONDITIONS }, () => leaf) })).toEqual([{ path: 'condition', message: `more than ${MAX_CONDITIONS} conditions` }]);
    let deep: unknown = leaf;
    for (let i = 0; i < MAX_DEPTH - 1; i++) deep = { not: deep };
    expect(parseCondition(deep).ok).toBe(true);
    expect(issuesOf({ not: deep })[0]).toMatchObject({ message: `nesting deeper than ${MAX_DEPTH} levels` });
  });

  it('ignores keys inherited through the prototype (hostile input)', () => {
    expect(issuesOf(JSON.parse('{"__proto__": {"trait": "orders_count"}}'))[0]).toMatchObject({ message: expect.stringContaining('must be a condition') });
  });

  it('says which conditions read behaviour (P5) and which segments are referred to', () => {
    expect(usesBehaviour({ trait: 'plan', source: 'profile', op: '=', value: 'pro' })).toBe(false);
    expect(usesBehaviour({ all: [{ consent: 'marketing_email', state: 'granted' }, { not: { trait: 'orders_count', op: '>', value: 1 } }] })).toBe(true);
    expect(usesBehaviour({ any: [{ subscription: 'email', state: 'subscribed' }] })).toBe(false);
    expect(usesBehaviour({ segment: 'x' })).toBe(true);
    expect(referencedSegments({ all: [{ segment: 'a' }, { not: { any: [{ segment: 'b' }] } }] })).toEqual(['a', 'b']);
  });

  it('knows what can change a condition between full evaluations', () => {
    expect(triggersOf({ all: [
      { event: 'Order Completed', withinLastDays: 30 },
      { not: { sequence: ['Product Added', 'Checkout Started'], withinHours: 1 } },
      { trait: 'orders_count', op: '>', value: 1 },
    ] })).toEqual({ eventNames: new Set(['Order Completed', 'Product Added', 'Checkout Started']), anyEvent: false, identify: false, segments: new Set() });
    expect(triggersOf({ any: [{ trait: 'last_seen', op: 'within_last', value: { days: 7 } }, { consent: 'marketing_sms', state: 'granted' }, { segment: 's1' }] }))
      .toEqual({ eventNames: new Set(), anyEvent: true, identify: true, segments: new Set(['s1']) });
    expect(triggersOf({ trait: 'plan', source: 'profile', op: '=', value: 'pro' }).identify).toBe(true);
    expect(usesPopulationRank({ not: { trait: 'predicted_clv', op: 'top_percent', value: 10 } })).toBe(true);
  });

  it('reads a cluster condition as behaviour that only a new clustering changes', () => {
    const c = { all: [{ cluster: { model: 'm1', number: 2 } }, { not: { cluster: { model: 'm2', number: 1 } } }] };
    expect(parseCondition(c).ok).toBe(true);
    expect(issuesOf({ cluster: { model: 'm1', number: 1.5 } })[0]!.path).toBe('condition.cluster.number');
    expect(issuesOf({ cluster: { model: 'm1' } })[0]!.path).toBe('condition.cluster.number');
    expect(usesBehaviour(c)).toBe(true);
    expect(triggersOf(c)).toEqual({ eventNames: new Set(), anyEvent: false, identify: false, segments: new Set() });
    expect(growsWithEvents({ cluster: { model: 'm1', number: 2 } })).toBe(true);
    expect(referencedClusters(c)).toEqual([{ model: 'm1', number: 2 }, { model: 'm2', number: 1 }]);
  });

  it('names the events a condition cannot hold without', () => {
    const bought = { event: 'Order Completed' };
    expect(requiredEventNames(bought)).toEqual(new Set(['Order Completed']));
    expect(requiredEventNames({ event: 'Order Completed', count: { atLeast: 2 }, withinLastDays: 30 })).toEqual(new Set(['Order Completed']));
    expect(requiredEventNames({ event: 'Order Completed', count: { atMost: 0 } })).toBeNull(); // "did not": holds without any
    expect(requiredEventNames({ event: 'Order Completed', count: { atLeast: 0, atMost: 3 } })).toBeNull();
    expect(requiredEventNames({ not: bought })).toBeNull();
    expect(requiredEventNames({ sequence: ['Product Added', 'Order Completed'], withinHours: 24 })).toEqual(new Set(['Product Added']));
    // all: the narrowest part's; any: every part's together, or none when one part needs none.
    expect(requiredEventNames({ all: [{ trait: 'city', source: 'profile', op: '=', value: 'Leeds' }, bought] })).toEqual(new Set(['Order Completed']));
    expect(requiredEventNames({ all: [{ any: [bought, { event: 'Product Added' }] }, bought] })).toEqual(new Set(['Order Completed']));
    expect(requiredEventNames({ any: [bought, { event: 'Product Added' }] })).toEqual(new Set(['Order Completed', 'Product Added']));
    expect(requiredEventNames({ any: [bought, { trait: 'last_seen', op: 'exists' }] })).toBeNull();
    expect(requiredEventNames({ all: [] })).toBeNull();
    expect(requiredEventNames({ any: [] })).toBeNull();
    expect(requiredEventNames({ segment: 's1' })).toBeNull();
  });

  it('orders segments so that references come first', () => {
    const seg = (id: string, condition: SegmentRecord['condition']): SegmentRecord => ({ id, name: id, description: null, condition, createdAt: 0, updatedAt: 0, evaluatedAt: null, memberCount: 0 });
    const c = seg('c', { all: [{ segment: 'b' }, { segment: 'a' }] });
    const b = seg('b', { segment: 'a' });
    const a = seg('a', { event: 'X' });
    const d = seg('d', { segment: 'deleted' });
    expect(dependencyLevels([c, b, a, d]).map((l) => l.map((s) => s.id))).toEqual([['a', 'd'], ['b'], ['c']]);
  });

  it('names the path of every segment and cluster reference, in document order', () => {
    expect(referencesOf({ all: [{ event: 'X' }, { not: { segment: 'nope' } }, { any: [{ trait: 'orders_count', op: '>', value: 1 }, { cluster: { model: 'm1', number: 2 } }] }] })).toEqual([
      { kind: 'segment', segment: 'nope', path: 'condition.all[1].not.segment' },
      { kind: 'cluster', cluster: { model: 'm1', number: 2 }, path: 'condition.all[2].any[1].cluster' },
    ]);
    expect(referencesOf({ segment: 's1' })).toEqual([{ kind: 'segment', segment: 's1', path: 'condition.segment' }]);
  });

  it('accepts only strict ISO 8601 dates, as evaluation reads them', () => {
    // Date.parse took each of these: "hello 5" as 2001-05-01, "1" as 2001-01-01, Feb 30th as March 1st.
    for (const text of ['hello 5', '1', '2020-02-30', '2024-13-01', '2024-01-01T24:00']) {
      expect(issuesOf({ trait: 'first_order_at', op: 'before', value: text }), text).toEqual([
        { path: 'condition.value', message: '"before" needs an ISO 8601 date or time (2024-05-01, 2024-05-01T10:30:00Z) or { "daysAgo": N }' },
      ]);
      expect(issuesOf({ event: 'X', between: ['2024-01-01', text] }), text).toEqual([
        { path: 'condition.between[1]', message: 'must be an ISO 8601 date or time (2024-05-01, 2024-05-01T10:30:00Z)' },
      ]);
    }
    // A definition stored before the strict check keeps the meaning it was saved with.
    expect(resolveDate('2024-1-5', 0)).toBe(Date.parse('2024-1-5'));
    for (const text of ['2024-02-29', '2024-02-29T12:00:00Z', '2024-02-29 12:00:00+01:00']) {
      expect(issuesOf({ trait: 'signup', source: 'profile', op: 'after', value: text }), text).toEqual([]);
    }
    expect(resolveDate('2024-02-29T12:00:00+01:00', 0)).toBe(Date.UTC(2024, 1, 29, 11));
  });

  it('resolves relative dates', () => {
    const now = Date.parse('2024-03-02T00:00:00Z');
    expect(resolveDate({ daysAgo: 30 }, now)).toBe(Date.parse('2024-02-01T00:00:00Z')); // 2024 is a leap year;
    expect(resolveDate('2024-01-01T12:00:00Z', now)).toBe(Date.parse('2024-01-01T12:00:00Z'));
  });
});
