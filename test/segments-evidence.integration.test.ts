import { afterAll, expect, it } from 'vitest';
import { seededRng } from '../src/recommend/rng.js';
import type { Condition } from '../src/segments/definition.js';
import { holdsFromNewEvents, type NewEvent } from '../src/segments/event-evidence.js';
import { segmentRepositorySql } from '../src/store/repositories/segment-repository-sql.js';
import { appFor, basic } from './support/app.js';
import { describeEachEngine } from './support/engines.js';

const NOW = Date.parse('2024-03-02T00:00:00Z');
const DAY = 86_400_000;
const NAMES = ['Product Viewed', 'Product Added', 'Order Completed'];

/**
 * The real-time update decides many person × segment pairs from a person's new events alone
 * (src/segments/event-evidence.ts). Here every event of a person counts as "new", and for
 * random conditions over random histories, every decision made from the events must equal
 * what the compiled SQL finds in the database — on both engines.
 */
describeEachEngine('segment decisions from new events agree with SQL', (engine) => {
  afterAll(() => engine.cleanup());

  it('agrees on 300 random conditions over 40 random people', async () => {
    const store = await engine.open();
    try {
      const { tailor, a, clock, post } = await appFor(store);
      clock.set(NOW);
      const rng = seededRng(2024);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
      const sent = new Map<string, Array<Record<string, unknown>>>();
      const batch: Array<Record<string, unknown>> = [];
      for (let p = 0; p < 40; p++) {
        const userId = `u${p}`;
        const mine: Array<Record<string, unknown>> = [];
        const count = Math.floor(rng() * 6);
        for (let i = 0; i < count; i++) {
          const isPage = rng() < 0.15;
          const properties: Record<string, unknown> = {
            revenue: Math.floor(rng() * 5) * 10,
            category: pick(['Tea', 'Coffee', 'tea']),
            code: rng() < 0.5 ? 40 : '40',
            gift: rng() < 0.5,
            shipping: rng() < 0.7 ? { country: pick(['GB', 'IE']) } : 'none',
          };
          const event = pick(NAMES);
          if (event === 'Order Completed') properties['order_id'] = `${userId}-o${i}`;
          const m = isPage
            ? { type: 'page', name: 'Home', userId, messageId: `${userId}-${i}`, timestamp: new Date(NOW - Math.floor(rng() * 40 * 24) * 3_600_000).toISOString() }
            : { type: 'track', event, properties, userId, messageId: `${userId}-${i}`, timestamp: new Date(NOW - Math.floor(rng() * 40 * 24) * 3_600_000).toISOString() };
          mine.push(m);
          batch.push(m);
        }
        if (count === 0) batch.push({ type: 'identify', userId, messageId: `${userId}-id`, traits: { plan: 'x' }, timestamp: new Date(NOW - DAY).toISOString() });
        sent.set(userId, mine);
      }
      const res = await post('/v1/batch', { batch }, { authorization: basic(a.keys.write) });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ accepted: batch.length, rejected: [] });
      const stored = await store.db.selectFrom('events').select('message_id').where('workspace_id', '=', a.workspace.id).execute();
      expect(stored).toHaveLength(batch.length);
      const idRows = await store.db.selectFrom('identities').select(['profile_id', 'value']).where('workspace_id', '=', a.workspace.id).where('type', '=', 'user_id').execute();
      const profileOf = new Map(idRows.map((r) => [r.value, r.profile_id]));
      const eventsOf = new Map<string, NewEvent[]>();
      for (const [userId, list] of sent) {
        eventsOf.set(profileOf.get(userId)!, list.map((m) => ({
          messageId: m['messageId'] as string, type: m['type'] as string, event: (m['event'] as string | undefined) ?? null,
          properties: (m['properties'] as Record<string, unknown> | undefined) ?? {}, timestamp: Date.parse(m['timestamp'] as string),
        })));
      }

      const leaf = (): Condition => {
        const r = rng();
        if (r < 0.55) {
          const where = Array.from({ length: Math.floor(rng() * 3) }, () => pick([
            { property: 'revenue', op: pick(['=', '!=', '<', '<=', '>', '>=']), value: Math.floor(rng() * 5) * 10 },
            { property: 'category', op: pick(['=', '!=', '>']), value: pick(['Tea', 'tea', 'Coffee']) },
            { property: 'code', op: pick(['=', '!=']), value: rng() < 0.5 ? 40 : '40' },
            { property: 'gift', op: '=', value: rng() < 0.5 },
            { property: 'shipping.country', op: pick(['in', 'exists']), value: ['GB'] },
          ] as const)).map((w) => (w.op === 'exists' ? { property: w.property, op: w.op } : w));
          const count = pick([undefined, { atLeast: 2 }, { atMost: 0 }, { atMost: 1 }, { atLeast: 1, atMost: 2 }]);
          const window = pick([{}, { withinLastDays: pick([3, 10, 30]) }, { between: ['2024-02-10', { daysAgo: 5 }] }]);
          return { event: pick(NAMES), ...(where.length > 0 ? { where } : {}), ...(count === undefined ? {} : { count }), ...window } as Condition;
        }
        if (r < 0.7) return { sequence: [pick(NAMES), pick(NAMES)], withinHours: pick([1, 24, 240]), ...(rng() < 0.5 ? { withinLastDays: 20 } : {}) };
        if (r < 0.85) return { trait: 'last_seen', op: pick(['within_last', 'after', 'before', 'exists']), value: pick([{ days: 5 }, '2024-02-20']) } as Condition;
        return { trait: 'plan', source: 'profile', op: 'exists' };
      };
      const condition = (depth: number): Condition => {
        const r = rng();
        if (depth >= 2 || r < 0.5) return leaf();
        if (r < 0.7) return { all: [condition(depth + 1), condition(depth + 1)] };
        if (r < 0.9) return { any: [condition(depth + 1), condition(depth + 1)] };
        return { not: condition(depth + 1) };
      };

      const repository = segmentRepositorySql(store);
      const people = [...eventsOf.keys()];
      let decided = 0;
      let checked = 0;
      const outcomes = new Set<boolean>();
      for (let i = 0; i < 300; i++) {
        let c = condition(0);
        if ('trait' in c && c.op !== 'exists' && c.op !== 'within_last' && typeof c.value === 'object') c = { ...c, op: 'within_last' };
        if ('trait' in c && (c.op === 'after' || c.op === 'before') && typeof c.value !== 'string') continue;
        const valid = await tailor.segments.validate(a.workspace, { name: 'x', condition: c });
        if (!valid.ok) continue;
        const inSql = await repository.matchingAmong(a.workspace.id, valid.value.condition, people, NOW);
        for (const p of people) {
          const v = holdsFromNewEvents(valid.value.condition, eventsOf.get(p)!, NOW);
          checked++;
          if (v === null) continue;
          decided++;
          outcomes.add(v);
          expect(v, `${JSON.stringify(valid.value.condition)} for ${p}`).toBe(inSql.has(p));
        }
      }
      // The comparison has teeth: a good share of the pairs were decided from the events.
      expect(checked).toBeGreaterThan(5_000);
      expect(decided).toBeGreaterThan(500);
      expect(outcomes).toEqual(new Set([true, false]));
    } finally {
      await store.close();
    }
  });
});
