import { describe, expect, it } from 'vitest';
import { seededRng } from '../recommend/rng.js';
import { betaDraw, gammaDraw } from './random.js';

/** Sample mean and unbiased sample variance. */
function moments(xs: readonly number[]): { mean: number; variance: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

const draws = (count: number, draw: () => number) => Array.from({ length: count }, draw);

/**
 * Checks sample moments against the distribution's mean and variance within 4 standard errors:
 * SE(mean) = √(σ²/N) and SE(variance) ≈ √((μ₄ − σ⁴)/N) = σ²·√((2 + excess kurtosis)/N).
 * A fixed seed makes the test exact; 4 SE would be exceeded by a correct sampler with
 * probability ≈ 6·10⁻⁵ per seed, while a wrong formula (e.g. the shape < 1 boost) misses by far more.
 */
function expectMoments(xs: readonly number[], expected: { mean: number; variance: number; excessKurtosis: number }) {
  const n = xs.length;
  const { mean, variance } = moments(xs);
  const seMean = Math.sqrt(expected.variance / n);
  const seVariance = expected.variance * Math.sqrt((2 + expected.excessKurtosis) / n);
  expect(Math.abs(mean - expected.mean)).toBeLessThan(4 * seMean);
  expect(Math.abs(variance - expected.variance)).toBeLessThan(4 * seVariance);
}

/** Share of draws at or below x against the CDF, within 4 binomial standard errors. */
function expectCdf(xs: readonly number[], x: number, cdf: number) {
  const share = xs.filter((v) => v <= x).length / xs.length;
  expect(Math.abs(share - cdf)).toBeLessThan(4 * Math.sqrt((cdf * (1 - cdf)) / xs.length));
}

const N = 40_000;

describe('gammaDraw', () => {
  // Gamma(k, 1): mean k, variance k, excess kurtosis 6/k (scipy.stats.gamma(0.3).stats('mvk') = 0.3, 0.3, 20).
  it.each([0.3, 0.8, 1, 2.5, 9])('has mean k and variance k for shape %s', (k) => {
    const rng = seededRng(1000 + Math.round(k * 10));
    expectMoments(draws(N, () => gammaDraw(rng, k)), { mean: k, variance: k, excessKurtosis: 6 / k });
  });

  it('puts the mass of a shape below 1 near zero as the CDF says', () => {
    // scipy.stats.gamma.cdf(0.01, 0.3) = 0.27924099635901484; scipy.stats.gamma.cdf(1, 0.3) = 0.9156741562411086
    const rng = seededRng(5);
    const xs = draws(N, () => gammaDraw(rng, 0.3));
    expectCdf(xs, 0.01, 0.27924099635901484);
    expectCdf(xs, 1, 0.9156741562411086);
    expect(xs.every((x) => x > 0 && Number.isFinite(x))).toBe(true);
  });

  it('refuses a shape that is not positive', () => {
    const rng = seededRng(1);
    expect(() => gammaDraw(rng, 0)).toThrow(RangeError);
    expect(() => gammaDraw(rng, -1)).toThrow(RangeError);
    expect(() => gammaDraw(rng, NaN)).toThrow(RangeError);
  });
});

describe('betaDraw', () => {
  /** Beta(a, b): mean a/(a+b), variance ab/((a+b)²(a+b+1)), excess kurtosis 6[(a−b)²(a+b+1) − ab(a+b+2)] / [ab(a+b+2)(a+b+3)]. */
  const beta = (a: number, b: number) => ({
    mean: a / (a + b),
    variance: (a * b) / ((a + b) ** 2 * (a + b + 1)),
    excessKurtosis: (6 * ((a - b) ** 2 * (a + b + 1) - a * b * (a + b + 2))) / (a * b * (a + b + 2) * (a + b + 3)),
  });

  it('matches the textbook formulas for the references computed by scipy', () => {
    // scipy.stats.beta(0.5, 0.5).stats('mvk') = 0.5, 0.125, -1.5; scipy.stats.beta(2, 5).stats('mvk') = 0.2857142857142857, 0.025510204081632654, -0.12
    expect(beta(0.5, 0.5)).toEqual({ mean: 0.5, variance: 0.125, excessKurtosis: -1.5 });
    expect(beta(2, 5).mean).toBeCloseTo(0.2857142857142857, 14);
    expect(beta(2, 5).variance).toBeCloseTo(0.025510204081632654, 14);
    expect(beta(2, 5).excessKurtosis).toBeCloseTo(-0.12, 14);
  });

  it.each([[0.5, 0.5], [1, 1], [2, 5], [0.4, 3], [1, 101], [30, 12], [1, 0.3], [4, 1], [1, 2.5]])('has the mean and variance of Beta(%s, %s)', (a, b) => {
    const rng = seededRng(Math.round(a * 1000 + b));
    expectMoments(draws(N, () => betaDraw(rng, a, b)), beta(a, b));
  });

  it('follows the CDF of shapes below and above 1', () => {
    // scipy.stats.beta.cdf(0.1, 0.5, 0.5) = 0.20483276469913345; scipy.stats.beta.cdf(0.2, 2, 5) = 0.34464
    const rng = seededRng(9);
    expectCdf(draws(N, () => betaDraw(rng, 0.5, 0.5)), 0.1, 0.20483276469913345);
    expectCdf(draws(N, () => betaDraw(rng, 2, 5)), 0.2, 0.34464);
  });

  it('follows the CDF when a shape is 1 (drawn by inverting the CDF)', () => {
    // scipy.stats.beta.cdf(0.05, 1, 20) = 0.6415140775914581 (= 1 − 0.95²⁰); scipy.stats.beta.cdf(0.5, 3, 1) = 0.125;
    // scipy.stats.beta.cdf(0.9, 1, 0.3) = 0.4988127663727917 (= 1 − 0.1^0.3)
    const rng = seededRng(11);
    expectCdf(draws(N, () => betaDraw(rng, 1, 20)), 0.05, 0.6415140775914581);
    expectCdf(draws(N, () => betaDraw(rng, 1, 20)), 0.01, 1 - 0.99 ** 20);
    expectCdf(draws(N, () => betaDraw(rng, 3, 1)), 0.5, 0.125);
    expectCdf(draws(N, () => betaDraw(rng, 1, 0.3)), 0.9, 0.4988127663727917);
    const xs = draws(N, () => betaDraw(rng, 1, 1));
    expect(xs.every((x) => x >= 0 && x <= 1)).toBe(true);
    expectCdf(xs, 0.25, 0.25);
  });

  it('refuses shapes that are not positive', () => {
    const rng = seededRng(1);
    expect(() => betaDraw(rng, 0, 1)).toThrow(RangeError);
    expect(() => betaDraw(rng, 1, -2)).toThrow(RangeError);
    expect(() => betaDraw(rng, NaN, 1)).toThrow(RangeError);
  });
});

