import { describe, expect, it } from 'vitest';
import { zoneFormatter } from './zone-formatters.js';

describe('zoneFormatter', () => {
  it('builds one formatter per zone and use, and remembers an unknown zone as null', () => {
    const a = zoneFormatter('moment', 'Asia/Shanghai');
    expect(a).not.toBeNull();
    expect(zoneFormatter('moment', 'Asia/Shanghai')).toBe(a);
    expect(zoneFormatter('hour', 'Asia/Shanghai')).not.toBe(a);
    expect(zoneFormatter('datetime', 'Mars/Olympus')).toBeNull();
    // 2024-07-01 12:30 UTC is 20:30 in Shanghai (UTC+8, no summer time).
    const parts = Object.fromEntries(zoneFormatter('datetime', 'Asia/Shanghai')!.formatToParts(Date.parse('2024-07-01T12:30:00Z')).map((p) => [p.type, p.value]));
    expect(parts).toMatchObject({ year: '2024', month: '7', day: '1', hour: '20', minute: '30' });
  });
});
