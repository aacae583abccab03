import { nelderMead } from './optimize.js';
import { hyp2f1, logAddExp, logBeta, logGamma } from './special-functions.js';

/**
 * The BG/NBD purchase model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy
 * Way", Marketing Science 24(2)): while alive, a customer buys as a Poisson process with rate
 * λ ~ Gamma(r, α); after each purchase they drop out with probability p ~ Beta(a, b).
 *
 * A customer is summarized as (x, tₓ, T): x repeat purchases (purchases after the first, in
 * distinct time units), tₓ the time of the last one and T the time since the first, both
 * measured from the first purchase in the model's time unit (days or weeks).
 */
export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface CustomerSummary {
  /** Repeat purchases. */
  x: number;
  /** Time of the last purchase since the first (0 when x = 0). */
  tx: number;
  /** Time since the first purchase (the calibration period's length for this customer). */
  T: number;
}

/**
 * One customer's log-likelihood (FHL 2005 eq. 6), in log space:
 * ln L = A₁ + A₂ + ln(e^A₃ + [x > 0] e^A₄) with
 * A₁ = ln Γ(r + x) − ln Γ(r) + r ln α, A₂ = ln B(a, b + x) − ln B(a, b),
 * A₃ = −(r + x) ln(α + T), A₄ = ln a − ln(b + x − 1) − (r + x) ln(α + tₓ).
 *
 * @example
 * bgnbdLogLikelihood({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, { x: 2, tx: 30.43, T: 38.86 });
 */
export function bgnbdLogLikelihood(p: BgNbdParams, c: CustomerSummary): number {
  const { r, alpha, a, b } = p;
  const { x, tx, T } = c;
  const a1 = logGamma(r + x) - logGamma(r) + r * Math.log(alpha);
  const a2 = logBeta(a, b + x) - logBeta(a, b);
  const a3 = -(r + x) * Math.log(alpha + T);
  const a4 = x > 0 ? Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx) : -Infinity;
  return a1 + a2 + logAddExp(a3, a4);
}

/**
 * P(alive | x, tₓ, T) (FHL 2005 eq. A.2 / lifetimes): 1 for a customer with no repeat purchase.
 *
 * @example
 * probabilityAlive(params, { x: 2, tx: 30.43, T: 38.86 });
 */
export function probabilityAlive(p: BgNbdParams, c: CustomerSummary): number {
  if (c.x === 0) return 1;
  const { r, alpha, a, b } = p;
  const logRatio = Math.log(a) - Math.log(b + c.x - 1) + (r + c.x) * (Math.log(alpha + c.T) - Math.log(alpha + c.tx));
  return 1 / (1 + Math.exp(logRatio));
}

/**
 * P(no purchase in the next t | x, tₓ, T): the customer is dead, or alive and their Poisson
 * process gives no purchase in t. Alive, λ's posterior is Gamma(r + x, α + T), so
 * P(none | alive) = E[e^(−λt)] = ((α + T)/(α + T + t))^(r + x); in BG/NBD a customer can only
 * drop out right after a purchase, so no purchase means no dropout in between either.
 *
 * @example
 * probabilityNoPurchase(params, { x: 2, tx: 30.43, T: 38.86 }, 13);
 */
export function probabilityNoPurchase(p: BgNbdParams, c: CustomerSummary, t: number): number {
  if (t <= 0) return 1;
  const alive = probabilityAlive(p, c);
  return 1 - alive + alive * Math.exp((p.r + c.x) * (Math.log(p.alpha + c.T) - Math.log(p.alpha + c.T + t)));
}

/**
 * E[Y(t) | x, tₓ, T]: expected purchases in the next t time units (FHL 2005 eq. 10).
 *
 * @example
 * conditionalExpectedPurchases({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, { x: 2, tx: 30.43, T: 38.86 }, 39); // ≈ 1.226
 */
export function conditionalExpectedPurchases(p: BgNbdParams, c: CustomerSummary, t: number): number {
  const { r, alpha, a, b } = p;
  const { x, tx, T } = c;
  if (t <= 0) return 0;
  // Valid for any a ≠ 1 (for a < 1 both factors of the first term are negative).
  if (a === 1) throw new RangeError('conditional expectation is undefined at a = 1 exactly');
  const hyp = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t));
  const first = ((a + b + x - 1) / (a - 1)) * (1 - Math.exp((r + x) * (Math.log(alpha + T) - Math.log(alpha + T + t))) * hyp);
  const second = x > 0 ? (a / (b + x - 1)) * Math.exp((r + x) * (Math.log(alpha + T) - Math.log(alpha + tx))) : 0;
  return first / (1 + second);
}

/**
 * E[X(t)]: expected purchases in (0, t] of a new customer (FHL 2005 eq. 9).
 *
 * @example
 * expectedPurchasesNewCustomer(params, 39);
 */
export function expectedPurchasesNewCustomer(p: BgNbdParams, t: number): number {
  const { r, alpha, a, b } = p;
  if (a === 1) throw new RangeError('expected purchases are undefined at a = 1 exactly');
  return ((a + b - 1) / (a - 1)) * (1 - Math.exp(r * (Math.log(alpha) - Math.log(alpha + t))) * hyp2f1(r, b, a + b - 1, t / (alpha + t)));
}

export interface BgNbdFit {
  params: BgNbdParams;
  /** Total log-likelihood at the optimum. */
  logLikelihood: number;
  customers: number;
  iterations: number;
  converged: boolean;
}

/**
 * Maximum-likelihood fit: Nelder–Mead on the log-parameters (so they stay positive), from
 * several starting points, keeping the best; customers with the same (x, tₓ, T) are counted
 * once with a weight. A small ridge penalty on the log-parameters (default 0, as in the paper)
 * can stabilize tiny data sets.
 *
 * @example
 * const fit = fitBgNbd(customers); fit.params; // { r, alpha, a, b }
 */
export function fitBgNbd(customers: readonly CustomerSummary[], options: { penalty?: number } = {}): BgNbdFit {
  if (customers.length === 0) throw new RangeError('fitBgNbd needs at least one customer');
  const groups = new Map<string, { c: CustomerSummary; n: number }>();
  for (const c of customers) {
    if (!(c.x >= 0 && c.T > 0 && c.tx >= 0 && c.tx <= c.T)) throw new RangeError(`invalid customer summary ${JSON.stringify(c)}: need x ≥ 0, 0 ≤ tx ≤ T, T > 0`);
    const key = `${c.x}|${c.tx}|${c.T}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { c, n: 1 });
    else g.n++;
  }
  const list = [...groups.values()];
  const penalty = options.penalty ?? 0;
  // The same sum as bgnbdLogLikelihood, with the Γ and B terms (which depend on x only)
  // computed once per distinct x: a fit evaluates the likelihood hundreds of times.
  const xs = new Float64Array(list.length);
  const txs = new Float64Array(list.length);
  const Ts = new Float64Array(list.length);
  const ns = new Float64Array(list.length);
  list.forEach(({ c, n }, i) => { xs[i] = c.x; txs[i] = c.tx; Ts[i] = c.T; ns[i] = n; });
  const distinctX = [...new Set(list.map(({ c }) => c.x))];
  const perX = new Map<number, { a12: number; logA4: number }>();
  const negLl = (v: number[]) => {
    const r = Math.exp(v[0]!), alpha = Math.exp(v[1]!), a = Math.exp(v[2]!), b = Math.exp(v[3]!);
    const lgR = logGamma(r);
    const lbAB = logBeta(a, b);
    const logAlpha = Math.log(alpha);
    for (const x of distinctX) {
      perX.set(x, { a12: logGamma(r + x) - lgR + r * logAlpha + logBeta(a, b + x) - lbAB, logA4: x > 0 ? Math.log(a) - Math.log(b + x - 1) : -Infinity });
    }
    let ll = 0;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      const k = perX.get(x)!;
      const a3 = -(r + x) * Math.log(alpha + Ts[i]!);
      const a4 = x > 0 ? k.logA4 - (r + x) * Math.log(alpha + txs[i]!) : -Infinity;
      ll += ns[i]! * (k.a12 + logAddExp(a3, a4));
    }
    return -ll + penalty * v.reduce((s, x) => s + x * x, 0);
  };
  const meanT = customers.reduce((s, c) => s + c.T, 0) / customers.length;
  const starts = [[0, Math.log(Math.max(1, meanT / 10)), 0, 0], [Math.log(0.5), Math.log(Math.max(1, meanT)), Math.log(0.5), Math.log(2)], [Math.log(2), Math.log(Math.max(1, meanT / 2)), Math.log(2), Math.log(5)]];
  let best = null as null | ReturnType<typeof nelderMead>;
  let iterations = 0;
  for (const start of starts) {
    let r = nelderMead(negLl, start, { maxIterations: 4_000 });
    // A restart from the optimum escapes a collapsed simplex.
    r = nelderMead(negLl, r.x, { maxIterations: 4_000, step: 0.1 });
    iterations += r.iterations;
    if (best === null || r.value < best.value) best = r;
  }
  const v = best!.x;
  const params = { r: Math.exp(v[0]!), alpha: Math.exp(v[1]!), a: Math.exp(v[2]!), b: Math.exp(v[3]!) };
  let logLikelihood = 0;
  for (const { c, n } of list) logLikelihood += n * bgnbdLogLikelihood(params, c);
  return { params, logLikelihood, customers: customers.length, iterations, converged: best!.converged };
}
