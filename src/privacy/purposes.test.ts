import { describe, expect, it } from 'vitest';
import { LEGAL_BASES, PURPOSES, PURPOSE_REGISTRY, isPurpose, legalBasisSchema, purposeDefinition, purposeSchema } from './purposes.js';

// Written out by hand from PRIVACY.md P1 and the task, not derived from the module.
const EXPECTED_PURPOSES = [
  'analytics', 'personalization', 'profiling', 'marketing_email', 'marketing_sms', 'marketing_push',
  'marketing_webhook', 'third_party_sharing', 'sensitive_data', 'transactional_messages',
];

describe('purposes registry (P1)', () => {
  it('holds exactly the declared purposes, each described under its own name', () => {
    expect([...PURPOSES].sort()).toEqual([...EXPECTED_PURPOSES].sort());
    for (const p of PURPOSES) {
      expect(PURPOSE_REGISTRY[p].name).toBe(p);
      expect(PURPOSE_REGISTRY[p].description.length).toBeGreaterThan(20);
      expect(PURPOSE_REGISTRY[p].citation).not.toBe('');
    }
  });

  it('makes every purpose consent-based except transactional messages, which rest on the contract', () => {
    const notConsentBased = PURPOSES.filter((p) => !PURPOSE_REGISTRY[p].consentBased);
    expect(notConsentBased).toEqual(['transactional_messages']);
    expect(purposeDefinition('transactional_messages').defaultLegalBasis).toBe('contract');
    expect(purposeDefinition('transactional_messages').legalBases).not.toContain('consent');
  });

  it('keeps each default basis among the bases the purpose may rest on, and consent for consent-based purposes', () => {
    for (const p of PURPOSES) {
      const d = PURPOSE_REGISTRY[p];
      expect(d.legalBases).toContain(d.defaultLegalBasis);
      if (d.consentBased) expect(d.defaultLegalBasis).toBe('consent');
      for (const b of d.legalBases) expect(LEGAL_BASES).toContain(b);
    }
  });

  it('lets sensitive data rest on consent only (GDPR 9(2)(a), PIPL 29)', () => {
    expect(purposeDefinition('sensitive_data').legalBases).toEqual(['consent']);
  });

  it('rejects an unknown purpose with the list of valid ones', () => {
    const r = purposeSchema.safeParse('marketing');
    expect(r.success).toBe(false);
    const message = r.error?.issues[0]?.message ?? '';
    expect(message).toContain('unknown purpose "marketing"');
    for (const p of EXPECTED_PURPOSES) expect(message).toContain(p);
    expect(purposeSchema.parse('profiling')).toBe('profiling');
    expect(purposeSchema.safeParse(42).error?.issues[0]?.message).toContain('unknown purpose 42');
  });

  it('rejects an unknown legal basis with the list of valid ones', () => {
    const message = legalBasisSchema.safeParse('vibes').error?.issues[0]?.message ?? '';
    expect(message).toContain('"vibes"');
    expect(message).toContain('legitimate_interests');
  });

  it('tells purposes from other strings', () => {
    expect(isPurpose('marketing_sms')).toBe(true);
    expect(isPurpose('Marketing_sms')).toBe(false);
    expect(isPurpose('toString')).toBe(false);
  });
});
