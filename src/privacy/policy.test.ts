import { describe, expect, it } from 'vitest';
import { consentStateAt, type ConsentContext, type ConsentRecord } from './consent-ledger.js';
import type { Jurisdiction } from './jurisdictions.js';
import type { NoticePublication } from './notices.js';
import { DEFAULT_WORKSPACE_POLICY, POLICY_ACTIONS, decide, type PersonPrivacy, type PolicyAction, type PolicyRequest } from './policy.js';
import type { Purpose } from './purposes.js';
import { subscriptionStateAt, type Channel, type SubscriptionRecord } from './subscriptions.js';

const NOW = Date.parse('2024-06-01T12:00:00Z');
const CONSENT_BASED: Purpose[] = ['analytics', 'personalization', 'profiling', 'marketing_email', 'marketing_sms', 'marketing_push', 'marketing_webhook', 'third_party_sharing', 'sensitive_data'];
const CHANNELS: Channel[] = ['email', 'sms', 'push', 'webhook'];
const JURISDICTIONS: Jurisdiction[] = ['CN', 'EU', 'UK', 'US', 'OTHER'];

// Every consent-based purpose has a published notice: v1, in force since 2024-01-01.
const notices: NoticePublication[] = CONSENT_BASED.map((purpose) => ({ purpose, version: 'v1', effectiveFrom: Date.parse('2024-01-01T00:00:00Z') }));

let seq = 0;
const consent = (purpose: Purpose, decision: ConsentRecord['decision'], o: Partial<ConsentRecord> = {}): ConsentRecord =>
  ({ id: `c${++seq}`, profileId: 'p', purpose, decision, noticeVersion: 'v1', source: 'ui', jurisdiction: 'EU', recordedAt: NOW - 60_000, ...o });
const subscription = (channel: Channel, status: SubscriptionRecord['status'], at = NOW - 60_000): SubscriptionRecord =>
  ({ id: `s${++seq}`, profileId: 'p', channel, status, source: 'ui', recordedAt: at });

interface Scenario {
  consents: ConsentRecord[];
  subscriptions: SubscriptionRecord[];
  person?: Partial<Pick<PersonPrivacy, 'personalizationOff' | 'isMinor' | 'guardianConsent'>>;
}

const grantedAll = CONSENT_BASED.map((p) => consent(p, 'granted'));
const subscribedAll = CHANNELS.map((c) => subscription(c, 'subscribed'));
const SCENARIOS = {
  none: { consents: [], subscriptions: [] },
  all_granted: { consents: grantedAll, subscriptions: subscribedAll },
  all_withdrawn: {
    consents: [...grantedAll, ...CONSENT_BASED.map((p) => consent(p, 'withdrawn', { recordedAt: NOW - 1000 }))],
    subscriptions: [...subscribedAll, ...CHANNELS.map((c) => subscription(c, 'unsubscribed', NOW - 1000))],
  },
  granted_unsubscribed: { consents: grantedAll, subscriptions: CHANNELS.map((c) => subscription(c, 'unsubscribed')) },
  personalization_off: { consents: grantedAll, subscriptions: subscribedAll, person: { personalizationOff: true } },
  minor: { consents: grantedAll, subscriptions: subscribedAll, person: { isMinor: true } },
  minor_with_guardian: { consents: grantedAll, subscriptions: subscribedAll, person: { isMinor: true, guardianConsent: true } },
  outdated_notice: { consents: CONSENT_BASED.map((p) => consent(p, 'granted', { noticeVersion: 'v0' })), subscriptions: subscribedAll },
} satisfies Record<string, Scenario>;
type ScenarioName = keyof typeof SCENARIOS;

function person(name: ScenarioName, jurisdiction: Jurisdiction): PersonPrivacy {
  const s: Scenario = SCENARIOS[name];
  const workspace: ConsentContext = { jurisdiction, overrides: [], notices };
  return {
    personalizationOff: false,
    ...s.person,
    consents: consentStateAt({ records: s.consents, workspace, at: NOW }),
    subscriptions: subscriptionStateAt({ records: s.subscriptions, at: NOW }),
    jurisdiction,
  };
}

// The cases: every action, sends on two channels, store_trait for each grade.
const CASES = {
  personalize: { action: 'personalize' },
  profile: { action: 'profile' },
  'send_marketing:email': { action: 'send_marketing', channel: 'email' },
  'send_marketing:sms': { action: 'send_marketing', channel: 'sms' },
  'send_transactional:email': { action: 'send_transactional', channel: 'email' },
  'store_trait:basic': { action: 'store_trait', trait: { sensitivity: 'basic', computed: false } },
  'store_trait:behavioural': { action: 'store_trait', trait: { sensitivity: 'behavioural', computed: false } },
  'store_trait:sensitive': { action: 'store_trait', trait: { sensitivity: 'sensitive', computed: false } },
  'store_trait:computed': { action: 'store_trait', trait: { sensitivity: 'behavioural', computed: true } },
  share_third_party: { action: 'share_third_party' },
  export: { action: 'export' },
} satisfies Record<string, Pick<PolicyRequest, 'action' | 'channel' | 'trait'>>;
type CaseName = keyof typeof CASES;

// Expected outcomes, written by hand from PRIVACY.md: "+" allowed with these grounds,
// "-" refused for these reasons (codes in any order).
type Expected = Record<CaseName, string>;
const TRANSACTIONAL = '+ transactional_message legal_basis:transactional_messages';
const GRANTED: Expected = {
  personalize: '+ consent_granted:personalization',
  profile: '+ consent_granted:profiling',
  'send_marketing:email': '+ consent_granted:marketing_email subscribed:email',
  'send_marketing:sms': '+ consent_granted:marketing_sms subscribed:sms',
  'send_transactional:email': TRANSACTIONAL,
  'store_trait:basic': '+ basic_trait',
  'store_trait:behavioural': '+ consent_granted:analytics',
  'store_trait:sensitive': '+ consent_granted:sensitive_data',
  'store_trait:computed': '+ consent_granted:profiling',
  share_third_party: '+ consent_granted:third_party_sharing',
  export: '+ data_subject_right',
};
const MINOR = '- minor_without_guardian_consent';
const OPT_IN: Record<ScenarioName, Expected> = {
  none: {
    personalize: '- no_consent:personalization',
    profile: '- no_consent:profiling',
    'send_marketing:email': '- no_consent:marketing_email not_subscribed:email',
    'send_marketing:sms': '- no_consent:marketing_sms not_subscribed:sms',
    'send_transactional:email': TRANSACTIONAL,
    'store_trait:basic': '+ basic_trait',
    'store_trait:behavioural': '- no_consent:analytics',
    'store_trait:sensitive': '- no_consent:sensitive_data',
    'store_trait:computed': '- no_consent:profiling',
    share_third_party: '- no_consent:third_party_sharing',
    export: '+ data_subject_right',
  },
  all_granted: GRANTED,
  all_withdrawn: {
    personalize: '- no_consent:personalization',
    profile: '- no_consent:profiling',
    'send_marketing:email': '- no_consent:marketing_email unsubscribed:email',
    'send_marketing:sms': '- no_consent:marketing_sms unsubscribed:sms',
    'send_transactional:email': TRANSACTIONAL,
    'store_trait:basic': '+ basic_trait',
    'store_trait:behavioural': '- no_consent:analytics',
    'store_trait:sensitive': '- no_consent:sensitive_data',
    'store_trait:computed': '- no_consent:profiling',
    share_third_party: '- no_consent:third_party_sharing',
    export: '+ data_subject_right',
  },
  granted_unsubscribed: { ...GRANTED, 'send_marketing:email': '- unsubscribed:email', 'send_marketing:sms': '- unsubscribed:sms' },
  personalization_off: { ...GRANTED, personalize: '- personalization_off', profile: '- personalization_off', 'store_trait:computed': '- personalization_off' },
  minor: {
    personalize: MINOR, profile: MINOR, 'send_marketing:email': MINOR, 'send_marketing:sms': MINOR,
    'send_transactional:email': TRANSACTIONAL, 'store_trait:basic': '+ basic_trait',
    'store_trait:behavioural': MINOR, 'store_trait:sensitive': MINOR, 'store_trait:computed': MINOR,
    share_third_party: MINOR, export: '+ data_subject_right',
  },
  minor_with_guardian: GRANTED,
  outdated_notice: {
    personalize: '- consent_outdated:personalization',
    profile: '- consent_outdated:profiling',
    'send_marketing:email': '- consent_outdated:marketing_email',
    'send_marketing:sms': '- consent_outdated:marketing_sms',
    'send_transactional:email': TRANSACTIONAL,
    'store_trait:basic': '+ basic_trait',
    'store_trait:behavioural': '- consent_outdated:analytics',
    'store_trait:sensitive': '- consent_outdated:sensitive_data',
    'store_trait:computed': '- consent_outdated:profiling',
    share_third_party: '- consent_outdated:third_party_sharing',
    export: '+ data_subject_right',
  },
};
// In the US, purposes other than SMS, webhook and sensitive data are on until the person opts out.
const US: Record<ScenarioName, Expected> = {
  ...OPT_IN,
  none: {
    personalize: '+ legal_basis:personalization',
    profile: '+ legal_basis:profiling',
    'send_marketing:email': '- not_subscribed:email',
    'send_marketing:sms': '- no_consent:marketing_sms not_subscribed:sms',
    'send_transactional:email': TRANSACTIONAL,
    'store_trait:basic': '+ basic_trait',
    'store_trait:behavioural': '+ legal_basis:analytics',
    'store_trait:sensitive': '- no_consent:sensitive_data',
    'store_trait:computed': '+ legal_basis:profiling',
    share_third_party: '+ legal_basis:third_party_sharing',
    export: '+ data_subject_right',
  },
  outdated_notice: {
    personalize: '+ legal_basis:personalization',
    profile: '+ legal_basis:profiling',
    'send_marketing:email': '+ legal_basis:marketing_email subscribed:email',
    'send_marketing:sms': '- consent_outdated:marketing_sms',
    'send_transactional:email': TRANSACTIONAL,
    'store_trait:basic': '+ basic_trait',
    'store_trait:behavioural': '+ legal_basis:analytics',
    'store_trait:sensitive': '- consent_outdated:sensitive_data',
    'store_trait:computed': '+ legal_basis:profiling',
    share_third_party: '+ legal_basis:third_party_sharing',
    export: '+ data_subject_right',
  },
};
const EXPECTED: Record<Jurisdiction, Record<ScenarioName, Expected>> = { CN: OPT_IN, EU: OPT_IN, UK: OPT_IN, OTHER: OPT_IN, US };

function outcome(request: PolicyRequest): string {
  const d = decide(request);
  return `${d.allowed ? '+' : '-'} ${d.reasons.map((r) => r.code).sort().join(' ')}`;
}
const normalize = (expected: string) => {
  const [sign, ...codes] = expected.split(' ');
  return `${sign} ${codes.sort().join(' ')}`;
};

describe('decide: jurisdictions × scenarios × actions', () => {
  it('covers every policy action', () => {
    expect(new Set(Object.values(CASES).map((c) => c.action))).toEqual(new Set(POLICY_ACTIONS));
  });

  const rows: Array<[Jurisdiction, ScenarioName, CaseName]> = [];
  for (const j of JURISDICTIONS) for (const s of Object.keys(SCENARIOS) as ScenarioName[]) for (const c of Object.keys(CASES) as CaseName[]) rows.push([j, s, c]);

  it.each(rows)('%s / %s / %s', (j, s, c) => {
    const request: PolicyRequest = { ...CASES[c], person: person(s, j), workspace: DEFAULT_WORKSPACE_POLICY, now: NOW };
    expect(outcome(request)).toBe(normalize(EXPECTED[j][s][c]));
  });

  it('checks marketing on push and webhook with their own purposes and subscriptions', () => {
    const p = person('none', 'US');
    expect(outcome({ action: 'send_marketing', channel: 'push', person: p, workspace: DEFAULT_WORKSPACE_POLICY, now: NOW })).toBe('- not_subscribed:push');
    expect(outcome({ action: 'send_marketing', channel: 'webhook', person: p, workspace: DEFAULT_WORKSPACE_POLICY, now: NOW })).toBe('- no_consent:marketing_webhook not_subscribed:webhook');
  });
});

describe('decide: request and state checks', () => {
  const base = (o: Partial<PolicyRequest> = {}): PolicyRequest => ({ action: 'personalize', person: person('all_granted', 'EU'), workspace: DEFAULT_WORKSPACE_POLICY, now: NOW, ...o });

  it('refuses a consent state older than the workspace accepts (P5: 1 s)', () => {
    expect(decide(base({ now: NOW + 1000 })).allowed).toBe(true);
    const late = decide(base({ now: NOW + 1001 }));
    expect(late.allowed).toBe(false);
    expect(late.reasons).toEqual([{ code: 'stale_state', message: 'the consent state is 1001 ms old; at most 1000 ms is accepted' }]);
    expect(decide(base({ now: NOW + 5000, workspace: { ...DEFAULT_WORKSPACE_POLICY, maxStateAgeMs: 10_000 } })).allowed).toBe(true);
  });

  it('refuses a send with a stale subscription state even when the consent state is fresh (P16)', () => {
    const p = person('all_granted', 'EU');
    const subscriptions = subscriptionStateAt({ records: subscribedAll, at: NOW - 5000 });
    const d = decide(base({ action: 'send_marketing', channel: 'email', person: { ...p, subscriptions } }));
    expect(d.reasons.map((r) => r.code)).toEqual(['stale_state']);
    expect(d.reasons[0]?.message).toMatch(/^the subscription state is 5000 ms old/);
  });

  it('does not need a fresh state for what reads none: export and basic traits', () => {
    expect(decide(base({ action: 'export', now: NOW + 60_000 })).allowed).toBe(true);
    expect(decide(base({ action: 'store_trait', trait: { sensitivity: 'basic', computed: false }, now: NOW + 60_000 })).allowed).toBe(true);
  });

  it('refuses a consent state computed under another jurisdiction', () => {
    const p = person('all_granted', 'US');
    const d = decide(base({ person: { ...p, jurisdiction: 'CN' } }));
    expect(d.allowed).toBe(false);
    expect(d.reasons.map((r) => r.code)).toEqual(['jurisdiction_mismatch']);
  });

  it('needs a channel for sends and a descriptor for store_trait', () => {
    expect(decide(base({ action: 'send_marketing' })).reasons.map((r) => r.code)).toEqual(['channel_required']);
    expect(decide(base({ action: 'send_transactional' })).reasons.map((r) => r.code)).toEqual(['channel_required']);
    expect(decide(base({ action: 'store_trait' })).reasons.map((r) => r.code)).toEqual(['trait_required']);
  });

  it('refuses an action it does not know (untyped callers)', () => {
    const d = decide(base({ action: 'sell' as PolicyAction }));
    expect(d.allowed).toBe(false);
    expect(d.reasons[0]?.code).toBe('unknown_action');
  });

  it('treats unknown ages as minors only where the workspace says so', () => {
    const strict = { ...DEFAULT_WORKSPACE_POLICY, unknownAgeIsMinor: true };
    expect(decide(base()).allowed).toBe(true);
    expect(decide(base({ workspace: strict })).reasons.map((r) => r.code)).toEqual(['age_unknown']);
    const guarded = person('minor_with_guardian', 'EU');
    expect(decide(base({ workspace: strict, person: { ...guarded, isMinor: undefined } })).allowed).toBe(true);
    const adult = person('all_granted', 'EU');
    expect(decide(base({ workspace: strict, person: { ...adult, isMinor: false } })).allowed).toBe(true);
  });

  it('gives every refusal at once, not only the first', () => {
    const p = person('all_withdrawn', 'CN');
    const d = decide(base({ action: 'send_marketing', channel: 'email', person: { ...p, isMinor: true, personalizationOff: true } }));
    expect(d.reasons.map((r) => r.code).sort()).toEqual(['minor_without_guardian_consent', 'no_consent:marketing_email', 'unsubscribed:email']);
    expect(d.purposes).toEqual(['marketing_email']);
  });

  it('explains refusals with the decisive record or default', () => {
    const withdrawn = decide(base({ person: person('all_withdrawn', 'EU') }));
    expect(withdrawn.reasons[0]?.message).toBe('personalization withdrawn on 2024-06-01T11:59:59.000Z (source ui)');
    const never = decide(base({ person: person('none', 'CN') }));
    expect(never.reasons[0]?.message).toBe('personalization is off until granted (CN default)');
    const outdated = decide(base({ person: person('outdated_notice', 'EU') }));
    expect(outdated.reasons[0]?.message).toMatch(/granted under notice v0; notice v1 needs fresh consent/);
  });

  it('names a workspace-chosen legal basis in the grounds', () => {
    const workspace: ConsentContext = { jurisdiction: 'EU', overrides: [{ purpose: 'marketing_email', default: 'on', legalBasis: 'legitimate_interests' }], notices };
    const p: PersonPrivacy = { ...person('none', 'EU'), consents: consentStateAt({ records: [], workspace, at: NOW }), subscriptions: subscriptionStateAt({ records: subscribedAll, at: NOW }) };
    const d = decide(base({ action: 'send_marketing', channel: 'email', person: p }));
    expect(d.allowed).toBe(true);
    expect(d.reasons).toContainEqual({ code: 'legal_basis:marketing_email', message: 'marketing_email rests on legitimate_interests (workspace setting)' });
  });

  it('refuses, rather than guesses, when the state has no entry for a purpose', () => {
    const p = person('all_granted', 'EU');
    const { personalization: _dropped, ...purposes } = p.consents.purposes;
    const d = decide(base({ person: { ...p, consents: { ...p.consents, purposes: purposes as unknown as typeof p.consents.purposes } } }));
    expect(d.reasons.map((r) => r.code)).toEqual(['no_consent:personalization']);
  });

  it('checks both profiling and sensitive data for a computed sensitive trait', () => {
    const p = person('none', 'US');
    const d = decide(base({ action: 'store_trait', trait: { sensitivity: 'sensitive', computed: true }, person: p }));
    expect(d.reasons.map((r) => r.code)).toEqual(['no_consent:sensitive_data']);
    expect(d.purposes).toEqual(['profiling', 'sensitive_data']);
  });
});
