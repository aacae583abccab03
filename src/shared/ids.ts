import { randomBytes, randomUUID } from 'node:crypto';

/** Identifier and secret generation, a port so that tests can make them predictable. */
export interface Ids {
  /** A new unique id (UUID v4 unless a test says otherwise). */
  uuid(): string;
  /** `bytes` random bytes, base64url-encoded: for secrets such as API keys. */
  secret(bytes: number): string;
}

/**
 * Ids from the operating system's cryptographic random source.
 *
 * @example
 * const ids = cryptoIds(); ids.uuid();
 */
export function cryptoIds(): Ids {
  return {
    uuid: () => randomUUID(),
    secret: (bytes) => randomBytes(bytes).toString('base64url'),
  };
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
