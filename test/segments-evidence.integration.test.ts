import { afterAll, expect, it } from 'vitest';
import { seededRng } from '../src/recommend/rng.js';
import type { Condition } from '../src/segments/definition.js';
import { consentInputSchema } from '../src/privacy/consent-input.js';
import { holdsFromNewEvents, MAX_NEW_EVENTS, type NewEvent } from '../src/segments/event-evidence.js';
import type { ProfileFacts } from '../src/segments/profile-evidence.js';
import { computedTraitRepositorySql } from '../src/store/repositories/computed-trait-repository-sql.js';
import { segmentRepositorySql } from '../src/store/repositories/segment-repository-sql.js';
import { appFor, basic } from './support/app.js';
import { describeEachEngine } from './support/engines.js';

const NOW = Date.parse('2024-03-02T00:00:00Z');
const DAY = 86_400_000;
const NAMES = ['Product Viewed', 'Product Added', 'Order Completed'];

/**
 * The real-time update decides many person × segment pairs without a query: from a person's
 * new events, profile row and current memberships (src/segments/event-evidence.ts,
 * profile-evidence.ts). Here every event of a person counts as "new", and for random
 * conditions over random histories and traits, every decision made without SQL must equal
 * what the compiled SQL finds in the database — on both engines.
 */
describeEachEngine('segment decisions from new events agree with SQL', (engine) => {
  afterAll(() => engine.cleanup());

  it('agrees on 400 random conditions over 40 random people, with and without their profile rows and memberships', async () => {
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
        else if (rng() < 0.8) {
          // Traits of every JSON type the conditions compare, some of the "wrong" type, some missing.
          const traits: Record<string, unknown> = {};
          if (rng() < 0.8) traits['plan'] = pick(['pro', 'free', 'Pro']);
          if (rng() < 0.8) traits['score'] = rng() < 0.7 ? Math.floor(rng() * 5) * 10 : '20';
          if (rng() < 0.6) traits['vip'] = rng() < 0.5;
          if (rng() < 0.7) traits['signup'] = rng() < 0.7 ? NOW - Math.floor(rng() * 20) * DAY : '2024-02-20T00:00:00.000Z';
          if (rng() < 0.5) traits['address'] = rng() < 0.8 ? { city: pick(['Leeds', 'York']) } : 'Leeds';
          if (rng() < 0.2) traits['gone'] = null;
          batch.push({ type: 'identify', userId, messageId: `${userId}-traits`, traits, timestamp: new Date(NOW - Math.floor(rng() * 10) * DAY).toISOString() });
        }
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
        if (r < 0.8) return { trait: pick(['last_seen', 'first_seen']), op: pick(['within_last', 'after', 'before', 'exists']), value: pick([{ days: 5 }, '2024-02-20']) } as Condition;
        if (r < 0.83) return { segment: pick(segmentIds) };
        if (r < 0.87) return { consent: pick(['marketing_email', 'profiling']), state: pick(['granted', 'denied', 'none']) } as Condition;
        return pick<Condition>([
          { trait: 'plan', source: 'profile', op: pick(['=', '!=', 'exists', 'not_exists']), value: pick(['pro', 'Pro', 3]) } as Condition,
          { trait: 'plan', source: 'profile', op: pick(['in', 'not_in']), value: [pick(['pro', 'free']), 20] } as Condition,
          { trait: 'score', source: 'profile', op: pick(['=', '!=', '<', '<=', '>', '>=']), value: pick([20, '20', 10]) } as Condition,
          { trait: 'score', source: 'profile', op: 'between', value: [10, 30] } as Condition,
          { trait: 'vip', source: 'profile', op: pick(['=', '!=']), value: pick([true, false, 'true']) } as Condition,
          { trait: 'signup', source: 'profile', op: pick(['within_last', 'after', 'before']), value: pick([{ days: 10 }, '2024-02-25', { daysAgo: 3 }]) } as Condition,
          { trait: 'address', source: 'profile', key: 'city', op: pick(['=', 'exists']), value: 'Leeds' } as Condition,
          { trait: 'gone', source: 'profile', op: pick(['exists', 'not_exists']) } as Condition,
        ]);
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
      // Two segments to refer to, evaluated so that their members are stored.
      const segmentIds: string[] = [];
      for (const condition of [{ trait: 'vip', source: 'profile', op: 'exists' }, { trait: 'plan', source: 'profile', op: '=', value: 'pro' }]) {
        const created = await tailor.segments.create(a.workspace, { name: `ref ${segmentIds.length}`, condition });
        if (!created.ok) throw new Error(JSON.stringify(created.error));
        await tailor.segments.evaluate(a.workspace, created.value.id);
        segmentIds.push(created.value.id);
      }
      // Consent decisions, some changed later, for a few people.
      for (const [i, userId] of [...sent.keys()].entries()) {
        if (i % 3 !== 0) continue;
        const decide = (purpose: string, decision: string) => consentInputSchema.array().parse([{ purpose, decision, noticeVersion: 'v1' }]);
        expect((await tailor.consent.record(a.workspace, `user_id:${userId}`, decide(pick(['marketing_email', 'profiling']), pick(['granted', 'denied'])), 'test')).ok).toBe(true);
        if (rng() < 0.5) expect((await tailor.consent.record(a.workspace, `user_id:${userId}`, decide('marketing_email', pick(['granted', 'withdrawn'])), 'test')).ok).toBe(true);
      }
      const { profiles, memberships } = await repository.liveProfilesAmong(a.workspace.id, people, MAX_NEW_EVENTS);
      expect(memberships).toEqual(await repository.membershipsOf(a.workspace.id, people));
      const consents = new Map<string, Map<string, string>>();
      for (const r of (await computedTraitRepositorySql(store).privacyOf(a.workspace.id, people)).consents) {
        if (!consents.has(r.profileId)) consents.set(r.profileId, new Map());
        consents.get(r.profileId)!.set(r.purpose, r.decision);
      }
      expect(consents.size).toBeGreaterThan(5);
      // Every stored event of a person is among "their new events" here: the whole history (an identify counts too).
      const all = await store.db.selectFrom('events').select(['profile_id', 'message_id', 'type']).where('workspace_id', '=', a.workspace.id).execute();
      for (const r of all) {
        const list = eventsOf.get(r.profile_id)!;
        if (!list.some((e) => e.messageId === r.message_id)) list.push({ messageId: r.message_id, type: r.type, event: null, properties: {}, timestamp: NOW - 5 * DAY });
      }
      const timeOf = new Map((await store.db.selectFrom('events').select(['message_id', 'timestamp']).where('workspace_id', '=', a.workspace.id).execute()).map((r) => [r.message_id, Number(r.timestamp)]));
      for (const list of eventsOf.values()) for (const e of list) e.timestamp = timeOf.get(e.messageId)!;
      for (const p of people) expect(profiles.get(p)!.storedEvents).toBe(eventsOf.get(p)!.length);
      // Ingested whole, so every person's trait state has counted each of their events by name.
      for (const p of people) {
        const named = eventsOf.get(p)!.filter((e) => e.type === 'track');
        expect(Object.values(profiles.get(p)!.activity!.eventCounts).reduce((x, y) => x + y, 0)).toBe(named.length);
      }
      expect(profiles.size).toBe(people.length);
      expect([...memberships.values()].some((m) => m.size === 2)).toBe(true);
      const decidedWithFacts = { partial: 0, complete: 0, activity: 0 };
      const withoutActivity = (profile: ProfileFacts | null): ProfileFacts | null => (profile === null ? null : { ...profile, activity: undefined });
      let decided = 0;
      let checked = 0;
      const outcomes = new Set<boolean>();
      for (let i = 0; i < 400; i++) {
        let c = condition(0);
        if ('trait' in c && c.op !== 'exists' && c.op !== 'within_last' && typeof c.value === 'object') c = { ...c, op: 'within_last' };
        if ('trait' in c && (c.op === 'after' || c.op === 'before') && typeof c.value !== 'string') continue;
        const valid = await tailor.segments.validate(a.workspace, { name: 'x', condition: c });
        if (!valid.ok) continue;
        const inSql = await repository.matchingAmong(a.workspace.id, valid.value.condition, people, NOW);
        for (const p of people) {
          const v = holdsFromNewEvents(valid.value.condition, eventsOf.get(p)!, NOW);
          checked++;
          if (v !== null) {
            decided++;
            outcomes.add(v);
            expect(v, `${JSON.stringify(valid.value.condition)} for ${p}`).toBe(inSql.has(p));
          }
          // With the profile row, memberships and consent known as well (what the real-time update
          // reads once per flush), and then with the events known to be the whole history (a newcomer).
          const facts = { profile: profiles.get(p) ?? null, memberOf: memberships.get(p) ?? new Set<string>(), consents: consents.get(p) ?? new Map<string, string>() };
          for (const complete of [false, true]) {
            const w = holdsFromNewEvents(valid.value.condition, eventsOf.get(p)!, NOW, { ...facts, complete });
            if (w === null) continue;
            if (v === null) decidedWithFacts[complete ? 'complete' : 'partial']++;
            expect(w, `${JSON.stringify(valid.value.condition)} for ${p}, with the profile row${complete ? ' and the whole history' : ''}`).toBe(inSql.has(p));
          }
          // Only the latest event new, or none (a returning person; a privacy change): what is
          // decided then rests on the profile row — its counts of stored events by name among it.
          const latest = [...eventsOf.get(p)!].sort((x, y) => y.timestamp - x.timestamp).slice(0, 1);
          for (const fresh of [latest, []]) {
            const w = holdsFromNewEvents(valid.value.condition, fresh, NOW, facts);
            const without = holdsFromNewEvents(valid.value.condition, fresh, NOW, { ...facts, profile: withoutActivity(facts.profile) });
            if (w === null) continue;
            if (without === null) decidedWithFacts.activity++;
            expect(w, `${JSON.stringify(valid.value.condition)} for ${p}, ${fresh.length} new event(s), with the profile row`).toBe(inSql.has(p));
          }
        }
      }
      // The comparison has teeth: a good share of the pairs were decided from the events.
      expect(checked).toBeGreaterThan(5_000);
      expect(decided).toBeGreaterThan(500);
      expect(decidedWithFacts.partial).toBeGreaterThan(1_000);
      expect(decidedWithFacts.complete).toBeGreaterThan(10_000);
      expect(decidedWithFacts.activity).toBeGreaterThan(1_000);
      expect(outcomes).toEqual(new Set([true, false]));
    } finally {
      await store.close();
    }
  });
});
