import { describe, expect, it } from 'vitest';
import { blendRecommenders } from './blend.js';
import { makeRecommender, type Recommender } from './recommender.js';

function fixed(scores: number[], itemIds = ['a', 'b', 'c']): Recommender {
  return makeRecommender({ kind: 'rp3beta', itemIds, above: 0, personal: true, score: () => Float64Array.from(scores), serialize: () => ({ kind: 'rp3beta', version: 1, itemIds }) });
}

describe('blendRecommenders', () => {
  it('adds each component scaled by its maximum and weight', () => {
    // (4, 2, 0)/4 · 1 + (0, 1, 3)/3 · 0.6 = (1, 0.5, 0) + (0, 0.2, 0.6) = (1, 0.7, 0.6)
    const blend = blendRecommenders([{ model: fixed([4, 2, 0]), weight: 1 }, { model: fixed([0, 1, 3]), weight: 0.6 }]);
    const scores = blend.score({ indices: [0], values: [1] });
    expect(Array.from(scores, (v) => Number(v.toFixed(12)))).toEqual([1, 0.7, 0.6]);
    expect(blend.recommend({ history: { indices: [0], values: [1] }, n: 2, exclude: [0] }).map((r) => r.itemId)).toEqual(['b', 'c']);
  });

  it('refuses components fitted on other items and negative weights', () => {
    expect(() => blendRecommenders([{ model: fixed([1, 1, 1]), weight: 1 }, { model: fixed([1, 1], ['a', 'b']), weight: 1 }])).toThrow(/other items/);
    expect(() => blendRecommenders([{ model: fixed([1, 1, 1]), weight: -1 }])).toThrow(RangeError);
  });
});
