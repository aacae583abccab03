import { describe, expect, it } from 'vitest';
import type { RequestContext, Scene } from '../contracts/recommendation.js';
import { buildCatalogIndex } from './catalog-index.js';
import { activeScenes, momentAt, sceneEffects, sceneHolds, type Moment } from './scenes.js';
import { catalogEntry as entry } from '../../test/support/catalog-entry.js';

const HOUR = 3_600_000;

/**
 * The moment of an instant at a fixed UTC offset, computed without Intl: shift the instant
 * by the offset and read the UTC fields (getUTCDay: 0 = Sunday, turned into ISO 1 = Monday … 7 = Sunday).
 */
function momentAtOffset(iso: string, offsetHours: number): Moment {
  const d = new Date(Date.parse(iso) + offsetHours * HOUR);
  return { hour: d.getUTCHours(), weekday: ((d.getUTCDay() + 6) % 7) + 1, month: d.getUTCMonth() + 1 };
}

describe('momentAt', () => {
  it('reads hour, ISO weekday and month in Asia/Shanghai (UTC+8 all year)', () => {
    for (const iso of ['2024-07-01T12:30:00Z', '2024-12-31T23:30:00Z', '2024-03-03T16:00:00Z', '2025-01-05T15:59:00Z']) {
      expect(momentAt(Date.parse(iso), 'Asia/Shanghai')).toEqual(momentAtOffset(iso, 8));
    }
    // Written out: 2024-07-01 12:30 UTC is Monday 20:30 in Shanghai; 2024-12-31 23:30 UTC is Wednesday 1 January 07:30;
    // 2024-03-03 16:00 UTC is Monday 4 March 00:00 (hour 0, not 24).
    expect(momentAt(Date.parse('2024-07-01T12:30:00Z'), 'Asia/Shanghai')).toEqual({ hour: 20, weekday: 1, month: 7 });
    expect(momentAt(Date.parse('2024-12-31T23:30:00Z'), 'Asia/Shanghai')).toEqual({ hour: 7, weekday: 3, month: 1 });
    expect(momentAt(Date.parse('2024-03-03T16:00:00Z'), 'Asia/Shanghai')).toEqual({ hour: 0, weekday: 1, month: 3 });
  });

  it('follows America/New_York across the start of daylight saving time (2024-03-10, 02:00 EST → 03:00 EDT)', () => {
    // Before 07:00 UTC the offset is −5 (EST), after it −4 (EDT).
    expect(momentAt(Date.parse('2024-03-10T06:30:00Z'), 'America/New_York')).toEqual(momentAtOffset('2024-03-10T06:30:00Z', -5));
    expect(momentAt(Date.parse('2024-03-10T07:30:00Z'), 'America/New_York')).toEqual(momentAtOffset('2024-03-10T07:30:00Z', -4));
    // Sunday 01:30 EST, then an hour later Sunday 03:30 EDT: 02:xx does not exist that day.
    expect(momentAt(Date.parse('2024-03-10T06:30:00Z'), 'America/New_York')).toEqual({ hour: 1, weekday: 7, month: 3 });
    expect(momentAt(Date.parse('2024-03-10T07:30:00Z'), 'America/New_York')).toEqual({ hour: 3, weekday: 7, month: 3 });
  });

  it('follows America/New_York across the end of daylight saving time (2024-11-03, 02:00 EDT → 01:00 EST)', () => {
    // 05:30 UTC is 01:30 EDT (−4) and 06:30 UTC is 01:30 EST (−5): the same local hour twice.
    expect(momentAt(Date.parse('2024-11-03T05:30:00Z'), 'America/New_York')).toEqual(momentAtOffset('2024-11-03T05:30:00Z', -4));
    expect(momentAt(Date.parse('2024-11-03T06:30:00Z'), 'America/New_York')).toEqual(momentAtOffset('2024-11-03T06:30:00Z', -5));
    expect(momentAt(Date.parse('2024-11-03T06:30:00Z'), 'America/New_York')).toEqual({ hour: 1, weekday: 7, month: 11 });
    // New Year's Eve: 2025-01-01 03:00 UTC is Tuesday 31 December 22:00 in New York.
    expect(momentAt(Date.parse('2025-01-01T03:00:00Z'), 'America/New_York')).toEqual({ hour: 22, weekday: 2, month: 12 });
  });

  it('reads UTC for no zone and for a zone it does not know', () => {
    const ms = Date.parse('2024-06-02T23:15:00Z'); // a Sunday
    expect(momentAt(ms, null)).toEqual({ hour: 23, weekday: 7, month: 6 });
    expect(momentAt(ms, 'UTC')).toEqual(momentAtOffset('2024-06-02T23:15:00Z', 0));
    expect(momentAt(ms, 'Mars/Olympus_Mons')).toEqual({ hour: 23, weekday: 7, month: 6 });
    expect(momentAt(ms, '')).toEqual({ hour: 23, weekday: 7, month: 6 });
  });
});

const scene = (overrides: Partial<Scene> & { name: string }): Scene => ({
  label: overrides.name,
  description: '',
  when: {},
  boost: [],
  exclude: [],
  ...overrides,
});
const moment = (overrides: Partial<Moment> = {}): Moment => ({ hour: 12, weekday: 3, month: 6, ...overrides });
const holds = (when: Scene['when'], m: Partial<Moment> = {}, context: RequestContext = {}) => sceneHolds({ scene: scene({ name: 's', when }), context, moment: moment(m) });

describe('sceneHolds', () => {
  it('reads hours as [from, to)', () => {
    expect([8, 9, 16, 17].map((hour) => holds({ hours: [9, 17] }, { hour }))).toEqual([false, true, true, false]);
    expect([0, 12, 23].map((hour) => holds({ hours: [0, 24] }, { hour }))).toEqual([true, true, true]);
  });

  it('wraps hours past midnight when from > to', () => {
    expect([21, 22, 23, 0, 1, 2, 12].map((hour) => holds({ hours: [22, 2] }, { hour }))).toEqual([false, true, true, true, true, false, false]);
  });

  it('checks ISO weekdays and months', () => {
    expect([5, 6, 7, 1].map((weekday) => holds({ weekdays: [6, 7] }, { weekday }))).toEqual([false, true, true, false]);
    expect([11, 12, 1, 2, 3].map((month) => holds({ months: [12, 1, 2] }, { month }))).toEqual([false, true, true, true, false]);
  });

  it('compares device, activity, location type and weather case-insensitively and trimmed', () => {
    expect(holds({ device: ['Mobile', 'tablet'] }, {}, { device: ' MOBILE ' })).toBe(true);
    expect(holds({ device: ['mobile'] }, {}, { device: 'desktop' })).toBe(false);
    expect(holds({ activity: ['Workout'] }, {}, { activity: 'workout' })).toBe(true);
    expect(holds({ locationType: ['office'] }, {}, { locationType: 'Office' })).toBe(true);
    expect(holds({ weather: ['rain', 'snow'] }, {}, { weather: 'SNOW' })).toBe(true);
    expect(holds({ weather: ['rain'] }, {}, { weather: 'sun' })).toBe(false);
  });

  it('does not hold a context condition the request says nothing about', () => {
    expect(holds({ device: ['mobile'] })).toBe(false);
    expect(holds({ activity: ['workout'] }, {}, { device: 'mobile' })).toBe(false);
  });

  it('needs every condition to hold', () => {
    const when: Scene['when'] = { hours: [7, 10], weekdays: [1, 2, 3, 4, 5], device: ['mobile'], locationType: ['transit'] };
    const context = { device: 'mobile', locationType: 'transit' };
    expect(holds(when, { hour: 8, weekday: 2 }, context)).toBe(true);
    expect(holds(when, { hour: 8, weekday: 6 }, context)).toBe(false);
    expect(holds(when, { hour: 11, weekday: 2 }, context)).toBe(false);
    expect(holds(when, { hour: 8, weekday: 2 }, { ...context, device: 'desktop' })).toBe(false);
    expect(holds(when, { hour: 8, weekday: 2 }, { device: 'mobile' })).toBe(false);
  });

  it('never holds a scene with no condition', () => {
    expect(holds({}, {}, { device: 'mobile', activity: 'workout' })).toBe(false);
  });
});

describe('activeScenes', () => {
  const office = scene({ name: 'office', when: { hours: [9, 17], weekdays: [1, 2, 3, 4, 5] } });
  const lateNight = scene({ name: 'late-night', when: { hours: [22, 2] } });
  const gifts = scene({ name: 'gifts' }); // applies only when named
  const scenes = [office, lateNight, gifts];

  it('returns the scenes whose conditions hold, in the workspace order', () => {
    expect(activeScenes({ scenes, context: {}, moment: moment({ hour: 10, weekday: 2 }) }).map((s) => s.name)).toEqual(['office']);
    expect(activeScenes({ scenes, context: {}, moment: moment({ hour: 23, weekday: 6 }) }).map((s) => s.name)).toEqual(['late-night']);
    expect(activeScenes({ scenes, context: {}, moment: moment({ hour: 19, weekday: 6 }) })).toEqual([]);
  });

  it('adds the scene the request names, even one with no condition, and keeps the workspace order', () => {
    expect(activeScenes({ scenes, context: { scene: 'gifts' }, moment: moment({ hour: 10, weekday: 2 }) }).map((s) => s.name)).toEqual(['office', 'gifts']);
    expect(activeScenes({ scenes, context: { scene: 'late-night' }, moment: moment({ hour: 10, weekday: 2 }) }).map((s) => s.name)).toEqual(['office', 'late-night']);
  });

  it('ignores a named scene the workspace does not have', () => {
    expect(activeScenes({ scenes, context: { scene: 'beach' }, moment: moment({ hour: 19 }) })).toEqual([]);
  });
});

describe('sceneEffects', () => {
  const catalog = buildCatalogIndex([
    entry({ id: 'shake', categoryPath: ['Drinks', 'Shakes'], tags: ['protein'] }),
    entry({ id: 'bar', categoryPath: ['Snacks'], tags: ['protein', 'snack'] }),
    entry({ id: 'espresso', categoryPath: ['Drinks', 'Coffee'], tags: ['caffeine'] }),
    entry({ id: 'candle', categoryPath: ['Home'] }),
    entry({ id: 'crisps', categoryPath: ['Snacks'], tags: ['snack', 'salty'] }),
  ]);
  const workout = scene({ name: 'workout', label: 'After a workout', boost: [{ match: { tags: ['protein'] }, factor: 2 }, { match: { categories: ['Drinks'] }, factor: 1.5 }] });
  const lateNight = scene({ name: 'late-night', label: 'Late night', boost: [{ match: { tags: ['snack'] }, factor: 3 }, { match: { tags: ['salty'] }, factor: 0.5 }], exclude: [{ tags: ['caffeine'] }] });
  const effect = sceneEffects({ scenes: [workout, lateNight], catalog });
  const of = (id: string) => effect(catalog.index.get(id)!);

  it('multiplies the factors of every matching boost, within and across scenes', () => {
    expect(of('shake')).toEqual({ factor: 3, excluded: false, boostedBy: ['After a workout'] }); // 2 × 1.5
    expect(of('bar')).toEqual({ factor: 6, excluded: false, boostedBy: ['After a workout', 'Late night'] }); // 2 × 3
    expect(of('crisps')).toEqual({ factor: 1.5, excluded: false, boostedBy: ['Late night'] }); // 3 × 0.5
  });

  it('excludes an item any exclusion matches, keeping its boosts', () => {
    expect(of('espresso')).toEqual({ factor: 1.5, excluded: true, boostedBy: ['After a workout'] });
  });

  it('leaves an item no rule matches alone', () => {
    expect(of('candle')).toEqual({ factor: 1, excluded: false, boostedBy: [] });
  });

  it('does nothing without active scenes', () => {
    expect(sceneEffects({ scenes: [], catalog })(0)).toEqual({ factor: 1, excluded: false, boostedBy: [] });
  });
});
