import { describe, expect, it } from 'vitest';
import { evaluateRecommenders, temporalSplit } from './evaluate.js';
import { buildInteractionMatrix, type Interaction } from './interactions.js';
import { fitPopularity } from './popularity.js';
import { makeRecommender } from './recommender.js';

const buy = (userId: string, itemId: string, at: number): Interaction => ({ userId, itemId, kind: 'purchase', at });

describe('temporalSplit', () => {
  it('tests only purchases after the split of items new to the person', () => {
    const split = temporalSplit({
      splitAt: 10,
      interactions: [
        buy('u1', 'a', 1),
        { userId: 'u1', itemId: 'b', kind: 'view', at: 2 },
        buy('u1', 'a', 11), // bought before: not a test item
        buy('u1', 'b', 12), // only viewed before: new
        buy('u2', 'c', 12), // u2 has no training history
        { userId: 'u1', itemId: 'd', kind: 'view', at: 13 }, // a view is not a test item
      ],
    });
    expect(split.train).toHaveLength(2);
    expect(split.test).toEqual(new Map([['u1', new Set(['b'])], ['u2', new Set(['c'])]]));
    expect(split.trainPurchases).toEqual(new Map([['u1', new Set(['a'])]]));
  });

  it('bounds the window with from and until', () => {
    const split = temporalSplit({ splitAt: 10, from: 5, until: 20, interactions: [buy('u', 'a', 1), buy('u', 'b', 6), buy('u', 'c', 15), buy('u', 'd', 25)] });
    expect(split.train.map((e) => e.itemId)).toEqual(['b']);
    expect(split.test.get('u')).toEqual(new Set(['c']));
  });
});

describe('evaluateRecommenders', () => {
  it('computes the metrics on the people with history, excluding what they bought', () => {
    // Train: u1 bought x; u2 bought x, y; u3 bought y, z, z. Popularity sums the entries:
    // x = 1 + 1 = 2, y = 1 + 1 = 2, z = 2 (u3 twice) → all tied, broken by index: x, y, z.
    const train = [buy('u1', 'x', 1), buy('u2', 'x', 1), buy('u2', 'y', 1), buy('u3', 'y', 1), buy('u3', 'z', 1), buy('u3', 'z', 2)];
    const test = [buy('u1', 'z', 20), buy('u1', 'w', 20), buy('u2', 'z', 20), buy('u9', 'x', 20)];
    const split = temporalSplit({ interactions: [...train, ...test], splitAt: 10 });
    const matrix = buildInteractionMatrix({ interactions: split.train, referenceTime: 10, halfLifeDays: Infinity, itemIds: ['x', 'y', 'z', 'w'] });
    const [row] = evaluateRecommenders({ matrix, split, models: [{ name: 'pop', model: fitPopularity(matrix) }], ks: [2] });
    // u9 has no history: not evaluated. u1 (bought x) gets [y, z], relevant {z, w}; u2 (bought x, y) gets [z], relevant {z}.
    // recall: u1 1/2, u2 1/1 → 0.75
    // ndcg: u1 DCG = 1/log2(3), IDCG = 1 + 1/log2(3) → 0.6309297535714575/1.6309297535714575; u2 = 1
    // map: u1 (1/2)/min(2,2) = 0.25; u2 1/1 = 1 → 0.625
    // coverage: {y, z} of 4 items = 0.5
    expect(row).toMatchObject({ model: 'pop', k: 2, users: 2, diversity: null });
    expect(row!.recall).toBeCloseTo(0.75, 12);
    expect(row!.ndcg).toBeCloseTo((0.6309297535714575 / 1.6309297535714575 + 1) / 2, 12);
    expect(row!.map).toBeCloseTo(0.625, 12);
    expect(row!.coverage).toBeCloseTo(0.5, 12);
  });

  it('counts relevant items outside the catalog as misses and measures diversity', () => {
    const split = temporalSplit({ interactions: [buy('u', 'a', 1), buy('u', 'b', 20), buy('u', 'new', 20)], splitAt: 10 });
    const matrix = buildInteractionMatrix({ interactions: split.train, referenceTime: 10, itemIds: ['a', 'b', 'c'] });
    const oracle = makeRecommender({ kind: 'popularity', itemIds: matrix.itemIds, above: 0, personal: false, score: () => Float64Array.of(3, 2, 1), serialize: () => ({ kind: 'popularity', version: 1, itemIds: [] }) });
    const [row] = evaluateRecommenders({ matrix, split, models: [{ name: 'o', model: oracle }], ks: [2], similarity: () => 0.25 });
    // list [b, c] (a excluded), relevant {b, new}: recall 1/2; diversity 1 − 0.25
    expect(row!.recall).toBeCloseTo(0.5, 12);
    expect(row!.diversity).toBeCloseTo(0.75, 12);
  });

  it('asks the models with the history matrix when one is given', () => {
    // The model echoes the history: its top item is the one with the largest history weight.
    const split = temporalSplit({ interactions: [buy('u', 'a', 1), buy('u', 'b', 2), buy('u', 'c', 20)], splitAt: 10 });
    const matrix = buildInteractionMatrix({ interactions: split.train, referenceTime: 10, halfLifeDays: Infinity, itemIds: ['a', 'b', 'c'] });
    const echo = makeRecommender({
      kind: 'popularity',
      itemIds: matrix.itemIds,
      above: 0,
      personal: true,
      score: (h) => Float64Array.of(0, 0, h.values[0]! > h.values[1]! ? 1 : 0),
      serialize: () => ({ kind: 'popularity', version: 1, itemIds: [] }),
    });
    // In the matrix, a and b weigh 1 each: c scores 0 and nothing is recommended. In the
    // history matrix, a weighs 3: c scores 1 and is a hit.
    const histories = { ...matrix, values: Float64Array.of(3, 1) };
    expect(evaluateRecommenders({ matrix, split, models: [{ name: 'e', model: echo }], ks: [1] })[0]!.recall).toBe(0);
    expect(evaluateRecommenders({ matrix, histories, split, models: [{ name: 'e', model: echo }], ks: [1] })[0]!.recall).toBe(1);
  });

  it('refuses a model fitted on other items', () => {
    const matrix = buildInteractionMatrix({ interactions: [buy('u', 'a', 1)], referenceTime: 10 });
    const other = fitPopularity(buildInteractionMatrix({ interactions: [buy('u', 'b', 1)], referenceTime: 10 }));
    expect(() => evaluateRecommenders({ matrix, split: { test: new Map(), trainPurchases: new Map() }, models: [{ name: 'p', model: other }], ks: [1] })).toThrow(/not fitted/);
  });
});
