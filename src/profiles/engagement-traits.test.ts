import { describe, expect, it } from 'vitest';
import { canonicalCountry, eventCountry } from './country.js';
import { computeEngagementTraits, emptyEngagementState, engagementFromState, engagementTraitValues, foldEngagement, mergeEngagementStates } from './engagement-traits.js';
import type { EventInput } from './inputs.js';
import { canonicalLocale, isTimeZone, localHour } from './time-zones.js';

const event = (overrides: Partial<EventInput> = {}): EventInput =>
  ({ type: 'track', event: 'Email Opened', timestamp: Date.parse('2024-07-01T12:00:00Z'), properties: {}, context: {}, ...overrides });
const at = (iso: string) => Date.parse(iso);

describe('time zones', () => {
  it('converts to local hours with the IANA rules, including DST', () => {
    // Shanghai is UTC+8 all year; London is UTC+1 in summer, UTC+0 in winter; New York UTC−4 in
    // summer; Kolkata UTC+5:30.
    expect(localHour(at('2024-07-01T12:30:00Z'), 'Asia/Shanghai')).toBe(20);
    expect(localHour(at('2024-07-01T12:30:00Z'), 'Europe/London')).toBe(13);
    expect(localHour(at('2024-01-15T12:30:00Z'), 'Europe/London')).toBe(12);
    expect(localHour(at('2024-07-01T02:00:00Z'), 'America/New_York')).toBe(22);
    expect(localHour(at('2024-07-01T12:45:00Z'), 'Asia/Kolkata')).toBe(18);
    expect(localHour(at('2024-07-01T16:00:00Z'), 'Asia/Shanghai')).toBe(0);
    // UK clocks went forward at 01:00 UTC on 2024-03-31.
    expect(localHour(at('2024-03-31T00:30:00Z'), 'Europe/London')).toBe(0);
    expect(localHour(at('2024-03-31T01:30:00Z'), 'Europe/London')).toBe(2);
  });

  it('recognises zones and locales', () => {
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone(480)).toBe(false);
    expect(() => localHour(0, 'Mars/Olympus')).toThrow(/unknown time zone/);
    expect(canonicalLocale('zh-cn')).toBe('zh-CN');
    expect(canonicalLocale('en_US')).toBeNull();
    expect(canonicalLocale(42)).toBeNull();
  });
});

describe('computeEngagementTraits', () => {
  it('prefers the channel engaged with on the most days, not with the most events', () => {
    const pages = Array.from({ length: 50 }, (_, i) => event({ type: 'page', event: null, timestamp: at('2024-07-01T10:00:00Z') + i * 60_000 }));
    const opens = ['2024-06-01', '2024-06-08', '2024-06-15'].map((d) => event({ timestamp: at(`${d}T19:00:00Z`) }));
    const t = computeEngagementTraits({ events: [...pages, ...opens] });
    expect(t.channelDays).toEqual({ email: 3, sms: 0, push: 0, web: 1, app: 0 });
    expect(t.preferredChannel).toBe('email');
  });

  it('breaks a tie in days by the most recent engagement', () => {
    const t = computeEngagementTraits({ events: [
      event({ event: 'Push Notification Tapped', timestamp: at('2024-07-02T08:00:00Z') }),
      event({ type: 'screen', event: null, timestamp: at('2024-07-03T08:00:00Z') }),
      event({ event: 'SMS Link Clicked', timestamp: at('2024-07-01T08:00:00Z') }),
    ] });
    expect(t.channelDays).toMatchObject({ push: 1, app: 1, sms: 1 });
    expect(t.preferredChannel).toBe('app');
  });

  it('reads hours in each event\'s own zone, else the profile\'s latest zone', () => {
    const t = computeEngagementTraits({ events: [
      // 12:00Z in Shanghai → 20h, twice; an event without a zone uses the latest zone (Shanghai) → 20h.
      event({ timestamp: at('2024-07-01T12:00:00Z'), context: { timezone: 'Asia/Shanghai', locale: 'zh-CN', location: { country: 'cn' } } }),
      event({ timestamp: at('2024-07-02T12:10:00Z'), context: { timezone: 'Asia/Shanghai' } }),
      event({ timestamp: at('2024-07-03T12:20:00Z') }),
      // In London that morning: 07:00Z → 08h BST.
      event({ timestamp: at('2024-06-20T07:00:00Z'), context: { timezone: 'Europe/London', locale: 'en-GB', location: { country: 'United Kingdom' } } }),
      // An invalid zone, locale and country are ignored.
      event({ type: 'identify', event: null, timestamp: at('2024-07-04T00:00:00Z'), context: { timezone: 'Nowhere/Land', locale: 'not a locale', location: { country: '  ' } } }),
    ] });
    expect(t.hourHistogram[20]).toBe(3);
    expect(t.hourHistogram[8]).toBe(1);
    expect(t.preferredHour).toBe(20);
    expect(t.hourBasis).toBe('local');
    expect(t.timeZone).toBe('Asia/Shanghai');
    expect(t.locale).toBe('zh-CN');
    expect(t.country).toBe('CN');
    expect(engagementTraitValues(t)).toEqual({ preferred_channel: 'email', preferred_hour: 20, timezone: 'Asia/Shanghai', locale: 'zh-CN', country: 'CN' });
  });

  it('falls back to UTC hours, settles hour ties on the earlier hour and ignores non-engagement events', () => {
    const t = computeEngagementTraits({ events: [
      event({ timestamp: at('2024-07-01T21:00:00Z') }),
      event({ timestamp: at('2024-07-02T06:00:00Z') }),
      event({ event: 'Email Delivered', timestamp: at('2024-07-03T03:00:00Z') }),
    ] });
    expect(t.hourBasis).toBe('utc');
    expect(t.preferredHour).toBe(6);
    expect(t.hourHistogram[3]).toBe(0);
  });

  it('is empty-safe and order-independent', () => {
    expect(computeEngagementTraits({ events: [] })).toMatchObject({ preferredChannel: null, preferredHour: null, timeZone: null, locale: null, country: null });
    const events = [
      event({ timestamp: 1000, context: { timezone: 'Europe/Paris', location: { country: 'France' } } }),
      event({ timestamp: 1000, context: { timezone: 'Asia/Tokyo', location: { country: 'Japan' } } }),
    ];
    // Equal timestamps: the larger value wins whatever the order.
    expect(computeEngagementTraits({ events }).timeZone).toBe('Europe/Paris');
    expect(computeEngagementTraits({ events: [...events].reverse() }).timeZone).toBe('Europe/Paris');
    expect(computeEngagementTraits({ events }).country).toBe('Japan');
    expect(computeEngagementTraits({ events: [...events].reverse() }).country).toBe('Japan');
  });
});

describe('country', () => {
  it('trims, upper-cases two-letter codes, keeps names as written and rejects what is not a country', () => {
    expect(canonicalCountry('gb')).toBe('GB');
    expect(canonicalCountry(' Gb ')).toBe('GB');
    expect(canonicalCountry('  United Kingdom ')).toBe('United Kingdom');
    expect(canonicalCountry('EIRE')).toBe('EIRE');
    expect(canonicalCountry('gbr')).toBe('gbr');
    expect(canonicalCountry('x'.repeat(100))).toBe('x'.repeat(100));
    for (const bad of ['', '   ', 'x'.repeat(101), 44, null, undefined, { code: 'GB' }, ['GB']]) expect(canonicalCountry(bad), JSON.stringify(bad)).toBeNull();
  });

  it('reads context.location first, then an identify call\'s address and country traits, then context.traits', () => {
    const identify = (traits: Record<string, unknown>, context: Record<string, unknown> = {}) => event({ type: 'identify', event: null, traits, context });
    expect(eventCountry(identify({ address: { country: 'FR' }, country: 'DE' }, { location: { country: 'gb' }, traits: { address: { country: 'IT' } } }))).toBe('GB');
    expect(eventCountry(identify({ address: { country: 'fr' }, country: 'DE' }, { traits: { address: { country: 'IT' } } }))).toBe('FR');
    expect(eventCountry(identify({ address: { country: '' }, country: 'Germany' }, { traits: { address: { country: 'IT' } } }))).toBe('Germany');
    expect(eventCountry(identify({ address: 'Rue de Rivoli, Paris' }, { traits: { address: { country: 'it' } } }))).toBe('IT');
    // Traits of other calls (a group's are the company's) are not the person's; context.traits are, on any call.
    expect(eventCountry(event({ type: 'group', event: null, traits: { address: { country: 'FR' } } }))).toBeNull();
    expect(eventCountry(event({ traits: { country: 'FR' }, context: { traits: { address: { country: 'Spain' } } } }))).toBe('Spain');
    expect(eventCountry(event({ context: { location: 'GB', traits: { country: 'FR' } } }))).toBeNull();
  });

  it('is the country of the latest event that told one, in batch and fold alike', () => {
    const events = [
      event({ type: 'identify', event: null, timestamp: at('2024-07-03T00:00:00Z'), traits: { address: { country: 'fr' } } }),
      event({ type: 'page', event: null, timestamp: at('2024-07-02T00:00:00Z'), context: { location: { country: 'United Kingdom' } } }),
      // Later, but without a valid country: ignored.
      event({ timestamp: at('2024-07-04T00:00:00Z'), context: { location: { country: 42 } } }),
    ];
    expect(computeEngagementTraits({ events }).country).toBe('FR');
    expect(engagementFromState(events.reduce(foldEngagement, emptyEngagementState())).country).toBe('FR');
    expect(engagementFromState([...events].reverse().reduce(foldEngagement, emptyEngagementState())).country).toBe('FR');
  });
});

describe('localHour cache', () => {
  // Zones with quarter- and half-hour offsets and half-hour DST shifts, where a per-hour cache would be wrong.
  const zones = ['Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Adelaide', 'Pacific/Chatham', 'Australia/Lord_Howe', 'America/St_Johns', 'Europe/London', 'America/New_York', 'UTC'];
  const formatters = new Map(zones.map((zone) => [zone, new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' })]));
  const direct = (ms: number, zone: string) => Number(formatters.get(zone)!.formatToParts(ms).find((p) => p.type === 'hour')!.value) % 24;

  it('agrees with Intl at every minute around DST changes and at random times', () => {
    // A seeded walk over 2024, plus every minute of the days around each zone's 2024 transitions.
    let s = 12345;
    const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const times: number[] = [];
    for (let i = 0; i < 3000; i++) times.push(Date.UTC(2024, 0, 1) + Math.floor(rand() * 366 * 86_400_000));
    for (const day of ['2024-03-10', '2024-03-31', '2024-04-06', '2024-04-07', '2024-09-29', '2024-10-06', '2024-10-27', '2024-11-03']) {
      const start = Date.parse(`${day}T00:00:00Z`) - 86_400_000;
      for (let m = 0; m < 3 * 24 * 60; m += 7) times.push(start + m * 60_000 + 13_000);
    }
    for (const zone of zones) for (const t of times) expect(localHour(t, zone), `${zone} ${new Date(t).toISOString()}`).toBe(direct(t, zone));
  });
});

describe('engagement fold (incremental)', () => {
  const zones = ['Europe/London', 'Asia/Shanghai', 'America/New_York', 'Asia/Kolkata'];
  const names = ['Email Opened', 'Email Link Clicked', 'SMS Link Clicked', 'Push Notification Tapped', 'Application Opened', 'Product Viewed'];
  // Few timestamps collide at random, so country ties are forced below; some events tell none.
  const countries = ['gb', 'United Kingdom', 'FR', 'Germany', ' ', 'x'.repeat(101)];
  const countryContext = (r: number) => (r < 0.2 ? {} : { location: { country: countries[Math.floor(r * 10) % countries.length] } });
  function randomEvents(seed: number, n: number): EventInput[] {
    let s = seed;
    const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    return Array.from({ length: n }, () => {
      const kind = rand();
      const type = kind < 0.3 ? 'page' : kind < 0.4 ? 'screen' : 'track';
      return {
        type, event: type === 'track' ? names[Math.floor(rand() * names.length)]! : null,
        timestamp: Date.UTC(2024, 0, 1) + Math.floor(rand() * 200 * 86_400_000), properties: {},
        context: { timezone: zones[Math.floor(rand() * zones.length)], locale: rand() < 0.5 ? 'en-gb' : 'zh-CN', ...countryContext(rand()) },
      };
    });
  }

  it('gives the batch result when every event carries its zone, in any order', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const events = randomEvents(seed, 300);
      const batch = computeEngagementTraits({ events });
      const folded = engagementFromState(events.reduce(foldEngagement, emptyEngagementState()));
      const shuffled = engagementFromState([...events].reverse().reduce(foldEngagement, emptyEngagementState()));
      expect(folded).toEqual(batch);
      expect(shuffled).toEqual(batch);
    }
  });

  it('merges two profiles\' states as if one had seen all the events', () => {
    const events = randomEvents(9, 200);
    const a = events.slice(0, 120).reduce(foldEngagement, emptyEngagementState());
    const b = events.slice(120).reduce(foldEngagement, emptyEngagementState());
    expect(engagementFromState(mergeEngagementStates(a, b))).toEqual(computeEngagementTraits({ events }));
    expect(engagementFromState(mergeEngagementStates(b, a))).toEqual(computeEngagementTraits({ events }));
  });

  it('settles a country tie (equal latest times) on the larger value in batch, fold and merge, whichever side it comes from', () => {
    const t = at('2024-07-05T00:00:00Z');
    const tied = [
      event({ type: 'page', event: null, timestamp: t, context: { location: { country: 'France' } } }),
      event({ type: 'identify', event: null, timestamp: t, traits: { country: 'Germany' } }),
    ];
    const older = event({ timestamp: t - 1, context: { location: { country: 'Spain' } } });
    expect(computeEngagementTraits({ events: [older, ...tied] }).country).toBe('Germany');
    for (const order of [[older, ...tied], [tied[1]!, older, tied[0]!]]) expect(engagementFromState(order.reduce(foldEngagement, emptyEngagementState())).country).toBe('Germany');
    const a = [older, tied[0]!].reduce(foldEngagement, emptyEngagementState());
    const b = [tied[1]!].reduce(foldEngagement, emptyEngagementState());
    expect(mergeEngagementStates(a, b).country).toEqual({ t, v: 'Germany' });
    expect(mergeEngagementStates(b, a).country).toEqual({ t, v: 'Germany' });
    // A side without a country keeps the other's.
    expect(mergeEngagementStates(emptyEngagementState(), a).country).toEqual({ t, v: 'France' });
    expect(mergeEngagementStates(a, emptyEngagementState()).country).toEqual({ t, v: 'France' });
  });

  it('keeps at most 400 days per channel and still counts the older ones', () => {
    const days = Array.from({ length: 450 }, (_, d) => ({ type: 'page', event: null, timestamp: Date.UTC(2023, 0, 1) + d * 86_400_000, properties: {}, context: {} }));
    const state = days.reduce(foldEngagement, emptyEngagementState());
    expect(state.days.web.kept).toHaveLength(400);
    expect(engagementFromState(state).channelDays.web).toBe(450);
  });
});
