import { describe, expect, it } from 'vitest';
import { seededRng } from './rng.js';
import { topN } from './top-n.js';

describe('topN', () => {
  it('returns the best positions first, ties to the lower position', () => {
    expect([...topN({ scores: [0.1, 0.9, 0.5, 0.9], n: 3 })]).toEqual([1, 3, 2]);
  });

  it('leaves out excluded positions and scores not above the floor', () => {
    expect([...topN({ scores: [3, 0, 2, 1], n: 4, exclude: new Set([2]), above: 0 })]).toEqual([0, 3]);
  });

  it('searches only the candidates when given', () => {
    expect([...topN({ scores: [5, 4, 3, 2], n: 2, candidates: [3, 2] })]).toEqual([2, 3]);
  });

  it('agrees with a full sort on random scores', () => {
    const rng = seededRng(3);
    const scores = Array.from({ length: 500 }, () => Math.round(rng() * 50));
    const reference = scores
      .map((s, i) => [s, i] as const)
      .sort((a, b) => b[0] - a[0] || a[1] - b[1])
      .slice(0, 25)
      .map((e) => e[1]);
    expect([...topN({ scores, n: 25 })]).toEqual(reference);
  });
});
