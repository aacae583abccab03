import { randomBytes, randomUUID } from 'node:crypto';
import { systemClock, type Clock } from './clock.js';

/** Identifier and secret generation, a port so that tests can make them predictable. */
export interface Ids {
  /**
   * A new unique id: a time-ordered UUID (version 7, RFC 9562) unless a test says otherwise.
   * Ids made later in the process sort later, also within one millisecond, so rows keyed by
   * them are added at the end of their indexes (fewer pages for each commit to write), and
   * records of the same time read back by `(time, id)` come back in the order they were made
   * (the consent ledger's "ties in append order"). Ids are not secrets: they are guessable
   * from their neighbours; use `secret` for anything that grants access.
   */
  uuid(): string;
  /** `bytes` random bytes, base64url-encoded: for secrets such as API keys. */
  secret(bytes: number): string;
}

/**
 * Ids from the operating system's cryptographic random source: UUIDs come from the process's
 * one monotonic version-7 generator (`createTimeOrderedUuids`) at the time of `clock` (the
 * system's unless given), so every `cryptoIds` of a process makes ids in one increasing
 * sequence; secrets are wholly random bytes.
 *
 * @example
 * const ids = cryptoIds(); ids.uuid() < ids.uuid(); // true
 */
export function cryptoIds(clock: Clock = systemClock()): Ids {
  return {
    uuid: () => processUuids(clock.now()),
    secret: (bytes) => randomBytes(bytes).toString('base64url'),
  };
}

/** Bits of the counter: the 12 of `rand_a` and the 14 after the variant (RFC 9562 §6.2 method 1). */
const COUNTER_BITS = 26;
const COUNTER_MAX = 2 ** COUNTER_BITS - 1;

/**
 * A generator of monotonic version-7 UUIDs (RFC 9562 §5.7, §6.2 method 1): 48 bits of Unix
 * time in milliseconds, the version, a 26-bit counter (the 12 bits of `rand_a`, the variant,
 * then 14 bits), and 48 random bits. The first id of a millisecond seeds the counter with 25
 * random bits (its top bit zero, leaving at least 2^25 increments); each later id of the same
 * millisecond adds one, so an id sorts after every id the generator made before it, as text
 * and as bytes. When the counter would overflow, or the clock goes back, the generator keeps
 * counting on the latest millisecond it used, advancing it by one on overflow (§6.2
 * "Counter Rollover Handling", "Monotonic Error Checking"): ids then run ahead of the clock
 * until it catches up, never out of order. The random bits come from Node's `randomUUID`,
 * which draws its entropy in batches (drawing 16 fresh bytes for every id, as a generator
 * tried first did, took ~2% of the recommendation server's CPU). `options.random` replaces
 * it and `options.counterMax` lowers the counter's limit, for tests.
 *
 * @example
 * const uuid = createTimeOrderedUuids();
 * const a = uuid(Date.UTC(2026, 0, 1)); // '019b76da-a800-7…'
 * const b = uuid(Date.UTC(2026, 0, 1)); // same millisecond: b > a
 */
export function createTimeOrderedUuids(options: { random?: () => string; counterMax?: number } = {}): (ms: number) => string {
  const random = options.random ?? randomUUID;
  const counterMax = Math.min(options.counterMax ?? COUNTER_MAX, COUNTER_MAX);
  let lastMs = -Infinity;
  let counter = 0;
  let timeText = '';
  // A new millisecond's counter: 25 random bits (the top one zero), under the test limit if lower.
  const seed = (r: string) => Math.min(parseInt(r.slice(0, 7), 16) >>> 3, counterMax >>> 1);
  return (ms) => {
    // A version-4 UUID: xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx; its first 28 bits seed the
    // counter, its last 48 are this id's random tail.
    const r = random();
    const t = Math.floor(ms);
    if (t > lastMs) {
      lastMs = t;
      counter = seed(r);
      timeText = '';
    } else if (counter < counterMax) {
      counter++;
    } else {
      lastMs++;
      counter = seed(r);
      timeText = '';
    }
    // The time part changes at most once a millisecond: formatted then, reused for the ids after it.
    if (timeText === '') {
      const time = lastMs.toString(16).padStart(12, '0');
      timeText = `${time.slice(0, 8)}-${time.slice(8, 12)}-7`;
    }
    const high = HEX3[counter >>> 14]!;
    const low = (0x8000 | (counter & 0x3fff)).toString(16); // the variant (10) and the counter's low 14 bits
    return `${timeText}${high}-${low}-${r.slice(24)}`;
  };
}

/** The 4,096 values of the counter's high 12 bits as three hex digits. */
const HEX3: readonly string[] = Array.from({ length: 4096 }, (_, i) => i.toString(16).padStart(3, '0'));

/** The process's one generator: ids of every `cryptoIds` sort in the order they were made. */
const processUuids = createTimeOrderedUuids();

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
