import type { Tailor } from '../main.js';
import type { JobKind } from '../server/metrics.js';

/**
 * The periodic jobs of `tailor serve`: every minute it looks at each workspace, trains its
 * recommendation model when it has none or `recommendations.retrainEveryMinutes` have passed
 * (this also retrains without the people erased since: PRIVACY.md P14), and starts
 * a recompute of its computed traits when `traits.recomputeEveryMinutes` have passed since
 * the last one started here, and a full re-evaluation of its segments (time-based exits,
 * recomputed traits and predictions, `top_percent`; new customers placed in the clusters
 * segments use first) when `segments.evaluateEveryMinutes`
 * have (0 turns either off). The first run comes one interval after the server starts. Runs
 * are single-flight per workspace; a failure is logged and retried at the next interval.
 * At start and at every tick it also takes up erasure's searches of other people's rows that
 * no process holds (`ErasureService.resumeScrubs`).
 * Every run that finishes is counted and timed in the metrics (`tailor_jobs_total`).
 */
export function startScheduler(tailor: Tailor, log: (message: string) => void, tickMs = 60_000): { stop: () => void } {
  const lastStarted = new Map<string, number>();
  const lastTrained = new Map<string, number>();
  const training = new Set<string>();
  const lastEvaluated = new Map<string, number>();
  const evaluating = new Set<string>();
  const startedAt = tailor.clock.now();
  const finished = (job: JobKind, outcome: 'ok' | 'failed', since: number) => tailor.metrics.job(job, outcome, (tailor.clock.now() - since) / 1000);
  const tick = async () => {
    // Erasure's searches of other people's rows that no process holds (left by a stop, or failed).
    void tailor.erasure.resumeScrubs();
    const now = tailor.clock.now();
    for (const workspace of await tailor.workspaces.listWorkspaces()) {
      const every = workspace.settings.segments.evaluateEveryMinutes;
      if (every > 0 && !evaluating.has(workspace.id) && now - (lastEvaluated.get(workspace.id) ?? startedAt) >= every * 60_000) {
        lastEvaluated.set(workspace.id, now);
        evaluating.add(workspace.id);
        tailor.clusters.placeNewCustomers(workspace).then(() => tailor.segments.evaluateAll(workspace, 'scheduled')).then(
          (all) => {
            finished('segments', 'ok', now);
            if (all.length > 0) log(`evaluated ${all.length} segments of workspace ${workspace.id}: ${all.reduce((n, s) => n + s.entered, 0)} entries, ${all.reduce((n, s) => n + s.exited, 0)} exits`);
          },
          (e: unknown) => { finished('segments', 'failed', now); log(`evaluating segments of workspace ${workspace.id} failed: ${e instanceof Error ? e.message : String(e)}`); },
        ).finally(() => evaluating.delete(workspace.id));
      }
      const retrain = workspace.settings.recommendations.retrainEveryMinutes;
      if (retrain > 0 && !training.has(workspace.id)) {
        training.add(workspace.id);
        // A workspace without a model trains at the first tick; then every `retrainEveryMinutes`.
        tailor.recommendations.activeModelVersion(workspace.id).then(async (version) => {
          if (version !== null && now - (lastTrained.get(workspace.id) ?? startedAt) < retrain * 60_000) return;
          lastTrained.set(workspace.id, now);
          const started = tailor.clock.now();
          const s = await tailor.recommendations.train(workspace).catch((e: unknown) => { finished('training', 'failed', started); throw e; });
          finished('training', 'ok', started);
          if (s.version !== null) log(`trained recommendation model v${s.version} of workspace ${workspace.id} in ${s.seconds.toFixed(1)} s`);
        }).catch((e: unknown) => log(`training recommendations of workspace ${workspace.id} failed: ${e instanceof Error ? e.message : String(e)}`))
          .finally(() => training.delete(workspace.id));
      }
      const minutes = workspace.settings.traits.recomputeEveryMinutes;
      if (minutes === 0) continue;
      const since = lastStarted.get(workspace.id) ?? startedAt;
      if (now - since < minutes * 60_000) continue;
      lastStarted.set(workspace.id, now);
      const { started, done } = tailor.compute.start(workspace);
      if (!started) continue;
      done.then(
        (s) => { finished('traits', 'ok', now); log(`computed traits of workspace ${workspace.id}: ${s.profiles} profiles in ${(s.durationMs / 1000).toFixed(1)} s`); },
        (e: unknown) => { finished('traits', 'failed', now); log(`computing traits of workspace ${workspace.id} failed: ${e instanceof Error ? e.message : String(e)}`); },
      );
    }
  };
  void tailor.erasure.resumeScrubs();
  const timer = setInterval(() => { tick().catch((e: unknown) => log(`scheduler: ${e instanceof Error ? e.message : String(e)}`)); }, tickMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
