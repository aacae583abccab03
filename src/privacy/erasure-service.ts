import type { ProfileRepository } from '../profiles/profile-repository.js';
import type { ProfileService } from '../profiles/profile-service.js';
import type { Clock } from '../shared/clock.js';
import type { Ids } from '../shared/ids.js';
import { err, ok, type Result } from '../shared/result.js';
import type { Workspace } from '../workspaces/index.js';
import type { AuditService } from './audit-service.js';
import type { PrivacyError } from './consent-service.js';
import type { ErasureCounts, PrivacyRepository, ScrubJob } from './privacy-repository.js';
import { suppressionEntries } from './suppression.js';

export interface ErasureReport {
  reportId: string;
  profileId: string;
  /** Profiles merged into it earlier, erased with it. */
  mergedProfiles: number;
  identifiersSuppressed: number;
  /** Rows removed, per table. */
  tables: ErasureCounts;
  completedAt: string;
  /**
   * The search of other people's events and profiles for the person's identifiers, which runs
   * after the erasure in steps: `done` with what it changed when it finished before the answer
   * (small workspaces), else `running` — the stored report and the audit log get the counts
   * when it ends (`erasure.scrubbed`).
   */
  othersScrubbed: { status: 'running' } | ScrubOutcome;
  /** What erasure does not do by itself. */
  notes: string[];
}

/** What the search of other people's rows changed. */
export interface ScrubOutcome {
  status: 'done';
  /** Other people's events the identifiers were removed from. */
  eventsChanged: number;
  /** Other people's profiles whose traits held one. */
  profilesChanged: number;
  rowsSearched: number;
  completedAt: string;
}

/** Rows one step of the search reads (a few milliseconds on SQLite; ingest goes on between steps). */
export const SCRUB_STEP_ROWS = 5_000;
/** How long a process holds a search before another may take it over (it renews at every step). */
export const SCRUB_LEASE_MS = 60_000;
/** How long an erasure waits for its search before answering with `running`. */
export const SCRUB_WAIT_MS = 500;

/**
 * Erasure (P14): deletes the person everywhere in one transaction, after adding a
 * suppression entry (a salted HMAC of each identifier) so that replayed or late events for
 * them are dropped at ingest. Records a completion report and an audit entry, neither of
 * which holds an identifier value. Hashing or masking is not erasure: rows are deleted.
 *
 * Other people's rows may hold the person's identifiers too (a shared device, an alias, a
 * form that carried their e-mail). Finding them reads every event of the workspace — seconds
 * per million events — so it runs after the erasure, in steps of `SCRUB_STEP_ROWS` that
 * let ingest and requests go on between them (`runScrubs`); a search interrupted by a stop
 * resumes where it was, in whichever process takes it next (`resumeScrubs`: `tailor serve`
 * calls it at start and every minute). Until it ends the identifier values it looks for are
 * stored with it; it deletes them when it ends.
 *
 * @example
 * const report = await erasure.erase(workspace, 'email:ann@example.com', 'admin_key:k1');
 */
export function createErasureService(deps: {
  repository: PrivacyRepository; profiles: ProfileService; profileRepository: ProfileRepository; audit: AuditService; clock: Clock; ids: Ids;
  /**
   * Stages that hold per-person rows in memory before writing them (recommendation logs):
   * told before the delete to write or drop what they hold for these profiles and to stop
   * taking new rows for them, so nothing about the person is written after the erasure.
   */
  holders?: ReadonlyArray<{ release(workspaceId: string, profileIds: readonly string[]): Promise<void> }>;
  log?: (message: string, error?: unknown) => void;
  /** Rows per search step (tests use small steps). */
  stepRows?: number;
}) {
  const { repository, profiles, profileRepository, audit, clock, ids } = deps;
  const stepRows = deps.stepRows ?? SCRUB_STEP_ROWS;
  const log = deps.log ?? (() => {});
  const finished = new Map<string, ScrubOutcome>();
  const waiting = new Map<string, Array<(o: ScrubOutcome) => void>>();
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let onStep: ((job: ScrubJob) => void) | null = null;

  /** Advances every search no process holds, one step at a time, until none is left (single-flight). */
  function runScrubs(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running !== null) { again = true; return running; }
    running = (async () => {
      do {
        again = false;
        while (!stopped) {
          const job = await repository.claimScrub(clock.now(), SCRUB_LEASE_MS);
          if (job === null) break;
          let current: ScrubJob | null = job;
          while (current !== null && current.phase !== 'done' && !stopped) {
            current = await repository.scrubStep(current, { limit: stepRows, now: clock.now(), leaseMs: SCRUB_LEASE_MS });
            if (current !== null) onStep?.(current);
            // Let requests in between steps.
            await new Promise((resolve) => setImmediate(resolve));
          }
          if (current?.phase === 'done') await completed(current);
          else if (current !== null) await repository.releaseScrub(current);
        }
      } while (again && !stopped);
    })().catch((error: unknown) => log('erasure: searching other people\'s rows failed; it resumes at the next start or minute', error))
      .finally(() => { running = null; });
    return running;
  }

  async function completed(job: ScrubJob): Promise<void> {
    const outcome: ScrubOutcome = { status: 'done', eventsChanged: job.eventsScrubbed, profilesChanged: job.profilesScrubbed, rowsSearched: job.scanned, completedAt: new Date(clock.now()).toISOString() };
    await audit.record({ workspaceId: job.workspaceId, actor: 'erasure', action: 'erasure.scrubbed', subject: job.erasedProfileIds[0] ?? '', details: { reportId: job.reportId, eventsChanged: outcome.eventsChanged, profilesChanged: outcome.profilesChanged, rowsSearched: outcome.rowsSearched } });
    finished.set(job.reportId, outcome);
    // Kept for `erase` and `outcome` of this process; the stored report keeps them all.
    if (finished.size > 1000) finished.delete(finished.keys().next().value!);
    for (const resolve of waiting.get(job.reportId) ?? []) resolve(outcome);
    waiting.delete(job.reportId);
  }

  /** Resolves with the outcome of this report's search once this process has finished it, or null after `ms`. */
  function outcomeWithin(reportId: string, ms: number): Promise<ScrubOutcome | null> {
    const known = finished.get(reportId);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve) => {
      const done = (o: ScrubOutcome) => { clearTimeout(timer); resolve(o); };
      const timer = setTimeout(() => {
        // No longer waited for here (it may end in another process): forget the waiter.
        const left = (waiting.get(reportId) ?? []).filter((w) => w !== done);
        if (left.length === 0) waiting.delete(reportId);
        else waiting.set(reportId, left);
        resolve(null);
      }, ms);
      waiting.set(reportId, [...(waiting.get(reportId) ?? []), done]);
    });
  }

  return {
    /** `options.waitMs`: how long to wait for the search of other people's rows before answering with `running` (default `SCRUB_WAIT_MS`). */
    async erase(workspace: Workspace, ref: string, actor: string, options: { waitMs?: number } = {}): Promise<Result<ErasureReport, PrivacyError>> {
      const found = await profiles.resolve(workspace.id, ref);
      if (!found.ok) return err(found.error.type === 'profile_not_found' ? { type: 'profile_not_found' } : { type: 'bad_request', message: found.error.message });
      const profileId = found.value.id;
      const merged = await repository.mergedInto(workspace.id, profileId);
      const identifiers = await profileRepository.identifiers(workspace.id, profileId);
      const now = clock.now();
      // Suppress first: from this commit on, ingest drops events that carry these identifiers,
      // so nothing can re-create the person while the rows are being deleted.
      const salt = await repository.salt(workspace.id, () => ids.secret(32), now);
      const hashes = suppressionEntries({ salt, identifiers });
      await repository.addSuppressions(workspace.id, hashes, now);
      for (const holder of deps.holders ?? []) await holder.release(workspace.id, [profileId, ...merged]);
      const reportId = ids.uuid();
      const notes = [
        'Audit entries about the person are kept (GDPR 17(3)(b)); they hold the profile id, never identifier values.',
        'Models trained on the person\'s data are rebuilt at their next scheduled training.',
      ];
      const base = (tables: ErasureCounts) => ({ reportId, profileId, mergedProfiles: merged.length, identifiersSuppressed: hashes.length, tables, completedAt: new Date(now).toISOString() });
      const nothingToSearch: ScrubOutcome = { status: 'done', eventsChanged: 0, profilesChanged: 0, rowsSearched: 0, completedAt: new Date(now).toISOString() };
      const { tables, searching } = await repository.eraseProfiles(workspace.id, {
        profileIds: [profileId, ...merged], identifierValues: identifiers.map((i) => i.value), reportId, at: now,
        report: (t, search) => ({ ...base(t), othersScrubbed: search ? { status: 'running' } : nothingToSearch, notes }),
      });
      await audit.record({ workspaceId: workspace.id, actor, action: 'erasure.completed', subject: profileId, details: { reportId, tables, mergedProfiles: merged.length } });
      if (!searching) return ok({ ...base(tables), othersScrubbed: nothingToSearch, notes });
      void runScrubs();
      const outcome = await outcomeWithin(reportId, options.waitMs ?? SCRUB_WAIT_MS);
      return ok({ ...base(tables), othersScrubbed: outcome ?? { status: 'running' }, notes });
    },
    /** Takes up the searches of other people's rows that no process holds (after a stop, or another process's). */
    resumeScrubs(): Promise<void> {
      return runScrubs();
    },
    /**
     * The outcome of a report's search, once this process has finished it; null if it stops
     * first (`stop`, or the search failed and waits for the next start).
     */
    async outcome(reportId: string): Promise<ScrubOutcome | null> {
      await runScrubs();
      return finished.get(reportId) ?? null;
    },
    /** Resolves when this process has no search left to advance (tests, benchmarks). */
    async scrubsIdle(): Promise<void> {
      while (running !== null) await running;
    },
    /** Rows a search of the workspace reads (progress of `tailor privacy erase`). */
    rowsToSearch: (workspaceId: string) => repository.searchableRows(workspaceId),
    /** Called after every step of a search (progress of `tailor privacy erase`). */
    onScrubStep(listener: ((job: ScrubJob) => void) | null): void {
      onStep = listener;
    },
    /** Stops after the current step; the searches left resume in the next process (`tailor serve` at start). */
    async stop(): Promise<void> {
      stopped = true;
      await running;
    },
  };
}

export type ErasureService = ReturnType<typeof createErasureService>;
