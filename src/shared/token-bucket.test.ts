import { expect, it } from 'vitest';
import { createTokenBuckets } from './token-bucket.js';

it('allows a burst, then refills at the rate, per key', () => {
  const b = createTokenBuckets({ ratePerSecond: 2, burst: 3 });
  expect([1, 2, 3].map(() => b.take('k', 0).allowed)).toEqual([true, true, true]);
  expect(b.take('k', 0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  expect(b.take('other', 0).allowed).toBe(true);
  // 500 ms at 2 tokens/s gives back exactly one token.
  expect(b.take('k', 500).allowed).toBe(true);
  expect(b.take('k', 500).allowed).toBe(false);
  // Never more than the burst, however long the pause.
  expect([1, 2, 3, 4].map(() => b.take('k', 60_000).allowed)).toEqual([true, true, true, false]);
});
