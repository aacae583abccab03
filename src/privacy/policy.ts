import type { ConsentState } from './consent-ledger.js';
import type { Jurisdiction } from './jurisdictions.js';
import type { PolicyReason } from './policy-reasons.js';
import type { Purpose } from './purposes.js';
import { marketingPurposeFor, type Channel, type SubscriptionState } from './subscriptions.js';

/**
 * The one policy function every stage asks before it stores, profiles, personalizes, sends,
 * shares or exports (PRIVACY.md P5, P6, P11, P16; DESIGN.md "Policy"). Nobody re-implements
 * consent checks: a stage computes the person's state, calls `decide`, and obeys.
 */

export const POLICY_ACTIONS = ['personalize', 'profile', 'send_marketing', 'send_transactional', 'store_trait', 'share_third_party', 'export'] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

/**
 * Data grades (P10; the seeds' basic / behavioural / sensitive). `computed` marks an
 * inference (RFM, churn risk, affinity), which is profiling.
 */
export interface TraitDescriptor {
  readonly sensitivity: 'basic' | 'behavioural' | 'sensitive';
  readonly computed: boolean;
}

/** What the policy needs to know about the person. */
export interface PersonPrivacy {
  /** The per-person off switch of personalization (P5). */
  readonly personalizationOff: boolean;
  /** `undefined` when the age is unknown; see `WorkspacePolicy.unknownAgeIsMinor`. */
  readonly isMinor?: boolean | undefined;
  readonly guardianConsent?: boolean | undefined;
  /** From `currentConsentState` (consent-ledger.ts). */
  readonly consents: ConsentState;
  /** From `subscriptionStateAt` (subscriptions.ts); read by sends. */
  readonly subscriptions: SubscriptionState;
  /** The jurisdiction whose law applies to the person (today: the workspace's). */
  readonly jurisdiction: Jurisdiction;
}

/** The workspace's policy settings. */
export interface WorkspacePolicy {
  /**
   * Oldest state accepted, in ms before `now`. A caller that keeps a state longer (a journey
   * that read consent when it started) is refused with `stale_state` (P5: an off switch
   * takes effect within 1 s; P16: sends check at send time).
   */
  readonly maxStateAgeMs: number;
  /** Treat persons of unknown age as minors (a brand selling children's products). */
  readonly unknownAgeIsMinor: boolean;
}

/** The default workspace policy: state at most 1 s old, unknown age treated as adult. */
export const DEFAULT_WORKSPACE_POLICY: WorkspacePolicy = { maxStateAgeMs: 1000, unknownAgeIsMinor: false };

export interface PolicyRequest {
  readonly action: PolicyAction;
  /** Required for `send_marketing` and `send_transactional`. */
  readonly channel?: Channel | undefined;
  /** Required for `store_trait`. */
  readonly trait?: TraitDescriptor | undefined;
  readonly person: PersonPrivacy;
  readonly workspace: WorkspacePolicy;
  /** ms since the epoch (UTC), from the caller's clock. */
  readonly now: number;
}

export interface PolicyDecision {
  readonly allowed: boolean;
  /**
   * When refused: every reason that refuses (not only the first), so the dashboard can say
   * all that would have to change. When allowed: the grounds that allow it.
   */
  readonly reasons: readonly PolicyReason[];
  /** The purposes the action was checked against, for the audit log. */
  readonly purposes: readonly Purpose[];
}

/**
 * Decides whether an action on a person's data is allowed now.
 *
 * - `personalize`: refused if personalization is off (P5), for a minor without guardian
 *   consent (P11), or without the `personalization` purpose. Refused means: serve the
 *   non-personalized variant (P6).
 * - `profile`: the same with the `profiling` purpose; profiling jobs skip the person.
 * - `send_marketing`: needs a channel, the `marketing_<channel>` purpose and a subscription
 *   to the channel (P16); refused for a minor without guardian consent (P11).
 * - `send_transactional`: needs a channel and the `transactional_messages` purpose only;
 *   marketing consent and subscriptions are bypassed (P16).
 * - `store_trait`: basic traits need no purpose; behavioural ones `analytics`; computed ones
 *   `profiling` and the personalization switch on; sensitive ones `sensitive_data` (P10);
 *   all but basic are refused for a minor without guardian consent (PIPL 28, 31).
 * - `share_third_party`: needs `third_party_sharing` (PIPL 23; CCPA opt-out, GPC) and is
 *   refused for a minor without guardian consent.
 * - `export`: the person's own data export (P13) is always allowed.
 *
 * Every action that reads the consent state refuses a state older than
 * `workspace.maxStateAgeMs` or computed for another jurisdiction.
 *
 * @example
 * decide({ action: 'send_marketing', channel: 'email', person, workspace: DEFAULT_WORKSPACE_POLICY, now: clock.now() });
 * // { allowed: false, reasons: [{ code: 'unsubscribed:email', message: '…' }], purposes: ['marketing_email'] }
 */
export function decide(request: PolicyRequest): PolicyDecision {
  const check = new Check(request);
  const { action } = request;
  switch (action) {
    case 'personalize':
      check.personalizationOn();
      check.notUnguardedMinor();
      check.purpose('personalization');
      break;
    case 'profile':
      check.personalizationOn();
      check.notUnguardedMinor();
      check.purpose('profiling');
      break;
    case 'send_marketing': {
      const channel = check.channel();
      check.notUnguardedMinor();
      if (channel !== undefined) {
        check.purpose(marketingPurposeFor(channel));
        check.subscribed(channel);
      }
      break;
    }
    case 'send_transactional':
      if (check.channel() !== undefined) {
        check.ground('transactional_message', 'transactional messages bypass marketing consent and subscriptions (P16)');
        check.purpose('transactional_messages');
      }
      break;
    case 'store_trait': {
      const trait = request.trait;
      if (trait === undefined) {
        check.deny('trait_required', 'store_trait needs a trait descriptor (sensitivity, computed)');
        break;
      }
      if (trait.sensitivity === 'basic' && !trait.computed) {
        check.ground('basic_trait', 'a basic trait supplied for the service needs no consent purpose');
        break;
      }
      check.notUnguardedMinor();
      if (trait.computed) {
        check.personalizationOn();
        check.purpose('profiling');
      } else if (trait.sensitivity === 'behavioural') {
        check.purpose('analytics');
      }
      if (trait.sensitivity === 'sensitive') check.purpose('sensitive_data');
      break;
    }
    case 'share_third_party':
      check.notUnguardedMinor();
      check.purpose('third_party_sharing');
      break;
    case 'export':
      check.ground('data_subject_right', "a data-subject export is the person's right (GDPR 15, 20; PIPL 45)");
      break;
    default: {
      // Unreachable for typed callers; a value from untyped JSON is refused, never allowed.
      const unknown: never = action;
      check.deny('unknown_action', `unknown action ${JSON.stringify(unknown)}; valid actions: ${POLICY_ACTIONS.join(', ')}`);
    }
  }
  return check.result();
}

/** Accumulates refusals and grounds for one request. */
class Check {
  private readonly denials: PolicyReason[] = [];
  private readonly grounds: PolicyReason[] = [];
  private readonly purposes: Purpose[] = [];
  private stateChecked = false;

  constructor(private readonly request: PolicyRequest) {}

  deny(code: PolicyReason['code'], message: string): void {
    this.denials.push({ code, message });
  }

  ground(code: PolicyReason['code'], message: string): void {
    this.grounds.push({ code, message });
  }

  personalizationOn(): void {
    if (this.request.person.personalizationOff) {
      this.deny('personalization_off', 'the person turned personalization off (PIPL 24(2); Algorithmic Recommendation Provisions Art. 17; GDPR 21)');
    }
  }

  notUnguardedMinor(): void {
    const { isMinor, guardianConsent } = this.request.person;
    if (guardianConsent === true) return;
    if (isMinor === true) {
      this.deny('minor_without_guardian_consent', 'the person is a minor and no guardian consent is recorded (PIPL 31; GDPR 8)');
    } else if (isMinor === undefined && this.request.workspace.unknownAgeIsMinor) {
      this.deny('age_unknown', 'the age is unknown and this workspace treats unknown ages as minors; no guardian consent is recorded');
    }
  }

  channel(): Channel | undefined {
    if (this.request.channel === undefined) this.deny('channel_required', `${this.request.action} needs a channel`);
    return this.request.channel;
  }

  purpose(purpose: Purpose): void {
    this.purposes.push(purpose);
    this.checkState();
    const state = this.request.person.consents.purposes[purpose] as ConsentState['purposes'][Purpose] | undefined;
    if (state === undefined) {
      // A state computed before the purpose existed: refuse rather than guess.
      this.deny(`no_consent:${purpose}`, `the consent state has no entry for ${purpose}`);
      return;
    }
    if (state.allowed) {
      if (state.legalBasis === 'consent') this.ground(`consent_granted:${purpose}`, `${purpose} granted under notice ${state.noticeVersion}`);
      else this.ground(`legal_basis:${purpose}`, `${purpose} rests on ${state.legalBasis ?? 'an unrecorded basis'} (${state.default.origin === 'workspace_override' ? 'workspace setting' : `${this.request.person.jurisdiction} default`})`);
      return;
    }
    if (state.outdatedGrant !== null) {
      this.deny(`consent_outdated:${purpose}`, `${purpose} was granted under notice ${state.outdatedGrant.noticeVersion}; notice ${state.noticeVersion} needs fresh consent (GDPR 7; PIPL 14)`);
    } else if (state.record !== null) {
      this.deny(`no_consent:${purpose}`, `${purpose} ${state.record.decision} on ${new Date(state.record.recordedAt).toISOString()} (source ${state.record.source})`);
    } else {
      this.deny(`no_consent:${purpose}`, `${purpose} is off until granted (${state.default.origin === 'workspace_override' ? 'workspace setting' : `${this.request.person.jurisdiction} default`})`);
    }
  }

  subscribed(channel: Channel): void {
    const sub = this.request.person.subscriptions.channels[channel];
    this.checkAge('subscription', this.request.person.subscriptions.at);
    if (sub.status === 'subscribed') this.ground(`subscribed:${channel}`, `subscribed to ${channel} marketing`);
    else if (sub.status === 'unsubscribed') this.deny(`unsubscribed:${channel}`, `unsubscribed from ${channel} marketing${sub.record === null ? '' : ` on ${new Date(sub.record.recordedAt).toISOString()}`}`);
    else this.deny(`not_subscribed:${channel}`, `never subscribed to ${channel} marketing`);
  }

  result(): PolicyDecision {
    const allowed = this.denials.length === 0;
    return { allowed, reasons: allowed ? this.grounds : this.denials, purposes: this.purposes };
  }

  private checkState(): void {
    if (this.stateChecked) return;
    this.stateChecked = true;
    const { consents, jurisdiction } = this.request.person;
    if (consents.jurisdiction !== jurisdiction) {
      this.deny('jurisdiction_mismatch', `the consent state applies ${consents.jurisdiction} defaults; the person is under ${jurisdiction}`);
    }
    this.checkAge('consent', consents.at);
  }

  private checkAge(what: string, at: number): void {
    const age = this.request.now - at;
    if (age > this.request.workspace.maxStateAgeMs && !this.denials.some((d) => d.code === 'stale_state')) {
      this.deny('stale_state', `the ${what} state is ${age} ms old; at most ${this.request.workspace.maxStateAgeMs} ms is accepted`);
    }
  }
}
