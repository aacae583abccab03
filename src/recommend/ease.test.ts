import { describe, expect, it } from 'vitest';
import { solveSpd } from './dense.js';
import { fitEase } from './ease.js';
import { buildInteractionMatrix, type Interaction } from './interactions.js';
import { seededRng } from './rng.js';

const binary = (pairs: Array<[string, string]>, itemIds: string[]) =>
  buildInteractionMatrix({ interactions: pairs.map(([userId, itemId]): Interaction => ({ userId, itemId, kind: 'purchase', at: 0 })), referenceTime: 0, itemIds, halfLifeDays: Infinity });

describe('fitEase', () => {
  it('matches the closed form worked by hand on two items', () => {
    // u0 and u1 bought i0 and i1, u2 bought i0: XᵀX = [[3, 2], [2, 2]]; λ = 1 → G = [[4, 2], [2, 3]],
    // P = G⁻¹ = [[3, −2], [−2, 4]] / 8. B01 = −P01 / P11 = (2/8) / (4/8) = 1/2, B10 = −P10 / P00 = (2/8) / (3/8) = 2/3.
    // (With two items EASE is a one-variable ridge: B01 = x0·x1 / (x0·x0 + λ) = 2 / 4, B10 = 2 / (2 + 1).)
    const m = binary([['u0', 'i0'], ['u0', 'i1'], ['u1', 'i0'], ['u1', 'i1'], ['u2', 'i0']], ['i0', 'i1']);
    const model = fitEase(m, { lambda: 1, minBuyers: 1, k: 5 });
    expect(model.score({ indices: [0], values: [1] })[1]).toBeCloseTo(1 / 2, 6);
    expect(model.score({ indices: [1], values: [1] })[0]).toBeCloseTo(2 / 3, 6);
  });

  it('equals a ridge regression of each item on all the others', () => {
    // Independent reference: column j of B solves (X₋ⱼᵀX₋ⱼ + λI) b = X₋ⱼᵀ xⱼ (the constraint Bⱼⱼ = 0 drops
    // item j from its own regression), solved here with the factor model's Cholesky solver.
    const rng = seededRng(8);
    const n = 6;
    const itemIds = Array.from({ length: n }, (_, i) => `i${i}`);
    const pairs: Array<[string, string]> = [];
    for (let u = 0; u < 40; u++) for (let i = 0; i < n; i++) if (rng() < 0.2 + 0.1 * (i % 3)) pairs.push([`u${u}`, `i${i}`]);
    const m = binary(pairs, itemIds);
    const lambda = 3;
    const x = Array.from({ length: m.rows }, (_, u) => {
      const row = new Array<number>(n).fill(0);
      for (let p = m.indptr[u]!; p < m.indptr[u + 1]!; p++) row[m.indices[p]!] = m.values[p]!;
      return row;
    });
    const model = fitEase(m, { lambda, minBuyers: 1, k: n });
    for (let j = 0; j < n; j++) {
      const others = itemIds.map((_, i) => i).filter((i) => i !== j);
      const f = others.length;
      const a = new Float64Array(f * f);
      const b = new Float64Array(f);
      others.forEach((p, r) => {
        others.forEach((q, c) => (a[r * f + c] = x.reduce((s, row) => s + row[p]! * row[q]!, r === c ? lambda : 0)));
        b[r] = x.reduce((s, row) => s + row[p]! * row[j]!, 0);
      });
      const column = solveSpd({ a, b, f });
      others.forEach((i, r) => {
        // The model keeps positive weights only.
        const expected = column[r]! > 0 ? column[r]! : 0;
        expect(model.score({ indices: [i], values: [1] })[j]).toBeCloseTo(expected, 5);
      });
    }
  });

  it('leaves out items with too few buyers and keeps k weights per row', () => {
    // i2 has one buyer: with minBuyers 2 it gets no row and no column.
    const m = binary([['u0', 'i0'], ['u0', 'i1'], ['u1', 'i0'], ['u1', 'i1'], ['u2', 'i0'], ['u2', 'i2'], ['u3', 'i1'], ['u3', 'i3'], ['u4', 'i3'], ['u4', 'i0']], ['i0', 'i1', 'i2', 'i3']);
    const model = fitEase(m, { lambda: 1, minBuyers: 2, k: 1 });
    expect(Array.from(model.score({ indices: [2], values: [1] }))).toEqual([0, 0, 0, 0]);
    const fromI0 = model.score({ indices: [0], values: [1] });
    expect(fromI0[2]).toBe(0);
    expect(Array.from(fromI0).filter((v) => v !== 0)).toHaveLength(1);
  });
});
