import { PositionSet } from './packed.js';
import { topN } from './top-n.js';
import type { NeighbourLists } from './neighbours.js';
import { componentsKey, type Component } from './ranking.js';

/** Helpers over score lists and neighbour lists for serving. */

/** Best candidates kept per score list for exploration's relevance. */
export const EXPLORATION_RELEVANT = 50;

const leading = new WeakMap<object, { positions: Int32Array; relevance: Float64Array }>();
/**
 * A score list's best EXPLORATION_RELEVANT positions with their score relative to its best:
 * kept by the list's identity (memoized personal lists and the state's cached top lists are
 * asked again and again).
 */
export function leadingOf(scores: ReadonlyMap<number, number>, size: number): { positions: Int32Array; relevance: Float64Array } {
  let lead = leading.get(scores);
  if (lead === undefined) {
    const dense = new Float64Array(size);
    const keys: number[] = [];
    let max = 0;
    scores.forEach((v, p) => {
      if (p < 0 || p >= size || !(v > 0)) return;
      dense[p] = v;
      keys.push(p);
      if (v > max) max = v;
    });
    const positions = max > 0 ? topN({ scores: dense, n: EXPLORATION_RELEVANT, candidates: keys, above: 0 }) : new Int32Array(0);
    lead = { positions, relevance: Float64Array.from(positions, (p) => dense[p]! / max) };
    leading.set(scores, lead);
  }
  return lead;
}

/** Candidates ranked by their relevance to a request: the best of each component's leading positions, relative to that component's best. */
export interface Relevance {
  /** Best first (ties to the lower position). */
  positions: Int32Array;
  values: Float64Array;
  has(position: number): boolean;
}

const sharedRelevance = new Map<string, Relevance>();
const SHARED_RELEVANCE = 64;

/**
 * The request's candidates for exploration by relevance (see `leadingOf`), for a set of
 * components: kept in `memo` (the person's) or a small shared cache by the identity of the
 * score lists and their weights, as blends are.
 */
export function relevanceOf(components: readonly Component[], size: number, memo?: Map<string, unknown>): Relevance {
  const active = components.filter((c) => c.weight > 0 && c.scores.size > 0);
  const key = componentsKey(active);
  const kept = (memo === undefined ? undefined : memo.get('relevance')) as { key: string; value: Relevance } | undefined;
  if (kept?.key === key) return kept.value;
  let value = memo === undefined ? sharedRelevance.get(key) : undefined;
  if (value === undefined) {
    const best = new Map<number, number>();
    for (const c of active) {
      const lead = leadingOf(c.scores, size);
      for (let k = 0; k < lead.positions.length; k++) {
        const p = lead.positions[k]!;
        best.set(p, Math.max(best.get(p) ?? 0, lead.relevance[k]!));
      }
    }
    const sorted = [...best].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    // Kept per person: sorted positions outside the heap, not `best`, whose scores are boxed numbers.
    const members = PositionSet.of(best.keys());
    value = { positions: Int32Array.from(sorted, (x) => x[0]), values: Float64Array.from(sorted, (x) => x[1]), has: (p) => members.has(p) };
    if (memo === undefined) {
      if (sharedRelevance.size >= SHARED_RELEVANCE) sharedRelevance.delete(sharedRelevance.keys().next().value as string);
      sharedRelevance.set(key, value);
    }
  }
  memo?.set('relevance', { key, value });
  return value;
}

/** Whether the components offer at least `k` distinct candidates (stops counting there). */
export function hasCandidates(components: readonly Component[], k: number): boolean {
  if (components.some((c) => c.scores.size >= k)) return true;
  const seen = new Set<number>();
  for (const c of components) {
    for (const p of c.scores.keys()) {
      seen.add(p);
      if (seen.size >= k) return true;
    }
  }
  return false;
}

/** The n best positions of a dense score array as a map (scores above 0). */
export function sparseScores(scores: Float64Array, n: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of topN({ scores, n, above: 0 })) out.set(p, scores[p]!);
  return out;
}

/** The n best entries of a map. */
export function limit(scores: ReadonlyMap<number, number>, n: number): Map<number, number> {
  if (scores.size <= n) return new Map(scores);
  return new Map([...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, n));
}

/**
 * A sparse vector as a dense array, for the explanations of one request: a scratch array per
 * size, refilled when another vector asks (serving is synchronous, so one request uses it at a time).
 */
const scratch = new Map<string, { of: object | null; values: Float64Array; filled: ArrayLike<number> }>();
export function denseOf(h: { indices: ArrayLike<number>; values: ArrayLike<number> }, size: number, slot: 'model' | 'catalog'): Float64Array {
  let s = scratch.get(slot);
  if (s === undefined || s.values.length !== size) scratch.set(slot, (s = { of: null, values: new Float64Array(size), filled: [] }));
  if (s.of !== h) {
    for (let k = 0; k < s.filled.length; k++) s.values[s.filled[k]!] = 0;
    for (let k = 0; k < h.indices.length; k++) if (h.indices[k]! < size) s.values[h.indices[k]!] = h.values[k]!;
    s.of = h;
    s.filled = h.indices;
  }
  return s.values;
}

/** W_ij of neighbour lists (0 when j is not among i's neighbours). */
export function weightIn(lists: NeighbourLists, i: number, j: number): number {
  if (i < 0 || j < 0 || i + 1 >= lists.indptr.length) return 0;
  for (let q = lists.indptr[i]!; q < lists.indptr[i + 1]!; q++) if (lists.indices[q] === j) return lists.weights[q]!;
  return 0;
}

/** The source item with the largest weight toward j (-1 when none reaches it). */
export function strongestSource(lists: NeighbourLists, sources: readonly number[], j: number): number {
  let best = -1;
  let bestW = 0;
  for (const i of sources) {
    const w = weightIn(lists, i, j);
    if (w > bestW) {
      bestW = w;
      best = i;
    }
  }
  return best;
}

export function emptyLists(): NeighbourLists {
  return { indptr: new Int32Array(1), indices: new Int32Array(0), weights: new Float32Array(0) };
}
