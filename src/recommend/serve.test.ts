import { describe, expect, it } from 'vitest';
import { placementSchema, sceneSchema, type Filters, type RequestContext, type Scene } from '../contracts/recommendation.js';
import { buildCatalogIndex } from './catalog-index.js';
import { createDecayedCounters } from './decayed-counters.js';
import { seededRng } from './rng.js';
import { ExposureCounts } from './person-signals.js';
import { compileFilters, historyMemoOf, serveRecommendations, type PersonSignals } from './serve.js';
import { createServingState } from './serving-state.js';
import { trainServingModel } from './serving-model.js';
import { catalogEntry as entry } from '../../test/support/catalog-entry.js';

const catalog = buildCatalogIndex([
  entry({ id: 'mug', price: 8, categoryPath: ['Home', 'Kitchen', 'Mugs'], tags: ['Gift'] }),
  entry({ id: 'teapot', price: 20, categoryPath: ['Home', 'Kitchen'], tags: ['tea'] }),
  entry({ id: 'sold-out', price: 12, categoryPath: ['Home', 'Kitchen'], inStock: false }),
  entry({ id: 'rake', price: 35, categoryPath: ['Garden'], tags: ['gift', 'outdoor'] }),
  entry({ id: 'no-price', price: null, categoryPath: ['Home', 'Decor'] }),
  entry({ id: 'kite', price: 20.01, categoryPath: ['Toys'] }),
]);

const passing = (filters: Filters) => {
  const ok = compileFilters(filters, catalog);
  return catalog.entries.filter((_, i) => ok(i)).map((e) => e.id);
};

describe('compileFilters', () => {
  it('keeps only items in stock by default', () => {
    expect(passing({})).toEqual(['mug', 'teapot', 'rake', 'no-price', 'kite']);
    expect(passing({ inStock: true })).toEqual(['mug', 'teapot', 'rake', 'no-price', 'kite']);
    expect(passing({ inStock: false })).toEqual(['mug', 'teapot', 'sold-out', 'rake', 'no-price', 'kite']);
  });

  it('keeps prices within [priceMin, priceMax], both ends included, and drops unpriced items when either is set', () => {
    expect(passing({ priceMin: 8, priceMax: 20 })).toEqual(['mug', 'teapot']);
    expect(passing({ priceMin: 20 })).toEqual(['teapot', 'rake', 'kite']);
    expect(passing({ priceMax: 20, inStock: false })).toEqual(['mug', 'teapot', 'sold-out']);
    expect(passing({ priceMin: 0 })).not.toContain('no-price');
  });

  it('keeps items under one of the category prefixes, case-insensitively', () => {
    expect(passing({ categories: ['home > kitchen'] })).toEqual(['mug', 'teapot']);
    expect(passing({ categories: ['Garden', 'Toys'] })).toEqual(['rake', 'kite']);
    expect(passing({ categories: ['Kitchen'] })).toEqual([]);
  });

  it('drops items under an excluded category prefix', () => {
    expect(passing({ excludeCategories: ['Home'] })).toEqual(['rake', 'kite']);
    expect(passing({ categories: ['Home'], excludeCategories: ['Home > Kitchen > Mugs'] })).toEqual(['teapot', 'no-price']);
  });

  it('keeps items with one of the tags and drops items with an excluded tag, case-insensitively', () => {
    expect(passing({ tags: ['GIFT'] })).toEqual(['mug', 'rake']);
    expect(passing({ tags: ['gift', 'tea'] })).toEqual(['mug', 'teapot', 'rake']);
    expect(passing({ excludeTags: ['Outdoor'] })).toEqual(['mug', 'teapot', 'no-price', 'kite']);
    expect(passing({ tags: ['gift'], excludeTags: ['outdoor'] })).toEqual(['mug']);
  });

  it('drops excluded items by id', () => {
    expect(passing({ excludeItems: ['mug', 'kite', 'unknown'] })).toEqual(['teapot', 'rake', 'no-price']);
  });

  it('treats empty lists as no filter', () => {
    expect(passing({ categories: [], excludeCategories: [], tags: [], excludeTags: [], excludeItems: [] })).toEqual(passing({}));
  });

  it('applies every filter together', () => {
    expect(passing({ inStock: false, categories: ['Home'], priceMax: 15, excludeItems: ['mug'] })).toEqual(['sold-out']);
  });
});

describe('serveRecommendations without a person (PRIVACY.md P5, P6)', () => {
  const shop = [
    ...['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id, k) => entry({ id, price: 2 + k, categoryPath: [`Cat ${k % 3}`], tags: k % 2 === 0 ? ['protein'] : ['tea'] })),
  ];
  // Noon UTC: a time-based scene ("night", 22–6 h) does not apply; time is the server's, not the person's.
  const NOON = Date.parse('2024-06-01T12:00:00Z');
  const build = () => {
    const state = createServingState({ model: null, modelVersion: null, catalog: shop, now: NOON });
    // Shop-wide favourites, and a region with other favourites.
    for (const [id, w] of [['a', 5], ['b', 4], ['c', 3], ['d', 2], ['e', 1]] as const) state.live.trending.add(id, w, NOON - 100);
    const gb = createDecayedCounters({ halfLifeDays: 30, reference: NOON - 100 });
    for (const [id, w] of [['h', 9], ['g', 8]] as const) gb.add(id, w, NOON - 100);
    state.live.regions.set('GB', gb);
    return state;
  };
  const scenes: Scene[] = [sceneSchema.parse({ name: 'gym', label: 'Gym', when: { activity: ['workout'] }, boost: [{ match: { tags: ['protein'] }, factor: 5 }] }),
    sceneSchema.parse({ name: 'night', label: 'Night', when: { hours: [22, 6] }, exclude: [{ tags: ['tea'] }] })];
  const placement = placementSchema.parse({ name: 'p', strategies: [{ strategy: 'trending' }, { strategy: 'for_you', weight: 0.5 }], n: 5 });
  const serve = (context: RequestContext, person: PersonSignals | null) => serveRecommendations({
    state: build(), placement, person, request: { items: [], context, n: 5, segment: 'seg-1' }, scenes, now: NOON, rng: seededRng(3), itemStats: { impressions: new Float64Array(100), responses: new Float64Array(100) },
  });
  const somebody: PersonSignals = {
    interactions: [{ itemId: 'g', kind: 'purchase', at: NOON - 1e6 }], purchased: new Map([['g', NOON - 1e6]]), preferences: [{ phrase: 'tea', source: 'declared' }],
    region: 'GB', device: 'mobile', timezone: 'Asia/Shanghai', segments: [{ id: 'seg-1', name: 'One' }], exposures: new ExposureCounts(),
  };

  it('reads nothing of the request context but a named scene: any other field read throws here', () => {
    const context = new Proxy({ scene: 'gym' } as RequestContext, {
      get(target, key) {
        if (key === 'scene' || typeof key === 'symbol') return Reflect.get(target, key);
        throw new Error(`read context.${String(key)} without a person`);
      },
    });
    const out = serve(context, null);
    expect(out.scenes).toEqual(['gym']);
    expect(out.items.length).toBeGreaterThan(0);
  });

  it('gives the same list whatever the region, device, activity, time zone, locale, search or campaign', () => {
    const contexts: RequestContext[] = [
      {}, { region: 'GB' }, { device: 'mobile', activity: 'workout' }, { timezone: 'Asia/Shanghai', time: '2024-01-01T23:30:00Z' },
      { locale: 'en-GB', referrer: 'https://www.google.com/search?q=tea', utm: { term: 'tea', campaign: 'tea_week' } }, { locationType: 'office', weather: 'rain' },
    ];
    const lists = contexts.map((c) => JSON.stringify(serve(c, null).items));
    for (const l of lists) expect(l).toBe(lists[0]);
  });

  it('(the same contexts do change the list of a person who may be personalized: the check above can fail)', () => {
    const plain = JSON.stringify(serve({}, somebody).items.map((i) => i.itemId));
    expect(JSON.stringify(serve({ activity: 'workout' }, somebody).items.map((i) => i.itemId))).not.toBe(plain);
    expect(JSON.stringify(serve({ region: 'GB' }, null).items.map((i) => i.itemId))).not.toBe(JSON.stringify(serve({ region: 'GB' }, { ...somebody, preferences: [] }).items.map((i) => i.itemId)));
  });
});

describe('scenes without a person', () => {
  const shop = ['a', 'b', 'c', 'd'].map((id, k) => entry({ id, categoryPath: [`Cat ${k}`], tags: k % 2 === 0 ? ['protein'] : ['tea'] }));
  // Half past eleven at night, UTC: "night" (22–6 h, no tea) holds by the clock.
  const LATE = Date.parse('2024-06-01T23:30:00Z');
  const night = sceneSchema.parse({ name: 'night', label: 'Night', when: { hours: [22, 6] }, exclude: [{ tags: ['tea'] }] });
  const state = createServingState({ model: null, modelVersion: null, catalog: shop, now: LATE });
  for (const [id, w] of [['a', 4], ['b', 3], ['c', 2], ['d', 1]] as const) state.live.trending.add(id, w, LATE - 100);
  const placement = placementSchema.parse({ name: 'p', strategies: [{ strategy: 'trending' }], n: 4, exploration: { share: 0 }, diversity: { maxPerCategory: null } });
  const serve = (context: RequestContext, person: PersonSignals | null) => serveRecommendations({
    state, placement, person, request: { items: [], context, n: 4 }, scenes: [night], now: LATE, rng: seededRng(1), itemStats: { impressions: new Float64Array(10), responses: new Float64Array(10) },
  });
  const nobody: PersonSignals = { interactions: [], purchased: new Map(), preferences: [], region: null, device: null, timezone: null, segments: [], exposures: new ExposureCounts() };

  it('applies only a scene the request names, not one whose time conditions hold by the server\'s clock', () => {
    const plain = serve({}, null);
    expect(plain.scenes).toEqual([]);
    expect(plain.items.map((i) => i.itemId)).toEqual(['a', 'b', 'c', 'd']);
    const named = serve({ scene: 'night' }, null);
    expect(named.scenes).toEqual(['night']);
    expect(named.items.map((i) => i.itemId)).toEqual(['a', 'c']);
  });

  it('(a person who may be personalized gets the scene whose conditions hold: the check above can fail)', () => {
    expect(serve({}, nobody).scenes).toEqual(['night']);
  });
});

describe('filling a list from popularity', () => {
  const DAY = 86_400_000;
  // History that ended in 2011 (as the bundled demo data), served in 2024.
  const END = Date.parse('2011-12-09T12:00:00Z');
  const NOW = Date.parse('2024-06-01T12:00:00Z');
  const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  const shop = ids.map((id, k) => entry({ id, categoryPath: [`Cat ${k}`] }));
  // Item k bought by 8 − k people (a most, h least), on the days before the end.
  const interactions = ids.flatMap((id, k) => Array.from({ length: 8 - k }, (_, u) => ({ userId: `u${u}`, itemId: id, kind: 'purchase' as const, at: END - (u + 1) * DAY })));
  const model = trainServingModel({ interactions, items: shop.map((e) => ({ itemId: e.id, name: e.name })), referenceTime: END, rng: seededRng(5) });
  const placement = placementSchema.parse({ name: 'p', strategies: [{ strategy: 'trending' }], n: 5, exploration: { share: 0 }, diversity: { maxPerCategory: null } });
  const serve = (state: ReturnType<typeof createServingState>) => serveRecommendations({
    state, placement, person: null, request: { items: [], context: {}, n: 5 }, scenes: [], now: NOW, rng: seededRng(1), itemStats: { impressions: new Float64Array(10), responses: new Float64Array(10) },
  }).items.map((i) => i.itemId);

  it('fills from all-time popularity once one live event has made the old decayed popularity ~0', () => {
    expect(serve(createServingState({ model, modelVersion: 1, catalog: shop, now: NOW }))).toEqual(['a', 'b', 'c', 'd', 'e']);
    // One event now rebases the counters: 12 years of 7-day half-lives leave the old amounts at ~2^-650.
    const state = createServingState({ model, modelVersion: 1, catalog: shop, now: NOW });
    state.live.trending.add('h', 1, NOW);
    expect(state.live.trending.size).toBe(1);
    expect(serve(state)).toEqual(['h', 'a', 'b', 'c', 'd']);
  });

  it('is short only when the eligible catalog is', () => {
    const state = createServingState({ model, modelVersion: 1, catalog: shop, now: NOW });
    state.live.trending.add('h', 1, NOW);
    const narrow = serveRecommendations({
      state, placement, person: null, request: { items: [], context: {}, n: 5, filters: { excludeItems: ['a', 'b', 'c', 'd', 'e'] } }, scenes: [], now: NOW, rng: seededRng(1), itemStats: { impressions: new Float64Array(10), responses: new Float64Array(10) },
    });
    expect(narrow.items.map((i) => i.itemId)).toEqual(['h', 'f', 'g']);
  });
});

describe("exploration's candidates", () => {
  const DAY = 86_400_000;
  const NOW = Date.parse('2024-06-01T12:00:00Z');
  // 30 items on sale for a year and 2 added yesterday ("new" within the default 30 days).
  const items = [
    ...Array.from({ length: 30 }, (_, k) => entry({ id: `old-${k}`, categoryPath: [`Cat ${k % 5}`], createdAt: NOW - 365 * DAY })),
    entry({ id: 'new-1', createdAt: NOW - DAY }), entry({ id: 'new-2', createdAt: NOW - DAY }),
  ];
  const placement = placementSchema.parse({ name: 'explore', strategies: [{ strategy: 'trending' }], n: 4, exploration: { share: 0.5, underExposedBelow: 100 } });
  const state = createServingState({ model: null, modelVersion: null, catalog: items, now: NOW });
  items.forEach((e, k) => state.live.trending.add(e.id, 100 - k, NOW - 100));
  // Every old item shown often except old-7; the counts only grow, as in a serving process.
  const impressions = new Map(items.map((e) => [e.id, e.id.startsWith('new') || e.id === 'old-7' ? 3 : 500]));
  // Counts by catalog position, as serving-states keeps them.
  const itemStats = () => ({ impressions: Float64Array.from(state.catalog.entries, (e) => impressions.get(e.id)!), responses: new Float64Array(state.catalog.size) });
  const serve = (seed: number) => serveRecommendations({ state, placement, person: null, request: { items: [], context: {}, n: 4 }, scenes: [], now: NOW, rng: seededRng(seed), itemStats: itemStats() });
  const explored = (seed: number) => serve(seed).items.filter((i) => i.exploration).map((i) => i.itemId);

  it('explores only new and little-shown items', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) for (const id of explored(seed)) seen.add(id);
    expect([...seen].sort()).toEqual(['new-1', 'new-2', 'old-7']);
  });

  it('stops exploring an item once it has been shown enough, and keeps exploring a new one whatever its count', () => {
    impressions.set('old-7', 100);
    impressions.set('new-1', 10_000);
    const seen = new Set<string>();
    for (let seed = 41; seed <= 80; seed++) for (const id of explored(seed)) seen.add(id);
    expect([...seen].sort()).toEqual(['new-1', 'new-2']);
  });
});

describe('historyMemoOf', () => {
  it('keeps what depends only on the person\'s history, the serving state and the hour, with the state mark; not the exposures nor any other key', () => {
    const memo = new Map<string, unknown>([
      ['state', 3], ['history:3:40', 'h'], ['content:3:40', 'c'], ['catalog-history', 'ch'], ['blend', 'b'], ['relevance', 'r'],
      ['exposures:30', 'x'], ['person:481', 'p'], ['bought:null:true:false:481', 'm'], ['purchased:481', 'q'], ['segments', 's'],
    ]);
    expect([...historyMemoOf(memo).keys()].sort()).toEqual(['blend', 'bought:null:true:false:481', 'catalog-history', 'content:3:40', 'history:3:40', 'person:481', 'purchased:481', 'relevance', 'state']);
    expect(historyMemoOf(memo)).not.toBe(memo);
  });
});
