/** Time comes in through this port so that tests are exact. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/**
 * A clock that reads the system time.
 *
 * @example
 * const clock = systemClock(); clock.now();
 */
export function systemClock(): Clock {
  // The one place that is allowed to read the wall clock.
  // eslint-disable-next-line no-restricted-properties
  return { now: () => Date.now() };
}

/**
 * A clock for tests: starts at `start` and moves only when told.
 *
 * @example
 * const clock = fixedClock(Date.parse('2024-01-01T00:00:00Z')); clock.advance(1000);
 */
export function fixedClock(start: number): Clock & { advance(ms: number): void; set(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => { t += ms; },
    set: (ms) => { t = ms; },
  };
}
