import { createHash } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import type { Store } from '../src/store/store.js';
import { appFor, basic } from './support/app.js';
import { describeEachEngine } from './support/engines.js';
import { trackMessage } from './support/factories.js';

/** A digest of every stored row, to prove that rejected requests changed nothing. */
async function snapshot(store: Store): Promise<string> {
  const h = createHash('sha256');
  for (const table of ['events', 'profiles', 'identities', 'orders', 'order_items', 'identity_merges', 'identity_conflicts'] as const) {
    const rows = await store.db.selectFrom(table).selectAll().execute();
    const lines = rows.map((r) => JSON.stringify(r)).sort();
    h.update(`${table}:${lines.join('\n')}`);
  }
  return h.digest('hex');
}

/** Seeded PRNG (mulberry32) so that a failing case can be replayed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomValue(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 3 ? 6 : 9));
  switch (k) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return Math.floor((r() - 0.5) * 1e12);
    case 3: return r() * 1e308 * (r() < 0.5 ? -1 : 1);
    case 4: return ['', ' ', '\u0000', 'ünï©ødé', '<script>', "'; drop table events; --", '__proto__', 'x'.repeat(Math.floor(r() * 300))][Math.floor(r() * 8)];
    case 5: return new Date(Math.floor(r() * 4e12)).toISOString();
    case 6: return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      const keys = ['type', 'userId', 'anonymousId', 'event', 'messageId', 'properties', 'traits', 'context', 'timestamp', 'sentAt', 'batch', 'previousId', 'groupId', '__proto__', 'constructor', 'prototype', 'name'];
      for (let i = 0; i < Math.floor(r() * 6); i++) o[keys[Math.floor(r() * keys.length)]!] = randomValue(r, depth + 1);
      return o;
    }
  }
}

const deep = (n: number, open: string, close: string) => open.repeat(n) + close.repeat(n);

describeEachEngine('hostile and malformed payloads', (engine) => {
  afterAll(() => engine.cleanup());

  it('answers every hostile payload with a 4xx, stays up, and changes nothing stored', async () => {
    const store = await engine.open();
    try {
      const { post, a } = await appFor(store, { writePerSecond: 1e6, writeBurst: 1e6 });
      const auth = { authorization: basic(a.keys.write) };
      expect((await post('/v1/batch', { batch: [trackMessage({ userId: 'keep' }), trackMessage({ userId: 'keep', event: 'Order Completed', properties: { order_id: 'o1', revenue: 5 } })] }, auth)).status).toBe(200);
      const before = await snapshot(store);

      const hostile: Array<[string, string]> = [
        ['/v1/track', ''], ['/v1/track', '{'], ['/v1/track', '['], ['/v1/track', 'null'], ['/v1/track', '"text"'], ['/v1/track', '12'], ['/v1/track', '{"a":}'],
        ['/v1/track', '\u00ff\u00fe\u0000garbage'], ['/v1/track', '[{"type":"track"}]'],
        ['/v1/track', JSON.stringify({ userId: {}, event: 'x' })], ['/v1/track', JSON.stringify({ userId: ['a'], event: 'x' })],
        ['/v1/track', JSON.stringify({ userId: 'u', event: 123 })], ['/v1/track', JSON.stringify({ userId: 'u', event: 'x', properties: [] })],
        ['/v1/track', JSON.stringify({ userId: 'u', event: 'x', timestamp: 12345 })], ['/v1/track', JSON.stringify({ userId: 'u', event: 'x', messageId: {} })],
        ['/v1/track', JSON.stringify({ userId: 'u', event: 'x', context: 'nope' })], ['/v1/identify', JSON.stringify({ userId: 'u', traits: 'nope' })],
        ['/v1/track', JSON.stringify({ userId: 'u', event: '' })], ['/v1/track', JSON.stringify({ userId: 'u'.repeat(1000), event: 'x' })],
        ['/v1/alias', JSON.stringify({ userId: 'u' })], ['/v1/group', JSON.stringify({ userId: 'u' })],
        ['/v1/track', JSON.stringify({ userId: 'u', event: 'Order Completed', properties: { order_id: 'o2', revenue: 'lots' } })],
        ['/v1/track', JSON.stringify({ userId: 'u', event: 'Order Completed', properties: { order_id: 'o1', products: [{ product_id: 'a', price: 'NaN' }] } })],
        ['/v1/batch', JSON.stringify({ batch: {} })], ['/v1/batch', JSON.stringify({ batch: 'x' })], ['/v1/batch', JSON.stringify({ batch: [] })],
        ['/v1/batch', JSON.stringify({ batch: [null, 1, 'x', [], { type: 'track' }] })],
        ['/v1/batch', JSON.stringify({ batch: Array.from({ length: 2600 }, () => ({})) })],
        ['/v1/track', JSON.stringify({ userId: 'u', event: 'x', properties: { blob: 'x'.repeat(40_000) } })],
        ['/v1/batch', JSON.stringify({ batch: [{ type: 'track', userId: 'u', event: 'x', properties: { blob: 'y'.repeat(600_000) } }] })],
        ['/v1/track', `{"userId":"u","event":"x","properties":${deep(5000, '[', ']')}}`],
        ['/v1/track', `{"userId":"u","event":"x","properties":${deep(3000, '{"a":', '}')}}`],
        ['/v1/batch', `{"batch":[${deep(10_000, '[', ']')}]}`],
        ['/v1/track', '{"__proto__":{"polluted":true},"event":"x"}'],
        ['/v1/batch', '{"batch":[{"__proto__":{"polluted":true},"type":"track","event":"x"}]}'],
        ['/v1/track', '{"constructor":{"prototype":{"polluted":true}},"event":"x"}'],
        ['/v1/identify', '{"traits":{"__proto__":{"polluted":true}}}'],
      ];
      for (const [path, body] of hostile) {
        const res = await post(path, body, auth);
        expect.soft(res.status, `${path} ${body.slice(0, 80)}`).toBeGreaterThanOrEqual(400);
        expect.soft(res.status, `${path} ${body.slice(0, 80)}`).toBeLessThan(500);
        const json = await res.json() as { error?: { message?: string } };
        expect.soft(typeof json.error?.message, `${path} ${body.slice(0, 80)}`).toBe('string');
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
      expect(await snapshot(store)).toBe(before);

      // Randomly generated payloads (seeded): never a 5xx, never pollution.
      const r = rng(20241122);
      for (let i = 0; i < 400; i++) {
        const path = ['/v1/track', '/v1/identify', '/v1/page', '/v1/batch', '/v1/alias', '/v1/group'][i % 6]!;
        const res = await post(path, JSON.stringify(randomValue(r, 0)), auth);
        expect.soft(res.status, `case ${i}`).toBeLessThan(500);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();

      const ok = await post('/v1/track', trackMessage({ userId: 'still-up' }), auth);
      expect(ok.status).toBe(200);
    } finally {
      await store.close();
    }
  }, 60_000);
});
