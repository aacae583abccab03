import { describe, expect, it } from 'vitest';
import { buildInteractionMatrix, historyFromItems, recencyWeight, type Interaction } from './interactions.js';

const DAY = 86_400_000;
const T = Date.parse('2024-03-01T00:00:00Z');
const event = (overrides: Partial<Interaction>): Interaction => ({ userId: 'u1', itemId: 'mug', kind: 'purchase', at: T, ...overrides });

describe('recencyWeight', () => {
  it('halves per half-life and never amplifies future events', () => {
    expect(recencyWeight({ at: T - 10 * DAY, referenceTime: T, halfLifeDays: 10 })).toBeCloseTo(0.5, 12);
    expect(recencyWeight({ at: T - 30 * DAY, referenceTime: T, halfLifeDays: 10 })).toBeCloseTo(0.125, 12);
    expect(recencyWeight({ at: T + 5 * DAY, referenceTime: T, halfLifeDays: 10 })).toBe(1);
    expect(recencyWeight({ at: 0, referenceTime: T, halfLifeDays: Infinity })).toBe(1);
  });
});

describe('buildInteractionMatrix', () => {
  it('weights by signal and recency and sums repeated events', () => {
    const m = buildInteractionMatrix({
      referenceTime: T,
      halfLifeDays: 10,
      cap: Infinity,
      interactions: [
        event({}), // purchase now: 1
        event({ kind: 'view', at: T - 10 * DAY }), // view, one half-life ago: 0.1 × 0.5 = 0.05
        event({ itemId: 'cup', kind: 'add_to_cart', at: T - 20 * DAY }), // 0.5 × 0.25 = 0.125
        event({ userId: 'u2', itemId: 'cup', kind: 'view' }), // 0.1
      ],
    });
    expect(m.userIds).toEqual(['u1', 'u2']);
    expect(m.itemIds).toEqual(['mug', 'cup']);
    expect([...m.indptr]).toEqual([0, 2, 3]);
    expect([...m.indices]).toEqual([0, 1, 1]);
    expect(m.values[0]).toBeCloseTo(1.05, 12);
    expect(m.values[1]).toBeCloseTo(0.125, 12);
    expect(m.values[2]).toBeCloseTo(0.1, 12);
  });

  it('keeps the given item universe, caps entries and optionally counts quantity', () => {
    const m = buildInteractionMatrix({
      referenceTime: T,
      halfLifeDays: Infinity,
      itemIds: ['new-item', 'mug'],
      cap: 1.5,
      quantity: 'log',
      interactions: [event({ quantity: 4 }), event({ itemId: 'cup', quantity: 1 })],
    });
    expect(m.itemIds).toEqual(['new-item', 'mug', 'cup']);
    expect(m.cols).toBe(3);
    // mug: 1 + ln 4 = 2.386… capped at 1.5; cup: quantity 1 → factor 1
    expect([...m.indices]).toEqual([1, 2]);
    expect([...m.values]).toEqual([1.5, 1]);
  });

  it('caps entries at 1 by default', () => {
    const m = buildInteractionMatrix({ referenceTime: T, interactions: [event({}), event({}), event({ itemId: 'cup', kind: 'view' })] });
    expect([...m.values]).toEqual([1, 0.1]);
  });

  it('respects signal overrides (0 drops the kind)', () => {
    const m = buildInteractionMatrix({ referenceTime: T, signalWeights: { view: 0 }, interactions: [event({ kind: 'view' })] });
    expect(m.rows).toBe(0);
  });
});

describe('historyFromItems', () => {
  it('maps ids to indices, sums duplicates and skips unknown items', () => {
    const h = historyFromItems({ itemIndex: new Map([['a', 0], ['b', 1]]), items: [{ itemId: 'b', weight: 1 }, { itemId: 'x', weight: 1 }, { itemId: 'b', weight: 2 }] });
    expect([...h.indices]).toEqual([1]);
    expect([...h.values]).toEqual([3]);
  });
});
