import { describe, expect, it } from 'vitest';
import { buildInteractionMatrix, type Interaction } from './interactions.js';
import { fitItemKnn } from './item-knn.js';

// users × items (binary):      i0 i1 i2
//                          u0   1  1  .
//                          u1   1  1  1
//                          u2   .  1  1
function triangle() {
  const pairs: Array<[string, string]> = [['u0', 'i0'], ['u0', 'i1'], ['u1', 'i0'], ['u1', 'i1'], ['u1', 'i2'], ['u2', 'i1'], ['u2', 'i2']];
  const interactions: Interaction[] = pairs.map(([userId, itemId]) => ({ userId, itemId, kind: 'purchase', at: 0 }));
  return buildInteractionMatrix({ interactions, referenceTime: 0, itemIds: ['i0', 'i1', 'i2'] });
}

describe('fitItemKnn', () => {
  it('scores with shrunk cosine similarities', () => {
    // columns: i0 = (1,1,0), i1 = (1,1,1), i2 = (0,1,1)
    // sim(i0,i1) = 2 / (√2·√3 + 1) = 2 / 3.449489742783178 = 0.5797958971132712
    // sim(i0,i2) = 1 / (√2·√2 + 1) = 1/3
    const model = fitItemKnn(triangle(), { k: 10, shrink: 1 });
    const scores = model.score({ indices: [0], values: [1] });
    expect(scores[0]).toBe(0);
    expect(scores[1]).toBeCloseTo(0.5797958971132712, 6);
    expect(scores[2]).toBeCloseTo(1 / 3, 6);
    // history {i0: 1, i2: 2}: i1 = 1·sim(0,1) + 2·sim(2,1) = 3 · 0.5797958971132712
    expect(model.score({ indices: [0, 2], values: [1, 2] })[1]).toBeCloseTo(3 * 0.5797958971132712, 6);
  });

  it('keeps only k neighbours and recommends unseen items, best first', () => {
    const model = fitItemKnn(triangle(), { k: 1, shrink: 1 });
    expect(model.score({ indices: [0], values: [1] })[2]).toBe(0);
    expect(model.recommend({ history: { indices: [1], values: [1] }, n: 5, exclude: [1] }).map((r) => r.itemId)).toEqual(['i0']);
    expect(model.recommend({ history: { indices: [], values: [] }, n: 5 })).toEqual([]);
  });
});
