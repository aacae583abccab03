/**
 * Random draws from the distributions several domains need (simulated customers in the
 * prediction tests, Thompson sampling in recommendation exploration). The uniform source is
 * passed in, so draws are reproducible (see src/recommend/rng.ts `seededRng`).
 */

/** Uniform numbers in [0, 1). */
export type Rng = () => number;

/** A standard normal draw (Box–Muller). */
function normal(rng: Rng): number {
  const u = Math.max(rng(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * A Gamma(shape, rate) draw: Marsaglia & Tsang (2000), "A simple method for generating gamma
 * variables", for shape ≥ 1, and the boost Gamma(k) = Gamma(k + 1) · U^(1/k) below 1.
 *
 * @example
 * gammaDraw(rng, 2, 0.5); // mean 4
 */
export function gammaDraw(rng: Rng, shape: number, rate = 1): number {
  if (!(shape > 0) || !(rate > 0)) throw new RangeError(`gamma shape and rate must be positive, got ${shape} and ${rate}`);
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

/**
 * A Beta(a, b) draw. When a shape is 1 the CDF inverts in closed form — Beta(1, b) has
 * F(x) = 1 − (1 − x)^b, so 1 − U^(1/b) with U uniform; Beta(a, 1) has F(x) = x^a, so U^(1/a) —
 * one uniform draw instead of two gamma variates (Thompson sampling over items nobody has
 * responded to draws from Beta(1, 1 + impressions)). Otherwise X / (X + Y) with
 * X ~ Gamma(a), Y ~ Gamma(b).
 *
 * @example
 * betaDraw(rng, 3, 7); // in (0, 1), mean 0.3 over many draws
 */
export function betaDraw(rng: Rng, a: number, b: number): number {
  if (!(a > 0) || !(b > 0)) throw new RangeError(`beta shapes must be positive, got ${a} and ${b}`);
  if (a === 1) return 1 - Math.pow(1 - rng(), 1 / b);
  if (b === 1) return Math.pow(1 - rng(), 1 / a);
  const x = gammaDraw(rng, a);
  const y = gammaDraw(rng, b);
  return x / (x + y);
}
