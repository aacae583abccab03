import { z } from 'zod';
import { CONSENT_DECISIONS, CONSENT_SOURCES } from './consent-ledger.js';
import { JURISDICTIONS, type Jurisdiction } from './jurisdictions.js';
import { LEGAL_BASES, purposeSchema } from './purposes.js';
import { CHANNELS, SUBSCRIPTION_SOURCES } from './subscriptions.js';
import { traitTimeKind } from './export-trait-times.js';

/**
 * The person export document (PRIVACY.md P13; GDPR 15, 20 "structured, commonly used and
 * machine-readable"; PIPL 45). One JSON document holds everything Tailor keeps about a
 * person; this schema documents it, validates what the export service produces, and yields
 * a JSON Schema for the user docs (`exportDocumentJsonSchema`).
 *
 * Conventions: times are ISO-8601 UTC strings (`2024-05-01T12:00:00.000Z`) — people and
 * other systems read them without knowing Tailor's millisecond columns; lists are complete,
 * never paged; ids are Tailor's own.
 *
 * Versioning: `schemaVersion` is an integer, raised whenever a field is removed, renamed or
 * changes meaning; adding an optional field does not raise it. Readers must check it.
 */
export const EXPORT_SCHEMA_VERSION = 1;

const time = z.iso.datetime({ error: () => 'must be an ISO-8601 UTC date-time such as 2024-05-01T12:00:00.000Z' });
const id = z.string().min(1);
const object = z.record(z.string(), z.unknown());

const identifierExport = z.object({ type: z.string().min(1), value: z.string().min(1), firstSeenAt: time });

const eventExport = z.object({
  messageId: id,
  type: z.enum(['track', 'identify', 'page', 'screen', 'group', 'alias']),
  event: z.string().nullable(),
  name: z.string().nullable(),
  timestamp: time,
  receivedAt: time,
  properties: object,
  traits: object,
  context: object,
});

const orderExport = z.object({
  orderId: id,
  kind: z.enum(['order', 'return']),
  status: z.string(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  revenue: z.number(),
  refundedAmount: z.number(),
  coupon: z.string().nullable(),
  placedAt: time,
  lines: z.array(z.object({ itemId: id, name: z.string().nullable(), category: z.string().nullable(), price: z.number(), quantity: z.number() })),
});

const consentRecordExport = z.object({
  id,
  purpose: purposeSchema,
  decision: z.enum(CONSENT_DECISIONS),
  noticeVersion: z.string().min(1),
  source: z.enum(CONSENT_SOURCES),
  method: z.string().optional(),
  jurisdiction: z.enum(JURISDICTIONS as [Jurisdiction, ...Jurisdiction[]]),
  recordedAt: time,
});

const purposeStateExport = z.object({
  purpose: purposeSchema,
  allowed: z.boolean(),
  source: z.enum(['record', 'default']),
  legalBasis: z.enum(LEGAL_BASES).nullable(),
  noticeVersion: z.string().min(1),
});

const subscriptionRecordExport = z.object({
  id,
  channel: z.enum(CHANNELS),
  status: z.enum(['subscribed', 'unsubscribed']),
  source: z.enum(SUBSCRIPTION_SOURCES),
  recordedAt: time,
});

/**
 * A computed trait's or prediction's value. Times are ISO strings like every other time in
 * the document: registry type `date` (`first_seen`, `last_order_at`…), and per key for
 * `last_event_at` and `replenishment_due`; `null` when unknown.
 */
const traitValue = z.unknown().describe('The value; times (trait type `date`, and the entries of `last_event_at` and `replenishment_due`) are ISO-8601 UTC strings');

function checkTraitTimes(item: { name: string; value: unknown }, ctx: z.RefinementCtx): void {
  const kind = traitTimeKind(item.name);
  const isTime = (v: unknown) => time.safeParse(v).success;
  if (kind === 'time' && item.value !== null && !isTime(item.value)) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: `${item.name} is a time: must be an ISO-8601 UTC date-time or null` });
  } else if (kind === 'time_by_key' && item.value !== null) {
    const ok = typeof item.value === 'object' && !Array.isArray(item.value) && Object.values(item.value).every(isTime);
    if (!ok) ctx.addIssue({ code: 'custom', path: ['value'], message: `${item.name} holds times by key: each must be an ISO-8601 UTC date-time` });
  }
}

/** Where an inference or membership came from, so the person can judge and delete it (P7). */
const origin = z.object({
  /** `rule`, `model`, `import`, `manual`… */
  kind: z.string().min(1),
  /** The rule, model or import that produced it. */
  ref: z.string().min(1),
});

export const exportDocumentSchema = z.object({
  schemaVersion: z.literal(EXPORT_SCHEMA_VERSION),
  generatedAt: time,
  workspace: z.object({ id, name: z.string(), jurisdiction: z.enum(JURISDICTIONS as [Jurisdiction, ...Jurisdiction[]]) }),
  profile: z.object({
    id,
    /** Profiles merged into this one by identity resolution. */
    mergedProfileIds: z.array(id),
    traits: object,
    personalizationOff: z.boolean(),
    /** Under the workspace's age threshold by their `birthday` or `age` trait; null when their age is unknown (P11). */
    minor: z.boolean().nullable(),
    /** A guardian's consent is recorded for them (P11). */
    guardianConsent: z.boolean(),
    firstSeenAt: time,
    lastSeenAt: time,
    createdAt: time,
    updatedAt: time,
  }),
  identifiers: z.array(identifierExport),
  events: z.array(eventExport),
  orders: z.array(orderExport),
  consents: z.object({ records: z.array(consentRecordExport), current: z.array(purposeStateExport) }),
  subscriptions: z.object({
    records: z.array(subscriptionRecordExport),
    current: z.array(z.object({ channel: z.enum(CHANNELS), status: z.enum(['subscribed', 'unsubscribed', 'not_subscribed']) })),
  }),
  computedTraits: z.array(z.object({ name: z.string().min(1), value: traitValue, computedAt: time, origin }).superRefine(checkTraitTimes)),
  segments: z.array(z.object({ segmentId: id, name: z.string(), joinedAt: time, origin })),
  predictions: z.array(z.object({ name: z.string().min(1), value: traitValue, model: z.string().min(1), modelVersion: z.string().min(1), computedAt: time }).superRefine(checkTraitTimes)),
  messages: z.array(z.object({
    messageId: id,
    channel: z.enum(CHANNELS),
    class: z.enum(['transactional', 'marketing']),
    kind: z.string().min(1),
    templateId: z.string().nullable(),
    journeyId: z.string().nullable(),
    status: z.string().min(1),
    sentAt: time,
  })),
  /** Recommendations shown to the person (decisions about them, P13) and what they did with them. */
  recommendations: z.array(z.object({
    recommendationId: id,
    placement: z.string().min(1),
    personalized: z.boolean(),
    modelVersion: z.number().int().nullable(),
    items: z.array(z.object({ itemId: id, exploration: z.boolean() })),
    shownAt: time,
    feedback: z.array(z.object({ itemId: id, kind: z.enum(['click', 'add_to_cart', 'purchase']), revenue: z.number().nullable(), currency: z.string().nullable(), at: time })),
  })),
  /** Audit entries whose subject is the person: who read or changed their data, and when. */
  auditEntries: z.array(z.object({ seq: z.number().int().positive(), actor: z.string(), action: z.string(), details: object, at: time, hash: z.string().regex(/^[0-9a-f]{64}$/) })),
}).strict();
export type ExportDocument = z.infer<typeof exportDocumentSchema>;

/**
 * The export document's JSON Schema (draft 2020-12), for the user documentation and for
 * people who want to check a file they received.
 *
 * @example
 * const schema = exportDocumentJsonSchema();
 * // schema.properties.schemaVersion is { type: 'number', const: 1 }
 */
export function exportDocumentJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(exportDocumentSchema, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>;
}
