import { InvalidArgumentError } from 'commander';

/**
 * Parsers of numeric command-line values: a value out of range or not a number is refused by
 * the option's name before anything runs (commander prints `option '--limit <n>' argument 'abc'
 * is invalid. …`, and the command exits 2 — README "Exit codes").
 *
 * @example
 * program.option('--limit <n>', 'how many (1–200)', wholeNumber(1, 200), 20);
 */
export function wholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be a whole number ${min}–${max}`);
    return n;
  };
}

/** A number in `[min, max]` (or `[min, max)` with `{ maxExclusive: true }`). */
export function numberIn(min: number, max: number, options: { maxExclusive?: boolean } = {}): (value: string) => number {
  return (value) => {
    const n = Number(value);
    const over = options.maxExclusive === true ? n >= max : n > max;
    if (value.trim() === '' || !Number.isFinite(n) || n < min || over) throw new InvalidArgumentError(`must be a number from ${min} to ${max}${options.maxExclusive === true ? ' (not included)' : ''}`);
    return n;
  };
}
