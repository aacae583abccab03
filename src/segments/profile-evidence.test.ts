import { describe, expect, it } from 'vitest';
import type { TraitCondition } from './definition.js';
import { traitFromProfile } from './profile-evidence.js';

const NOW = Date.parse('2024-03-02T00:00:00Z');
const DAY = 86_400_000;
const profile = {
  traits: { plan: 'pro', score: 20, vip: true, signup: NOW - 3 * DAY, signupText: '2024-02-28T00:00:00.000Z', address: { city: 'Leeds' }, empty: null, tags: ['a'] },
  firstSeenAt: NOW - 30 * DAY,
  lastSeenAt: NOW - DAY,
};
const holds = (c: Omit<TraitCondition, 'trait'> & { trait?: string }) => traitFromProfile({ trait: 'plan', source: 'profile', ...c } as TraitCondition, profile, NOW);

describe('trait conditions decided from the profile row', () => {
  it('compares identify traits only with literals of their own JSON type, as the compiled SQL does', () => {
    expect(holds({ op: '=', value: 'pro' })).toBe(true);
    expect(holds({ op: '=', value: 'Pro' })).toBe(false);
    expect(holds({ trait: 'score', op: '=', value: '20' })).toBe(false); // a number is not the string "20"
    expect(holds({ trait: 'score', op: '!=', value: '20' })).toBe(true);
    expect(holds({ trait: 'missing', op: '!=', value: 'x' })).toBe(true);
    expect(holds({ trait: 'missing', op: '=', value: 'x' })).toBe(false);
    expect(holds({ trait: 'vip', op: '=', value: true })).toBe(true);
    expect(holds({ trait: 'score', op: 'in', value: [10, 20] })).toBe(true);
    expect(holds({ trait: 'score', op: 'not_in', value: ['20'] })).toBe(true);
    expect(holds({ trait: 'score', op: '>', value: 15 })).toBe(true);
    expect(holds({ trait: 'score', op: 'between', value: [20, 30] })).toBe(true);
    expect(holds({ trait: 'plan', op: '>', value: 15 })).toBe(false); // a string against a number: NULL in SQL
    expect(holds({ trait: 'plan', op: '>', value: 'a' })).toBeNull(); // string order: the database's collation
    expect(holds({ trait: 'address', key: 'city', op: '=', value: 'Leeds' })).toBe(true);
  });

  it('treats JSON null as absent, dates as epoch milliseconds, and leaves text dates, contains and top_percent to SQL', () => {
    expect(holds({ trait: 'empty', op: 'exists' })).toBe(false);
    expect(holds({ trait: 'empty', op: 'not_exists' })).toBe(true);
    expect(holds({ trait: 'tags', op: 'exists' })).toBe(true);
    expect(holds({ trait: 'signup', op: 'within_last', value: { days: 7 } })).toBe(true);
    expect(holds({ trait: 'signup', op: 'before', value: { daysAgo: 5 } })).toBe(false);
    expect(holds({ trait: 'signupText', op: 'after', value: '2024-02-01' })).toBeNull();
    expect(holds({ trait: 'missing', op: 'after', value: '2024-02-01' })).toBe(false);
    expect(holds({ trait: 'tags', op: 'contains', value: 'a' })).toBeNull();
    expect(holds({ trait: 'score', op: 'top_percent', value: 10 })).toBeNull();
  });

  it('reads first_seen and last_seen from the row, and nothing of recomputed traits', () => {
    const row = (c: TraitCondition) => traitFromProfile(c, profile, NOW);
    expect(row({ trait: 'last_seen', op: 'within_last', value: { days: 2 } })).toBe(true);
    expect(row({ trait: 'last_seen', op: 'within_last', value: { days: 0.5 } })).toBe(false);
    expect(row({ trait: 'first_seen', op: 'before', value: '2024-02-15' })).toBe(true);
    expect(row({ trait: 'first_seen', op: '>=', value: NOW })).toBe(false);
    expect(row({ trait: 'last_seen', op: 'exists' })).toBe(true);
    expect(row({ trait: 'orders_count', op: '>', value: 1 })).toBeNull();
  });
});
