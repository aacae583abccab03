import { describe, expect, it } from 'vitest';
import { ageFactsOf, minorStatus } from './minors.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const facts = (birthday: unknown, age: unknown = null, guardianConsent = false) => ({ birthday, age, guardianConsent });

describe('minorStatus (P11)', () => {
  it('reads the birthday against the jurisdiction\'s threshold, to the day', () => {
    // CN: under 14 (PIPL 31). Born 2012-06-01: 14 on 2026-06-01, not before.
    expect(minorStatus(facts('2012-06-01'), { jurisdiction: 'CN' }, NOW)).toEqual({ isMinor: false, guardianConsent: false });
    expect(minorStatus(facts('2012-06-02'), { jurisdiction: 'CN' }, NOW)).toEqual({ isMinor: true, guardianConsent: false });
    // A date-time counts by its date; EU 16 (GDPR 8(1)), UK 13, US 13 (COPPA).
    expect(minorStatus(facts('2010-06-02T08:00:00Z'), { jurisdiction: 'EU' }, NOW).isMinor).toBe(true);
    expect(minorStatus(facts('2013-06-01'), { jurisdiction: 'UK' }, NOW).isMinor).toBe(false);
    expect(minorStatus(facts('2013-06-02'), { jurisdiction: 'US' }, NOW).isMinor).toBe(true);
    // A workspace's own threshold wins (an EU member state at 13).
    expect(minorStatus(facts('2012-01-01'), { jurisdiction: 'EU', threshold: 13 }, NOW).isMinor).toBe(false);
  });

  it('falls back to age, and treats what cannot be read as unknown', () => {
    expect(minorStatus(facts(null, 13), { jurisdiction: 'CN' }, NOW).isMinor).toBe(true);
    expect(minorStatus(facts(null, '14'), { jurisdiction: 'CN' }, NOW).isMinor).toBe(false);
    expect(minorStatus(facts('not a date', 30), { jurisdiction: 'CN' }, NOW).isMinor).toBe(false);
    for (const [birthday, age] of [[null, null], ['2026-02-30', null], ['2030-01-01', null], [20120601, null], [null, 13.5], [null, -1], [null, 'thirteen'], [null, true]]) {
      expect(minorStatus(facts(birthday, age), { jurisdiction: 'CN' }, NOW).isMinor).toBeUndefined();
    }
    expect(minorStatus(undefined, { jurisdiction: 'CN' }, NOW)).toEqual({ isMinor: undefined, guardianConsent: false });
  });

  it('passes the guardian\'s consent on', () => {
    expect(minorStatus(facts('2020-01-01', null, true), { jurisdiction: 'CN' }, NOW)).toEqual({ isMinor: true, guardianConsent: true });
  });
});

describe('ageFactsOf', () => {
  it('gives facts only when traits declare an age or a guardian consented', () => {
    expect(ageFactsOf({ birthday: '2015-03-01', name: 'A' }, false)).toEqual({ birthday: '2015-03-01', age: null, guardianConsent: false });
    expect(ageFactsOf({ age: 12 }, true)).toEqual({ birthday: null, age: 12, guardianConsent: true });
    expect(ageFactsOf(undefined, true)).toEqual({ birthday: null, age: null, guardianConsent: true });
    expect(ageFactsOf({ name: 'A' }, false)).toBeUndefined();
    expect(ageFactsOf(undefined, false)).toBeUndefined();
  });
});
