import { minorStatus } from './minors.js';
import type { Workspace } from '../workspaces/index.js';
import type { ProfileService } from '../profiles/profile-service.js';
import type { Clock } from '../shared/clock.js';
import type { Ids } from '../shared/ids.js';
import { err, ok, type Result } from '../shared/result.js';
import type { AuditService } from './audit-service.js';
import { consentRecordFrom, type ParsedConsentInput } from './consent-input.js';
import { consentStateAt, type ConsentContext, type ConsentRecord, type ConsentState } from './consent-ledger.js';
import { decide, type PersonPrivacy, type PolicyAction, type PolicyDecision } from './policy.js';
import type { PrivacyRepository } from './privacy-repository.js';
import { subscriptionStateAt, unsubscribeChanges, type Channel, type SubscriptionRecord, type SubscriptionSource } from './subscriptions.js';

export type PrivacyError = { type: 'profile_not_found' } | { type: 'bad_request'; message: string };

/** The consent context of a workspace: its jurisdiction, default overrides and notices. */
export function consentContextOf(workspace: Pick<Workspace, 'jurisdiction' | 'settings'>): ConsentContext {
  return { jurisdiction: workspace.jurisdiction, overrides: workspace.settings.privacy.defaults.overrides, notices: workspace.settings.privacy.notices };
}

/**
 * Consent ledger, subscriptions, the personalization switch, and the one policy question
 * every stage asks: "may I personalize / profile / send marketing on channel X to this
 * person, and if not, why not" (P2, P3, P5, P16).
 *
 * @example
 * const d = await privacy.decide(workspace, 'user_id:42', { action: 'personalize' });
 * if (!d.value.allowed) console.log(d.value.reasons);
 */
export function createConsentService(deps: {
  repository: PrivacyRepository; profiles: ProfileService; audit: AuditService; clock: Clock; ids: Ids;
  /** Told after a person's consent, subscriptions or personalization switch changed (segments re-check them). */
  onChanged?: (workspaceId: string, profileId: string) => void;
}) {
  const { repository, profiles, audit, clock, ids } = deps;

  async function resolve(workspace: Workspace, ref: string): Promise<Result<string, PrivacyError>> {
    const r = await profiles.resolve(workspace.id, ref);
    if (!r.ok) return err(r.error.type === 'profile_not_found' ? { type: 'profile_not_found' } : { type: 'bad_request', message: r.error.message });
    return ok(r.value.id);
  }

  /** Everything the policy needs about a person, read now. */
  async function personPrivacy(workspace: Workspace, profileId: string, at: number): Promise<PersonPrivacy & { records: ConsentRecord[]; subscriptionRecords: SubscriptionRecord[] }> {
    const [records, subscriptionRecords, off, ages] = await Promise.all([
      repository.consentRecords(workspace.id, [profileId]),
      repository.subscriptionRecords(workspace.id, [profileId]),
      repository.personalizationOff(workspace.id, [profileId]),
      repository.ageFacts(workspace.id, [profileId]),
    ]);
    const consents: ConsentState = consentStateAt({ records, workspace: consentContextOf(workspace), at });
    return {
      personalizationOff: off.has(profileId),
      ...minorStatus(ages.get(profileId), { jurisdiction: workspace.jurisdiction, threshold: workspace.settings.privacy.policy.minorAgeThreshold }, at),
      consents,
      subscriptions: subscriptionStateAt({ records: subscriptionRecords, at }),
      jurisdiction: workspace.jurisdiction,
      records,
      subscriptionRecords,
    };
  }

  return {
    personPrivacy,

    /** The consent records and the state now, or at a past time (rebuilt from the ledger). */
    async state(workspace: Workspace, ref: string, at?: number) {
      const id = await resolve(workspace, ref);
      if (!id.ok) return id;
      const when = at ?? clock.now();
      const p = await personPrivacy(workspace, id.value, when);
      return ok({ profileId: id.value, at: when, personalizationOff: p.personalizationOff, consents: p.consents, subscriptions: p.subscriptions, records: p.records.filter((r) => r.recordedAt <= when), subscriptionRecords: p.subscriptionRecords.filter((r) => r.recordedAt <= when) });
    },

    /** Appends decisions to the ledger (never updates or deletes). */
    async record(workspace: Workspace, ref: string, inputs: readonly ParsedConsentInput[], actor: string): Promise<Result<{ profileId: string; records: ConsentRecord[] }, PrivacyError>> {
      const id = await resolve(workspace, ref);
      if (!id.ok) return id;
      const now = clock.now();
      const records: ConsentRecord[] = [];
      for (const input of inputs) {
        const r = consentRecordFrom({ input, profileId: id.value, workspace: consentContextOf(workspace), now, id: ids.uuid() });
        if (!r.ok) return err({ type: 'bad_request', message: r.error.type === 'recorded_in_future' ? 'recordedAt: must not be in the future' : `noticeVersion: a grant of ${input.purpose} must name the notice version` });
        records.push(r.value);
      }
      await repository.insertConsentRecords(workspace.id, records);
      await audit.record({ workspaceId: workspace.id, actor, action: 'consent.recorded', subject: id.value, details: { decisions: records.map((r) => ({ purpose: r.purpose, decision: r.decision, noticeVersion: r.noticeVersion, source: r.source })) } });
      deps.onChanged?.(workspace.id, id.value);
      return ok({ profileId: id.value, records });
    },

    /**
     * Subscribes or unsubscribes a channel (P16: separate from data-use consent). An unsubscribe
     * also withdraws the channel's marketing purpose in the consent ledger (P17,
     * `unsubscribeChanges`): the result lists the consent records written (`consentRecords`,
     * empty for a subscribe) and both changes are audited. The privacy port has no
     * transaction spanning both tables: the subscription record is written first, and either
     * record alone already stops marketing on the channel (a send needs both).
     */
    async subscribe(workspace: Workspace, ref: string, change: { channel: Channel; status: 'subscribed' | 'unsubscribed'; source: SubscriptionSource; method?: string | undefined }, actor: string): Promise<Result<SubscriptionRecord & { consentRecords: ConsentRecord[] }, PrivacyError>> {
      const id = await resolve(workspace, ref);
      if (!id.ok) return id;
      const now = clock.now();
      const record: SubscriptionRecord = { id: ids.uuid(), profileId: id.value, channel: change.channel, status: change.status, source: change.source, recordedAt: now };
      const consentRecords: ConsentRecord[] = [];
      if (change.status === 'unsubscribed') {
        const context = consentContextOf(workspace);
        const state = consentStateAt({ records: await repository.consentRecords(workspace.id, [id.value]), workspace: context, at: now });
        const { consent } = unsubscribeChanges({ channel: change.channel, source: change.source, state, ...(change.method === undefined ? {} : { method: change.method }) });
        const made = consentRecordFrom({ input: consent, profileId: id.value, workspace: context, now, id: ids.uuid() });
        // A refusal at `now` names no notice version and no past time: it cannot be refused.
        if (!made.ok) throw new Error(`unsubscribe: the consent withdrawal was refused (${made.error.type})`);
        consentRecords.push(made.value);
      }
      await repository.insertSubscriptionRecords(workspace.id, [record]);
      if (consentRecords.length > 0) await repository.insertConsentRecords(workspace.id, consentRecords);
      const decisions = consentRecords.map((r) => ({ purpose: r.purpose, decision: r.decision, noticeVersion: r.noticeVersion, source: r.source }));
      await audit.record({ workspaceId: workspace.id, actor, action: 'subscription.changed', subject: id.value, details: { channel: change.channel, status: change.status, source: change.source, ...(decisions.length === 0 ? {} : { consents: decisions }) } });
      if (decisions.length > 0) await audit.record({ workspaceId: workspace.id, actor, action: 'consent.recorded', subject: id.value, details: { decisions } });
      deps.onChanged?.(workspace.id, id.value);
      return ok({ ...record, consentRecords });
    },

    /** The per-person off switch of personalization (P5); effective for the next decision. */
    async setPersonalization(workspace: Workspace, ref: string, enabled: boolean, actor: string) {
      const id = await resolve(workspace, ref);
      if (!id.ok) return id;
      await repository.setPersonalization(workspace.id, { profileId: id.value, off: !enabled, source: actor, at: clock.now() });
      await audit.record({ workspaceId: workspace.id, actor, action: enabled ? 'personalization.enabled' : 'personalization.disabled', subject: id.value, details: {} });
      deps.onChanged?.(workspace.id, id.value);
      return ok({ profileId: id.value, personalization: enabled });
    },

    /**
     * Records that a guardian consented (or withdrew consent) for a minor (P11): until it is
     * recorded, personalization, profiling, marketing and non-basic traits stay off for a person
     * under the workspace's age threshold. Audited; the person's segments are checked again.
     */
    async setGuardianConsent(workspace: Workspace, ref: string, granted: boolean, source: string, actor: string) {
      const id = await resolve(workspace, ref);
      if (!id.ok) return id;
      await repository.setGuardianConsent(workspace.id, { profileId: id.value, granted, source, at: clock.now() });
      await audit.record({ workspaceId: workspace.id, actor, action: granted ? 'guardian_consent.granted' : 'guardian_consent.withdrawn', subject: id.value, details: { source } });
      deps.onChanged?.(workspace.id, id.value);
      return ok({ profileId: id.value, guardianConsent: granted });
    },

    /** The policy decision for an action on a person, with every reason. */
    async decide(workspace: Workspace, ref: string, request: { action: PolicyAction; channel?: Channel | undefined }): Promise<Result<PolicyDecision & { profileId: string }, PrivacyError>> {
      const id = await resolve(workspace, ref);
      if (!id.ok) return id;
      const now = clock.now();
      const person = await personPrivacy(workspace, id.value, now);
      const decision = decide({ action: request.action, channel: request.channel, person, workspace: workspace.settings.privacy.policy, now });
      return ok({ ...decision, profileId: id.value });
    },
  };
}

export type ConsentService = ReturnType<typeof createConsentService>;
