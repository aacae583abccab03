import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../contracts/recommendation.js';
import { exposuresOf, personSignals, referrerSearch } from './person-signals.js';
import type { PersonRecord } from './recommendation-repository.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

const record = (overrides: Partial<PersonRecord> = {}): PersonRecord => ({
  traits: {},
  computed: {},
  interactions: [],
  purchased: new Map(),
  segments: [],
  shown: { itemIds: [], times: [] },
  responded: [],
  ...overrides,
});

const signals = (person: PersonRecord | null, context: RequestContext = {}) => personSignals({ record: person, context, now: NOW });
const phrases = (person: PersonRecord | null, context: RequestContext = {}) => signals(person, context).preferences.map((p) => [p.phrase, p.source]);

describe('referrerSearch', () => {
  it('reads Google\'s q, with + as a space', () => {
    expect(referrerSearch('https://www.google.com/search?q=oat+milk&hl=en')).toEqual(['oat milk']);
  });

  it('reads Baidu\'s wd, percent-encoded UTF-8', () => {
    // 咖 U+5496 = E5 92 96, 啡 U+5561 = E5 95 A1 in UTF-8.
    expect(referrerSearch('https://www.baidu.com/s?ie=utf-8&wd=%E5%92%96%E5%95%A1')).toEqual(['咖啡']);
  });

  it('splits terms at commas and skips an empty parameter for the next one', () => {
    expect(referrerSearch('https://search.example/?q=coffee,%20green%20tea')).toEqual(['coffee', 'green tea']);
    expect(referrerSearch('https://search.yahoo.com/search?q=&p=espresso')).toEqual(['espresso']);
  });

  it('finds nothing in a URL without a search parameter, an invalid URL or none', () => {
    expect(referrerSearch('https://shop.example.com/products/mug')).toEqual([]);
    expect(referrerSearch('https://shop.example.com/?utm_source=news&ref=abc')).toEqual([]);
    expect(referrerSearch('not a url')).toEqual([]);
    expect(referrerSearch('')).toEqual([]);
    expect(referrerSearch(undefined)).toEqual([]);
  });
});

describe('personSignals: preferences', () => {
  it('reads declared preferences from a list, trimmed, skipping blanks and non-strings', () => {
    expect(phrases(record({ traits: { preferences: ['low sugar', ' coffee ', '', 42, null] } }))).toEqual([['low sugar', 'declared'], ['coffee', 'declared']]);
  });

  it('reads declared preferences from a comma-separated string', () => {
    expect(phrases(record({ traits: { preferences: 'low sugar, coffee,,tea ' } }))).toEqual([['low sugar', 'declared'], ['coffee', 'declared'], ['tea', 'declared']]);
  });

  it('takes at most 10 phrases of at most 100 characters from a source', () => {
    const many = Array.from({ length: 15 }, (_, i) => `taste ${i}`);
    expect(phrases(record({ traits: { preferences: many } }))).toHaveLength(10);
    expect(phrases(record({ traits: { preferences: ['x'.repeat(101), 'y'.repeat(100)] } }))).toEqual([['y'.repeat(100), 'declared']]);
  });

  it('ignores a preferences trait that is neither a list nor a string', () => {
    expect(phrases(record({ traits: { preferences: { coffee: true } } }))).toEqual([]);
  });

  it('adds the UTM term and the referrer\'s search as searches and the campaign\'s longer words', () => {
    const context: RequestContext = {
      utm: { term: 'oat milk', campaign: 'Spring_tea-PROMO_xmas' },
      referrer: 'https://www.google.com/search?q=green+tea',
    };
    expect(phrases(record({ traits: { preferences: ['coffee'] } }), context)).toEqual([
      ['coffee', 'declared'],
      ['oat milk', 'search'],
      ['green tea', 'search'],
      // Words of 4 letters or more, lower-cased: "tea" is too short.
      ['spring', 'campaign'],
      ['promo', 'campaign'],
      ['xmas', 'campaign'],
    ]);
  });

  it('reads the context of a person Tailor does not know', () => {
    expect(phrases(null, { utm: { term: 'espresso' } })).toEqual([['espresso', 'search']]);
  });
});

describe('personSignals: region', () => {
  const full = record({ computed: { country: 'US' }, traits: { address: { country: 'DE' }, country: 'FR' } });

  it('takes the request\'s region first, then the computed country, the address, the country trait and the locale', () => {
    expect(signals(full, { region: 'GB', locale: 'en-CA' }).region).toBe('GB');
    expect(signals(full, { locale: 'en-CA' }).region).toBe('US');
    expect(signals(record({ traits: { address: { country: 'DE' }, country: 'FR' } }), { locale: 'en-CA' }).region).toBe('DE');
    expect(signals(record({ traits: { country: 'FR' } }), { locale: 'en-CA' }).region).toBe('FR');
    expect(signals(record(), { locale: 'en-CA' }).region).toBe('CA');
    expect(signals(null, { locale: 'zh-Hans-CN' }).region).toBe('CN');
  });

  it('skips blank values and an address that is not an object', () => {
    expect(signals(full, { region: '' }).region).toBe('US');
    expect(signals(record({ computed: { country: '  ' }, traits: { address: 'Berlin', country: ' FR ' } })).region).toBe('FR');
    expect(signals(record({ computed: { country: 7 }, traits: { address: { country: '' } } }), { locale: 'pt-BR' }).region).toBe('BR');
  });

  it('is null without a region anywhere, for a locale without a region or an invalid locale', () => {
    expect(signals(record()).region).toBeNull();
    expect(signals(null, { locale: 'en' }).region).toBeNull();
    expect(signals(null, { locale: 'not a locale!' }).region).toBeNull();
  });
});

describe('personSignals: exposures and the rest', () => {
  it('counts showings per item and marks the items the person responded to', () => {
    const person = record({
      shown: { itemIds: ['mug', 'mug', 'tea', 'mug', 'pan'], times: [1, 2, 3, 4, 5] },
      responded: [{ itemId: 'tea', at: 6 }, { itemId: 'kettle', at: 7 }],
    });
    expect(Object.fromEntries(signals(person).exposures)).toEqual({
      mug: { shown: 3, responded: false },
      tea: { shown: 1, responded: true },
      pan: { shown: 1, responded: false },
    });
  });

  it('counts only showings and responses inside the fatigue window', () => {
    const person = record({ shown: { itemIds: ['mug', 'tea', 'mug', 'mug'], times: [1, 2, 5, 9] }, responded: [{ itemId: 'mug', at: 3 }] });
    expect(Object.fromEntries(personSignals({ record: person, context: {}, now: NOW, exposuresSince: 4 }).exposures)).toEqual({ mug: { shown: 2, responded: false } });
  });

  it("knows the positions of items shown often enough without a response, and keeps them up as more are shown", () => {
    const person = record({
      shown: { itemIds: ['mug', 'mug', 'tea', 'tea', 'tea', 'pan', 'mug', 'gone', 'gone', 'gone'], times: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
      responded: [{ itemId: 'tea', at: 6 }],
    });
    const index = new Map([['mug', 0], ['tea', 1], ['pan', 2], ['kettle', 3]]);
    const x = exposuresOf(person, 0);
    // mug shown 3 times; tea 3 times but answered; 'gone' is not in this catalog.
    expect([...x.fatigued(index, 3)]).toEqual([0]);
    expect([...x.fatigued(index, 2)].sort()).toEqual([0]);
    expect([...x.fatigued(index, 1)].sort()).toEqual([0, 2]);
    const three = x.fatigued(index, 3);
    expect(x.fatigued(index, 3)).toBe(three);
    x.countShown('pan', 20);
    x.countShown('pan', 20);
    expect(x.fatigued(index, 3)).toBe(three);
    expect([...three].sort()).toEqual([0, 2]);
    x.countShown('kettle', 21);
    x.countShown('tea', 22);
    expect([...x.fatigued(index, 3)].sort()).toEqual([0, 2]);
    expect(x.get('kettle')).toEqual({ shown: 1, responded: false });
    expect(x.get('tea')).toEqual({ shown: 4, responded: true });
    // Another catalog index: worked out again for it.
    const other = new Map([['pan', 5], ['kettle', 6]]);
    expect([...x.fatigued(other, 3)]).toEqual([5]);
  });

  it('knows until when its counts hold: the oldest showing or response it counted', () => {
    const person = record({ shown: { itemIds: ['mug', 'tea', 'mug'], times: [2, 5, 9] }, responded: [{ itemId: 'tea', at: 4 }, { itemId: 'mug', at: 1 }] });
    // Window from 3: the showing at 2 and the response at 1 are outside; the response at 4 is the oldest inside.
    expect(exposuresOf(person, 3).oldestCounted).toBe(4);
    expect(exposuresOf(person, 0).oldestCounted).toBe(1);
    expect(exposuresOf(person, 6).oldestCounted).toBe(9);
    expect(exposuresOf(person, 10).oldestCounted).toBe(Infinity);
    // What it says holds while the window starts at or before that time: counted again from there, the same.
    const x = exposuresOf(person, 3);
    expect([...exposuresOf(person, 4)]).toEqual([...x]);
    expect([...exposuresOf(person, 5)]).not.toEqual([...x]);
    // Showings counted later are newer; from none, the first one counted is the oldest.
    const empty = exposuresOf(person, 10);
    empty.countShown('mug', 12);
    empty.countShown('tea', 15);
    expect(empty.oldestCounted).toBe(12);
  });

  it('has no exposures, history or segments for an unknown person', () => {
    const s = signals(null);
    expect(s.exposures.size).toBe(0);
    expect(s).toMatchObject({ interactions: [], segments: [], preferences: [], region: null, device: null, timezone: null });
  });

  it('passes history and segments through', () => {
    const person = record({
      interactions: [{ itemId: 'mug', kind: 'purchase', at: 1 }],
      segments: [{ id: 's1', name: 'VIP' }],
    });
    expect(signals(person)).toMatchObject({ interactions: person.interactions, segments: person.segments });
  });

  it('reads the device lower-cased and the request\'s time zone before the person\'s', () => {
    expect(signals(null, { device: ' Mobile ' }).device).toBe('mobile');
    expect(signals(null, { device: '' }).device).toBeNull();
    const person = record({ computed: { timezone: 'Asia/Shanghai' } });
    expect(signals(person, { timezone: 'Europe/London' }).timezone).toBe('Europe/London');
    expect(signals(person).timezone).toBe('Asia/Shanghai');
    expect(signals(person, { timezone: '' }).timezone).toBe('Asia/Shanghai');
  });
});
