import { describe, expect, it } from 'vitest';
import type { Workspace } from '../workspaces/workspace-repository.js';
import { MAX_NEW_EVENTS } from './event-evidence.js';
import type { Touch } from './membership-update.js';
import { createRealtimeUpdater } from './realtime-updater.js';
import type { SegmentService } from './segment-service.js';

const workspaceWith = (realtime: boolean) => ({ id: 'ws', name: 'shop', jurisdiction: 'OTHER', settings: { segments: { realtime } }, createdAt: 0 }) as unknown as Workspace;

/** A segment service that records each update it is asked for (a copy of the people and their touches), failing the first `failures` calls. */
function fakeSegments(failures = 0) {
  const updates: Array<Map<string, Touch>> = [];
  let calls = 0;
  const service = {
    updateProfiles: async (_w: Workspace, touches: ReadonlyMap<string, Touch>) => {
      calls++;
      if (calls <= failures) throw new Error('database is locked');
      updates.push(new Map([...touches].map(([id, t]) => [id, { ...t, names: new Set(t.names), events: [...t.events] }])));
      return { entered: touches.size, exited: 0, evaluations: 1, decidedWithoutQuery: 2 };
    },
  };
  return { segments: service as unknown as SegmentService, updates, calls: () => calls };
}

const message = (profileId: string, messageId: string, extra: { type?: string; event?: string | null; merges?: number } = {}) => ({
  event: { messageId, type: extra.type ?? 'track', event: extra.event === undefined ? 'Order Completed' : extra.event, timestamp: 1 },
  profileId,
  merges: extra.merges ?? 0,
});

describe('real-time updater', () => {
  it('gathers the batches committed before the flush into one update, a person once with all their news', async () => {
    const { segments, updates } = fakeSegments();
    const updater = createRealtimeUpdater({ segments, workspace: async () => workspaceWith(true), log: () => {}, flushMs: 5 });
    updater.enqueue('ws', [message('p1', 'm1'), message('p2', 'm2', { event: 'Product Viewed' })]);
    updater.enqueue('ws', [message('p1', 'm3', { type: 'identify', event: null }), message('p1', 'm1'), message('p1', 'm4', { merges: 1, event: 'Product Viewed' })], [], [
      { id: 'p1', traits: { plan: 'pro' }, firstSeenAt: 1, lastSeenAt: 2, traitState: null },
    ]);
    expect(updater.queued()).toBe(2);
    await updater.drain();
    expect(updates).toHaveLength(1);
    const p1 = updates[0]!.get('p1')!;
    expect([...p1.names].sort()).toEqual(['Order Completed', 'Product Viewed']);
    expect(p1.events.map((e) => e.messageId)).toEqual(['m1', 'm3', 'm4']); // m1 retried: kept once
    expect(p1).toMatchObject({ anyEvent: true, identify: true, merged: true, privacy: false });
    // An incomplete trait state says nothing of the stored events.
    expect(p1.row).toEqual({ traits: { plan: 'pro' }, firstSeenAt: 1, lastSeenAt: 2, storedEvents: undefined, activity: undefined });
    expect(updates[0]!.get('p2')).toMatchObject({ identify: false, merged: false, row: undefined });
    expect(updater.stats()).toMatchObject({ flushes: 1, people: 2, entered: 2, evaluations: 1, decidedWithoutQuery: 2, failures: 0 });
    expect(updater.queued()).toBe(0);
  });

  it(`keeps a person's first ${MAX_NEW_EVENTS} new events, and every name`, async () => {
    const { segments, updates } = fakeSegments();
    const updater = createRealtimeUpdater({ segments, workspace: async () => workspaceWith(true), log: () => {}, flushMs: 5 });
    updater.enqueue('ws', Array.from({ length: MAX_NEW_EVENTS + 5 }, (_, i) => message('p1', `m${i}`, { event: `E${i}` })));
    await updater.drain();
    const p1 = updates[0]!.get('p1')!;
    expect(p1.events).toHaveLength(MAX_NEW_EVENTS);
    expect(p1.events.at(-1)!.messageId).toBe(`m${MAX_NEW_EVENTS - 1}`);
    expect(p1.names.size).toBe(MAX_NEW_EVENTS + 5);
  });

  it('takes the stored-event count from a complete trait state', async () => {
    const { segments, updates } = fakeSegments();
    const updater = createRealtimeUpdater({ segments, workspace: async () => workspaceWith(true), log: () => {}, flushMs: 5 });
    const activity = { firstSeen: 1, lastSeen: 2, closedSessions: 0, openSessions: [], pageViews: 0, screenViews: 0, eventCounts: { 'Order Completed': 3 }, lastEventAt: {}, otherEvents: 0, events: 3 };
    updater.enqueue('ws', [message('p1', 'm1')], [], [{ id: 'p1', traits: {}, firstSeenAt: 1, lastSeenAt: 2, traitState: { complete: true, activity } }]);
    await updater.drain();
    expect(updates[0]!.get('p1')!.row).toMatchObject({ storedEvents: 3, activity: { eventCounts: { 'Order Completed': 3 } } });
  });

  it('marks people whose consent or switch changed, whether or not they also sent events', async () => {
    const { segments, updates } = fakeSegments();
    const updater = createRealtimeUpdater({ segments, workspace: async () => workspaceWith(true), log: () => {}, flushMs: 5 });
    updater.enqueue('ws', [message('p1', 'm1')], ['p1', 'p2']);
    updater.enqueuePrivacyChange('ws', 'p3');
    await updater.drain();
    const u = updates[0]!;
    expect([...u.keys()].sort()).toEqual(['p1', 'p2', 'p3']);
    expect(u.get('p1')).toMatchObject({ privacy: true, anyEvent: true });
    expect(u.get('p2')).toMatchObject({ privacy: true, anyEvent: false, events: [] });
    expect(u.get('p3')).toMatchObject({ privacy: true, anyEvent: false });
  });

  it('queues the people of a failed flush again once, then gives them up (logged each time)', async () => {
    const { segments, updates, calls } = fakeSegments(2);
    const logged: string[] = [];
    const updater = createRealtimeUpdater({ segments, workspace: async () => workspaceWith(true), log: (m) => logged.push(m), flushMs: 5 });
    updater.enqueue('ws', [message('p1', 'm1')]);
    await updater.drain();
    expect(calls()).toBe(2);
    expect(updates).toEqual([]);
    expect(logged).toEqual(['real-time segment update of 1 people in workspace ws failed', 'real-time segment update of 1 people in workspace ws failed']);
    expect(updater.stats()).toMatchObject({ flushes: 0, failures: 2 });
    expect(updater.queued()).toBe(0);
    // A later flush for the same person is tried afresh (and here succeeds).
    updater.enqueue('ws', [message('p1', 'm2')]);
    await updater.drain();
    expect(updates).toHaveLength(1);
  });

  it('leaves alone a workspace whose real-time segments are switched off', async () => {
    const { segments, calls } = fakeSegments();
    const updater = createRealtimeUpdater({ segments, workspace: async () => workspaceWith(false), log: () => {}, flushMs: 5 });
    updater.enqueue('ws', [message('p1', 'm1')]);
    await updater.drain();
    expect(calls()).toBe(0);
    expect(updater.stats().flushes).toBe(0);
    expect(updater.queued()).toBe(0);
  });
});
