import { describe, expect, it } from 'vitest';
import { TRAITS } from '../profiles/trait-registry.js';
import { exportDocumentSchema } from './export-schema.js';
import { exportTraitValue, traitTimeKind } from './export-trait-times.js';

// 1714564800000 ms = 2024-05-01T12:00:00Z (19844 days × 86 400 000 + 12 h).
const MS = 1714564800000;
const ISO = '2024-05-01T12:00:00.000Z';

describe('computed trait times in the export (P13: times are ISO-8601 UTC)', () => {
  it('follows the registry: every `date` trait is a time, amounts by key are not', () => {
    const dates = Object.entries(TRAITS).filter(([, d]) => d.type === 'date').map(([n]) => n).sort();
    expect(dates).toEqual(['first_order_at', 'first_seen', 'last_order_at', 'last_seen']);
    for (const name of dates) expect(traitTimeKind(name)).toBe('time');
    expect(traitTimeKind('last_event_at')).toBe('time_by_key');
    expect(traitTimeKind('replenishment_due')).toBe('time_by_key');
    for (const name of ['revenue_total', 'event_counts', 'orders_count', 'mean_interpurchase_days', 'preferred_hour', 'hatSize']) expect(traitTimeKind(name)).toBeNull();
  });

  it('converts times and leaves everything else as it is', () => {
    expect(exportTraitValue('first_order_at', MS)).toBe(ISO);
    expect(exportTraitValue('first_order_at', null)).toBeNull();
    expect(exportTraitValue('last_event_at', { 'Order Completed': MS })).toEqual({ 'Order Completed': ISO });
    expect(exportTraitValue('replenishment_due', { 'sku-1': MS + 86_400_000 })).toEqual({ 'sku-1': '2024-05-02T12:00:00.000Z' });
    expect(exportTraitValue('revenue_total', { GBP: MS })).toEqual({ GBP: MS });
    expect(exportTraitValue('orders_count', 3)).toBe(3);
    // A trait the registry does not declare is the brand's: left as sent.
    expect(exportTraitValue('joined_at', MS)).toBe(MS);
  });

  it('makes the export schema refuse a time written as epoch ms', () => {
    const item = (name: string, value: unknown) => ({ name, value, computedAt: ISO, origin: { kind: 'rule', ref: 'x' } });
    const computedTraits = exportDocumentSchema.shape.computedTraits;
    expect(computedTraits.safeParse([item('last_seen', ISO), item('last_event_at', { a: ISO }), item('orders_count', 2), item('first_order_at', null)]).success).toBe(true);
    expect(computedTraits.safeParse([item('last_seen', MS)]).error?.issues[0]).toMatchObject({ path: [0, 'value'], message: 'last_seen is a time: must be an ISO-8601 UTC date-time or null' });
    expect(computedTraits.safeParse([item('last_event_at', { a: MS })]).success).toBe(false);
    const prediction = { name: 'replenishment_due', value: { 'sku-1': MS }, model: 'bgnbd-gamma-gamma', modelVersion: '1', computedAt: ISO };
    expect(exportDocumentSchema.shape.predictions.safeParse([prediction]).success).toBe(false);
  });
});
