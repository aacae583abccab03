import type { ConsentRecord } from '../privacy/consent-ledger.js';
import { consentStateAt } from '../privacy/consent-ledger.js';
import { decide } from '../privacy/policy.js';
import { subscriptionStateAt } from '../privacy/subscriptions.js';
import type { Workspace } from '../workspaces/workspace-repository.js';
import { minorStatus, type AgeFacts } from '../privacy/minors.js';
import type { PeoplePrivacy } from '../privacy/privacy-repository.js';

/**
 * The profiles of `ids` the policy lets us profile now (PRIVACY.md P5: the personalization
 * switch, the `profiling` purpose; P11: minors without a guardian's consent, by their
 * `birthday` or `age` trait), from what the repository's `privacyOf` read.
 * Shared by every job that profiles people (trait recompute, predictions).
 *
 * @example
 * const allowed = profilingAllowed(workspace, ids, await repository.privacyOf(workspace.id, ids), clock.now());
 */
export function profilingAllowed(workspace: Workspace, ids: readonly string[], privacy: PeoplePrivacy, now: number): Set<string> {
  const byProfile = new Map<string, ConsentRecord[]>();
  for (const r of privacy.consents) {
    const list = byProfile.get(r.profileId);
    if (list === undefined) byProfile.set(r.profileId, [r]);
    else list.push(r);
  }
  const context = { jurisdiction: workspace.jurisdiction, overrides: workspace.settings.privacy.defaults.overrides, notices: workspace.settings.privacy.notices };
  const threshold = { jurisdiction: workspace.jurisdiction, threshold: workspace.settings.privacy.policy.minorAgeThreshold };
  const subscriptions = subscriptionStateAt({ records: [], at: now });
  const allowed = new Set<string>();
  const decideFor = (records: readonly ConsentRecord[], personalizationOff: boolean, age: AgeFacts | undefined) => decide({
    action: 'profile',
    person: { personalizationOff, consents: consentStateAt({ records, workspace: context, at: now }), subscriptions, jurisdiction: workspace.jurisdiction, ...minorStatus(age, threshold, now) },
    workspace: workspace.settings.privacy.policy,
    now,
  }).allowed;
  // Most people have no consent record or age of their own: their answer depends only on the switch.
  const withoutRecords = new Map<boolean, boolean>();
  for (const id of ids) {
    const records = byProfile.get(id);
    const age = privacy.ages?.get(id);
    const off = privacy.personalizationOff.has(id);
    let ok: boolean;
    if (records === undefined && age === undefined) {
      let cached = withoutRecords.get(off);
      if (cached === undefined) withoutRecords.set(off, (cached = decideFor([], off, undefined)));
      ok = cached;
    } else ok = decideFor(records ?? [], off, age);
    if (ok) allowed.add(id);
  }
  return allowed;
}
