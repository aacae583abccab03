import { z } from 'zod';
import { parseIsoDate } from '../shared/iso-date.js';

/**
 * Wire schemas for the Segment Spec (https://segment.com/docs/connections/spec/):
 * common fields plus track / identify / page / screen / group / alias, and batch.
 * They validate requests at the edge and produce the TS types and the OpenAPI document.
 *
 * Compatibility choices, as Segment's own API behaves:
 * - `userId`, `anonymousId`, `groupId`, `previousId` may be strings or numbers; numbers are
 *   converted to strings.
 * - Unknown top-level fields are kept out of storage but do not fail validation.
 * - `timestamp`, `sentAt`, `originalTimestamp` are ISO-8601 strings, read with `parseIsoDate`
 *   (validation and ingest read them the same way: `"1"` is refused, not taken for 2001).
 */

/** Longest identifier value we accept (user ids, anonymous ids, message ids). */
export const MAX_ID_LENGTH = 256;
/** Longest event name. */
export const MAX_EVENT_NAME_LENGTH = 200;

const id = z
  .union([z.string(), z.number().finite()])
  .transform((v) => String(v).trim())
  .pipe(z.string().min(1, 'must not be empty').max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`));

const isoDate = z.string().max(64).refine((s) => parseIsoDate(s) !== null, { message: 'must be an ISO-8601 date-time' });

const objectOf = z.record(z.string(), z.unknown());

export const contextSchema = z
  .object({
    ip: z.string().optional(),
    locale: z.string().optional(),
    timezone: z.string().optional(),
    userAgent: z.string().optional(),
    traits: objectOf.optional(),
    externalIds: z
      .array(z.object({ id, type: z.string().min(1).max(64), collection: z.string().optional(), encoding: z.string().optional() }).loose())
      .max(50)
      .optional(),
  })
  .loose();

const common = {
  messageId: id.optional(),
  anonymousId: id.optional().nullable(),
  userId: id.optional().nullable(),
  timestamp: isoDate.optional(),
  originalTimestamp: isoDate.optional(),
  sentAt: isoDate.optional(),
  context: contextSchema.optional(),
  integrations: objectOf.optional(),
  writeKey: z.string().optional(),
};

const needsIdentity = <T extends { userId?: string | null | undefined; anonymousId?: string | null | undefined }>(e: T) =>
  (e.userId ?? null) !== null || (e.anonymousId ?? null) !== null;
const identityMessage = { message: 'either userId or anonymousId is required', path: ['userId'] };

export const trackSchema = z
  .object({ ...common, type: z.literal('track').optional(), event: z.string().trim().min(1, 'must not be empty').max(MAX_EVENT_NAME_LENGTH), properties: objectOf.optional() })
  .refine(needsIdentity, identityMessage);
export const identifySchema = z
  .object({ ...common, type: z.literal('identify').optional(), traits: objectOf.optional() })
  .refine(needsIdentity, identityMessage);
export const pageSchema = z
  .object({ ...common, type: z.literal('page').optional(), name: z.string().max(MAX_EVENT_NAME_LENGTH).optional().nullable(), category: z.string().max(MAX_EVENT_NAME_LENGTH).optional().nullable(), properties: objectOf.optional() })
  .refine(needsIdentity, identityMessage);
export const screenSchema = z
  .object({ ...common, type: z.literal('screen').optional(), name: z.string().max(MAX_EVENT_NAME_LENGTH).optional().nullable(), properties: objectOf.optional() })
  .refine(needsIdentity, identityMessage);
export const groupSchema = z
  .object({ ...common, type: z.literal('group').optional(), groupId: id, traits: objectOf.optional() })
  .refine(needsIdentity, identityMessage);
export const aliasSchema = z.object({ ...common, type: z.literal('alias').optional(), userId: id, previousId: id });

export type SegmentType = 'track' | 'identify' | 'page' | 'screen' | 'group' | 'alias';
export const segmentTypes: readonly SegmentType[] = ['track', 'identify', 'page', 'screen', 'group', 'alias'];

export const schemaByType = {
  track: trackSchema,
  identify: identifySchema,
  page: pageSchema,
  screen: screenSchema,
  group: groupSchema,
  alias: aliasSchema,
} as const;

export type TrackMessage = z.infer<typeof trackSchema>;
export type IdentifyMessage = z.infer<typeof identifySchema>;
export type PageMessage = z.infer<typeof pageSchema>;
export type ScreenMessage = z.infer<typeof screenSchema>;
export type GroupMessage = z.infer<typeof groupSchema>;
export type AliasMessage = z.infer<typeof aliasSchema>;

/** A validated message of any type, tagged with its type. */
export type SegmentMessage =
  | (TrackMessage & { type: 'track' })
  | (IdentifyMessage & { type: 'identify' })
  | (PageMessage & { type: 'page' })
  | (ScreenMessage & { type: 'screen' })
  | (GroupMessage & { type: 'group' })
  | (AliasMessage & { type: 'alias' });

export const batchEnvelopeSchema = z
  .object({
    batch: z.array(z.unknown()).min(1, 'must hold at least one event').max(2500, 'must hold at most 2,500 events'),
    sentAt: isoDate.optional(),
    context: contextSchema.optional(),
    integrations: objectOf.optional(),
    writeKey: z.string().optional(),
  })
  .loose();

/** What the ingest API answers (200 when at least one event was accepted or was a duplicate). */
export const ingestResponseSchema = z.object({
  success: z.boolean(),
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.array(z.object({ index: z.number().int(), messageId: z.string().nullable(), reason: z.string() })),
  /** Identify traits not stored under the workspace's undeclared-trait policy; present only when some were dropped. */
  droppedTraits: z.array(z.string()).optional(),
  /** Order events stored whose change to their order was not applied (a refund in another currency…), with why; present only when there are some. */
  ordersNotApplied: z.array(z.object({ index: z.number().int(), messageId: z.string(), reason: z.string() })).optional(),
});
export type IngestResponse = z.infer<typeof ingestResponseSchema>;

/**
 * Formats zod issues as `path: message` lines, the form every validation error takes.
 *
 * @example
 * describeIssues(result.error) // 'properties.products[2].price: expected number, received string'
 */
export function describeIssues(error: z.ZodError, prefix = ''): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${formatPath(prefix, issue.path)}: ${issue.message}`)
    .join('; ');
}

function formatPath(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}
