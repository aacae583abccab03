import { describe, expect, it } from 'vitest';
import { JURISDICTIONS, defaultOverrideSchema, isMinorAt, minorAgeThreshold, purposeDefaultsSettingsSchema, purposeDefaults, validatePurposeDefaults, type Jurisdiction } from './jurisdictions.js';
import type { Purpose } from './purposes.js';

const ALL: Purpose[] = ['analytics', 'personalization', 'profiling', 'marketing_email', 'marketing_sms', 'marketing_push', 'marketing_webhook', 'third_party_sharing', 'sensitive_data', 'transactional_messages'];
// Expected "on by default" per jurisdiction, written by hand from P3 and the US statutes.
const ON_BY_DEFAULT: Record<Jurisdiction, Purpose[]> = {
  CN: ['transactional_messages'],
  EU: ['transactional_messages'],
  UK: ['transactional_messages'],
  OTHER: ['transactional_messages'],
  US: ['analytics', 'personalization', 'profiling', 'marketing_email', 'marketing_push', 'third_party_sharing', 'transactional_messages'],
};

const settings = (raw: unknown) => purposeDefaultsSettingsSchema.parse(raw);

describe('purposeDefaults (P3)', () => {
  it('covers the jurisdictions of the workspace contract', () => {
    expect([...JURISDICTIONS].sort()).toEqual(['CN', 'EU', 'OTHER', 'UK', 'US']);
  });

  for (const j of ['CN', 'EU', 'UK', 'US', 'OTHER'] as const) {
    it(`in ${j}, turns on exactly the expected purposes without overrides`, () => {
      const d = purposeDefaults({ jurisdiction: j, overrides: [] });
      expect(ALL.filter((p) => d[p].on).sort()).toEqual([...ON_BY_DEFAULT[j]].sort());
      for (const p of ALL) {
        expect(d[p].origin).toBe('jurisdiction');
        if (!d[p].on) expect(d[p].legalBasis).toBe('consent');
      }
    });
  }

  it('rests order emails on the contract and US opt-out purposes on notice and opt-out', () => {
    expect(purposeDefaults({ jurisdiction: 'CN', overrides: [] }).transactional_messages).toEqual({ purpose: 'transactional_messages', on: true, legalBasis: 'contract', origin: 'jurisdiction' });
    expect(purposeDefaults({ jurisdiction: 'US', overrides: [] }).marketing_email.legalBasis).toBe('notice_and_opt_out');
  });

  it('applies workspace overrides in both directions', () => {
    const overrides = settings({ overrides: [
      { purpose: 'analytics', default: 'on', legalBasis: 'legitimate_interests', note: 'first-party aggregate statistics' },
      { purpose: 'third_party_sharing', default: 'off' },
    ] }).overrides;
    const eu = purposeDefaults({ jurisdiction: 'EU', overrides });
    expect(eu.analytics).toEqual({ purpose: 'analytics', on: true, legalBasis: 'legitimate_interests', origin: 'workspace_override' });
    const us = purposeDefaults({ jurisdiction: 'US', overrides });
    expect(us.third_party_sharing).toEqual({ purpose: 'third_party_sharing', on: false, legalBasis: 'consent', origin: 'workspace_override' });
  });
});

describe('override validation', () => {
  it('refuses an override that turns a purpose on by consent', () => {
    const r = defaultOverrideSchema.safeParse({ purpose: 'marketing_email', default: 'on', legalBasis: 'consent' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['legalBasis']);
    expect(r.error?.issues[0]?.message).toMatch(/other than consent/);
  });

  it('refuses an on override without a legal basis, and an unknown purpose with the valid list', () => {
    expect(defaultOverrideSchema.safeParse({ purpose: 'marketing_email', default: 'on' }).success).toBe(false);
    const r = defaultOverrideSchema.safeParse({ purpose: 'ads', default: 'off' });
    expect(r.error?.issues[0]?.message).toContain('valid purposes: analytics');
    expect(defaultOverrideSchema.safeParse({ purpose: 'ads', default: 'maybe' }).error?.issues[0]?.message).toMatch(/"on".*"off"/);
  });

  it('refuses a basis the purpose cannot rest on', () => {
    const r = validatePurposeDefaults({ jurisdiction: 'EU', settings: settings({ overrides: [{ purpose: 'sensitive_data', default: 'on', legalBasis: 'legitimate_interests' }] }) });
    expect(r).toEqual({ ok: false, error: [{ path: 'overrides[0].legalBasis', message: 'sensitive_data may rest only on consent; not on legitimate_interests' }] });
  });

  it('refuses legitimate interests in CN, where PIPL 13 does not know it, but accepts it in the EU', () => {
    const s = settings({ overrides: [{ purpose: 'marketing_email', default: 'on', legalBasis: 'legitimate_interests' }] });
    const cn = validatePurposeDefaults({ jurisdiction: 'CN', settings: s });
    expect(cn.ok).toBe(false);
    expect(!cn.ok && cn.error[0]?.message).toMatch(/^legitimate_interests is not a legal basis in CN .*none: this purpose needs consent there$/);
    expect(validatePurposeDefaults({ jurisdiction: 'EU', settings: s }).ok).toBe(true);
  });

  it('refuses the opt-out model outside the US and OTHER', () => {
    const s = settings({ overrides: [{ purpose: 'analytics', default: 'on', legalBasis: 'notice_and_opt_out' }] });
    expect(validatePurposeDefaults({ jurisdiction: 'EU', settings: s }).ok).toBe(false);
    expect(validatePurposeDefaults({ jurisdiction: 'UK', settings: s }).ok).toBe(false);
    expect(validatePurposeDefaults({ jurisdiction: 'US', settings: s }).ok).toBe(true);
  });

  it('accepts contract for order-related purposes in CN', () => {
    const s = settings({ overrides: [{ purpose: 'third_party_sharing', default: 'on', legalBasis: 'contract', note: 'courier needs the address' }] });
    expect(validatePurposeDefaults({ jurisdiction: 'CN', settings: s })).toEqual({ ok: true, value: s });
  });

  it('refuses two overrides of one purpose and a minor age under the floor', () => {
    const s = settings({ overrides: [{ purpose: 'analytics', default: 'off' }, { purpose: 'analytics', default: 'off' }], minorAgeThreshold: 13 });
    const r = validatePurposeDefaults({ jurisdiction: 'CN', settings: s });
    expect(!r.ok && r.error.map((i) => i.path)).toEqual(['overrides[1].purpose', 'minorAgeThreshold']);
    expect(validatePurposeDefaults({ jurisdiction: 'EU', settings: settings({ minorAgeThreshold: 13 }) }).ok).toBe(true);
  });
});

describe('minors (P11)', () => {
  it('uses the statutory thresholds unless the workspace sets one', () => {
    expect(minorAgeThreshold({ jurisdiction: 'CN' })).toBe(14); // PIPL 28, 31
    expect(minorAgeThreshold({ jurisdiction: 'EU' })).toBe(16); // GDPR 8(1)
    expect(minorAgeThreshold({ jurisdiction: 'US' })).toBe(13); // COPPA
    expect(minorAgeThreshold({ jurisdiction: 'EU', threshold: 15 })).toBe(15);
  });

  it('counts age to the day, in UTC', () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    expect(isMinorAt({ birthDate: '2012-06-01', threshold: 14, now })).toBe(false);
    expect(isMinorAt({ birthDate: '2012-06-02', threshold: 14, now })).toBe(true);
    expect(isMinorAt({ birthDate: '2012-06-01', threshold: 14, now: now - 1 })).toBe(true);
  });

  it('lets a 29 February birthday come of age on 1 March of a common year', () => {
    expect(isMinorAt({ birthDate: '2008-02-29', threshold: 14, now: Date.parse('2022-02-28T23:59:59Z') })).toBe(true);
    expect(isMinorAt({ birthDate: '2008-02-29', threshold: 14, now: Date.parse('2022-03-01T00:00:00Z') })).toBe(false);
  });

  it('answers undefined for dates it cannot read, and for births in the future', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    for (const birthDate of ['2012-02-30', '12/06/2012', '', '2030-01-01']) expect(isMinorAt({ birthDate, threshold: 14, now })).toBeUndefined();
  });
});
