import type { BgNbdParams, CustomerSummary } from './bgnbd.js';
import type { GammaGammaParams, SpendSummary } from './gamma-gamma.js';

import { betaDraw, gammaDraw, type Rng } from '../shared/random.js';

export { betaDraw, gammaDraw, type Rng } from '../shared/random.js';

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
