import { describe, expect, it } from 'vitest';
import { explorationPositions, explorationSlots, thompsonPick, type ExplorationCandidate } from './exploration.js';
import { betaDraw } from '../shared/random.js';
import { seededRng, type Rng } from './rng.js';

const candidate = (overrides: Partial<ExplorationCandidate> & { position: number }): ExplorationCandidate => ({
  impressions: 0,
  responses: 0,
  relevance: 1,
  ...overrides,
});

/** Share of trials in which `a` wins a single slot against `b`, one rng across trials. */
function winShare(a: ExplorationCandidate, b: ExplorationCandidate, trials: number, rng: Rng): number {
  let wins = 0;
  for (let t = 0; t < trials; t++) if (thompsonPick({ candidates: [a, b], slots: 1, rng })[0]!.position === a.position) wins++;
  return wins / trials;
}

describe('thompsonPick', () => {
  // With equal relevance, item a with posterior X beats an unseen item (U ~ Beta(1, 1), uniform)
  // with probability P(X > U) = E[X]: the posterior mean.
  const T = 4000;
  const within4se = (share: number, p: number) => expect(Math.abs(share - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / T));

  it('picks an item shown often without response far less often than an unseen one', () => {
    // Beta(1, 1 + 1000): E[X] = 1/1002 ≈ 0.001 → about 4 wins in 4000.
    const stale = candidate({ position: 1, impressions: 1000, responses: 0 });
    const share = winShare(stale, candidate({ position: 2 }), T, seededRng(11));
    expect(share).toBeLessThan(0.005);
    within4se(share, 1 / 1002);
  });

  it('keeps picking an item people respond to', () => {
    // 8 responses of 10 impressions: Beta(9, 3), E[X] = 0.75.
    within4se(winShare(candidate({ position: 1, impressions: 10, responses: 8 }), candidate({ position: 2 }), T, seededRng(12)), 0.75);
  });

  it('clamps responses to impressions', () => {
    // 5 responses of 0 impressions reads as no feedback: Beta(1, 1) against Beta(1, 1), an even chance.
    within4se(winShare(candidate({ position: 1, impressions: 0, responses: 5 }), candidate({ position: 2 }), T, seededRng(13)), 0.5);
  });

  it('weights the draw by 0.5 + 0.5 · relevance', () => {
    // Two unseen items, draws U₁·1 and U₂·0.5: P(U₁ > U₂/2) = 1 − ∫₀¹ (u/2) du = 0.75.
    within4se(winShare(candidate({ position: 1, relevance: 1 }), candidate({ position: 2, relevance: 0 }), T, seededRng(14)), 0.75);
    // Relevance is clamped to 0–1: 3 counts as 1 and −2 as 0, again 0.75.
    within4se(winShare(candidate({ position: 1, relevance: 3 }), candidate({ position: 2, relevance: -2 }), T, seededRng(15)), 0.75);
  });

  it('gives the same picks for the same seed', () => {
    const candidates = Array.from({ length: 20 }, (_, i) => candidate({ position: i, impressions: i * 3, responses: i % 4, relevance: (i % 5) / 4 }));
    const first = thompsonPick({ candidates, slots: 5, rng: seededRng(7) });
    expect(thompsonPick({ candidates, slots: 5, rng: seededRng(7) })).toEqual(first);
    // Another seed draws other numbers.
    expect(thompsonPick({ candidates, slots: 5, rng: seededRng(8) }).map((p) => p.draw)).not.toEqual(first.map((p) => p.draw));
  });

  it('returns every candidate, best draw first, when there are fewer candidates than slots', () => {
    const candidates = [candidate({ position: 4 }), candidate({ position: 9, relevance: 0 }), candidate({ position: 2, impressions: 50, responses: 1 })];
    const picks = thompsonPick({ candidates, slots: 10, rng: seededRng(3) });
    expect(picks.map((p) => p.position).sort((a, b) => a - b)).toEqual([2, 4, 9]);
    expect(picks.map((p) => p.draw)).toEqual([...picks.map((p) => p.draw)].sort((a, b) => b - a));
    const relevanceOf = new Map(candidates.map((c) => [c.position, c.relevance]));
    for (const p of picks) {
      expect(p.draw).toBeGreaterThanOrEqual(0);
      expect(p.draw).toBeLessThanOrEqual(0.5 + 0.5 * relevanceOf.get(p.position)!);
    }
  });

  it('picks what sorting every draw would pick, in the same order', () => {
    // The reference: draw for every candidate in turn, sort by draw (ties: lower position), keep the first `slots`.
    const reference = (candidates: ExplorationCandidate[], slots: number, rng: Rng) => candidates.map((c) => {
      const r = Math.max(0, Math.min(c.responses, c.impressions));
      return { position: c.position, draw: betaDraw(rng, 1 + r, 1 + c.impressions - r) * (0.5 + 0.5 * Math.max(0, Math.min(1, c.relevance))) };
    }).sort((a, b) => b.draw - a.draw || a.position - b.position).slice(0, slots);
    const gen = seededRng(99);
    for (let trial = 0; trial < 300; trial++) {
      const candidates = Array.from({ length: Math.floor(gen() * 60) }, (_, k) => {
        const impressions = gen() < 0.3 ? 0 : Math.floor(gen() * 200);
        return candidate({ position: Math.floor(gen() * 40) + k * 41, impressions, responses: gen() < 0.5 ? 0 : Math.floor(gen() * (impressions + 2)), relevance: gen() < 0.2 ? 0 : gen() });
      });
      const slots = 1 + Math.floor(gen() * 6);
      expect(thompsonPick({ candidates, slots, rng: seededRng(trial) }), `trial ${trial}`).toEqual(reference(candidates, slots, seededRng(trial)));
    }
    // Equal draws (relevance 0 and an item that cannot win): the lower position goes first.
    const ties = [candidate({ position: 7, relevance: 0 }), candidate({ position: 3, relevance: 0 })];
    const fixed = () => 0.5;
    expect(thompsonPick({ candidates: ties, slots: 2, rng: fixed }).map((p) => p.position)).toEqual([3, 7]);
    expect(thompsonPick({ candidates: [...ties].reverse(), slots: 2, rng: fixed }).map((p) => p.position)).toEqual([3, 7]);
    expect(thompsonPick({ candidates: [...ties].reverse(), slots: 1, rng: fixed }).map((p) => p.position)).toEqual([3]);
  });

  it('picks nothing for no slots or no candidates', () => {
    expect(thompsonPick({ candidates: [candidate({ position: 1 })], slots: 0, rng: seededRng(1) })).toEqual([]);
    expect(thompsonPick({ candidates: [], slots: 3, rng: seededRng(1) })).toEqual([]);
  });
});

describe('explorationSlots', () => {
  it('rounds n · share', () => {
    expect(explorationSlots(10, 0.2)).toBe(2);
    expect(explorationSlots(10, 0.25)).toBe(3); // round(2.5)
    expect(explorationSlots(7, 0.2)).toBe(1); // round(1.4)
    expect(explorationSlots(100, 0.5)).toBe(50);
  });

  it('always leaves the best item: at most n − 1 slots, none for a list of one', () => {
    expect(explorationSlots(3, 0.5)).toBe(2); // round(1.5)
    expect(explorationSlots(2, 0.5)).toBe(1);
    expect(explorationSlots(1, 0.5)).toBe(0);
    for (let n = 1; n <= 100; n++) expect(explorationSlots(n, 0.5)).toBeLessThanOrEqual(n - 1);
  });

  it('is 0 for no list, no share or a share that is not a number', () => {
    expect(explorationSlots(0, 0.2)).toBe(0);
    expect(explorationSlots(-3, 0.2)).toBe(0);
    expect(explorationSlots(10, 0)).toBe(0);
    expect(explorationSlots(10, NaN)).toBe(0);
  });
});

describe('explorationPositions', () => {
  it('spreads the slots evenly, as documented', () => {
    // k-th of s slots at round(k·n/(s+1)) − 1: n = 10, s = 2 → round(3.33) − 1 = 2, round(6.67) − 1 = 6.
    expect(explorationPositions(10, 2)).toEqual([2, 6]);
    // n = 10, s = 1 → round(5) − 1 = 4; n = 5, s = 2 → round(1.67) − 1 = 1, round(3.33) − 1 = 2.
    expect(explorationPositions(10, 1)).toEqual([4]);
    expect(explorationPositions(5, 2)).toEqual([1, 2]);
    expect(explorationPositions(10, 0)).toEqual([]);
  });

  it('gives distinct positions in 1..n − 1, in order, for every n up to 150 and every slot count below n', () => {
    const wrong: string[] = [];
    for (let n = 2; n <= 150; n++) {
      for (let slots = 0; slots < n; slots++) {
        const positions = explorationPositions(n, slots);
        const ok = positions.length === slots && positions.every((p, k) => p >= 1 && p <= n - 1 && (k === 0 || p > positions[k - 1]!));
        if (!ok) wrong.push(`n=${n} slots=${slots}: ${positions.join(',')}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('packs n − 1 slots into every position but the first', () => {
    expect(explorationPositions(6, 5)).toEqual([1, 2, 3, 4, 5]);
  });
});
