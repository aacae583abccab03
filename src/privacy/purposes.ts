import { z } from 'zod';

/**
 * The purposes registry (PRIVACY.md P1). Every processing activity in Tailor names one of
 * these purposes; code that uses personal data for a purpose not listed here must not exist.
 * The registry is the record of processing activities the controller keeps under GDPR
 * Art. 30(1)(b) and the "purpose and method of processing" PIPL Art. 17(1)(2) requires in
 * the notice.
 *
 * Adding a purpose: append it to `PURPOSES`, describe it in `PURPOSE_REGISTRY` (the compiler
 * insists), give it a default in every jurisdiction (src/privacy/jurisdictions.ts derives
 * them) and list it in README.md.
 */
export const PURPOSES = [
  'analytics',
  'personalization',
  'profiling',
  'marketing_email',
  'marketing_sms',
  'marketing_push',
  'marketing_webhook',
  'third_party_sharing',
  'sensitive_data',
  'transactional_messages',
] as const;
export type Purpose = (typeof PURPOSES)[number];

/**
 * Grounds a processing activity may rest on. The first six are GDPR Art. 6(1)(a)–(f);
 * PIPL Art. 13 knows the first five (it has no "legitimate interests"). `notice_and_opt_out`
 * is the US model (CAN-SPAM, CCPA): processing after notice until the person opts out.
 * Which bases a jurisdiction recognizes is in jurisdictions.ts.
 */
export const LEGAL_BASES = [
  'consent',
  'contract',
  'legal_obligation',
  'vital_interests',
  'public_task',
  'legitimate_interests',
  'notice_and_opt_out',
] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

/**
 * Bases under which the person can stop the processing by saying no: consent can be
 * withdrawn (GDPR 7(3), PIPL 15), legitimate interests can be objected to (GDPR 21; for
 * direct marketing absolutely, 21(3)), an opt-out model is defined by the opt-out.
 * Under the other bases (contract, legal obligation…) a "no" is recorded but does not stop
 * the processing.
 */
export const REFUSABLE_BASES: readonly LegalBasis[] = ['consent', 'legitimate_interests', 'notice_and_opt_out'];

/** What the registry says about one purpose. */
export interface PurposeDefinition {
  readonly name: Purpose;
  /** One sentence a person can understand: it is shown in notices and the privacy dashboard. */
  readonly description: string;
  /** True when the purpose rests on consent unless a workspace names another basis (P3). */
  readonly consentBased: boolean;
  /** Every basis this purpose may rest on; a workspace override must pick one of them. */
  readonly legalBases: readonly LegalBasis[];
  /** The basis used when the purpose is not consent-based (e.g. `contract` for order emails). */
  readonly defaultLegalBasis: LegalBasis;
  /** The articles that make the purpose consent-based or allow its bases. */
  readonly citation: string;
}

const marketing = (channel: string, citation: string): Omit<PurposeDefinition, 'name'> => ({
  description: `Sending promotional ${channel} messages: offers, newsletters, reminders and recommendations.`,
  consentBased: true,
  // Legitimate interests is the EU "soft opt-in" for existing customers (ePrivacy 13(2));
  // it does not exist under PIPL, which jurisdictions.ts enforces.
  legalBases: ['consent', 'legitimate_interests', 'notice_and_opt_out'],
  defaultLegalBasis: 'consent',
  citation,
});

/** The registry: one definition per purpose. */
export const PURPOSE_REGISTRY: { readonly [P in Purpose]: PurposeDefinition & { readonly name: P } } = {
  analytics: {
    name: 'analytics',
    description: 'Measuring how the shop and messages are used (page views, clicks, funnels, reports).',
    consentBased: true,
    legalBases: ['consent', 'legitimate_interests', 'notice_and_opt_out'],
    defaultLegalBasis: 'consent',
    citation: 'ePrivacy Directive 5(3) (device storage needs consent); GDPR 6(1)(a),(f); PIPL 13(1)',
  },
  personalization: {
    name: 'personalization',
    description: 'Choosing products, content and offers for a person from what we know about them.',
    consentBased: true,
    legalBases: ['consent', 'legitimate_interests', 'notice_and_opt_out'],
    defaultLegalBasis: 'consent',
    citation: 'PIPL 24(2), 14; Algorithmic Recommendation Provisions Art. 17; GDPR 6(1)(a), 21',
  },
  profiling: {
    name: 'profiling',
    description: 'Computing traits, segments and predictions about a person (RFM, churn risk, lifetime value).',
    consentBased: true,
    legalBases: ['consent', 'legitimate_interests', 'notice_and_opt_out'],
    defaultLegalBasis: 'consent',
    citation: 'GDPR 4(4), 21, 22; PIPL 24; Algorithmic Recommendation Provisions Art. 17',
  },
  marketing_email: { name: 'marketing_email', ...marketing('email', 'ePrivacy Directive 13(1),(2); CAN-SPAM 15 U.S.C. 7704; PIPL 13(1)') },
  marketing_sms: { name: 'marketing_sms', ...marketing('SMS', 'ePrivacy Directive 13(1); TCPA 47 CFR 64.1200(a)(2); PIPL 13(1)') },
  marketing_push: { name: 'marketing_push', ...marketing('push', 'ePrivacy Directive 5(3), 13(1); PIPL 13(1)') },
  marketing_webhook: {
    name: 'marketing_webhook',
    ...marketing('messages through a connected service (WeChat, WhatsApp, a partner platform)', 'ePrivacy Directive 13(1); PIPL 13(1), 23'),
  },
  third_party_sharing: {
    name: 'third_party_sharing',
    description: 'Giving personal data to another company that decides itself how to use it (ad networks, partners).',
    consentBased: true,
    legalBases: ['consent', 'contract', 'legal_obligation', 'legitimate_interests', 'notice_and_opt_out'],
    defaultLegalBasis: 'consent',
    citation: 'PIPL 23 (separate consent); GDPR 6(1); CCPA 1798.120 and regs 7025 (opt-out of sale/sharing, GPC)',
  },
  sensitive_data: {
    name: 'sensitive_data',
    description: 'Using sensitive information (health, precise location, biometrics, finances, children\'s data) for segments, features or templates.',
    consentBased: true,
    // Explicit / separate consent is the only basis for marketing uses of special categories.
    legalBases: ['consent'],
    defaultLegalBasis: 'consent',
    citation: 'GDPR 9(2)(a); PIPL 28, 29 (separate consent); Virginia CDPA 59.1-578(A)(5)',
  },
  transactional_messages: {
    name: 'transactional_messages',
    description: 'Messages needed to deliver what the person asked for: order confirmations, shipping updates, receipts, password resets.',
    consentBased: false,
    legalBases: ['contract', 'legal_obligation', 'legitimate_interests'],
    defaultLegalBasis: 'contract',
    citation: 'GDPR 6(1)(b); PIPL 13(2); CAN-SPAM 15 U.S.C. 7702(17) (transactional or relationship message)',
  },
};

const purposeList = PURPOSES.join(', ');

/**
 * A purpose name; the error lists the valid ones, so an API caller can correct the request.
 *
 * @example
 * purposeSchema.parse('marketing_email'); // 'marketing_email'
 * purposeSchema.safeParse('marketing').error?.issues[0]?.message;
 * // 'unknown purpose "marketing"; valid purposes: analytics, personalization, …'
 */
export const purposeSchema = z.enum(PURPOSES, {
  error: (issue) => `unknown purpose ${JSON.stringify(issue.input)}; valid purposes: ${purposeList}`,
});

/** A legal basis name; the error lists the valid ones. */
export const legalBasisSchema = z.enum(LEGAL_BASES, {
  error: (issue) => `unknown legal basis ${JSON.stringify(issue.input)}; valid bases: ${LEGAL_BASES.join(', ')}`,
});

/**
 * The registry entry of a purpose.
 *
 * @example
 * purposeDefinition('transactional_messages').defaultLegalBasis; // 'contract'
 */
export function purposeDefinition(purpose: Purpose): PurposeDefinition {
  return PURPOSE_REGISTRY[purpose];
}

/**
 * Whether a string names a registered purpose (a type guard for data read back from storage).
 *
 * @example
 * isPurpose('profiling'); // true
 * isPurpose('ads'); // false
 */
export function isPurpose(value: string): value is Purpose {
  return (PURPOSES as readonly string[]).includes(value);
}
