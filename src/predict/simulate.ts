import type { BgNbdParams, CustomerSummary } from './bgnbd.js';
import type { GammaGammaParams, SpendSummary } from './gamma-gamma.js';

/** Uniform numbers in [0, 1), passed in (see src/recommend/rng.ts `seededRng`). */
export type Rng = () => number;

/** A standard normal draw (Box–Muller). */
function normal(rng: Rng): number {
  const u = Math.max(rng(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * A Gamma(shape, rate) draw: Marsaglia & Tsang (2000) for shape ≥ 1, and
 * Gamma(k) = Gamma(k + 1) · U^(1/k) below 1.
 *
 * @example
 * gammaDraw(rng, 2, 0.5); // mean 4
 */
export function gammaDraw(rng: Rng, shape: number, rate: number): number {
  if (shape < 1) return gammaDraw(rng, shape + 1, rate) * Math.pow(Math.max(rng(), 1e-300), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return (d * v) / rate;
  }
}

/** A Beta(a, b) draw from two Gamma draws. */
export function betaDraw(rng: Rng, a: number, b: number): number {
  const x = gammaDraw(rng, a, 1);
  const y = gammaDraw(rng, b, 1);
  return x / (x + y);
}

/**
 * Customers simulated from the BG/NBD story, observed for T time units after their first
 * purchase: purchases at Poisson rate λ ~ Gamma(r, α) until the customer drops out, with
 * probability p ~ Beta(a, b) after each purchase. Used to prove that the fit recovers known
 * parameters, and by the benchmark.
 *
 * @example
 * simulateBgNbd({ r: 0.25, alpha: 4, a: 0.8, b: 2.5 }, [39, 39, 30], seededRng(1));
 */
export function simulateBgNbd(params: BgNbdParams, observationLengths: readonly number[], rng: Rng): CustomerSummary[] {
  return observationLengths.map((T) => {
    const lambda = gammaDraw(rng, params.r, params.alpha);
    const p = betaDraw(rng, params.a, params.b);
    let t = 0;
    let x = 0;
    let tx = 0;
    for (;;) {
      t += -Math.log(Math.max(rng(), 1e-300)) / lambda;
      if (t > T) break;
      x++;
      tx = t;
      if (rng() < p) break;
    }
    return { x, tx, T };
  });
}

/**
 * Mean spends simulated from the Gamma-Gamma story for customers with `x` repeat purchases.
 *
 * @example
 * simulateGammaGamma({ p: 6, q: 4, gamma: 15 }, [1, 3, 2], seededRng(1));
 */
export function simulateGammaGamma(params: GammaGammaParams, repeatCounts: readonly number[], rng: Rng): SpendSummary[] {
  return repeatCounts.map((x) => {
    const nu = gammaDraw(rng, params.q, params.gamma);
    let total = 0;
    for (let i = 0; i < x; i++) total += gammaDraw(rng, params.p, nu);
    return { x, m: total / x };
  });
}
