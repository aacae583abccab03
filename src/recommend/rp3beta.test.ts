import { describe, expect, it } from 'vitest';
import { buildInteractionMatrix, type Interaction } from './interactions.js';
import { fitRp3beta } from './rp3beta.js';

// users × items (binary):      i0 i1 i2
//                          u0   1  1  .
//                          u1   1  1  1
//                          u2   .  1  1
function triangle() {
  const pairs: Array<[string, string]> = [['u0', 'i0'], ['u0', 'i1'], ['u1', 'i0'], ['u1', 'i1'], ['u1', 'i2'], ['u2', 'i1'], ['u2', 'i2']];
  const interactions: Interaction[] = pairs.map(([userId, itemId]) => ({ userId, itemId, kind: 'purchase', at: 0 }));
  return buildInteractionMatrix({ interactions, referenceTime: 0, itemIds: ['i0', 'i1', 'i2'] });
}

describe('fitRp3beta', () => {
  it('matches the three-step walk worked by hand', () => {
    // On the triangle (u0: i0 i1, u1: i0 i1 i2, u2: i1 i2):
    // from i0: P(i0→u0) = P(i0→u1) = 1/2; P(u0→i1) = 1/2, P(u1→i1) = P(u1→i2) = 1/3
    // walk(i0→i1) = 1/2·1/2 + 1/2·1/3 = 5/12; walk(i0→i2) = 1/2·1/3 = 1/6
    // β = 0.5, degrees: i1 = 3, i2 = 2 → W01 = (5/12)/√3, W02 = (1/6)/√2
    const model = fitRp3beta(triangle(), { alpha: 1, beta: 0.5, k: 10, normalizeRows: false });
    const scores = model.score({ indices: [0], values: [1] });
    expect(scores[1]).toBeCloseTo(5 / 12 / Math.sqrt(3), 6);
    expect(scores[2]).toBeCloseTo(1 / 6 / Math.sqrt(2), 6);
  });

  it('applies α to the transition probabilities and normalises rows when asked', () => {
    // α = 2: walk(i0→i1) = (1/2)²(1/2)² + (1/2)²(1/3)² = 1/16 + 1/36 = 13/144; walk(i0→i2) = (1/2)²(1/3)² = 1/36
    // β = 0; normalised: 13/144 / (13/144 + 4/144) = 13/17
    const model = fitRp3beta(triangle(), { alpha: 2, beta: 0, k: 10, normalizeRows: true });
    const scores = model.score({ indices: [0], values: [1] });
    expect(scores[1]).toBeCloseTo(13 / 17, 6);
    expect(scores[2]).toBeCloseTo(4 / 17, 6);
  });

  it('is P³: with α = 1, β = 0 a row holds the probability of every other item, 1 − P(return)', () => {
    // P(i1→i1) = 1/3·(1/2 + 1/3 + 1/2) = 4/9, so the rest of row i1 sums to 5/9
    const model = fitRp3beta(triangle(), { alpha: 1, beta: 0, k: 10, normalizeRows: false });
    const scores = model.score({ indices: [1], values: [1] });
    expect(scores[0]! + scores[2]!).toBeCloseTo(5 / 9, 6);
  });
});
