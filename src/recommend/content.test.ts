import { describe, expect, it } from 'vitest';
import { fitContent } from './content.js';
import { buildInteractionMatrix } from './interactions.js';
import { buildTfIdf, itemFeatures, rowCosine, tokenize } from './text-features.js';

const items = [
  { itemId: 'A', name: 'red mug' },
  { itemId: 'B', name: 'blue mug' },
  { itemId: 'C', name: 'red red cup' },
];

describe('text features', () => {
  it('tokenizes words, dropping numbers, one-letter tokens and function words', () => {
    expect(tokenize('SET OF 72 Retrospot Cake-Cases, a 3D mug')).toEqual(['set', 'retrospot', 'cake', 'cases', '3d', 'mug']);
  });

  it('prefixes features by source and expands category paths', () => {
    expect(itemFeatures({ itemId: 'x', name: 'Mug', category: 'Home > Kitchen', brand: 'Acme', tags: ['Gift'] })).toEqual([
      'w:mug',
      'c:home',
      'c:home>kitchen',
      'b:acme',
      't:gift',
    ]);
  });

  it('computes TF-IDF cosine as worked out by hand', () => {
    // N = 3; df: red 2, mug 2, blue 1, cup 1; idf = ln((1+N)/(1+df)) + 1:
    //   idf(red) = idf(mug) = ln(4/3) + 1 = 1.2876820724517808; idf(blue) = idf(cup) = ln 2 + 1 = 1.6931471805599454
    // A = (red 1.2877, mug 1.2877) / norm → (0.70711, 0.70711)
    // B = (blue 1.6931, mug 1.2877) / 2.12718 → (0.79596, 0.60535)
    // C = (red (1 + ln 2)·1.2877 = 2.18023, cup 1.6931) / 2.76046 → (0.78981, 0.61336)
    // cos(A, B) = 0.70711 · 0.60535 = 0.42804603506; cos(A, C) = 0.70711 · 0.78981 = 0.55847783537; cos(B, C) = 0
    const sim = rowCosine(buildTfIdf(items).matrix);
    expect(sim(0, 1)).toBeCloseTo(0.42804603506311856, 10);
    expect(sim(0, 2)).toBeCloseTo(0.5584778353707551, 10);
    expect(sim(1, 2)).toBe(0);
    expect(sim(2, 2)).toBeCloseTo(1, 12);
  });
});

describe('fitContent', () => {
  it('recommends an item nobody has interacted with yet', () => {
    // Only A has ever been bought; B and C exist in the catalog only.
    const matrix = buildInteractionMatrix({
      interactions: [{ userId: 'u', itemId: 'A', kind: 'purchase', at: 0 }],
      referenceTime: 0,
      itemIds: ['A', 'B', 'C'],
    });
    const model = fitContent(matrix, { items, k: 5 });
    const recs = model.recommend({ history: { indices: [0], values: [1] }, n: 5, exclude: [0] });
    expect(recs.map((r) => r.itemId)).toEqual(['C', 'B']);
    expect(recs[0]!.score).toBeCloseTo(0.5584778353707551, 6);
  });

  it('gives items without attributes no neighbours', () => {
    const model = fitContent({ itemIds: ['A', 'B', 'Z'] }, { items });
    expect(model.recommend({ history: { indices: [2], values: [1] }, n: 5 })).toEqual([]);
  });
});
