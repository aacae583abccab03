import { describe, expect, it } from 'vitest';
import { seededRng } from '../recommend/rng.js';
import { bgnbdLogLikelihood, conditionalExpectedPurchases, expectedPurchasesNewCustomer, fitBgNbd, probabilityAlive, probabilityNoPurchase } from './bgnbd.js';
import { betaDraw, gammaDraw, simulateBgNbd } from './simulate.js';

/** The CDNOW estimates published by Fader, Hardie & Lee (2005), Marketing Science 24(2), Table/§5. */
const CDNOW = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

describe('BG/NBD closed forms', () => {
  it('gives the conditional expectation the lifetimes library tests for (1.226 for x=2, tx=30.43, T=38.86, t=39)', () => {
    // lifetimes, tests/test_estimation.py: BetaGeoFitter with the CDNOW parameters → 1.226.
    expect(conditionalExpectedPurchases(CDNOW, { x: 2, tx: 30.43, T: 38.86 }, 39)).toBeCloseTo(1.226, 3);
  });

  it('matches log-likelihood, P(alive) and E[X(t)] computed independently', () => {
    // Python (math.lgamma, a plain 2F1 series), written from FHL 2005 eqs. 6, 9 and A.2:
    //   ll(x=2, tx=30.43, T=38.86) = -9.458606307066272; ll(x=0, T=38.86) = -0.5547132764381585
    //   P(alive | x=2, tx=30.43, T=38.86) = 0.726578570080673; E[X(39)] = 1.1967231933208031
    expect(bgnbdLogLikelihood(CDNOW, { x: 2, tx: 30.43, T: 38.86 })).toBeCloseTo(-9.458606307066272, 10);
    expect(bgnbdLogLikelihood(CDNOW, { x: 0, tx: 0, T: 38.86 })).toBeCloseTo(-0.5547132764381585, 10);
    expect(probabilityAlive(CDNOW, { x: 2, tx: 30.43, T: 38.86 })).toBeCloseTo(0.726578570080673, 12);
    expect(expectedPurchasesNewCustomer(CDNOW, 39)).toBeCloseTo(1.1967231933208031, 8);
  });

  it('behaves as the model says: no repeat purchase means alive; a long silence lowers P(alive); more time, more purchases', () => {
    expect(probabilityAlive(CDNOW, { x: 0, tx: 0, T: 30 })).toBe(1);
    expect(probabilityAlive(CDNOW, { x: 5, tx: 10, T: 38 })).toBeLessThan(probabilityAlive(CDNOW, { x: 5, tx: 37, T: 38 }));
    const c = { x: 3, tx: 20, T: 30 };
    expect(conditionalExpectedPurchases(CDNOW, c, 52)).toBeGreaterThan(conditionalExpectedPurchases(CDNOW, c, 13));
    expect(conditionalExpectedPurchases(CDNOW, c, 0)).toBe(0);
  });
});

describe('BG/NBD fit', () => {
  it('recovers known parameters from data simulated from the model', () => {
    const truth = { r: 0.5, alpha: 6, a: 1.5, b: 4 };
    const rng = seededRng(2005);
    // 6,000 customers observed 26 to 52 weeks after their first purchase.
    const lengths = Array.from({ length: 6_000 }, (_, i) => 26 + (i % 27));
    const customers = simulateBgNbd(truth, lengths, rng);
    const fit = fitBgNbd(customers);
    expect(fit.params.r).toBeGreaterThan(truth.r * 0.85);
    expect(fit.params.r).toBeLessThan(truth.r * 1.15);
    expect(fit.params.alpha).toBeGreaterThan(truth.alpha * 0.8);
    expect(fit.params.alpha).toBeLessThan(truth.alpha * 1.2);
    // The dropout parameters are the hardest to pin down; their ratio a/(a+b) (mean dropout) is well identified.
    expect(fit.params.a / (fit.params.a + fit.params.b)).toBeCloseTo(truth.a / (truth.a + truth.b), 1);
    // The maximum is a maximum: the truth fits no better.
    let truthLl = 0;
    for (const c of customers) truthLl += bgnbdLogLikelihood(truth, c);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(truthLl);
  });

  it('refuses impossible summaries with a message naming them', () => {
    expect(() => fitBgNbd([{ x: 1, tx: 5, T: 3 }])).toThrow(/0 ≤ tx ≤ T/);
    expect(() => fitBgNbd([])).toThrow(/at least one/);
  });
});

describe('P(no purchase in the next t)', () => {
  it('matches the share of simulated customers with the same history who bought nothing next', () => {
    // The generative story written out on its own: λ ~ Gamma(r, α), p ~ Beta(a, b); purchases
    // as a Poisson process from the first purchase at time 0; after each repeat purchase,
    // dropout with p (the first purchase never ends the relationship: P(alive | x = 0) = 1).
    const rng = seededRng(11);
    const T = 20;
    const t = 10;
    const groups = new Map<string, { n: number; none: number; c: { x: number; tx: number; T: number } }>();
    for (let i = 0; i < 200_000; i++) {
      const lambda = gammaDraw(rng, CDNOW.r, CDNOW.alpha);
      const p = betaDraw(rng, CDNOW.a, CDNOW.b);
      const times: number[] = [];
      let now = 0;
      let alive = true;
      while (alive) {
        now += -Math.log(1 - rng()) / lambda;
        if (now > T + t) break;
        times.push(now);
        alive = rng() >= p;
      }
      const before = times.filter((v) => v <= T);
      if (before.length > 1) continue; // groups by (x, tx, T) need equal tx: keep x = 0 and x = 1 in whole weeks
      const tx = before.length === 0 ? 0 : Math.floor(before[0]!);
      const key = `${before.length}|${tx}`;
      const g = groups.get(key) ?? { n: 0, none: 0, c: { x: before.length, tx: before.length === 0 ? 0 : tx + 0.5, T } };
      g.n++;
      if (!times.some((v) => v > T)) g.none++;
      groups.set(key, g);
    }
    const zero = groups.get('0|0')!;
    expect(zero.n).toBeGreaterThan(50_000);
    expect(zero.none / zero.n).toBeCloseTo(probabilityNoPurchase(CDNOW, zero.c, t), 2);
    const one = groups.get('1|15')!;
    expect(one.n).toBeGreaterThan(300);
    // Binomial standard error at n ≈ 1,000 is ≈ 0.015: allow 4 of them (tx rounded to the week's middle).
    expect(Math.abs(one.none / one.n - probabilityNoPurchase(CDNOW, one.c, t))).toBeLessThan(0.06);
  });

  it('is 1 for no time, and falls as the horizon grows', () => {
    const c = { x: 2, tx: 30.43, T: 38.86 };
    expect(probabilityNoPurchase(CDNOW, c, 0)).toBe(1);
    // Python, same closed form: 1 − 0.72657857 + 0.72657857 · (43.274/56.274)^2.243 = 0.6765090614692386.
    expect(probabilityNoPurchase(CDNOW, c, 13)).toBeCloseTo(0.6765090614692386, 12);
    expect(probabilityNoPurchase(CDNOW, c, 52)).toBeLessThan(probabilityNoPurchase(CDNOW, c, 13));
  });
});
