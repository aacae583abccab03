import { betaDraw } from '../shared/random.js';
import type { Rng } from './rng.js';

/**
 * Exploration of new and little-shown items by Thompson sampling (Thompson 1933; Chapelle &
 * Li 2011, "An Empirical Evaluation of Thompson Sampling"): each candidate's response rate has
 * a Beta(1 + responses, 1 + impressions − responses) posterior; one draw per candidate, the
 * highest draws win the exploration slots. An item nobody has seen draws from Beta(1, 1) —
 * uniform — so it gets its chance; an item shown often without response draws low and stops
 * taking slots; one that people respond to keeps winning until the main ranking learns it.
 */

/** How often a placement showed each item and how often people responded, by catalog position. */
export interface ItemCounts {
  readonly impressions: ArrayLike<number>;
  readonly responses: ArrayLike<number>;
}

/** A candidate for exploration: its feedback so far and its relevance to this request (0–1, 0 when unknown). */
export interface ExplorationCandidate {
  position: number;
  impressions: number;
  responses: number;
  relevance: number;
}

/**
 * Picks `slots` candidates by Thompson sampling. The draw is multiplied by 0.5 + 0.5 ·
 * relevance, so among equally uncertain items those that fit the request go first, while an
 * item with no known relevance still has half its chance.
 *
 * @example
 * thompsonPick({ candidates, slots: 2, rng: seededRng(7) }); // e.g. [{ position: 12, draw: 0.71 }, …]
 */
export function thompsonPick(input: { candidates: readonly ExplorationCandidate[]; slots: number; rng: Rng }): Array<{ position: number; draw: number }> {
  if (input.slots <= 0 || input.candidates.length === 0) return [];
  // The best `slots` draws kept in order as they come (slots are few; no sort of every draw).
  const best: Array<{ position: number; draw: number }> = [];
  for (const c of input.candidates) {
    const responses = Math.max(0, Math.min(c.responses, c.impressions));
    const theta = betaDraw(input.rng, 1 + responses, 1 + c.impressions - responses);
    const draw = theta * (0.5 + 0.5 * Math.max(0, Math.min(1, c.relevance)));
    let at = best.length;
    while (at > 0 && (best[at - 1]!.draw < draw || (best[at - 1]!.draw === draw && best[at - 1]!.position > c.position))) at--;
    if (at >= input.slots) continue;
    best.splice(at, 0, { position: c.position, draw });
    if (best.length > input.slots) best.pop();
  }
  return best;
}

/**
 * How many of `n` slots go to exploration for a share: round(n · share), at most n − 1 when
 * n > 1 so that a list always keeps its best item.
 *
 * @example
 * explorationSlots(10, 0.2); // 2
 */
export function explorationSlots(n: number, share: number): number {
  if (n <= 0 || !(share > 0)) return 0;
  const slots = Math.round(n * share);
  return n > 1 ? Math.min(slots, n - 1) : 0;
}

/**
 * Where exploration items go in a list of n: spread evenly over the list,
 * never first (positions are 0-based): for n = 10 and 2 slots, positions 2 and 6 (the 3rd and 7th items).
 *
 * @example
 * explorationPositions(10, 2); // [2, 6]
 */
export function explorationPositions(n: number, slots: number): number[] {
  const out: number[] = [];
  for (let k = 1; k <= slots; k++) out.push(Math.min(n - 1, Math.max(1, Math.round((k * n) / (slots + 1)) - 1)));
  // Distinct positions, pushed down when two collide.
  for (let k = 1; k < out.length; k++) if (out[k]! <= out[k - 1]!) out[k] = Math.min(n - 1, out[k - 1]! + 1);
  return [...new Set(out)];
}
