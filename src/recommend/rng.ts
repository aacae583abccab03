/** A source of uniform numbers in [0, 1): randomness is passed in, so fits are reproducible. */
export type Rng = () => number;

/**
 * A small seeded generator (Mulberry32, a 32-bit state Weyl sequence with an avalanche mix):
 * not for cryptography, ample for initialising factor matrices.
 *
 * @example
 * const rng = seededRng(42); rng(); // same value on every run
 */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A 32-bit FNV-1a hash of a string: a seed from an id (a request's exploration), or a fixed
 * spread over keys.
 *
 * @example
 * hashString('a'); // 3826002220
 */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
