import { z } from 'zod';
import type { ConsentContext, ConsentState } from './consent-ledger.js';
import type { ConsentDecisionInput } from './consent-input.js';
import { noticeVersionAt, noticeVersionSchema } from './notices.js';
import { isPurpose, purposeSchema, type Purpose } from './purposes.js';

/**
 * Consent carried by Segment calls (PRIVACY.md P2). Two forms are read, from
 * `context.consent` and from `traits.consent` (identify):
 *
 * 1. Segment Consent Management: `{ categoryPreferences: { Advertising: true, Analytics: false } }`.
 *    The keys are the workspace's CMP category ids; the workspace maps each to purposes.
 * 2. Tailor's own: `{ purposes: { marketing_email: true, profiling: 'withdrawn' },
 *    noticeVersion?: 'v3', noticeVersions?: { marketing_email: 'v4' }, method?: 'signup form' }`.
 *
 * A call without a consent object, or with an empty one, changes nothing (as in Segment).
 * If the forms disagree about a purpose, "no" wins: consent must be unambiguous
 * (GDPR 4(11); PIPL 14). Consent is read from every call, so only changes against the current
 * state become records; a CMP that repeats its preferences on every event adds nothing.
 */

/** How a workspace reads consent from Segment calls. */
export const identifyConsentSettingsSchema = z.object({
  /** CMP category id → the purposes it covers. Unmapped categories are ignored (and reported). */
  categories: z.record(z.string().min(1).max(100), z.array(purposeSchema).min(1)).default({}),
  /**
   * Grants that name no notice version are taken as given under the version in force when
   * received (the workspace declares that its CMP always shows the current notice). When
   * false, such grants are ignored and reported.
   */
  assumeCurrentNotice: z.boolean().default(true),
});
export type IdentifyConsentSettings = z.infer<typeof identifyConsentSettingsSchema>;

const consentObjectSchema = z.object({
  categoryPreferences: z.record(z.string(), z.boolean()).optional(),
  purposes: z.record(z.string(), z.union([z.boolean(), z.enum(['granted', 'denied', 'withdrawn'])])).optional(),
  noticeVersion: noticeVersionSchema.optional(),
  noticeVersions: z.record(z.string(), noticeVersionSchema).optional(),
  method: z.string().trim().min(1).max(200).optional(),
}).loose();

/** The parts of a Segment message this reads. */
export interface ConsentCarrier {
  readonly traits?: Record<string, unknown> | undefined;
  readonly context?: Record<string, unknown> | undefined;
}

/** Decisions to record, and what could not be used (for the ingest report, never an error). */
export interface IdentifyConsentResult {
  readonly decisions: ConsentDecisionInput[];
  readonly issues: string[];
  readonly unmappedCategories: string[];
}

interface Wish {
  granted: boolean;
  noticeVersion: string | undefined;
  method: string;
}

/**
 * Reads consent from a Segment call and returns the decisions that change the person's
 * state, with `source: 'identify'`. A `true` becomes `granted`; a `false` becomes
 * `withdrawn` when the person's grant is in effect (or outdated) and `denied` otherwise.
 * Malformed consent objects and unknown purposes are reported in `issues` and skipped; the
 * event itself is not rejected for them.
 *
 * @example
 * consentFromIdentify({
 *   message: { context: { consent: { categoryPreferences: { Advertising: true, Analytics: false } } } },
 *   settings: { categories: { Advertising: ['marketing_email', 'marketing_push'], Analytics: ['analytics'] }, assumeCurrentNotice: true },
 *   workspace, state, now,
 * }).decisions;
 * // [{ purpose: 'marketing_email', decision: 'granted', noticeVersion: 'v2', source: 'identify', method: 'context.consent.categoryPreferences.Advertising; notice assumed current' }, …]
 */
export function consentFromIdentify(input: {
  message: ConsentCarrier;
  settings: IdentifyConsentSettings;
  workspace: ConsentContext;
  state: ConsentState;
  now: number;
}): IdentifyConsentResult {
  const issues: string[] = [];
  const unmapped = new Set<string>();
  const wishes = new Map<Purpose, Wish>();
  const add = (purpose: Purpose, wish: Wish) => {
    const prior = wishes.get(purpose);
    // "No" wins over "yes"; between two of the same, the first (context before traits) stays.
    if (prior === undefined || (prior.granted && !wish.granted)) wishes.set(purpose, wish);
  };

  const locations: Array<[string, unknown]> = [
    ['context.consent', input.message.context?.['consent']],
    ['traits.consent', input.message.traits?.['consent']],
  ];
  for (const [where, raw] of locations) {
    if (raw === undefined || raw === null) continue;
    const parsed = consentObjectSchema.safeParse(raw);
    if (!parsed.success) {
      issues.push(`${where}: ${parsed.error.issues.map((i) => `${[where, ...i.path.map(String)].join('.')}: ${i.message}`).join('; ')}`);
      continue;
    }
    const c = parsed.data;
    const versionFor = (p: Purpose) => c.noticeVersions?.[p] ?? c.noticeVersion;
    const methodFor = (path: string) => (c.method === undefined ? path : `${c.method} (${path})`);
    for (const [category, granted] of Object.entries(c.categoryPreferences ?? {})) {
      const purposes = input.settings.categories[category];
      if (purposes === undefined) {
        unmapped.add(category);
        continue;
      }
      for (const p of purposes) add(p, { granted, noticeVersion: versionFor(p), method: methodFor(`${where}.categoryPreferences.${category}`) });
    }
    for (const [key, value] of Object.entries(c.purposes ?? {})) {
      if (!isPurpose(key)) {
        issues.push(`${where}.purposes.${key}: ${purposeSchema.safeParse(key).error?.issues[0]?.message ?? 'unknown purpose'}`);
        continue;
      }
      add(key, { granted: value === true || value === 'granted', noticeVersion: versionFor(key), method: methodFor(`${where}.purposes.${key}`) });
    }
  }

  const decisions: ConsentDecisionInput[] = [];
  for (const [purpose, wish] of wishes) {
    const current = input.state.purposes[purpose];
    if (wish.granted) {
      let noticeVersion = wish.noticeVersion;
      let method = wish.method;
      if (noticeVersion === undefined) {
        if (!input.settings.assumeCurrentNotice) {
          issues.push(`${wish.method}: a grant without a notice version is ignored (assumeCurrentNotice is off)`);
          continue;
        }
        noticeVersion = noticeVersionAt({ notices: input.workspace.notices, purpose, at: input.now });
        method = `${method}; notice assumed current`;
      }
      const already = (current.source === 'record' && current.record?.decision === 'granted' && current.record.noticeVersion === noticeVersion)
        || current.outdatedGrant?.noticeVersion === noticeVersion;
      if (!already) decisions.push({ purpose, decision: 'granted', noticeVersion, source: 'identify', method: method.slice(0, 200) });
    } else {
      const alreadyRefused = current.record !== null && current.record.decision !== 'granted' && current.outdatedGrant === null;
      if (alreadyRefused) continue;
      const hadGrant = (current.source === 'record' && current.allowed) || current.outdatedGrant !== null;
      decisions.push({ purpose, decision: hadGrant ? 'withdrawn' : 'denied', source: 'identify', method: wish.method.slice(0, 200) });
    }
  }
  return { decisions, issues, unmappedCategories: [...unmapped] };
}
