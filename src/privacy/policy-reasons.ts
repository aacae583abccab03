import type { Channel } from './subscriptions.js';
import type { Purpose } from './purposes.js';

/**
 * The reason codes of policy decisions. Codes are stable: callers branch on them, the
 * dashboard translates them, and audit entries store them. Messages are for people and may
 * change. A code with a `:` carries one parameter (a purpose or a channel).
 *
 * Codes that refuse an action:
 */
export type DenyCode =
  | 'personalization_off'
  | 'minor_without_guardian_consent'
  | 'age_unknown'
  | `no_consent:${Purpose}`
  | `consent_outdated:${Purpose}`
  | `unsubscribed:${Channel}`
  | `not_subscribed:${Channel}`
  | 'channel_required'
  | 'trait_required'
  | 'stale_state'
  | 'jurisdiction_mismatch'
  | 'unknown_action';

/** Codes that explain why an action is allowed (the grounds, for audit and explanations). */
export type GroundCode =
  | `consent_granted:${Purpose}`
  | `legal_basis:${Purpose}`
  | `subscribed:${Channel}`
  | 'transactional_message'
  | 'basic_trait'
  | 'data_subject_right';

export type ReasonCode = DenyCode | GroundCode;

export interface PolicyReason {
  readonly code: ReasonCode;
  readonly message: string;
}

/** Every code without its parameter, with what it means: the table in README.md. */
export const REASON_CODE_MEANINGS = {
  personalization_off: 'the person switched personalization off (P5; PIPL 24(2); Algorithmic Provisions Art. 17)',
  minor_without_guardian_consent: 'the person is under the age threshold and no guardian consent is recorded (P11; PIPL 31; GDPR 8)',
  age_unknown: 'the workspace treats persons of unknown age as minors and this person has no guardian consent (P11)',
  'no_consent:<purpose>': 'the purpose is not allowed: never granted where consent is needed, denied, withdrawn or objected to',
  'consent_outdated:<purpose>': 'the only grant was given under an earlier notice version: ask again (P4)',
  'unsubscribed:<channel>': 'the person unsubscribed from marketing on the channel (P16, P17)',
  'not_subscribed:<channel>': 'the person never subscribed to marketing on the channel (P16)',
  channel_required: 'a send was asked for without a channel',
  trait_required: 'store_trait was asked for without describing the trait',
  stale_state: 'the consent or subscription state given was computed too long before `now` (P5: within 1 s; P16: at send time)',
  unknown_action: 'the action is not one of the policy actions (only reachable from untyped callers)',
  jurisdiction_mismatch: "the consent state was computed under another jurisdiction's defaults than the person's",
  'consent_granted:<purpose>': 'the person granted the purpose under the current notice',
  'legal_basis:<purpose>': 'the purpose rests on a basis other than consent (the message names it)',
  'subscribed:<channel>': 'the person is subscribed to marketing on the channel',
  transactional_message: 'transactional messages bypass marketing consent and subscriptions (P16)',
  basic_trait: 'a basic (non-behavioural, non-sensitive) trait supplied for the service needs no consent purpose',
  data_subject_right: 'a data-subject export is the person\'s right and is never refused for lack of consent (GDPR 15, 20; PIPL 45)',
} as const;
