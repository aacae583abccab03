import type { ProfileRepository } from '../profiles/profile-repository.js';
import type { ProfileService } from '../profiles/profile-service.js';
import type { Clock } from '../shared/clock.js';
import type { Ids } from '../shared/ids.js';
import { err, ok, type Result } from '../shared/result.js';
import type { Workspace } from '../workspaces/index.js';
import type { AuditService } from './audit-service.js';
import type { PrivacyError } from './consent-service.js';
import type { ErasureCounts, PrivacyRepository } from './privacy-repository.js';
import { suppressionEntries } from './suppression.js';

export interface ErasureReport {
  reportId: string;
  profileId: string;
  /** Profiles merged into it earlier, erased with it. */
  mergedProfiles: number;
  identifiersSuppressed: number;
  /** Rows removed (or identifiers removed from other people's rows), per table. */
  tables: ErasureCounts;
  completedAt: string;
  /** What erasure does not do by itself. */
  notes: string[];
}

/**
 * Erasure (P14): deletes the person everywhere in one transaction, after adding a
 * suppression entry (a salted HMAC of each identifier) so that replayed or late events for
 * them are dropped at ingest. Records a completion report and an audit entry, neither of
 * which holds an identifier value. Hashing or masking is not erasure: rows are deleted.
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
}) {
  const { repository, profiles, profileRepository, audit, clock, ids } = deps;
  return {
    async erase(workspace: Workspace, ref: string, actor: string): Promise<Result<ErasureReport, PrivacyError>> {
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
      const tables = await repository.eraseProfiles(workspace.id, { profileIds: [profileId, ...merged], identifierValues: identifiers.map((i) => i.value) });
      const report: ErasureReport = {
        reportId: ids.uuid(),
        profileId,
        mergedProfiles: merged.length,
        identifiersSuppressed: hashes.length,
        tables,
        completedAt: new Date(clock.now()).toISOString(),
        notes: [
          'Audit entries about the person are kept (GDPR 17(3)(b)); they hold the profile id, never identifier values.',
          'Models trained on the person\'s data are rebuilt at their next scheduled training.',
        ],
      };
      await repository.insertErasureReport(workspace.id, { id: report.reportId, profileId, report: { ...report }, at: now });
      await audit.record({ workspaceId: workspace.id, actor, action: 'erasure.completed', subject: profileId, details: { reportId: report.reportId, tables, mergedProfiles: merged.length } });
      return ok(report);
    },
  };
}

export type ErasureService = ReturnType<typeof createErasureService>;
