import type { Workspace } from '../workspaces/workspace-repository.js';
import { MAX_NEW_EVENTS, type NewEvent } from './event-evidence.js';
import type { Touch } from './membership-update.js';
import type { ActivityFacts } from './profile-evidence.js';
import type { SegmentService } from './segment-service.js';

/** A profile row as ingest wrote it (src/ingest/ingest-repository.ts `ProfileState`). */
export interface WrittenProfile {
  id: string;
  traits: Record<string, unknown>;
  firstSeenAt: number;
  lastSeenAt: number;
  traitState: { complete: boolean; activity: ActivityFacts } | null;
}

/** Default wait after the first queued person before a flush: batches arriving meanwhile share it. */
export const REALTIME_FLUSH_MS = 50;
/** Most people one flush takes from a workspace's queue. */
export const REALTIME_FLUSH_PEOPLE = 2_000;

/** A person's entry in the queue, every field present (one object shape for the flush's hot loop). */
function newTouch(privacy: boolean): Touch {
  return { names: new Set(), anyEvent: false, identify: false, merged: false, privacy, events: [], row: undefined };
}

/** Keeps a person's new events for the flush (the first `MAX_NEW_EVENTS`, each message once). */
function addEvent(t: Touch, e: NewEvent): void {
  if (t.events.length >= MAX_NEW_EVENTS || t.events.some((x) => x.messageId === e.messageId)) return;
  t.events.push(e);
}

/**
 * Keeps segment membership current on ingest without holding up the acknowledgement: the
 * ingest listener queues the people of each committed batch; a flush runs `REALTIME_FLUSH_MS`
 * later (one at a time, so flushes never overlap) and updates their memberships through
 * `segments.updateProfiles`. A person who completes an order enters "bought in the last 30
 * days" well within a second. A failed flush is logged and its people are queued again once.
 *
 * @example
 * const updater = createRealtimeUpdater({ segments, workspace: (id) => workspaces.getWorkspace(id), log });
 * ingest.onCommitted(({ workspaceId, events, privacyChanged }) => updater.enqueue(workspaceId, events, privacyChanged));
 */
export function createRealtimeUpdater(deps: {
  segments: SegmentService;
  workspace: (id: string) => Promise<Workspace | null>;
  log: (message: string, error?: unknown) => void;
  flushMs?: number;
}) {
  const flushMs = deps.flushMs ?? REALTIME_FLUSH_MS;
  const queues = new Map<string, Map<string, Touch>>();
  const retried = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let idleWaiters: Array<() => void> = [];
  const stats = { flushes: 0, people: 0, evaluations: 0, decidedWithoutQuery: 0, entered: 0, exited: 0, failures: 0 };

  const merge = (queue: Map<string, Touch>, id: string, t: Touch) => {
    let q = queue.get(id);
    if (q === undefined) queue.set(id, (q = newTouch(false)));
    q.row ??= t.row; // the queue's own row is the newer one
    for (const n of t.names) q.names.add(n);
    q.anyEvent ||= t.anyEvent;
    q.identify ||= t.identify;
    q.merged ||= t.merged;
    q.privacy = q.privacy === true || t.privacy === true;
    for (const e of t.events) addEvent(q, e);
  };

  const pending = () => [...queues.values()].some((q) => q.size > 0);

  async function flushOnce(): Promise<void> {
    for (const [workspaceId, queue] of queues) {
      if (queue.size === 0) continue;
      const people = new Map<string, Touch>();
      for (const [id, touch] of queue) {
        people.set(id, touch);
        queue.delete(id);
        if (people.size >= REALTIME_FLUSH_PEOPLE) break;
      }
      try {
        const workspace = await deps.workspace(workspaceId);
        if (workspace === null || !workspace.settings.segments.realtime) continue;
        const r = await deps.segments.updateProfiles(workspace, people);
        stats.flushes++;
        stats.people += people.size;
        stats.evaluations += r.evaluations;
        stats.decidedWithoutQuery += r.decidedWithoutQuery;
        stats.entered += r.entered;
        stats.exited += r.exited;
      } catch (e) {
        stats.failures++;
        deps.log(`real-time segment update of ${people.size} people in workspace ${workspaceId} failed`, e);
        for (const [p, touch] of people) {
          if (retried.has(p)) retried.delete(p);
          else { retried.add(p); merge(queue, p, touch); }
        }
      }
    }
  }

  function schedule(): void {
    if (timer !== null || running !== null) return;
    timer = setTimeout(() => {
      timer = null;
      running = (async () => {
        while (pending()) await flushOnce();
      })().finally(() => {
        running = null;
        if (pending()) schedule();
        else { const w = idleWaiters; idleWaiters = []; for (const f of w) f(); }
      });
    }, flushMs);
  }

  return {
    /**
     * Queues the people of a committed batch with what their events were. `privacyChanged` names
     * those whose consent the batch changed (consent sent with identify): like a change through
     * the privacy API, every segment is re-checked for them (P5), not only the identify-trait ones.
     * `profiles` are the rows the batch wrote, kept (the latest) for the flush, which then need
     * not read them; batches are enqueued in the order they were committed.
     */
    enqueue(workspaceId: string, events: ReadonlyArray<{ event: Omit<NewEvent, 'properties'> & { properties?: Record<string, unknown> }; profileId: string; merges: number }>, privacyChanged: readonly string[] = [], profiles: readonly WrittenProfile[] = []): void {
      let q = queues.get(workspaceId);
      if (q === undefined) queues.set(workspaceId, (q = new Map()));
      for (const e of events) {
        let t = q.get(e.profileId);
        if (t === undefined) q.set(e.profileId, (t = newTouch(false)));
        t.anyEvent = true;
        addEvent(t, { messageId: e.event.messageId, type: e.event.type, event: e.event.event, properties: e.event.properties ?? {}, timestamp: e.event.timestamp });
        if (e.event.event !== null) t.names.add(e.event.event); // event conditions read the name whatever the message type
        if (e.event.type === 'identify') t.identify = true;
        if (e.merges > 0) t.merged = true;
      }
      for (const p of profiles) {
        const t = q.get(p.id);
        if (t === undefined) continue;
        // A complete trait state has folded every stored event: its count is the stored count.
        const complete = p.traitState?.complete === true ? p.traitState.activity : null;
        t.row = { traits: p.traits, firstSeenAt: p.firstSeenAt, lastSeenAt: p.lastSeenAt, storedEvents: complete?.events ?? undefined, activity: complete ?? undefined };
      }
      for (const profileId of privacyChanged) {
        const t = q.get(profileId);
        if (t === undefined) q.set(profileId, newTouch(true));
        else t.privacy = true;
      }
      if (q.size > 0) schedule();
    },
    /** Queues a person whose consent, subscriptions or personalization switch changed. */
    enqueuePrivacyChange(workspaceId: string, profileId: string): void {
      let q = queues.get(workspaceId);
      if (q === undefined) queues.set(workspaceId, (q = new Map()));
      const t = q.get(profileId);
      if (t === undefined) q.set(profileId, newTouch(true));
      else t.privacy = true;
      schedule();
    },
    /** Resolves when everything queued so far has been applied (tests, benchmarks, shutdown). */
    drain(): Promise<void> {
      if (timer === null && running === null && !pending()) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    /** People waiting for a flush, over all workspaces. */
    queued: () => [...queues.values()].reduce((n, q) => n + q.size, 0),
    /** Counters since start: flushes, people updated, segment queries run, person×segment decisions made from the new events alone, entries, exits, failed flushes. */
    stats: () => ({ ...stats }),
  };
}

export type RealtimeUpdater = ReturnType<typeof createRealtimeUpdater>;
