import { describe, expect, it } from 'vitest';
import { buildHistoryMatrix, historyVectorOf, historyWeightingSchema, sameAsMatrix, type HistoryWeighting } from './history.js';
import { buildInteractionMatrix, DEFAULT_SIGNAL_WEIGHTS, type Interaction } from './interactions.js';
import { seededRng } from './rng.js';

const DAY = 86_400_000;
const NOW = Date.parse('2024-03-01T00:00:00Z');
const event = (overrides: Partial<Interaction>): Interaction => ({ userId: 'u1', itemId: 'mug', kind: 'purchase', at: NOW, ...overrides });

// The whole history, capped at 1, plus twice the last 10 days (half-life 10), capped at 1.
const weighting: HistoryWeighting = {
  signalWeights: DEFAULT_SIGNAL_WEIGHTS,
  terms: [
    { halfLifeDays: null, cap: 1, weight: 1 },
    { halfLifeDays: 10, cap: 1, weight: 2 },
  ],
};

describe('historyVectorOf', () => {
  it('sums the weighted, capped terms per item, worked by hand', () => {
    const h = historyVectorOf({
      weighting,
      itemIndex: new Map([['mug', 0], ['cup', 1], ['pot', 2]]),
      now: NOW,
      interactions: [
        // mug: purchases 20 and 30 days ago. Undecayed sum 2 → cap 1; decayed 1/4 + 1/8 = 0.375.
        // Entry: 1 · 1 + 2 · 0.375 = 1.75
        event({ at: NOW - 20 * DAY }),
        event({ at: NOW - 30 * DAY }),
        // cup: a view now (0.1) and a cart add 10 days ago (0.5 · 1/2 = 0.25).
        // Undecayed 0.1 + 0.5 = 0.6; decayed 0.1 + 0.25 = 0.35. Entry: 0.6 + 2 · 0.35 = 1.3
        event({ itemId: 'cup', kind: 'view' }),
        event({ itemId: 'cup', kind: 'add_to_cart', at: NOW - 10 * DAY }),
        // an item the model does not know: skipped
        event({ itemId: 'lamp' }),
      ],
    });
    expect([...h.indices]).toEqual([0, 1]);
    expect(h.values[0]).toBeCloseTo(1.75, 12);
    expect(h.values[1]).toBeCloseTo(1.3, 12);
  });

  it('is the schema-valid JSON form that survives a round trip', () => {
    const parsed = historyWeightingSchema.parse(JSON.parse(JSON.stringify(weighting)));
    expect(parsed).toEqual(weighting);
    expect(historyWeightingSchema.safeParse({ ...weighting, terms: [] }).success).toBe(false);
  });
});

describe('buildHistoryMatrix', () => {
  it('with the matrix weighting gives back the rows of buildInteractionMatrix', () => {
    const rng = seededRng(3);
    const kinds = ['purchase', 'add_to_cart', 'view'] as const;
    const interactions: Interaction[] = Array.from({ length: 200 }, () => ({
      userId: `u${Math.floor(rng() * 15)}`,
      itemId: `i${Math.floor(rng() * 9)}`,
      kind: kinds[Math.floor(rng() * 3)]!,
      at: NOW - Math.floor(rng() * 90 * DAY),
    }));
    const itemIds = Array.from({ length: 9 }, (_, i) => `i${i}`);
    for (const recipe of [{ halfLifeDays: 30, cap: 1 }, { halfLifeDays: Infinity, cap: Infinity }]) {
      const matrix = buildInteractionMatrix({ interactions, referenceTime: NOW, itemIds, ...recipe });
      const histories = buildHistoryMatrix({ interactions, referenceTime: NOW, itemIds, weighting: sameAsMatrix(recipe) });
      expect(histories.userIds).toEqual(matrix.userIds);
      expect([...histories.indptr]).toEqual([...matrix.indptr]);
      expect([...histories.indices]).toEqual([...matrix.indices]);
      histories.values.forEach((v, p) => expect(v).toBeCloseTo(matrix.values[p]!, 12));
    }
  });
});
