import { randomBytes, randomUUID } from 'node:crypto';
import { systemClock, type Clock } from './clock.js';

/** Identifier and secret generation, a port so that tests can make them predictable. */
export interface Ids {
  /**
   * A new unique id: a time-ordered UUID (version 7, RFC 9562) unless a test says otherwise.
   * Ids made later sort later, so rows keyed by them (profiles, memberships, a profile's
   * events and identities, recommendation logs) are added at the end of their indexes
   * instead of on a random page of each: fewer pages for each commit to write.
   */
  uuid(): string;
  /** `bytes` random bytes, base64url-encoded: for secrets such as API keys. */
  secret(bytes: number): string;
}

/**
 * Ids from the operating system's cryptographic random source: UUIDs are the time in
 * milliseconds followed by 74 random bits (`timeOrderedUuid`; the system's time unless a clock
 * is given); secrets are wholly random.
 *
 * @example
 * const ids = cryptoIds(); ids.uuid();
 */
export function cryptoIds(clock: Clock = systemClock()): Ids {
  return {
    uuid: () => timeOrderedUuid(clock.now()),
    secret: (bytes) => randomBytes(bytes).toString('base64url'),
  };
}

/**
 * A version-7 UUID (RFC 9562 §5.7): 48 bits of Unix time in milliseconds, the version, then
 * the random bits of a version-4 UUID from Node's `randomUUID`, which draws its entropy in
 * batches (drawing 16 fresh bytes for every id, as a generator tried first did, took ~2% of
 * the recommendation server's CPU). Ids of the same millisecond are in no particular order
 * among themselves (the RFC's counter is optional); ids of different milliseconds sort by
 * time, as text and as bytes.
 *
 * @example
 * timeOrderedUuid(Date.UTC(2026, 0, 1)) // '019b76da-a800-7…' (the rest random)
 */
export function timeOrderedUuid(ms: number): string {
  const time = Math.floor(ms).toString(16).padStart(12, '0');
  // randomUUID: xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx; the variant stays, the version becomes 7.
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomUUID().slice(15)}`;
}

/**
 * Deterministic ids for tests: `prefix-1`, `prefix-2`, …
 *
 * @example
 * const ids = sequentialIds('p'); ids.uuid(); // 'p-1'
 */
export function sequentialIds(prefix = 'id'): Ids {
  let n = 0;
  return {
    uuid: () => `${prefix}-${++n}`,
    secret: (bytes) => `${prefix}secret${++n}`.padEnd(bytes, 'x'),
  };
}
