import type { Tailor } from '../main.js';

/**
 * The periodic jobs of `tailor serve`: every minute it looks at each workspace and starts
 * a recompute of its computed traits when `traits.recomputeEveryMinutes` have passed since
 * the last one started here (0 turns it off). The first run comes one interval after the
 * server starts. Runs are single-flight per workspace; a failure is logged and retried at
 * the next interval.
 */
export function startScheduler(tailor: Tailor, log: (message: string) => void, tickMs = 60_000): { stop: () => void } {
  const lastStarted = new Map<string, number>();
  const startedAt = tailor.clock.now();
  const tick = async () => {
    const now = tailor.clock.now();
    for (const workspace of await tailor.workspaces.listWorkspaces()) {
      const minutes = workspace.settings.traits.recomputeEveryMinutes;
      if (minutes === 0) continue;
      const since = lastStarted.get(workspace.id) ?? startedAt;
      if (now - since < minutes * 60_000) continue;
      lastStarted.set(workspace.id, now);
      const { started, done } = tailor.compute.start(workspace);
      if (!started) continue;
      done.then(
        (s) => log(`computed traits of workspace ${workspace.id}: ${s.profiles} profiles in ${(s.durationMs / 1000).toFixed(1)} s`),
        (e: unknown) => log(`computing traits of workspace ${workspace.id} failed: ${e instanceof Error ? e.message : String(e)}`),
      );
    }
  };
  const timer = setInterval(() => { tick().catch((e: unknown) => log(`scheduler: ${e instanceof Error ? e.message : String(e)}`)); }, tickMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
