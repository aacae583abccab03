import { z } from 'zod';
import { purposeSchema, type Purpose } from './purposes.js';

/**
 * Notice versions (PRIVACY.md P4). The privacy notice a person saw when granting consent
 * defines the scope of the grant; when the workspace publishes a new version for a purpose,
 * grants given under an earlier version no longer count and fresh consent is needed
 * (GDPR 7(1), 4(11) "informed"; PIPL 14 second paragraph: a change of purpose or method
 * requires consent again).
 *
 * The workspace keeps a history of versions per purpose, so that the state at any past time
 * is judged against the notice in force then.
 */

/** The version recorded for grants when a purpose has no published notice yet. */
export const UNVERSIONED_NOTICE = 'unversioned';

export const noticeVersionSchema = z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters');

/** One published notice version for one purpose, in force from `effectiveFrom` (ms, UTC). */
export const noticePublicationSchema = z.object({
  purpose: purposeSchema,
  version: noticeVersionSchema,
  effectiveFrom: z.number().int().nonnegative(),
});
export type NoticePublication = z.infer<typeof noticePublicationSchema>;

/**
 * The notice version in force for a purpose at time `at`: the publication with the latest
 * `effectiveFrom` not after `at` (the later one in the list wins a tie), or
 * `UNVERSIONED_NOTICE` when none was published yet.
 *
 * @example
 * const notices = [{ purpose: 'marketing_email', version: 'v1', effectiveFrom: 0 }, { purpose: 'marketing_email', version: 'v2', effectiveFrom: 1000 }];
 * noticeVersionAt({ notices, purpose: 'marketing_email', at: 999 }); // 'v1'
 * noticeVersionAt({ notices, purpose: 'marketing_email', at: 1000 }); // 'v2'
 */
export function noticeVersionAt(input: { notices: readonly NoticePublication[]; purpose: Purpose; at: number }): string {
  let best: NoticePublication | undefined;
  for (const n of input.notices) {
    if (n.purpose !== input.purpose || n.effectiveFrom > input.at) continue;
    if (best === undefined || n.effectiveFrom >= best.effectiveFrom) best = n;
  }
  return best?.version ?? UNVERSIONED_NOTICE;
}
