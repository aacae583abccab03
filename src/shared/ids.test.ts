import { describe, expect, it } from 'vitest';
import { fixedClock, systemClock } from './clock.js';
import { createTimeOrderedUuids, cryptoIds, sequentialIds } from './ids.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const msOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);
/** The 26-bit counter: the 12 bits after the version, the 14 after the variant (RFC 9562 §6.2 method 1). */
const counterOf = (id: string) => { const h = id.replace(/-/g, ''); return (parseInt(h.slice(13, 16), 16) << 14) | (parseInt(h.slice(16, 20), 16) & 0x3fff); };

describe('cryptoIds', () => {
  it('makes unique version-7 UUIDs (RFC 9562 §5.7: version 7, variant 10)', () => {
    const ids = cryptoIds();
    const made = Array.from({ length: 5_000 }, () => ids.uuid());
    for (const id of made) expect(id).toMatch(V7);
    expect(new Set(made).size).toBe(made.length);
  });

  it('puts the creation time in the first 48 bits, so ids of later milliseconds sort later', () => {
    const clock = systemClock();
    const before = clock.now();
    const id = cryptoIds().uuid();
    expect(msOf(id)).toBeGreaterThanOrEqual(before);
    expect(msOf(id)).toBeLessThanOrEqual(clock.now());
    // 2026-01-01T00:00:00Z is 0x019b76daa800 ms (by hand: 1,767,225,600,000).
    expect(createTimeOrderedUuids()(Date.UTC(2026, 0, 1))).toMatch(/^019b76da-a800-7/);
    const uuid = createTimeOrderedUuids();
    const times = [0, 1, 255, 256, 2 ** 32, Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1) + 1, 2 ** 47];
    const ids = times.map((t) => uuid(t));
    expect(ids.map(msOf)).toEqual(times);
    expect([...ids].sort()).toEqual(ids);
  });

  it('sorts ids of the same millisecond in the order they were made, across every cryptoIds of the process', () => {
    // A clock that never moves: every id has the same time, only the counter orders them.
    const clock = fixedClock(Date.UTC(2024, 2, 2));
    const a = cryptoIds(clock);
    const b = cryptoIds(clock);
    const made = Array.from({ length: 10_000 }, (_, i) => (i % 3 === 0 ? b : a).uuid());
    expect(made.filter((id) => !V7.test(id))).toEqual([]);
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
    // Bytes order as text does (the store may keep ids either way).
    const bytes = made.map((id) => Buffer.from(id.replace(/-/g, ''), 'hex'));
    expect(bytes.findIndex((x, i) => i > 0 && Buffer.compare(bytes[i - 1]!, x) >= 0)).toBe(-1);
  });

  it('makes secrets of the asked size from random bytes', () => {
    const a = cryptoIds().secret(24);
    expect(Buffer.from(a, 'base64url')).toHaveLength(24);
    expect(a).not.toBe(cryptoIds().secret(24));
  });
});

describe('createTimeOrderedUuids (RFC 9562 §6.2 method 1)', () => {
  // A random source whose first 28 bits are all ones: the seed is the largest allowed.
  const highRandom = () => 'ffffffff-ffff-4fff-bfff-0123456789ab';

  it('seeds the counter with random bits, its top bit zero, and keeps 48 random bits per id', () => {
    const uuid = createTimeOrderedUuids({ random: highRandom });
    const first = uuid(5_000);
    expect(counterOf(first)).toBe(2 ** 25 - 1);
    expect(counterOf(uuid(5_000))).toBe(2 ** 25);
    expect(first.endsWith('-0123456789ab')).toBe(true);
    const real = createTimeOrderedUuids();
    expect(real(5_000).slice(-12)).not.toBe(real(5_000).slice(-12));
  });

  it('advances the timestamp when the counter would overflow, and stays a valid version-7 UUID', () => {
    const uuid = createTimeOrderedUuids({ random: highRandom, counterMax: 7 });
    const made = Array.from({ length: 12 }, () => uuid(1_000));
    expect(made.map(counterOf)).toEqual([3, 4, 5, 6, 7, 3, 4, 5, 6, 7, 3, 4]);
    expect(made.map(msOf)).toEqual([1_000, 1_000, 1_000, 1_000, 1_000, 1_001, 1_001, 1_001, 1_001, 1_001, 1_002, 1_002]);
    for (const id of made) expect(id).toMatch(V7);
    expect([...made].sort()).toEqual(made);
    // The clock catching up with the advanced time does not reorder anything.
    const next = uuid(1_002);
    expect(msOf(next)).toBe(1_002);
    expect(next > made.at(-1)!).toBe(true);
    expect(msOf(uuid(1_003))).toBe(1_003);
  });

  it('keeps counting on the latest millisecond when the clock goes back', () => {
    const uuid = createTimeOrderedUuids();
    const a = uuid(2_000);
    const b = uuid(1_500);
    expect(msOf(b)).toBe(2_000);
    expect(b > a).toBe(true);
  });
});

describe('sequentialIds', () => {
  it('counts', () => {
    const ids = sequentialIds('p');
    expect([ids.uuid(), ids.uuid()]).toEqual(['p-1', 'p-2']);
  });
});
