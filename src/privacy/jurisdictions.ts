import { z } from 'zod';
// Type-only: the runtime table below is keyed by it, so adding a jurisdiction to the
// contract fails compilation here until its rules are written.
import type { Jurisdiction } from '../contracts/workspace.js';
import { err, ok, type Result } from '../shared/result.js';
import { LEGAL_BASES, PURPOSES, PURPOSE_REGISTRY, legalBasisSchema, purposeSchema, type LegalBasis, type Purpose } from './purposes.js';

export type { Jurisdiction };

/** The privacy rules Tailor applies for one jurisdiction (PRIVACY.md P3, P11). */
export interface JurisdictionRules {
  /** Consent-based purposes that are off until granted. */
  readonly optInPurposes: readonly Purpose[];
  /** Legal bases the jurisdiction's law knows. */
  readonly legalBases: readonly LegalBasis[];
  /** Default age under which a person is a minor whose guardian must consent (P11). */
  readonly minorAgeThreshold: number;
  /** Lowest threshold a workspace may set (the law lets some member states go lower). */
  readonly minorAgeFloor: number;
  readonly citation: string;
}

const consentBased = PURPOSES.filter((p) => PURPOSE_REGISTRY[p].consentBased);
const allBases = [...LEGAL_BASES];
const gdprBases = allBases.filter((b) => b !== 'notice_and_opt_out');

/**
 * Per-jurisdiction rules. CN and EU (and UK, whose UK GDPR and PECR mirror them) are
 * opt-in: every consent-based purpose is off until granted (GDPR 25(2) data protection by
 * default; PIPL 14 consent must be informed, voluntary and explicit). The US is opt-out
 * except where a statute requires prior consent. OTHER means Tailor does not know the law
 * that applies, so it takes the protective opt-in default; a workspace can relax a purpose
 * by naming its legal basis.
 */
export const JURISDICTION_RULES: { readonly [J in Jurisdiction]: JurisdictionRules } = {
  CN: {
    optInPurposes: consentBased,
    // PIPL 13: consent, contract/HR, legal duty, public-health emergency, public interest…
    // but no legitimate interests and no opt-out model.
    legalBases: ['consent', 'contract', 'legal_obligation', 'vital_interests', 'public_task'],
    minorAgeThreshold: 14,
    minorAgeFloor: 14,
    citation: 'PIPL 13, 14, 28, 31',
  },
  EU: {
    optInPurposes: consentBased,
    legalBases: gdprBases,
    // GDPR 8(1): 16, member states may lower it to 13.
    minorAgeThreshold: 16,
    minorAgeFloor: 13,
    citation: 'GDPR 6(1), 8(1), 25(2); ePrivacy Directive 5(3), 13',
  },
  UK: {
    optInPurposes: consentBased,
    legalBases: gdprBases,
    minorAgeThreshold: 13,
    minorAgeFloor: 13,
    citation: 'UK GDPR 6(1), 8 (DPA 2018 s. 9); PECR reg. 6, 22',
  },
  US: {
    // TCPA needs prior express written consent for marketing texts; messaging platforms
    // reached by webhook are often SMS gateways; state laws (VCDPA, CPA, CTDPA) require
    // opt-in for sensitive data.
    optInPurposes: ['marketing_sms', 'marketing_webhook', 'sensitive_data'],
    legalBases: allBases,
    // COPPA: under 13.
    minorAgeThreshold: 13,
    minorAgeFloor: 13,
    citation: 'CAN-SPAM 15 U.S.C. 7704; CCPA 1798.120; TCPA 47 CFR 64.1200; COPPA 15 U.S.C. 6501',
  },
  OTHER: {
    optInPurposes: consentBased,
    legalBases: allBases,
    minorAgeThreshold: 16,
    minorAgeFloor: 13,
    citation: 'protective default (GDPR 25(2) as the reference)',
  },
};

/** The jurisdictions Tailor has rules for (the same list as the workspace contract). */
export const JURISDICTIONS = Object.keys(JURISDICTION_RULES) as Jurisdiction[];

/** Where a purpose's default comes from. */
export type DefaultOrigin = 'jurisdiction' | 'workspace_override';

/** The state a purpose has for a person who never said yes or no. */
export interface PurposeDefault {
  readonly purpose: Purpose;
  /** True when processing may happen without a recorded grant. */
  readonly on: boolean;
  /** The basis the processing rests on: `consent` when `on` is false. */
  readonly legalBasis: LegalBasis;
  readonly origin: DefaultOrigin;
}

/** The defaults of every purpose for a workspace: its jurisdiction plus its overrides. */
export type PurposeDefaults = { readonly [P in Purpose]: PurposeDefault };

/**
 * A workspace's override of one purpose's default. `on` must name the basis it rests on,
 * which cannot be consent (consent is never presumed: GDPR 4(11), 7(1); PIPL 14). `off`
 * makes the purpose need consent even where the law would allow an opt-out.
 */
export const defaultOverrideSchema = z.discriminatedUnion('default', [
  z.object({
    purpose: purposeSchema,
    default: z.literal('on'),
    legalBasis: legalBasisSchema.refine((b) => b !== 'consent', {
      message: 'a purpose that is on by default must rest on a legal basis other than consent (consent is never presumed)',
    }),
    /** Why the basis applies, for the record of processing (GDPR 30). */
    note: z.string().trim().min(1).max(500).optional(),
  }),
  z.object({ purpose: purposeSchema, default: z.literal('off') }),
], { error: () => 'default must be "on" (with a legalBasis) or "off"' });
export type DefaultOverride = z.infer<typeof defaultOverrideSchema>;

/** The privacy part of workspace settings that this module reads. */
export const purposeDefaultsSettingsSchema = z.object({
  overrides: z.array(defaultOverrideSchema).max(PURPOSES.length * 2).default([]),
  /** Replaces the jurisdiction's minor age threshold; cannot go below its floor. */
  minorAgeThreshold: z.number().int().min(1).max(21).optional(),
});
export type PurposeDefaultsSettings = z.infer<typeof purposeDefaultsSettingsSchema>;

/** One problem found in a workspace's privacy settings, with the path to the field. */
export interface SettingsIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Checks what depends on the jurisdiction: the basis an `on` override names must be one the
 * purpose may rest on and one the jurisdiction's law knows (PIPL has no legitimate
 * interests, so a CN workspace cannot turn marketing email on by default); each purpose is
 * overridden at most once; the minor age threshold respects the jurisdiction's floor.
 *
 * @example
 * validatePurposeDefaults({ jurisdiction: 'CN', settings: { overrides: [{ purpose: 'marketing_email', default: 'on', legalBasis: 'legitimate_interests' }] } });
 * // { ok: false, error: [{ path: 'overrides[0].legalBasis', message: 'legitimate_interests is not a legal basis in CN (PIPL 13, 14, 28, 31)…' }] }
 */
export function validatePurposeDefaults(input: { jurisdiction: Jurisdiction; settings: PurposeDefaultsSettings }): Result<PurposeDefaultsSettings, SettingsIssue[]> {
  const rules = JURISDICTION_RULES[input.jurisdiction];
  const issues: SettingsIssue[] = [];
  const seen = new Map<Purpose, number>();
  input.settings.overrides.forEach((o, i) => {
    const first = seen.get(o.purpose);
    if (first !== undefined) issues.push({ path: `overrides[${i}].purpose`, message: `${o.purpose} is already overridden at overrides[${first}]` });
    else seen.set(o.purpose, i);
    if (o.default === 'off') return;
    const allowed = PURPOSE_REGISTRY[o.purpose].legalBases;
    // `consent` is refused by the schema (defaultOverrideSchema); the type says so too.
    if (!allowed.includes(o.legalBasis)) {
      issues.push({ path: `overrides[${i}].legalBasis`, message: `${o.purpose} may rest only on ${allowed.join(', ')}; not on ${o.legalBasis}` });
    } else if (!rules.legalBases.includes(o.legalBasis)) {
      issues.push({ path: `overrides[${i}].legalBasis`, message: `${o.legalBasis} is not a legal basis in ${input.jurisdiction} (${rules.citation}); use one of ${rules.legalBases.filter((b) => allowed.includes(b) && b !== 'consent').join(', ') || 'none: this purpose needs consent there'}` });
    }
  });
  const threshold = input.settings.minorAgeThreshold;
  if (threshold !== undefined && threshold < rules.minorAgeFloor) {
    issues.push({ path: 'minorAgeThreshold', message: `must be at least ${rules.minorAgeFloor} in ${input.jurisdiction} (${rules.citation})` });
  }
  return issues.length === 0 ? ok(input.settings) : err(issues);
}

/**
 * The default of every purpose for a workspace. Without overrides: in an opt-in jurisdiction
 * consent-based purposes are off; in the US they are on under notice and opt-out, except
 * its opt-in list; purposes that are not consent-based are on under their default basis.
 * Overrides are applied as given: validate them first with `validatePurposeDefaults`.
 *
 * @example
 * const d = purposeDefaults({ jurisdiction: 'EU', overrides: [] });
 * d.marketing_email; // { purpose: 'marketing_email', on: false, legalBasis: 'consent', origin: 'jurisdiction' }
 * d.transactional_messages.legalBasis; // 'contract'
 */
export function purposeDefaults(input: { jurisdiction: Jurisdiction; overrides: readonly DefaultOverride[] }): PurposeDefaults {
  const rules = JURISDICTION_RULES[input.jurisdiction];
  const out = {} as Record<Purpose, PurposeDefault>;
  for (const purpose of PURPOSES) {
    const def = PURPOSE_REGISTRY[purpose];
    if (!def.consentBased) out[purpose] = { purpose, on: true, legalBasis: def.defaultLegalBasis, origin: 'jurisdiction' };
    else if (rules.optInPurposes.includes(purpose)) out[purpose] = { purpose, on: false, legalBasis: 'consent', origin: 'jurisdiction' };
    else out[purpose] = { purpose, on: true, legalBasis: 'notice_and_opt_out', origin: 'jurisdiction' };
  }
  for (const o of input.overrides) {
    out[o.purpose] = o.default === 'on'
      ? { purpose: o.purpose, on: true, legalBasis: o.legalBasis, origin: 'workspace_override' }
      : { purpose: o.purpose, on: false, legalBasis: 'consent', origin: 'workspace_override' };
  }
  return out;
}

/**
 * The age under which a person of this workspace is a minor (P11): the workspace's own
 * threshold when set, else the jurisdiction's.
 *
 * @example
 * minorAgeThreshold({ jurisdiction: 'CN' }); // 14
 * minorAgeThreshold({ jurisdiction: 'EU', threshold: 14 }); // 14
 */
export function minorAgeThreshold(input: { jurisdiction: Jurisdiction; threshold?: number | undefined }): number {
  return input.threshold ?? JURISDICTION_RULES[input.jurisdiction].minorAgeThreshold;
}

/**
 * Whether a person born on `birthDate` (`YYYY-MM-DD`) is under `threshold` years old at
 * `now` (ms, UTC). Returns `undefined` for a date that cannot be read, so that the caller
 * treats the age as unknown rather than as adult.
 *
 * @example
 * isMinorAt({ birthDate: '2012-06-01', threshold: 14, now: Date.parse('2026-05-31T00:00:00Z') }); // true
 * isMinorAt({ birthDate: '2012-06-01', threshold: 14, now: Date.parse('2026-06-01T00:00:00Z') }); // false
 */
export function isMinorAt(input: { birthDate: string; threshold: number; now: number }): boolean | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.birthDate);
  if (m === null) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const born = Date.UTC(y, mo - 1, d);
  const check = new Date(born);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || born > input.now) return undefined;
  // The day the person turns `threshold`; someone born on 29 February turns a year older
  // on 1 March in non-leap years (Date.UTC rolls the day over).
  const comesOfAge = Date.UTC(y + input.threshold, mo - 1, d);
  return input.now < comesOfAge;
}
