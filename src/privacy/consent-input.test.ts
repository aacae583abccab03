import { describe, expect, it } from 'vitest';
import { consentBatchInputSchema, consentInputSchema, consentRecordFrom, withdrawAllDecisions } from './consent-input.js';
import { consentStateAt, type ConsentContext, type ConsentRecord } from './consent-ledger.js';

const NOW = Date.parse('2024-03-01T12:00:00Z');
const workspace: ConsentContext = { jurisdiction: 'CN', overrides: [], notices: [{ purpose: 'profiling', version: 'p-3', effectiveFrom: 0 }] };

describe('consentInputSchema', () => {
  it('accepts a grant with its notice version and defaults the source to api', () => {
    expect(consentInputSchema.parse({ purpose: 'marketing_sms', decision: 'granted', noticeVersion: '2024-02' }))
      .toEqual({ purpose: 'marketing_sms', decision: 'granted', noticeVersion: '2024-02', source: 'api' });
  });

  it('refuses a grant without a notice version, at that path', () => {
    const r = consentInputSchema.safeParse({ purpose: 'marketing_sms', decision: 'granted' });
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['noticeVersion', 'a grant must name the notice version the person saw']]);
  });

  it('accepts a withdrawal without a notice version (P4)', () => {
    expect(consentInputSchema.safeParse({ purpose: 'profiling', decision: 'withdrawn' }).success).toBe(true);
  });

  it('refuses sources that only Tailor may set, naming the valid ones', () => {
    for (const source of ['gpc', 'unsubscribe', 'identify']) {
      const r = consentInputSchema.safeParse({ purpose: 'profiling', decision: 'denied', source });
      expect(r.error?.issues[0]?.message).toMatch(/must be one of ui, api, import, double_opt_in/);
    }
  });

  it('accepts recordedAt for imports only, and only as a date-time with a zone', () => {
    expect(consentInputSchema.safeParse({ purpose: 'profiling', decision: 'denied', source: 'import', recordedAt: '2023-05-01T10:00:00+08:00' }).success).toBe(true);
    expect(consentInputSchema.safeParse({ purpose: 'profiling', decision: 'denied', source: 'ui', recordedAt: '2023-05-01T10:00:00Z' }).error?.issues[0]?.path).toEqual(['recordedAt']);
    expect(consentInputSchema.safeParse({ purpose: 'profiling', decision: 'denied', source: 'import', recordedAt: 'yesterday' }).success).toBe(false);
  });

  it('names the bad purpose and decision', () => {
    const r = consentInputSchema.safeParse({ purpose: 'newsletter', decision: 'yes' });
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['purpose', 'decision']);
  });

  it('bounds a batch', () => {
    expect(consentBatchInputSchema.safeParse({ consents: [] }).success).toBe(false);
    expect(consentBatchInputSchema.safeParse({ consents: [{ purpose: 'analytics', decision: 'denied' }] }).success).toBe(true);
  });
});

describe('consentRecordFrom', () => {
  it('stamps time, jurisdiction and id; refusals take the notice in force', () => {
    const input = consentInputSchema.parse({ purpose: 'profiling', decision: 'withdrawn', method: 'dashboard switch' });
    expect(consentRecordFrom({ input, profileId: 'p9', workspace, now: NOW, id: 'c-1' })).toEqual({
      ok: true,
      value: { id: 'c-1', profileId: 'p9', purpose: 'profiling', decision: 'withdrawn', noticeVersion: 'p-3', source: 'api', method: 'dashboard switch', jurisdiction: 'CN', recordedAt: NOW },
    });
  });

  it('keeps the time of an imported decision and refuses one in the future', () => {
    const past = consentInputSchema.parse({ purpose: 'analytics', decision: 'granted', noticeVersion: 'a1', source: 'import', recordedAt: '2023-05-01T10:00:00+08:00' });
    const r = consentRecordFrom({ input: past, profileId: 'p', workspace, now: NOW, id: 'c' });
    expect(r.ok && r.value.recordedAt).toBe(Date.parse('2023-05-01T02:00:00Z'));
    const future = consentInputSchema.parse({ purpose: 'analytics', decision: 'denied', source: 'import', recordedAt: '2024-03-01T12:00:01Z' });
    expect(consentRecordFrom({ input: future, profileId: 'p', workspace, now: NOW, id: 'c' })).toEqual({ ok: false, error: { type: 'recorded_in_future', recordedAt: NOW + 1000, now: NOW } });
  });

  it('refuses a grant without a notice version that did not come through the schema', () => {
    const r = consentRecordFrom({ input: { purpose: 'analytics', decision: 'granted', source: 'gpc' }, profileId: 'p', workspace, now: NOW, id: 'c' });
    expect(r).toEqual({ ok: false, error: { type: 'notice_version_required', purpose: 'analytics' } });
  });
});

describe('withdrawAllDecisions (P4)', () => {
  const grant = (purpose: ConsentRecord['purpose'], version: string): ConsentRecord =>
    ({ id: purpose, profileId: 'p', purpose, decision: 'granted', noticeVersion: version, source: 'ui', jurisdiction: 'US', recordedAt: NOW - 1 });

  it('withdraws own grants and opts out of default-on purposes, leaving contract purposes alone', () => {
    const us: ConsentContext = { jurisdiction: 'US', overrides: [], notices: [] };
    const state = consentStateAt({ records: [grant('marketing_sms', 'unversioned')], workspace: us, at: NOW });
    const decisions = withdrawAllDecisions({ state, source: 'ui', method: 'withdraw all' });
    const byPurpose = Object.fromEntries(decisions.map((d) => [d.purpose, d.decision]));
    expect(byPurpose).toEqual({
      analytics: 'denied', personalization: 'denied', profiling: 'denied', marketing_email: 'denied', marketing_push: 'denied',
      third_party_sharing: 'denied', marketing_sms: 'withdrawn',
    });
    expect(decisions.every((d) => d.source === 'ui' && d.method === 'withdraw all')).toBe(true);
    // Applying them leaves nothing refusable allowed.
    const records = [grant('marketing_sms', 'unversioned'), ...decisions.map((d, i): ConsentRecord => ({ ...d, id: `w${i}`, profileId: 'p', noticeVersion: 'unversioned', jurisdiction: 'US', recordedAt: NOW }))];
    const after = consentStateAt({ records, workspace: us, at: NOW });
    expect(Object.values(after.purposes).filter((s) => s.allowed).map((s) => s.purpose)).toEqual(['transactional_messages']);
  });
});
