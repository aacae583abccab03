import { z } from 'zod';
import { JURISDICTIONS, purposeDefaults, type DefaultOrigin, type DefaultOverride, type Jurisdiction, type PurposeDefault } from './jurisdictions.js';
import { UNVERSIONED_NOTICE, noticeVersionAt, noticeVersionSchema, type NoticePublication } from './notices.js';
import { PURPOSES, REFUSABLE_BASES, purposeSchema, type LegalBasis, type Purpose } from './purposes.js';

/**
 * The consent ledger (PRIVACY.md P2, P4): append-only records of what each person decided
 * for each purpose, and pure functions that rebuild the state at any time from them.
 * Records are never updated or deleted, except by erasure of the whole person (GDPR 17),
 * so the controller can always show when and how consent was given (GDPR 7(1); PIPL 14).
 */

export const CONSENT_DECISIONS = ['granted', 'denied', 'withdrawn'] as const;
export type ConsentDecision = (typeof CONSENT_DECISIONS)[number];

/**
 * How a decision reached Tailor: `ui` (a Tailor-hosted page such as the preference centre),
 * `api` (the brand's back end), `import` (history brought from another system), `gpc` (the
 * Global Privacy Control signal, P19), `double_opt_in` (a confirmed email link),
 * `unsubscribe` (an unsubscribe link or STOP reply, P17), `identify` (consent carried by a
 * Segment identify call, see identify-consent.ts).
 */
export const CONSENT_SOURCES = ['ui', 'api', 'import', 'gpc', 'double_opt_in', 'unsubscribe', 'identify'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

/** One ledger record. Times are milliseconds since the Unix epoch (UTC). */
export interface ConsentRecord {
  readonly id: string;
  readonly profileId: string;
  readonly purpose: Purpose;
  readonly decision: ConsentDecision;
  /** The notice version the person saw; a grant counts only under the version in force (P4). */
  readonly noticeVersion: string;
  readonly source: ConsentSource;
  /** Free-form detail of the source: the form, the checkbox, the CMP category… */
  readonly method?: string | undefined;
  /** The workspace's jurisdiction when the decision was recorded. */
  readonly jurisdiction: Jurisdiction;
  readonly recordedAt: number;
}

/** Validates a record read back from storage (STYLE.md: JSON from the DB is an edge). */
export const consentRecordSchema = z.object({
  id: z.string().min(1),
  profileId: z.string().min(1),
  purpose: purposeSchema,
  decision: z.enum(CONSENT_DECISIONS),
  noticeVersion: noticeVersionSchema,
  source: z.enum(CONSENT_SOURCES),
  method: z.string().max(200).optional(),
  jurisdiction: z.enum(JURISDICTIONS as [Jurisdiction, ...Jurisdiction[]]),
  recordedAt: z.number().int().nonnegative(),
});

/** What the ledger needs to know about the workspace to judge records. */
export interface ConsentContext {
  readonly jurisdiction: Jurisdiction;
  /** Validated overrides of purpose defaults (jurisdictions.ts). */
  readonly overrides: readonly DefaultOverride[];
  /** The history of published notice versions (notices.ts). */
  readonly notices: readonly NoticePublication[];
}

/** The effective state of one purpose for one person at one time. */
export interface PurposeState {
  readonly purpose: Purpose;
  /** Whether data may be used for this purpose. */
  readonly allowed: boolean;
  /**
   * `record`: an explicit ledger record decides (a grant valid for the current notice, or a
   * refusal). `default`: no record decides, the jurisdiction default or workspace override does.
   */
  readonly source: 'record' | 'default';
  /** The basis the processing rests on when allowed; `null` when not allowed. */
  readonly legalBasis: LegalBasis | null;
  /** The purpose's default and where it comes from, reported even when a record decides. */
  readonly default: { readonly on: boolean; readonly legalBasis: LegalBasis; readonly origin: DefaultOrigin };
  /** The deciding record, or the latest refusal a non-refusable basis overrides; else `null`. */
  readonly record: ConsentRecord | null;
  /** The latest grant that no longer counts because a newer notice is in force (P4). */
  readonly outdatedGrant: ConsentRecord | null;
  /** The notice version in force at the time of the state. */
  readonly noticeVersion: string;
}

/** The state of every purpose for one person at time `at`. */
export interface ConsentState {
  readonly at: number;
  /** The jurisdiction whose defaults were applied; the policy checks it matches the person's. */
  readonly jurisdiction: Jurisdiction;
  readonly purposes: { readonly [P in Purpose]: PurposeState };
}

/**
 * The state of every purpose at time `at` (ms), rebuilt from the ledger. `records` are one
 * person's records (including those of profiles merged into them) in append order; records
 * after `at` are ignored, so any past state can be rebuilt (P2). For each purpose:
 * - a refusal (`denied`, `withdrawn`) cancels every earlier grant; withdrawing never needs a
 *   notice version (P4: no more steps than granting);
 * - a grant after the last refusal counts only if it was given under the notice version in
 *   force at `at` (P4); a grant under an older version is reported as `outdatedGrant`; while
 *   no notice is published for the purpose, every grant counts;
 * - a refusal stops processing that rests on consent, legitimate interests (objection,
 *   GDPR 21) or an opt-out model; it does not stop processing on contract or another
 *   non-refusable basis (e.g. order emails), which is reported with `source: 'default'`;
 * - without a deciding record, the purpose's default applies (jurisdictions.ts).
 *
 * @example
 * const workspace = { jurisdiction: 'EU', overrides: [], notices: [] };
 * const s = consentStateAt({ records, workspace, at: Date.parse('2024-06-01T00:00:00Z') });
 * s.purposes.marketing_email; // { allowed: true, source: 'record', legalBasis: 'consent', record: {…}, … }
 */
export function consentStateAt(input: { records: readonly ConsentRecord[]; workspace: ConsentContext; at: number }): ConsentState {
  const defaults = purposeDefaults({ jurisdiction: input.workspace.jurisdiction, overrides: input.workspace.overrides });
  const byPurpose = new Map<Purpose, ConsentRecord[]>();
  // Stable sort: records with the same time keep their append order.
  const inTime = input.records.filter((r) => r.recordedAt <= input.at).map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.recordedAt - b.r.recordedAt || a.i - b.i);
  for (const { r } of inTime) {
    const list = byPurpose.get(r.purpose);
    if (list === undefined) byPurpose.set(r.purpose, [r]);
    else list.push(r);
  }
  const purposes = {} as Record<Purpose, PurposeState>;
  for (const purpose of PURPOSES) {
    const noticeVersion = noticeVersionAt({ notices: input.workspace.notices, purpose, at: input.at });
    purposes[purpose] = purposeState({ purpose, records: byPurpose.get(purpose) ?? [], def: defaults[purpose], noticeVersion });
  }
  return { at: input.at, jurisdiction: input.workspace.jurisdiction, purposes };
}

/**
 * The state now: `consentStateAt` at `now`, named for the callers that decide at send or
 * serve time (P16: marketing sends check consent when they send, not when a journey starts).
 *
 * @example
 * const state = currentConsentState({ records, workspace, now: clock.now() });
 * state.purposes.personalization.allowed;
 */
export function currentConsentState(input: { records: readonly ConsentRecord[]; workspace: ConsentContext; now: number }): ConsentState {
  return consentStateAt({ records: input.records, workspace: input.workspace, at: input.now });
}

function purposeState(input: { purpose: Purpose; records: readonly ConsentRecord[]; def: PurposeDefault; noticeVersion: string }): PurposeState {
  const { purpose, records, def, noticeVersion } = input;
  const base = { purpose, default: { on: def.on, legalBasis: def.legalBasis, origin: def.origin }, noticeVersion };
  let lastRefusal: ConsentRecord | null = null;
  let latestGrant: ConsentRecord | null = null;
  let validGrant: ConsentRecord | null = null;
  for (const r of records) {
    if (r.decision === 'granted') {
      latestGrant = r;
      // Before the workspace publishes any notice for the purpose, every grant counts;
      // publishing the first version is a bump like any other.
      if (noticeVersion === UNVERSIONED_NOTICE || r.noticeVersion === noticeVersion) validGrant = r;
    } else {
      lastRefusal = r;
      latestGrant = null;
      validGrant = null;
    }
  }
  if (validGrant !== null) {
    return { ...base, allowed: true, source: 'record', legalBasis: 'consent', record: validGrant, outdatedGrant: null };
  }
  const outdatedGrant = latestGrant;
  if (lastRefusal !== null && latestGrant === null) {
    if (def.on && !REFUSABLE_BASES.includes(def.legalBasis)) {
      return { ...base, allowed: true, source: 'default', legalBasis: def.legalBasis, record: lastRefusal, outdatedGrant: null };
    }
    return { ...base, allowed: false, source: 'record', legalBasis: null, record: lastRefusal, outdatedGrant: null };
  }
  return { ...base, allowed: def.on, source: 'default', legalBasis: def.on ? def.legalBasis : null, record: null, outdatedGrant };
}
