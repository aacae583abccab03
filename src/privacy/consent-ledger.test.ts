import { describe, expect, it } from 'vitest';
import { consentRecordSchema, consentStateAt, currentConsentState, type ConsentContext, type ConsentRecord } from './consent-ledger.js';
import { UNVERSIONED_NOTICE, noticeVersionAt, type NoticePublication } from './notices.js';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const HOUR = 3_600_000;

let n = 0;
function record(overrides: Partial<ConsentRecord> = {}): ConsentRecord {
  n += 1;
  return {
    id: `c${n}`,
    profileId: 'p1',
    purpose: 'marketing_email',
    decision: 'granted',
    noticeVersion: 'v1',
    source: 'ui',
    jurisdiction: 'EU',
    recordedAt: T0,
    ...overrides,
  };
}

const notices: NoticePublication[] = [
  { purpose: 'marketing_email', version: 'v1', effectiveFrom: T0 - HOUR },
  { purpose: 'marketing_email', version: 'v2', effectiveFrom: T0 + 10 * HOUR },
];
const eu: ConsentContext = { jurisdiction: 'EU', overrides: [], notices };
const us: ConsentContext = { jurisdiction: 'US', overrides: [], notices };

describe('noticeVersionAt (P4)', () => {
  it('picks the version in force at a time', () => {
    expect(noticeVersionAt({ notices, purpose: 'marketing_email', at: T0 - HOUR - 1 })).toBe(UNVERSIONED_NOTICE);
    expect(noticeVersionAt({ notices, purpose: 'marketing_email', at: T0 })).toBe('v1');
    expect(noticeVersionAt({ notices, purpose: 'marketing_email', at: T0 + 10 * HOUR })).toBe('v2');
    expect(noticeVersionAt({ notices, purpose: 'profiling', at: T0 + 10 * HOUR })).toBe(UNVERSIONED_NOTICE);
  });

  it('lets the later publication win a tie on effectiveFrom', () => {
    const tie: NoticePublication[] = [{ purpose: 'analytics', version: 'a', effectiveFrom: 5 }, { purpose: 'analytics', version: 'b', effectiveFrom: 5 }];
    expect(noticeVersionAt({ notices: tie, purpose: 'analytics', at: 5 })).toBe('b');
  });
});

describe('consentStateAt (P2)', () => {
  it('applies the jurisdiction default when there are no records', () => {
    const s = consentStateAt({ records: [], workspace: eu, at: T0 });
    expect(s.jurisdiction).toBe('EU');
    expect(s.purposes.marketing_email).toMatchObject({ allowed: false, source: 'default', legalBasis: null, record: null, default: { on: false, legalBasis: 'consent', origin: 'jurisdiction' } });
    expect(s.purposes.transactional_messages).toMatchObject({ allowed: true, source: 'default', legalBasis: 'contract' });
    const u = consentStateAt({ records: [], workspace: us, at: T0 });
    expect(u.purposes.marketing_email).toMatchObject({ allowed: true, source: 'default', legalBasis: 'notice_and_opt_out' });
    expect(u.purposes.marketing_sms).toMatchObject({ allowed: false, source: 'default' });
  });

  it('turns a purpose on with a grant under the current notice, and names the record', () => {
    const g = record();
    const s = consentStateAt({ records: [g], workspace: eu, at: T0 });
    expect(s.purposes.marketing_email).toMatchObject({ allowed: true, source: 'record', legalBasis: 'consent', noticeVersion: 'v1' });
    expect(s.purposes.marketing_email.record).toBe(g);
    expect(s.purposes.marketing_sms.allowed).toBe(false);
  });

  it('rebuilds any past state from the append-only records', () => {
    const records = [record({ recordedAt: T0 }), record({ decision: 'withdrawn', recordedAt: T0 + 2 * HOUR }), record({ recordedAt: T0 + 4 * HOUR })];
    const at = (t: number) => consentStateAt({ records, workspace: eu, at: t }).purposes.marketing_email;
    expect(at(T0 - 1)).toMatchObject({ allowed: false, source: 'default' });
    expect(at(T0)).toMatchObject({ allowed: true, source: 'record' });
    expect(at(T0 + 2 * HOUR - 1).allowed).toBe(true);
    expect(at(T0 + 2 * HOUR)).toMatchObject({ allowed: false, source: 'record', record: { decision: 'withdrawn' } });
    expect(at(T0 + 4 * HOUR)).toMatchObject({ allowed: true, source: 'record', record: { recordedAt: T0 + 4 * HOUR } });
    expect(currentConsentState({ records, workspace: eu, now: T0 + 3 * HOUR }).purposes.marketing_email.allowed).toBe(false);
  });

  it('orders by time, and by append order within one millisecond', () => {
    const grant = record({ recordedAt: T0 });
    const withdraw = record({ decision: 'withdrawn', recordedAt: T0 });
    expect(consentStateAt({ records: [grant, withdraw], workspace: eu, at: T0 }).purposes.marketing_email.allowed).toBe(false);
    expect(consentStateAt({ records: [withdraw, grant], workspace: eu, at: T0 }).purposes.marketing_email.allowed).toBe(true);
    // An imported older grant appended after a newer withdrawal does not revive consent.
    const late = record({ source: 'import', recordedAt: T0 - 1000 });
    expect(consentStateAt({ records: [withdraw, late], workspace: eu, at: T0 }).purposes.marketing_email.allowed).toBe(false);
  });

  it('keeps purposes apart', () => {
    const s = consentStateAt({ records: [record({ purpose: 'profiling', noticeVersion: 'x' }), record({ purpose: 'analytics', decision: 'denied' })], workspace: eu, at: T0 });
    expect(s.purposes.profiling.allowed).toBe(true); // no notice published for profiling: any grant counts
    expect(s.purposes.analytics).toMatchObject({ allowed: false, source: 'record' });
    expect(s.purposes.marketing_email.allowed).toBe(false);
  });
});

describe('notice-version bumps (P4)', () => {
  const bump = T0 + 10 * HOUR;

  it('stops counting a grant once a newer notice is in force, and reports it as outdated', () => {
    const g = record({ noticeVersion: 'v1', recordedAt: T0 });
    const before = consentStateAt({ records: [g], workspace: eu, at: bump - 1 }).purposes.marketing_email;
    expect(before).toMatchObject({ allowed: true, noticeVersion: 'v1' });
    const after = consentStateAt({ records: [g], workspace: eu, at: bump }).purposes.marketing_email;
    expect(after).toMatchObject({ allowed: false, source: 'default', noticeVersion: 'v2', record: null });
    expect(after.outdatedGrant).toBe(g);
  });

  it('counts a fresh grant under the new notice, even if an old-version grant is appended later', () => {
    const fresh = record({ noticeVersion: 'v2', recordedAt: bump + HOUR });
    const stale = record({ noticeVersion: 'v1', source: 'import', recordedAt: bump + 2 * HOUR });
    const s = consentStateAt({ records: [record({ recordedAt: T0 }), fresh, stale], workspace: eu, at: bump + 3 * HOUR }).purposes.marketing_email;
    expect(s).toMatchObject({ allowed: true, source: 'record', outdatedGrant: null });
    expect(s.record).toBe(fresh);
  });

  it('does not count a grant under a version that is not yet in force', () => {
    const early = record({ noticeVersion: 'v2', recordedAt: T0 });
    expect(consentStateAt({ records: [early], workspace: eu, at: T0 }).purposes.marketing_email.allowed).toBe(false);
  });

  it('makes withdrawal effective whatever notice version it names', () => {
    const records = [record({ noticeVersion: 'v1' }), record({ decision: 'withdrawn', noticeVersion: 'old-page', recordedAt: T0 + 1 })];
    expect(consentStateAt({ records, workspace: eu, at: T0 + 1 }).purposes.marketing_email.allowed).toBe(false);
  });

  it('falls back to the opt-out default in the US when a grant is outdated', () => {
    const s = consentStateAt({ records: [record({ jurisdiction: 'US' })], workspace: us, at: bump }).purposes.marketing_email;
    expect(s).toMatchObject({ allowed: true, source: 'default', legalBasis: 'notice_and_opt_out' });
    expect(s.outdatedGrant?.noticeVersion).toBe('v1');
  });
});

describe('refusals and legal bases', () => {
  it('honours an opt-out of a purpose that is on by default in the US', () => {
    const s = consentStateAt({ records: [record({ purpose: 'third_party_sharing', decision: 'denied', source: 'gpc', jurisdiction: 'US' })], workspace: us, at: T0 });
    expect(s.purposes.third_party_sharing).toMatchObject({ allowed: false, source: 'record', legalBasis: null, record: { source: 'gpc' } });
  });

  it('honours an objection to a purpose a workspace rests on legitimate interests (GDPR 21)', () => {
    const workspace: ConsentContext = { ...eu, overrides: [{ purpose: 'analytics', default: 'on', legalBasis: 'legitimate_interests' }] };
    expect(consentStateAt({ records: [], workspace, at: T0 }).purposes.analytics).toMatchObject({ allowed: true, source: 'default', legalBasis: 'legitimate_interests', default: { origin: 'workspace_override' } });
    const s = consentStateAt({ records: [record({ purpose: 'analytics', decision: 'denied' })], workspace, at: T0 });
    expect(s.purposes.analytics).toMatchObject({ allowed: false, source: 'record' });
  });

  it('records but does not obey a refusal of processing that rests on the contract', () => {
    const refusal = record({ purpose: 'transactional_messages', decision: 'withdrawn' });
    const s = consentStateAt({ records: [refusal], workspace: eu, at: T0 }).purposes.transactional_messages;
    expect(s).toMatchObject({ allowed: true, source: 'default', legalBasis: 'contract' });
    expect(s.record).toBe(refusal);
  });
});

describe('consentRecordSchema', () => {
  it('accepts a stored record and refuses an unknown decision or purpose', () => {
    expect(consentRecordSchema.parse(record())).toMatchObject({ decision: 'granted' });
    expect(consentRecordSchema.safeParse({ ...record(), decision: 'maybe' }).success).toBe(false);
    expect(consentRecordSchema.safeParse({ ...record(), purpose: 'ads' }).success).toBe(false);
    expect(consentRecordSchema.safeParse({ ...record(), jurisdiction: 'MARS' }).success).toBe(false);
  });
});
