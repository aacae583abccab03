import { describe, expect, it } from 'vitest';
import { seededRng } from '../recommend/rng.js';
import { conditionalExpectedSpend, fitGammaGamma, gammaGammaLogLikelihood } from './gamma-gamma.js';
import { simulateGammaGamma } from './simulate.js';

/** The CDNOW spend-model estimates of Fader, Hardie & Lee (2005), JMR 42(4). */
const CDNOW = { p: 6.25, q: 3.74, gamma: 15.44 };

describe('Gamma-Gamma', () => {
  it('matches the expected spend and log-likelihood computed independently', () => {
    // By hand: p(γ + x·m) / (px + q − 1) = 6.25 × (15.44 + 70) / 15.24 = 35.039370078740156;
    // log-likelihood from the formula in Python (math.lgamma): -4.095817314648997.
    expect(conditionalExpectedSpend(CDNOW, { x: 2, m: 35 })).toBeCloseTo(35.039370078740156, 10);
    expect(gammaGammaLogLikelihood(CDNOW, { x: 2, m: 35 })).toBeCloseTo(-4.095817314648997, 10);
    // With no history, the population mean pγ / (q − 1).
    expect(conditionalExpectedSpend(CDNOW, { x: 0, m: 0 })).toBeCloseTo((6.25 * 15.44) / 2.74, 10);
  });

  it('shrinks a customer\'s own mean towards the population mean, less as they buy more', () => {
    const population = (CDNOW.p * CDNOW.gamma) / (CDNOW.q - 1);
    const few = conditionalExpectedSpend(CDNOW, { x: 1, m: 100 });
    const many = conditionalExpectedSpend(CDNOW, { x: 20, m: 100 });
    expect(few).toBeGreaterThan(population);
    expect(few).toBeLessThan(many);
    expect(many).toBeLessThan(100);
  });

  it('recovers known parameters from simulated spends', () => {
    const truth = { p: 6, q: 4, gamma: 15 };
    const counts = Array.from({ length: 5_000 }, (_, i) => 1 + (i % 6));
    const fit = fitGammaGamma(simulateGammaGamma(truth, counts, seededRng(42)));
    expect(fit.params.p).toBeGreaterThan(truth.p * 0.85);
    expect(fit.params.p).toBeLessThan(truth.p * 1.15);
    expect(fit.params.q).toBeGreaterThan(truth.q * 0.8);
    expect(fit.params.q).toBeLessThan(truth.q * 1.2);
    // The population mean spend pγ/(q−1) is pinned down within a few percent.
    const mean = (fit.params.p * fit.params.gamma) / (fit.params.q - 1);
    expect(mean / ((truth.p * truth.gamma) / (truth.q - 1))).toBeGreaterThan(0.95);
    expect(mean / ((truth.p * truth.gamma) / (truth.q - 1))).toBeLessThan(1.05);
  });

  it('refuses spends that are not positive', () => {
    expect(() => fitGammaGamma([{ x: 2, m: -3 }])).toThrow(/mean spend must be positive/);
  });
});
