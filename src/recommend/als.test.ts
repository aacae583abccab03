import { describe, expect, it } from 'vitest';
import { fitAls, loadAls } from './als.js';
import { encodeFloat32 } from './encoding.js';
import { buildInteractionMatrix, type Interaction } from './interactions.js';
import { seededRng } from './rng.js';
import { rowOf } from './sparse.js';

describe('ALS fold-in', () => {
  it('solves (YᵀY + λI + Yᵀ(C − I)Y) x = YᵀC p exactly', () => {
    // Y = [[1, 0], [0.5, 0.5], [0, 1]], λ = 0.1, α = 2, history {i0: 1, i1: 0.5} → c = 3, 2.
    // Reference from numpy: np.linalg.solve(A, b) = [1.0707804, 0.29038113], scores Y·x:
    const model = loadAls({ kind: 'als', version: 1, itemIds: ['a', 'b', 'c'], factors: 2, regularization: 0.1, alpha: 2, itemFactors: encodeFloat32([1, 0, 0.5, 0.5, 0, 1]) });
    const scores = model.score({ indices: [0, 1], values: [1, 0.5] });
    expect(scores[0]).toBeCloseTo(1.0707804, 6);
    expect(scores[1]).toBeCloseTo(0.68058076, 6);
    expect(scores[2]).toBeCloseTo(0.29038113, 6);
  });
});

describe('fitAls', () => {
  // Two tastes: users 0–9 buy items a0–a4, users 10–19 buy b0–b4, each missing one item.
  function twoTastes() {
    const interactions: Interaction[] = [];
    for (let u = 0; u < 20; u++) {
      const group = u < 10 ? 'a' : 'b';
      for (let i = 0; i < 5; i++) if (i !== u % 5) interactions.push({ userId: `u${u}`, itemId: `${group}${i}`, kind: 'purchase', at: 0 });
    }
    return buildInteractionMatrix({ interactions, referenceTime: 0 });
  }

  it('recommends the missing item of the person’s own taste first', () => {
    const matrix = twoTastes();
    const model = fitAls(matrix, { rng: seededRng(1), factors: 2, regularization: 1, alpha: 10, iterations: 10, cgSteps: 2 });
    for (const u of [0, 3, 12, 19]) {
      const history = rowOf(matrix, u);
      const [best] = model.recommend({ history, n: 1, exclude: history.indices as Int32Array });
      const group = u < 10 ? 'a' : 'b';
      expect(best?.itemId).toBe(`${group}${u % 5}`);
    }
  });

  it('is reproducible with the same seed', () => {
    const matrix = twoTastes();
    const fit = () => fitAls(matrix, { rng: seededRng(9), factors: 3, iterations: 3 }).serialize();
    expect(fit()).toEqual(fit());
  });
});
