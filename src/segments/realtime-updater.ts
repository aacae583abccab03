import type { Workspace } from '../workspaces/workspace-repository.js';
import type { SegmentService } from './segment-service.js';

/** Default wait after the first queued person before a flush: batches arriving meanwhile share it. */
export const REALTIME_FLUSH_MS = 50;
/** Most people one flush takes from a workspace's queue. */
export const REALTIME_FLUSH_PEOPLE = 2_000;

/**
 * Keeps segment membership current on ingest without holding up the acknowledgement: the
 * ingest listener queues the people of each committed batch; a flush runs `REALTIME_FLUSH_MS`
 * later (one at a time, so flushes never overlap) and updates their memberships through
 * `segments.updateProfiles`. A person who completes an order enters "bought in the last 30
 * days" well within a second. A failed flush is logged and its people are queued again once.
 *
 * @example
 * const updater = createRealtimeUpdater({ segments, workspace: (id) => workspaces.getWorkspace(id), log });
 * ingest.onCommitted(({ workspaceId, events }) => updater.enqueue(workspaceId, events.map((e) => e.profileId)));
 */
export function createRealtimeUpdater(deps: {
  segments: SegmentService;
  workspace: (id: string) => Promise<Workspace | null>;
  log: (message: string, error?: unknown) => void;
  flushMs?: number;
}) {
  const flushMs = deps.flushMs ?? REALTIME_FLUSH_MS;
  const queues = new Map<string, Set<string>>();
  const retried = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let idleWaiters: Array<() => void> = [];
  const stats = { flushes: 0, people: 0, entered: 0, exited: 0, failures: 0 };

  const pending = () => [...queues.values()].some((q) => q.size > 0);

  async function flushOnce(): Promise<void> {
    for (const [workspaceId, queue] of queues) {
      if (queue.size === 0) continue;
      const people: string[] = [];
      for (const id of queue) {
        people.push(id);
        queue.delete(id);
        if (people.length >= REALTIME_FLUSH_PEOPLE) break;
      }
      try {
        const workspace = await deps.workspace(workspaceId);
        if (workspace === null || !workspace.settings.segments.realtime) continue;
        const r = await deps.segments.updateProfiles(workspace, people);
        stats.flushes++;
        stats.people += people.length;
        stats.entered += r.entered;
        stats.exited += r.exited;
      } catch (e) {
        stats.failures++;
        deps.log(`real-time segment update of ${people.length} people in workspace ${workspaceId} failed`, e);
        for (const p of people) {
          if (retried.has(p)) retried.delete(p);
          else { retried.add(p); queue.add(p); }
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
    /** Queues people whose events just committed. */
    enqueue(workspaceId: string, profileIds: readonly string[]): void {
      let q = queues.get(workspaceId);
      if (q === undefined) queues.set(workspaceId, (q = new Set()));
      for (const id of profileIds) q.add(id);
      if (q.size > 0) schedule();
    },
    /** Resolves when everything queued so far has been applied (tests, benchmarks, shutdown). */
    drain(): Promise<void> {
      if (timer === null && running === null && !pending()) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    /** Counters since start: flushes, people updated, entries, exits, failed flushes. */
    stats: () => ({ ...stats }),
  };
}

export type RealtimeUpdater = ReturnType<typeof createRealtimeUpdater>;
