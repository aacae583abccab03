import { describe, expect, it } from 'vitest';
import { parseIsoDate } from './iso-date.js';

describe('parseIsoDate', () => {
  it('reads the forms SDKs and people send, with the instant Date.UTC gives', () => {
    expect(parseIsoDate('2024-02-29T12:00:00Z')).toBe(Date.UTC(2024, 1, 29, 12));
    expect(parseIsoDate('2024-01-01T00:00:00.123456789Z')).toBe(Date.UTC(2024, 0, 1, 0, 0, 0, 123));
    expect(parseIsoDate('2024-01-01T00:00:00+01:00')).toBe(Date.UTC(2023, 11, 31, 23));
    expect(parseIsoDate('2024-01-01T00:00:00-0530')).toBe(Date.UTC(2024, 0, 1, 5, 30));
    expect(parseIsoDate('2024-01-01 10:00:00z')).toBe(Date.UTC(2024, 0, 1, 10));
    expect(parseIsoDate('2024-05-01')).toBe(Date.UTC(2024, 4, 1));
    expect(parseIsoDate('2000-02-29')).toBe(Date.UTC(2000, 1, 29));
  });
  it('refuses what Date.parse would guess at', () => {
    for (const bad of ['1', '17', 'foo 3', 'hello 5', '1700000000000', '2020-02-30', '2023-02-29', '1900-02-29', '2024-13-01', '2024-00-10',
      '2024-04-31', '2024-01-01T24:00:00Z', '2024-01-01T10:60Z', '2024-01-01T10:00:61Z', '2024-01-01T10:00:00+01', '2024-01-01T10:00:00+25:00',
      '2024-1-1', '+002024-01-01', 'Mon, 01 Jan 2024 00:00:00 GMT', '2024-01-01T10:00:00,5Z', ' 2024-01-01', '']) {
      expect(parseIsoDate(bad), bad).toBeNull();
    }
  });
});
