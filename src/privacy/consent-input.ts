import { z } from 'zod';
import { err, ok, type Result } from '../shared/result.js';
import { CONSENT_DECISIONS, type ConsentRecord, type ConsentContext, type ConsentState, type ConsentSource } from './consent-ledger.js';
import { noticeVersionAt, noticeVersionSchema } from './notices.js';
import { PURPOSES, REFUSABLE_BASES, purposeSchema } from './purposes.js';

/**
 * Consent as it arrives through the admin API (PRIVACY.md P2, P4). Sources `gpc`,
 * `unsubscribe` and `identify` are not accepted here: Tailor sets them itself when it reads
 * the `Sec-GPC` header, an unsubscribe link or an identify call, so that a record's source
 * can be trusted.
 */
export const API_CONSENT_SOURCES = ['ui', 'api', 'import', 'double_opt_in'] as const;

/**
 * One consent decision. Grants must name the notice version the person saw (GDPR 7(1): the
 * controller must be able to show what was consented to); refusals need not (P4: withdrawing
 * takes no more than granting) and are recorded under the version in force. `recordedAt`
 * (ISO-8601 with offset) is accepted only with `source: 'import'`, to keep the time of
 * decisions brought from another system; otherwise the record takes the time it is received.
 *
 * @example
 * consentInputSchema.parse({ purpose: 'marketing_email', decision: 'granted', noticeVersion: '2024-05', method: 'checkout checkbox' });
 */
export const consentInputSchema = z.object({
  purpose: purposeSchema,
  decision: z.enum(CONSENT_DECISIONS, { error: () => `must be one of ${CONSENT_DECISIONS.join(', ')}` }),
  noticeVersion: noticeVersionSchema.optional(),
  source: z.enum(API_CONSENT_SOURCES, { error: () => `must be one of ${API_CONSENT_SOURCES.join(', ')} (gpc, unsubscribe and identify are set by Tailor)` }).default('api'),
  method: z.string().trim().min(1).max(200).optional(),
  recordedAt: z.iso.datetime({ offset: true, error: () => 'must be an ISO-8601 date-time with a time zone' }).optional(),
}).superRefine((v, ctx) => {
  if (v.decision === 'granted' && v.noticeVersion === undefined) {
    ctx.addIssue({ code: 'custom', path: ['noticeVersion'], message: 'a grant must name the notice version the person saw' });
  }
  if (v.recordedAt !== undefined && v.source !== 'import') {
    ctx.addIssue({ code: 'custom', path: ['recordedAt'], message: 'may be given only with source "import"; other records take the time they are received' });
  }
});
export type ConsentInput = z.input<typeof consentInputSchema>;
export type ParsedConsentInput = z.output<typeof consentInputSchema>;

/** Several decisions in one call: a preference centre saves all its switches at once. */
export const consentBatchInputSchema = z.object({
  consents: z.array(consentInputSchema).min(1, 'must hold at least one decision').max(PURPOSES.length * 4, `must hold at most ${PURPOSES.length * 4} decisions`),
});

/** A decision that Tailor itself observed (identify, GPC, unsubscribe), or an API input. */
export interface ConsentDecisionInput {
  readonly purpose: ParsedConsentInput['purpose'];
  readonly decision: ParsedConsentInput['decision'];
  readonly noticeVersion?: string | undefined;
  readonly source: ConsentSource;
  readonly method?: string | undefined;
  /** ms; only for imports. */
  readonly recordedAt?: number | undefined;
}

export type ConsentRecordError =
  | { type: 'notice_version_required'; purpose: string }
  | { type: 'recorded_in_future'; recordedAt: number; now: number };

/**
 * Turns a validated decision into a ledger record: fills the time (`now` unless an import
 * carries its own), the workspace's jurisdiction, and the notice version in force for
 * refusals that did not name one. The id comes from the caller's id port.
 *
 * @example
 * const input = consentInputSchema.parse({ purpose: 'profiling', decision: 'withdrawn' });
 * consentRecordFrom({ input, profileId: 'p1', workspace, now: clock.now(), id: ids.uuid() });
 * // { ok: true, value: { id, profileId: 'p1', purpose: 'profiling', decision: 'withdrawn', noticeVersion: 'v3', source: 'api', … } }
 */
export function consentRecordFrom(args: {
  input: ParsedConsentInput | ConsentDecisionInput;
  profileId: string;
  workspace: ConsentContext;
  now: number;
  id: string;
}): Result<ConsentRecord, ConsentRecordError> {
  const { input, now } = args;
  const recordedAt = typeof input.recordedAt === 'string' ? Date.parse(input.recordedAt) : input.recordedAt ?? now;
  if (recordedAt > now) return err({ type: 'recorded_in_future', recordedAt, now });
  if (input.decision === 'granted' && input.noticeVersion === undefined) return err({ type: 'notice_version_required', purpose: input.purpose });
  const noticeVersion = input.noticeVersion ?? noticeVersionAt({ notices: args.workspace.notices, purpose: input.purpose, at: recordedAt });
  return ok({
    id: args.id,
    profileId: args.profileId,
    purpose: input.purpose,
    decision: input.decision,
    noticeVersion,
    source: input.source,
    ...(input.method === undefined ? {} : { method: input.method }),
    jurisdiction: args.workspace.jurisdiction,
    recordedAt,
  });
}

/**
 * The decisions that stop every purpose the person can stop, in one step like the "accept
 * all" that granted them (P4; GDPR 7(3) "as easy to withdraw as to give"; PIPL 15
 * "convenient ways to withdraw"): `withdrawn` for purposes allowed by the person's own grant,
 * `denied` (an objection or opt-out, GDPR 21, CCPA 1798.120) for purposes allowed by default
 * on legitimate interests or notice and opt-out. Purposes resting on contract or another
 * non-refusable basis are left alone.
 *
 * @example
 * withdrawAllDecisions({ state, source: 'ui', method: 'preference centre: withdraw all' });
 * // [{ purpose: 'marketing_email', decision: 'withdrawn', source: 'ui', method: '…' }, …]
 */
export function withdrawAllDecisions(input: { state: ConsentState; source: ConsentSource; method?: string }): ConsentDecisionInput[] {
  const method = input.method === undefined ? {} : { method: input.method };
  const out: ConsentDecisionInput[] = [];
  for (const purpose of PURPOSES) {
    const s = input.state.purposes[purpose];
    if (!s.allowed || s.legalBasis === null || !REFUSABLE_BASES.includes(s.legalBasis)) continue;
    out.push({ purpose, decision: s.source === 'record' ? 'withdrawn' : 'denied', source: input.source, ...method });
  }
  return out;
}
