import { afterAll, expect, it } from 'vitest';
import { appFor, basic } from './support/app.js';
import { describeEachEngine } from './support/engines.js';
import { identifyMessage, orderCompleted } from './support/factories.js';

const NOW = Date.parse('2024-03-02T00:00:00Z');
const PROFILING_ON = {
  privacy: { defaults: { overrides: (['profiling', 'personalization'] as const).map((purpose) => ({ purpose, default: 'on', legalBasis: 'legitimate_interests', note: 'test' })) } },
};

/**
 * Consent sent with identify (`context.consent`) is a privacy change like one through the
 * privacy API: the real-time update re-checks every segment of that person at once (PRIVACY.md
 * P5), not only those on identify traits — on both engines.
 */
describeEachEngine('real-time segments after consent sent with identify', (engine) => {
  afterAll(() => engine.cleanup());

  it('takes a person who withdraws profiling out of behaviour segments, and back in when they grant it', async () => {
    const store = await engine.open();
    try {
      const { tailor, post, clock } = await appFor(store);
      clock.set(NOW);
      const { workspace, keys } = await tailor.workspaces.createWorkspace({ name: 'shop', jurisdiction: 'UK', settings: { defaultCurrency: 'GBP', ...PROFILING_ON } as never });
      const w = { authorization: basic(keys.write) };
      const seeded = await post('/v1/batch', { batch: [
        orderCompleted({ userId: '17920', timestamp: '2024-02-20T10:00:00.000Z' }),
        orderCompleted({ userId: '12345', timestamp: '2024-02-21T10:00:00.000Z' }),
      ] }, w);
      expect(seeded.status).toBe(200);
      const buyers = await tailor.segments.create(workspace, { name: 'Buyers', condition: { event: 'Order Completed', withinLastDays: 90 } });
      if (!buyers.ok) throw new Error('create failed');
      await tailor.segments.evaluate(workspace, buyers.value.id);
      await tailor.realtime.drain();
      const members = async () => (await tailor.segments.members(workspace, buyers.value.id, { after: null, limit: 100 })).value!.map((m) => m.userId).sort();
      expect(await members()).toEqual(['12345', '17920']);

      clock.advance(1000);
      const withdrawn = await post('/v1/identify', identifyMessage({ userId: '17920', context: { consent: { purposes: { profiling: false } } } }), w);
      expect(withdrawn.status).toBe(200);
      await tailor.realtime.drain();
      expect(await members()).toEqual(['12345']);
      const history = await tailor.segments.historyOf(workspace, 'user_id:17920');
      expect(history.ok && history.value.changes.at(-1)).toMatchObject({ segmentId: buyers.value.id, change: 'exited' });

      clock.advance(1000);
      const granted = await post('/v1/identify', identifyMessage({ userId: '17920', context: { consent: { purposes: { profiling: true } } } }), w);
      expect(granted.status).toBe(200);
      await tailor.realtime.drain();
      expect(await members()).toEqual(['12345', '17920']);
      expect(tailor.realtime.stats().failures).toBe(0);
    } finally {
      await store.close();
    }
  });
});
