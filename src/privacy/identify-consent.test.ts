import { describe, expect, it } from 'vitest';
import { consentStateAt, type ConsentContext, type ConsentRecord } from './consent-ledger.js';
import { consentFromIdentify, identifyConsentSettingsSchema } from './identify-consent.js';

const NOW = Date.parse('2024-04-01T00:00:00Z');
const workspace: ConsentContext = {
  jurisdiction: 'EU',
  overrides: [],
  notices: [{ purpose: 'marketing_email', version: 'm2', effectiveFrom: 0 }, { purpose: 'analytics', version: 'a1', effectiveFrom: 0 }],
};
const settings = identifyConsentSettingsSchema.parse({
  categories: { Advertising: ['marketing_email', 'marketing_push'], Analytics: ['analytics'], DataSharing: ['third_party_sharing'] },
});
const empty = consentStateAt({ records: [], workspace, at: NOW });
const read = (message: Parameters<typeof consentFromIdentify>[0]['message'], state = empty, s = settings) =>
  consentFromIdentify({ message, settings: s, workspace, state, now: NOW });

describe('consentFromIdentify: Segment Consent Management form', () => {
  it('maps categoryPreferences to purposes through the workspace mapping', () => {
    // The example object from Segment's "Consent on the Profile" documentation.
    const r = read({ context: { consent: { categoryPreferences: { Advertising: true, Analytics: false, Functional: true, DataSharing: false } } } });
    expect(r.decisions).toEqual([
      { purpose: 'marketing_email', decision: 'granted', noticeVersion: 'm2', source: 'identify', method: 'context.consent.categoryPreferences.Advertising; notice assumed current' },
      { purpose: 'marketing_push', decision: 'granted', noticeVersion: 'unversioned', source: 'identify', method: 'context.consent.categoryPreferences.Advertising; notice assumed current' },
      { purpose: 'analytics', decision: 'denied', source: 'identify', method: 'context.consent.categoryPreferences.Analytics' },
      { purpose: 'third_party_sharing', decision: 'denied', source: 'identify', method: 'context.consent.categoryPreferences.DataSharing' },
    ]);
    expect(r.unmappedCategories).toEqual(['Functional']);
    expect(r.issues).toEqual([]);
  });

  it('changes nothing for calls without consent or with an empty consent object', () => {
    for (const message of [{}, { context: {} }, { context: { consent: {} } }, { context: { consent: { categoryPreferences: {} } } }]) {
      expect(read(message).decisions).toEqual([]);
    }
  });

  it('records only changes: a CMP repeating the same preferences adds nothing', () => {
    const message = { context: { consent: { categoryPreferences: { Advertising: true, Analytics: false } } } };
    const first = read(message);
    const records: ConsentRecord[] = first.decisions.map((d, i) => ({ ...d, id: `c${i}`, profileId: 'p', noticeVersion: d.noticeVersion ?? 'a1', jurisdiction: 'EU', recordedAt: NOW }));
    const state = consentStateAt({ records, workspace, at: NOW });
    expect(read(message, state).decisions).toEqual([]);
  });

  it('turns a later "false" into a withdrawal of an earlier grant', () => {
    const grant: ConsentRecord = { id: 'g', profileId: 'p', purpose: 'analytics', decision: 'granted', noticeVersion: 'a1', source: 'ui', jurisdiction: 'EU', recordedAt: NOW - 1 };
    const state = consentStateAt({ records: [grant], workspace, at: NOW });
    expect(read({ context: { consent: { categoryPreferences: { Analytics: false } } } }, state).decisions)
      .toEqual([{ purpose: 'analytics', decision: 'withdrawn', source: 'identify', method: 'context.consent.categoryPreferences.Analytics' }]);
  });

  it('ignores grants without a notice version when the workspace does not assume the current one', () => {
    const strict = identifyConsentSettingsSchema.parse({ categories: { Analytics: ['analytics'] }, assumeCurrentNotice: false });
    const r = read({ context: { consent: { categoryPreferences: { Analytics: true } } } }, empty, strict);
    expect(r.decisions).toEqual([]);
    expect(r.issues[0]).toMatch(/without a notice version is ignored/);
    const withVersion = read({ context: { consent: { categoryPreferences: { Analytics: true }, noticeVersion: 'a1' } } }, empty, strict);
    expect(withVersion.decisions).toEqual([{ purpose: 'analytics', decision: 'granted', noticeVersion: 'a1', source: 'identify', method: 'context.consent.categoryPreferences.Analytics' }]);
  });
});

describe("consentFromIdentify: Tailor's purposes form", () => {
  it('reads traits.consent.purposes with notice versions and a method', () => {
    const r = read({ traits: { consent: { purposes: { marketing_email: true, profiling: 'withdrawn', analytics: 'granted' }, noticeVersion: 'x', noticeVersions: { marketing_email: 'm2' }, method: 'signup form' } } });
    expect(r.decisions).toEqual([
      { purpose: 'marketing_email', decision: 'granted', noticeVersion: 'm2', source: 'identify', method: 'signup form (traits.consent.purposes.marketing_email)' },
      { purpose: 'profiling', decision: 'denied', source: 'identify', method: 'signup form (traits.consent.purposes.profiling)' },
      { purpose: 'analytics', decision: 'granted', noticeVersion: 'x', source: 'identify', method: 'signup form (traits.consent.purposes.analytics)' },
    ]);
  });

  it('lets "no" win when the forms disagree about a purpose', () => {
    const r = read({
      context: { consent: { categoryPreferences: { Advertising: true } } },
      traits: { consent: { purposes: { marketing_email: false } } },
    });
    expect(r.decisions.find((d) => d.purpose === 'marketing_email')).toMatchObject({ decision: 'denied', method: 'traits.consent.purposes.marketing_email' });
    expect(r.decisions.find((d) => d.purpose === 'marketing_push')).toMatchObject({ decision: 'granted' });
  });

  it('reports unknown purposes and malformed objects without failing', () => {
    const r = read({ context: { consent: { purposes: { newsletter: true } } }, traits: { consent: { categoryPreferences: { Advertising: 'yes' } } } });
    expect(r.decisions).toEqual([]);
    expect(r.issues).toHaveLength(2);
    expect(r.issues[0]).toMatch(/context\.consent\.purposes\.newsletter: unknown purpose "newsletter"; valid purposes: analytics/);
    expect(r.issues[1]).toMatch(/traits\.consent\.categoryPreferences\.Advertising/);
  });
});

describe('identifyConsentSettingsSchema', () => {
  it('refuses mapping a category to an unknown purpose', () => {
    const r = identifyConsentSettingsSchema.safeParse({ categories: { Ads: ['ads'] } });
    expect(r.error?.issues[0]?.path).toEqual(['categories', 'Ads', 0]);
  });
});
