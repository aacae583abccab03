import { describe, expect, it } from 'vitest';
import { cryptoIds, sequentialIds, timeOrderedUuid } from './ids.js';

describe('cryptoIds', () => {
  it('makes unique version-7 UUIDs (RFC 9562 §5.7: version 7, variant 10)', () => {
    const ids = cryptoIds();
    const made = Array.from({ length: 5_000 }, () => ids.uuid());
    for (const id of made) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(made).size).toBe(made.length);
  });

  it('puts the creation time in the first 48 bits, so ids of later milliseconds sort later', () => {
    const before = Date.now();
    const id = cryptoIds().uuid();
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now());
    // 2026-01-01T00:00:00Z is 0x019b76daa800 ms (by hand: 1,767,225,600,000).
    expect(timeOrderedUuid(Date.UTC(2026, 0, 1))).toMatch(/^019b76da-a800-7/);
    const times = [0, 1, 255, 256, 2 ** 32, Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1) + 1, 2 ** 47];
    const ids = times.map((t) => timeOrderedUuid(t));
    expect([...ids].sort()).toEqual(ids);
  });

  it('makes secrets of the asked size from random bytes', () => {
    const a = cryptoIds().secret(24);
    expect(Buffer.from(a, 'base64url')).toHaveLength(24);
    expect(a).not.toBe(cryptoIds().secret(24));
  });
});

describe('sequentialIds', () => {
  it('counts', () => {
    const ids = sequentialIds('p');
    expect([ids.uuid(), ids.uuid()]).toEqual(['p-1', 'p-2']);
  });
});
