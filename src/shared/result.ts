/**
 * Expected outcomes are values, not exceptions (STYLE.md "Errors and validation").
 *
 * @example
 * const r: Result<number, { type: 'negative' }> = x < 0 ? err({ type: 'negative' }) : ok(x);
 * if (!r.ok) console.log(r.error.type);
 */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });
