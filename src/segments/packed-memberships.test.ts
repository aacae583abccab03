import { describe, expect, it } from 'vitest';
import { formatChanges, formatMemberships, membershipOrdinals, ordinalPattern, parseChanges, parseMemberships, REMOVED_ORDINAL } from './packed-memberships.js';

/** SQL LIKE with only `%` wildcards, as both engines apply the patterns used here (no `_`, no escapes). */
function like(text: string, pattern: string): boolean {
  const re = new RegExp(`^${pattern.split('%').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  return re.test(text);
}

describe('packed memberships', () => {
  it('writes memberships in ordinal order and reads them back', () => {
    const m = new Map([[12, 1_704_070_800_000], [3, 1_704_067_200_000]]);
    const text = formatMemberships(m);
    expect(text).toBe(',3:1704067200000,12:1704070800000,');
    expect(parseMemberships(text)).toEqual(new Map([[3, 1_704_067_200_000], [12, 1_704_070_800_000]]));
    expect(formatMemberships(new Map())).toBe('');
    expect(membershipOrdinals(text)).toEqual([3, 12]);
    expect(membershipOrdinals(',3:1,x:2,4:,7:9,')).toEqual([3, 7]); // malformed parts skipped, as parseMemberships does
    expect(parseMemberships('')).toEqual(new Map());
    expect(parseMemberships(null)).toEqual(new Map());
  });

  it('skips malformed parts instead of misreading them', () => {
    expect(parseMemberships(',3:100,x:5,:7,9:,x5:7,5:7x,1:2:3,4:200,')).toEqual(new Map([[3, 100], [4, 200]]));
    expect(parseChanges(',3:+,bad,4:*,5:-,')).toEqual([{ ordinal: 3, change: 'entered' }, { ordinal: 5, change: 'exited' }]);
  });

  it('keeps changes in the order given', () => {
    const changes = [{ ordinal: 7, change: 'exited' as const }, { ordinal: 2, change: 'entered' as const }, { ordinal: REMOVED_ORDINAL, change: 'entered' as const }];
    expect(formatChanges(changes)).toBe(',7:-,2:+,0:+,');
    expect(parseChanges(formatChanges(changes))).toEqual(changes);
    expect(formatChanges([])).toBe('');
  });

  it('finds a segment by its pattern and never another whose number contains it', () => {
    const members = formatMemberships(new Map([[1, 5], [21, 6], [110, 7]]));
    const history = formatChanges([{ ordinal: 21, change: 'entered' }, { ordinal: 110, change: 'exited' }]);
    expect([1, 2, 10, 11, 21, 110].filter((o) => like(members, ordinalPattern(o)))).toEqual([1, 21, 110]);
    expect([1, 2, 10, 11, 21, 110].filter((o) => like(history, ordinalPattern(o)))).toEqual([21, 110]);
  });
});
