import { afterAll, expect, it } from 'vitest';
import { seededRng } from '../src/recommend/rng.js';
import type { Condition } from '../src/segments/definition.js';
import { appFor, basic } from './support/app.js';
import { describeEachEngine } from './support/engines.js';
import type { Store } from '../src/store/store.js';

const NOW = Date.parse('2024-03-02T00:00:00Z');
const NAMES = ['Product Viewed', 'Product Added', 'Order Completed'];
const PROFILING_ON = {
  privacy: { defaults: { overrides: (['profiling', 'personalization'] as const).map((purpose) => ({ purpose, default: 'on', legalBasis: 'legitimate_interests', note: 'test' })) } },
};

/**
 * The real-time update looks at a person only for the segments their new events can change
 * (names, windows and property filters of event conditions; identify; any event for
 * first/last seen; changed references) and decides most of them without a query. Whatever it
 * skips must not have changed: after random batches of events through the ingest API, with
 * the clock standing still (no exit by time alone), a full evaluation of every segment finds
 * nothing to add or remove — on both engines.
 */
/** Removes `activity.events` from every stored trait state of the workspace (a state stored before the count). */
async function forgetEventCounts(store: Store, ws: string): Promise<number> {
  const rows = await store.db.selectFrom('profiles').select(['id', 'trait_state']).where('workspace_id', '=', ws).where('trait_state', 'is not', null).execute();
  for (const r of rows) {
    const state = (typeof r.trait_state === 'string' ? JSON.parse(r.trait_state) : r.trait_state) as { activity: { events?: number } };
    delete state.activity.events;
    await store.db.updateTable('profiles').set({ trait_state: JSON.stringify(state) }).where('workspace_id', '=', ws).where('id', '=', r.id).execute();
  }
  return rows.length;
}

describeEachEngine('real-time membership matches a full evaluation', (engine) => {
  afterAll(() => engine.cleanup());

  it.each([7, 19])('keeps 30 random segments exact through 6 random batches of events, identifies and merges (seed %i)', async (seed) => {
    const store = await engine.open();
    try {
      const { tailor, post, clock } = await appFor(store);
      clock.set(NOW);
      const { workspace, keys } = await tailor.workspaces.createWorkspace({ name: 'shop', jurisdiction: 'UK', settings: PROFILING_ON as never });
      const rng = seededRng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
      const segmentIds: string[] = [];
      const leaf = (): Condition => {
        const r = rng();
        if (r < 0.5) {
          const where = Array.from({ length: Math.floor(rng() * 2) }, () => pick([
            { property: 'category', op: '=', value: pick(['Tea', 'Coffee']) },
            { property: 'price', op: pick(['<', '>=']), value: pick([10, 20]) },
            { property: 'gift', op: 'exists' },
          ] as const));
          const count = pick([undefined, { atLeast: 2 }, { atMost: 0 }, { atMost: 1 }]);
          return { event: pick(NAMES), ...(where.length > 0 ? { where } : {}), ...(count === undefined ? {} : { count }), ...pick([{}, { withinLastDays: pick([3, 10]) }]) } as Condition;
        }
        if (r < 0.6) return { sequence: [pick(NAMES), pick(NAMES)], withinHours: pick([2, 48]) };
        if (r < 0.7) return { trait: pick(['last_seen', 'first_seen']), op: pick(['within_last', 'before']), value: pick([{ days: 5 }, '2024-02-25']) } as Condition;
        if (r < 0.85) return pick<Condition>([{ trait: 'plan', source: 'profile', op: '=', value: 'pro' }, { trait: 'score', source: 'profile', op: '>', value: 15 }]);
        if (r < 0.95 && segmentIds.length > 0) return { segment: pick(segmentIds) };
        return { consent: 'marketing_email', state: 'none' };
      };
      const condition = (depth: number): Condition => {
        const r = rng();
        if (depth >= 2 || r < 0.45) return leaf();
        if (r < 0.7) return { all: [condition(depth + 1), condition(depth + 1)] };
        if (r < 0.9) return { any: [condition(depth + 1), condition(depth + 1)] };
        return { not: condition(depth + 1) };
      };
      while (segmentIds.length < 30) {
        const created = await tailor.segments.create(workspace, { name: `s${segmentIds.length}`, condition: condition(0) });
        if (created.ok) segmentIds.push(created.value.id);
      }
      await tailor.segments.evaluateAll(workspace);

      let n = 0;
      const message = (): Record<string, unknown> => {
        const visitor = Math.floor(rng() * 30);
        // Anonymous visitors; some identify later as a user, which merges their profiles.
        const who = rng() < 0.5 ? { anonymousId: `anon-${visitor}` } : { userId: `u${visitor % 20}`, ...(rng() < 0.3 ? { anonymousId: `anon-${visitor}` } : {}) };
        const timestamp = new Date(NOW - Math.floor(rng() * 14 * 24) * 3_600_000).toISOString();
        const messageId = `m${++n}`;
        if (rng() < 0.15) return { type: 'identify', ...who, messageId, timestamp, traits: { plan: pick(['pro', 'free']), score: Math.floor(rng() * 30) } };
        if (rng() < 0.1) return { type: 'page', name: 'Home', ...who, messageId, timestamp };
        const event = pick(NAMES);
        const properties: Record<string, unknown> = { category: pick(['Tea', 'Coffee']), price: Math.floor(rng() * 30), ...(rng() < 0.3 ? { gift: true } : {}) };
        if (event === 'Order Completed') properties['order_id'] = `o${n}`;
        return { type: 'track', event, properties, ...who, messageId, timestamp };
      };
      let entries = 0;
      for (let round = 0; round < 6; round++) {
        // Half-way, every stored trait state loses its event count, as a row written before the
        // count was kept: the flush must then count stored events in SQL to tell newcomers.
        if (round === 3) expect(await forgetEventCounts(store, workspace.id)).toBeGreaterThan(10);
        const batch = Array.from({ length: 40 }, message);
        const res = await post('/v1/batch', { batch }, { authorization: basic(keys.write) });
        expect(res.status).toBe(200);
        await tailor.realtime.drain();
        const stats = tailor.realtime.stats();
        entries = stats.entered;
        expect(stats.failures).toBe(0);
      }
      const conditions = new Map((await tailor.segments.list(workspace)).map((x) => [x.id, JSON.stringify(x.condition)]));
      for (const id of segmentIds) {
        const r = await tailor.segments.evaluate(workspace, id);
        expect(r.ok && { entered: r.value.entered, exited: r.value.exited }, conditions.get(id)).toEqual({ entered: 0, exited: 0 });
      }
      // The comparison has teeth: the real-time update made many entries, and skipped much.
      const stats = tailor.realtime.stats();
      expect(entries).toBeGreaterThan(100);
      expect(stats.decidedWithoutQuery).toBeGreaterThan(stats.evaluations);
    } finally {
      await store.close();
    }
  });
});
