import { z } from 'zod';
import { identitySettingsSchema } from '../identity/identifiers.js';
import { purposeDefaultsSettingsSchema } from '../privacy/jurisdictions.js';
import { noticePublicationSchema } from '../privacy/notices.js';
import { identifyConsentSettingsSchema } from '../privacy/identify-consent.js';
import { recommendationSettingsSchema } from './recommendation.js';

/** Privacy settings of a workspace (PRIVACY.md P2–P5; src/privacy/README.md). */
export const privacySettingsSchema = z.object({
  /** Overrides of the jurisdiction's purpose defaults, each with its legal basis (P3). */
  defaults: purposeDefaultsSettingsSchema.default({ overrides: [] }),
  /** Published notice versions per purpose; a bump requires fresh consent (P4). */
  notices: z.array(noticePublicationSchema).max(500).default([]),
  /** How consent sent with `identify` (Segment `context.consent`) maps to purposes. */
  identifyConsent: identifyConsentSettingsSchema.default(identifyConsentSettingsSchema.parse({})),
  /** Oldest consent state a decision may rest on, and whether unknown age means minor. */
  policy: z.object({
    maxStateAgeMs: z.number().int().min(0).max(60_000).default(1000),
    unknownAgeIsMinor: z.boolean().default(false),
    /** The age under which a person is a minor (P11); absent: the jurisdiction's (CN 14, EU 16, UK 13, US 13). Not below the jurisdiction's floor. */
    minorAgeThreshold: z.number().int().min(13).max(21).optional(),
  }).default({ maxStateAgeMs: 1000, unknownAgeIsMinor: false }),
});
export type PrivacySettings = z.infer<typeof privacySettingsSchema>;

/** Jurisdictions a workspace may declare (PRIVACY.md P3); they set consent defaults. */
export const jurisdictionSchema = z.enum(['CN', 'EU', 'UK', 'US', 'OTHER']);
export type Jurisdiction = z.infer<typeof jurisdictionSchema>;

/** A trait the workspace declares for `identify` traits beyond Tailor's registry (data minimization). */
export const declaredTraitSchema = z.object({
  name: z.string().trim().min(1).max(128),
  type: z.enum(['string', 'number', 'boolean', 'date', 'string[]', 'object']).default('string'),
  category: z.enum(['basic', 'behavioural', 'sensitive']).default('basic'),
  description: z.string().max(500).default(''),
});
export type DeclaredTrait = z.infer<typeof declaredTraitSchema>;

/** How traits are kept (README "Computed traits"). */
export const traitSettingsSchema = z.object({
  /**
   * What happens to an `identify` trait that is neither a standard Segment trait nor
   * declared below: `accept` stores it, `drop` does not (it is counted in the ingest
   * response and logged by name).
   */
  undeclared: z.enum(['accept', 'drop']).default('accept'),
  /** The workspace's own traits (at most 500). */
  declared: z.array(declaredTraitSchema).max(500).default([]),
  /** Minutes between scheduled recomputes of computed traits in `tailor serve`; 0 turns it off. */
  recomputeEveryMinutes: z.number().int().min(0).max(10_080).default(60),
});
export type TraitSettings = z.infer<typeof traitSettingsSchema>;

/** How segment membership is kept (README "Segments"). */
export const segmentSettingsSchema = z.object({
  /** Re-evaluate the segments of the people in each ingested batch right after it commits. */
  realtime: z.boolean().default(true),
  /** Minutes between scheduled full re-evaluations in `tailor serve` (time-based exits); 0 turns it off. */
  evaluateEveryMinutes: z.number().int().min(0).max(10_080).default(15),
});
export type SegmentSettings = z.infer<typeof segmentSettingsSchema>;

/** A workspace's settings, stored as JSON and validated whenever read or written. */
export const workspaceSettingsSchema = z.object({
  identity: identitySettingsSchema.default(identitySettingsSchema.parse({})),
  defaultCurrency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code such as "USD"').default('USD'),
  privacy: privacySettingsSchema.default(privacySettingsSchema.parse({})),
  traits: traitSettingsSchema.default(traitSettingsSchema.parse({})),
  segments: segmentSettingsSchema.default(segmentSettingsSchema.parse({})),
  recommendations: recommendationSettingsSchema.default(recommendationSettingsSchema.parse({})),
});
export type WorkspaceSettings = z.infer<typeof workspaceSettingsSchema>;

/**
 * A change of settings (PATCH /v1/workspace): each section given replaces the stored one
 * (filled with that section's defaults); sections not given are left as they are.
 */
export const workspaceSettingsPatchSchema = z.object({
  identity: identitySettingsSchema.optional(),
  defaultCurrency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code such as "USD"').optional(),
  privacy: privacySettingsSchema.optional(),
  traits: traitSettingsSchema.optional(),
  segments: segmentSettingsSchema.optional(),
  recommendations: recommendationSettingsSchema.optional(),
}).strict();
export type WorkspaceSettingsPatch = z.infer<typeof workspaceSettingsPatchSchema>;

export const createWorkspaceSchema = z.object({
  name: z.string().trim().min(1).max(200),
  jurisdiction: jurisdictionSchema.default('OTHER'),
  settings: workspaceSettingsSchema.partial().optional(),
});

export const apiKeyKindSchema = z.enum(['write', 'admin']);
export type ApiKeyKind = z.infer<typeof apiKeyKindSchema>;

export const createKeySchema = z.object({
  kind: apiKeyKindSchema,
  name: z.string().trim().min(1).max(100).default('unnamed'),
});
