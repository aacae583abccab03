import { isMinorAt, minorAgeThreshold, type Jurisdiction } from './jurisdictions.js';

/** What is known about a person's age and their guardian's consent (P11). */
export interface AgeFacts {
  /** The `birthday` trait as sent (a date, or a date-time whose date part counts), or null. */
  birthday: unknown;
  /** The `age` trait as sent, or null. */
  age: unknown;
  /** Whether a guardian's consent is recorded (`PUT /v1/profiles/{ref}/guardian-consent`). */
  guardianConsent: boolean;
}

/** Whether these identify traits declare the person's age (`birthday` or `age`). */
export function declaresAge(traits: Readonly<Record<string, unknown>>): boolean {
  return 'birthday' in traits || 'age' in traits;
}

/**
 * A person's age facts from their identify traits and their guardian's consent, or undefined
 * when there are none (the common case, which the policy answers alike for everyone).
 *
 * @example
 * ageFactsOf({ birthday: '2015-03-01' }, false); // { birthday: '2015-03-01', age: null, guardianConsent: false }
 * ageFactsOf({ name: 'Ann' }, false);            // undefined
 */
export function ageFactsOf(traits: Readonly<Record<string, unknown>> | undefined, guardianConsent: boolean): AgeFacts | undefined {
  const declared = traits !== undefined && declaresAge(traits);
  if (!declared && !guardianConsent) return undefined;
  return { birthday: traits?.['birthday'] ?? null, age: traits?.['age'] ?? null, guardianConsent };
}

/**
 * The `isMinor` and `guardianConsent` the policy reads (PersonPrivacy), from a person's
 * traits — Segment's reserved `birthday` (`YYYY-MM-DD`, or a date-time whose date counts)
 * or, without one, `age` (years, a whole number) — and the workspace's threshold (its own
 * `privacy.policy.minorAgeThreshold`, else its jurisdiction's: CN 14, EU 16, UK and US 13).
 * An `age` is taken as of now: a person who said 13 a year ago counts as 13 until they say
 * otherwise (the birthday is exact; ask for it where it matters). Neither, or a value that
 * cannot be read: age unknown (`isMinor` undefined), which the workspace's
 * `unknownAgeIsMinor` decides.
 *
 * @example
 * minorStatus({ birthday: '2015-03-01', age: null, guardianConsent: false }, { jurisdiction: 'CN' }, Date.parse('2026-01-01T00:00:00Z'));
 * // { isMinor: true, guardianConsent: false }
 */
export function minorStatus(facts: AgeFacts | undefined, workspace: { jurisdiction: Jurisdiction; threshold?: number | undefined }, now: number): { isMinor: boolean | undefined; guardianConsent: boolean } {
  const guardianConsent = facts?.guardianConsent ?? false;
  if (facts === undefined) return { isMinor: undefined, guardianConsent };
  const threshold = minorAgeThreshold({ jurisdiction: workspace.jurisdiction, threshold: workspace.threshold });
  if (typeof facts.birthday === 'string') {
    const m = /^(\d{4}-\d{2}-\d{2})(?:[Tt ].*)?$/.exec(facts.birthday.trim());
    const isMinor = m === null ? undefined : isMinorAt({ birthDate: m[1]!, threshold, now });
    if (isMinor !== undefined) return { isMinor, guardianConsent };
  }
  const age = typeof facts.age === 'string' && /^\d{1,3}$/.test(facts.age.trim()) ? Number(facts.age) : facts.age;
  if (typeof age === 'number' && Number.isInteger(age) && age >= 0 && age <= 150) return { isMinor: age < threshold, guardianConsent };
  return { isMinor: undefined, guardianConsent };
}
