import { nelderMead } from './optimize.js';
import { logGamma } from './special-functions.js';

/**
 * The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value Curves
 * for Customer Base Analysis", JMR 42(4); Colombo & Jiang 1999): each transaction value is
 * Gamma(p, ν) and a customer's ν ~ Gamma(q, γ), independent of the purchase process. Fitted on
 * customers with at least one repeat purchase: x repeat transactions of mean value m.
 */
export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

export interface SpendSummary {
  /** Repeat transactions (≥ 1). */
  x: number;
  /** Their mean value (> 0). */
  m: number;
}

/**
 * One customer's log-likelihood of the mean spend:
 * ln Γ(px + q) − ln Γ(px) − ln Γ(q) + q ln γ + (px − 1) ln m + px ln x − (px + q) ln(γ + m x).
 *
 * @example
 * gammaGammaLogLikelihood({ p: 6.25, q: 3.74, gamma: 15.44 }, { x: 2, m: 35 });
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, c: SpendSummary): number {
  const { p, q, gamma } = params;
  const px = p * c.x;
  return logGamma(px + q) - logGamma(px) - logGamma(q) + q * Math.log(gamma) + (px - 1) * Math.log(c.m) + px * Math.log(c.x) - (px + q) * Math.log(gamma + c.m * c.x);
}

/**
 * E[M | x, m]: the expected value of the customer's future transactions, a weighted mean of
 * the population mean pγ/(q − 1) and the customer's own mean m (weight px / (px + q − 1)).
 *
 * @example
 * conditionalExpectedSpend({ p: 6.25, q: 3.74, gamma: 15.44 }, { x: 2, m: 35 });
 */
export function conditionalExpectedSpend(params: GammaGammaParams, c: SpendSummary): number {
  const { p, q, gamma } = params;
  if (c.x === 0) {
    if (!(q > 1)) throw new RangeError('the population mean spend needs q > 1');
    return (p * gamma) / (q - 1);
  }
  return (p * (gamma + c.x * c.m)) / (p * c.x + q - 1);
}

export interface GammaGammaFit {
  params: GammaGammaParams;
  logLikelihood: number;
  customers: number;
  converged: boolean;
}

/**
 * Maximum-likelihood fit by Nelder–Mead on log-parameters.
 *
 * @example
 * fitGammaGamma([{ x: 2, m: 35 }, …]).params; // { p, q, gamma }
 */
export function fitGammaGamma(customers: readonly SpendSummary[]): GammaGammaFit {
  const list = customers.filter((c) => c.x > 0);
  if (list.length === 0) throw new RangeError('fitGammaGamma needs customers with at least one repeat purchase');
  for (const c of list) if (!(c.m > 0)) throw new RangeError(`invalid spend summary ${JSON.stringify(c)}: the mean spend must be positive`);
  // gammaGammaLogLikelihood summed, with the Γ terms computed once per distinct x.
  const xs = Float64Array.from(list, (c) => c.x);
  const logMs = Float64Array.from(list, (c) => Math.log(c.m));
  const mxs = Float64Array.from(list, (c) => c.m * c.x);
  const logXs = Float64Array.from(list, (c) => Math.log(c.x));
  const distinctX = [...new Set(list.map((c) => c.x))];
  const perX = new Map<number, number>();
  const negLl = (v: number[]) => {
    const p = Math.exp(v[0]!), q = Math.exp(v[1]!), gamma = Math.exp(v[2]!);
    const lgQ = logGamma(q);
    const logGammaParam = Math.log(gamma);
    for (const x of distinctX) perX.set(x, logGamma(p * x + q) - logGamma(p * x) - lgQ + q * logGammaParam);
    let ll = 0;
    for (let i = 0; i < xs.length; i++) {
      const px = p * xs[i]!;
      ll += perX.get(xs[i]!)! + (px - 1) * logMs[i]! + px * logXs[i]! - (px + q) * Math.log(gamma + mxs[i]!);
    }
    return -ll;
  };
  const meanM = list.reduce((s, c) => s + c.m, 0) / list.length;
  let best = null as null | ReturnType<typeof nelderMead>;
  for (const start of [[0, 0, Math.log(meanM)], [Math.log(2), Math.log(3), Math.log(meanM)], [Math.log(5), Math.log(5), Math.log(meanM * 2)]]) {
    let r = nelderMead(negLl, start, { maxIterations: 4_000 });
    r = nelderMead(negLl, r.x, { maxIterations: 4_000, step: 0.1 });
    if (best === null || r.value < best.value) best = r;
  }
  const v = best!.x;
  const params = { p: Math.exp(v[0]!), q: Math.exp(v[1]!), gamma: Math.exp(v[2]!) };
  return { params, logLikelihood: -negLl(v), customers: list.length, converged: best!.converged };
}
