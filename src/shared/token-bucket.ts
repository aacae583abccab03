/**
 * Token-bucket rate limiting: each key refills `ratePerSecond` tokens up to `burst`; a
 * request spends one. Pure: the caller passes the time.
 *
 * @example
 * const limiter = createTokenBuckets({ ratePerSecond: 10, burst: 20 });
 * limiter.take('key-1', now); // { allowed: true } or { allowed: false, retryAfterSeconds: 1 }
 */
export function createTokenBuckets(options: { ratePerSecond: number; burst: number; maxKeys?: number }) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const maxKeys = options.maxKeys ?? 100_000;
  return {
    take(key: string, now: number): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
      let b = buckets.get(key);
      if (b === undefined) {
        if (buckets.size >= maxKeys) buckets.clear();
        buckets.set(key, (b = { tokens: options.burst, at: now }));
      }
      b.tokens = Math.min(options.burst, b.tokens + ((now - b.at) / 1000) * options.ratePerSecond);
      b.at = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { allowed: true };
      }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / options.ratePerSecond)) };
    },
  };
}
