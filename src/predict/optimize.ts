/**
 * Nelder–Mead simplex minimization (Nelder & Mead 1965, with the standard coefficients
 * reflection 1, expansion 2, contraction 0.5, shrink 0.5; Lagarias et al. 1998). No
 * derivatives needed: the purchase-model likelihoods are smooth but their gradients involve
 * digamma functions of the data, and the parameter count is 3 or 4. Callers optimize over
 * log-parameters so every point is valid.
 */
export interface MinimizeResult {
  x: number[];
  value: number;
  iterations: number;
  converged: boolean;
}

/**
 * Minimizes `f` from `start`.
 *
 * @example
 * nelderMead((p) => (p[0]! - 1) ** 2 + (p[1]! + 2) ** 2, [0, 0]); // x ≈ [1, −2]
 */
export function nelderMead(f: (x: number[]) => number, start: readonly number[], options: { step?: number; maxIterations?: number; tolerance?: number } = {}): MinimizeResult {
  const n = start.length;
  const step = options.step ?? 0.5;
  const maxIterations = options.maxIterations ?? 2_000;
  const tolerance = options.tolerance ?? 1e-10;
  const safe = (x: number[]) => {
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  let simplex = [start.slice()];
  for (let i = 0; i < n; i++) {
    const p = start.slice();
    p[i]! += step;
    simplex.push(p);
  }
  let values = simplex.map(safe);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const order = values.map((v, i) => i).sort((i, j) => values[i]! - values[j]!);
    simplex = order.map((i) => simplex[i]!);
    values = order.map((i) => values[i]!);
    const spread = Math.abs(values[n]! - values[0]!);
    if (spread <= tolerance * (Math.abs(values[0]!) + tolerance)) return { x: simplex[0]!, value: values[0]!, iterations, converged: true };
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j]! += simplex[i]![j]! / n;
    const worst = simplex[n]!;
    const along = (t: number) => centroid.map((c, j) => c + t * (c - worst[j]!));
    const reflected = along(1);
    const fr = safe(reflected);
    if (fr < values[0]!) {
      const expanded = along(2);
      const fe = safe(expanded);
      if (fe < fr) { simplex[n] = expanded; values[n] = fe; } else { simplex[n] = reflected; values[n] = fr; }
      continue;
    }
    if (fr < values[n - 1]!) { simplex[n] = reflected; values[n] = fr; continue; }
    const contracted = fr < values[n]! ? along(0.5) : along(-0.5);
    const fc = safe(contracted);
    if (fc < Math.min(fr, values[n]!)) { simplex[n] = contracted; values[n] = fc; continue; }
    // Shrink towards the best point.
    for (let i = 1; i <= n; i++) {
      simplex[i] = simplex[i]!.map((v, j) => simplex[0]![j]! + 0.5 * (v - simplex[0]![j]!));
      values[i] = safe(simplex[i]!);
    }
  }
  const best = values.indexOf(Math.min(...values));
  return { x: simplex[best]!, value: values[best]!, iterations, converged: false };
}
