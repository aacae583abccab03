import { describe, expect, it } from 'vitest';
import { averagePrecisionAtK, catalogCoverage, intraListDiversity, ndcgAtK, precisionAtK, recallAtK } from './metrics.js';

// One worked example used throughout: ranked list a b c d e, relevant {a, c, f}.
const recommended = ['a', 'b', 'c', 'd', 'e'];
const relevant = new Set(['a', 'c', 'f']);

describe('recallAtK', () => {
  it('divides the hits in the top K by the number of relevant items', () => {
    // top 2 = a b: one hit (a) of 3 relevant → 1/3
    expect(recallAtK({ recommended, relevant, k: 2 })).toBeCloseTo(1 / 3, 12);
    // top 5: hits a, c → 2/3
    expect(recallAtK({ recommended, relevant, k: 5 })).toBeCloseTo(2 / 3, 12);
  });

  it('is 0 with nothing relevant and ignores positions past K', () => {
    expect(recallAtK({ recommended, relevant: new Set(), k: 5 })).toBe(0);
    expect(recallAtK({ recommended: ['x', 'a'], relevant, k: 1 })).toBe(0);
  });
});

describe('precisionAtK', () => {
  it('divides the hits by K, also when the list is shorter than K', () => {
    // top 5: 2 hits / 5
    expect(precisionAtK({ recommended, relevant, k: 5 })).toBeCloseTo(0.4, 12);
    // a list of 1 hit with K = 4: 1/4
    expect(precisionAtK({ recommended: ['a'], relevant, k: 4 })).toBeCloseTo(0.25, 12);
  });
});

describe('ndcgAtK', () => {
  it('matches the hand computation with a log2 discount and min(K, |relevant|) ideal', () => {
    // K = 5. DCG = 1/log2(2) [a at rank 1] + 1/log2(4) [c at rank 3] = 1 + 0.5 = 1.5
    // ideal: min(5, 3) = 3 hits at ranks 1..3 = 1 + 1/log2(3) + 1/2 = 1 + 0.6309297535714575 + 0.5
    expect(ndcgAtK({ recommended, relevant, k: 5 })).toBeCloseTo(1.5 / (1 + 0.6309297535714575 + 0.5), 12);
  });

  it('caps the ideal at K when more items are relevant than K', () => {
    // K = 2: DCG = 1 (a at rank 1); ideal = 2 hits = 1 + 1/log2(3) = 1.6309297535714575
    expect(ndcgAtK({ recommended, relevant, k: 2 })).toBeCloseTo(1 / 1.6309297535714575, 12);
  });

  it('is 1 for a perfect list and 0 for no hit', () => {
    expect(ndcgAtK({ recommended: ['c', 'a', 'f'], relevant, k: 3 })).toBeCloseTo(1, 12);
    expect(ndcgAtK({ recommended: ['x', 'y'], relevant, k: 2 })).toBe(0);
  });
});

describe('averagePrecisionAtK', () => {
  it('averages precision at each hit over min(K, |relevant|)', () => {
    // K = 5: hits at rank 1 (P@1 = 1/1) and rank 3 (P@3 = 2/3); divide by min(5, 3) = 3
    // (1 + 2/3) / 3 = 0.5555…
    expect(averagePrecisionAtK({ recommended, relevant, k: 5 })).toBeCloseTo((1 + 2 / 3) / 3, 12);
    // K = 2: hit at rank 1 only; divide by min(2, 3) = 2 → 0.5
    expect(averagePrecisionAtK({ recommended, relevant, k: 2 })).toBeCloseTo(0.5, 12);
  });

  it('is 1 when the top min(K, |relevant|) are all relevant', () => {
    expect(averagePrecisionAtK({ recommended: ['f', 'c'], relevant, k: 2 })).toBeCloseTo(1, 12);
  });
});

describe('catalogCoverage', () => {
  it('counts distinct items in the top K of all lists over the catalog size', () => {
    // top 2 of each: {a, b} ∪ {b, c} ∪ {d} = 4 distinct of 8 → 0.5 ('z' is past K)
    expect(catalogCoverage({ lists: [['a', 'b', 'z'], ['b', 'c'], ['d']], catalogSize: 8, k: 2 })).toBeCloseTo(0.5, 12);
  });
});

describe('intraListDiversity', () => {
  it('is 1 minus the mean pairwise similarity of the top K', () => {
    // items are numbers; similarity = 1 when both are even, else 0.
    // top 3 = 2, 4, 5: pairs (2,4)=1, (2,5)=0, (4,5)=0 → mean 1/3 → diversity 2/3
    const similarity = (a: number, b: number) => (a % 2 === 0 && b % 2 === 0 ? 1 : 0);
    expect(intraListDiversity({ list: [2, 4, 5, 6], k: 3, similarity })).toBeCloseTo(2 / 3, 12);
  });

  it('is undefined with fewer than two items', () => {
    expect(intraListDiversity({ list: ['a'], k: 5, similarity: () => 1 })).toBeUndefined();
  });
});
