import { describe, expect, it } from 'vitest';
import { consentStateAt, type ConsentContext, type ConsentRecord } from './consent-ledger.js';
import { unsubscribeChanges } from './subscriptions.js';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const record = (o: Partial<ConsentRecord>): ConsentRecord => ({ id: 'c1', profileId: 'p1', purpose: 'marketing_email', decision: 'granted', noticeVersion: 'v1', source: 'ui', jurisdiction: 'EU', recordedAt: T0, ...o });
const eu: ConsentContext = { jurisdiction: 'EU', overrides: [], notices: [] };
const us: ConsentContext = { jurisdiction: 'US', overrides: [], notices: [] };
const decisionFor = (records: ConsentRecord[], workspace: ConsentContext) =>
  unsubscribeChanges({ channel: 'email', source: 'api', state: consentStateAt({ records, workspace, at: T0 + 1 }) }).consent.decision;

describe('unsubscribeChanges with the consent state (P17)', () => {
  it('withdraws a grant in effect, or an outdated one', () => {
    expect(decisionFor([record({})], eu)).toBe('withdrawn');
    const bumped: ConsentContext = { ...eu, notices: [{ purpose: 'marketing_email', version: 'v2', effectiveFrom: T0 }] };
    expect(consentStateAt({ records: [record({})], workspace: bumped, at: T0 + 1 }).purposes.marketing_email.outdatedGrant).not.toBeNull();
    expect(decisionFor([record({})], bumped)).toBe('withdrawn');
  });

  it('records an opt-out as denied when no grant was in effect: off by default (EU), on by notice and opt-out (US), or already refused', () => {
    expect(decisionFor([], eu)).toBe('denied');
    expect(decisionFor([], us)).toBe('denied');
    expect(decisionFor([record({ decision: 'withdrawn' })], eu)).toBe('denied');
  });

  it('always writes the refusal, with source unsubscribe and the method given', () => {
    const state = consentStateAt({ records: [record({ purpose: 'marketing_sms', decision: 'withdrawn' })], workspace: eu, at: T0 + 1 });
    expect(unsubscribeChanges({ channel: 'sms', source: 'stop_reply', method: 'STOP', state }).consent)
      .toEqual({ purpose: 'marketing_sms', decision: 'denied', source: 'unsubscribe', method: 'STOP' });
  });
});
