import { describeIssues, schemaByType, segmentTypes, type SegmentType } from '../contracts/segment.js';
import { parseIsoDate } from '../shared/iso-date.js';
import { nestingDepth } from '../shared/json.js';
import { err, ok, type Result } from '../shared/result.js';
import { INGEST_LIMITS } from './limits.js';

/** An event as Tailor stores it: validated, typed, with server-side times. */
export interface NormalizedEvent {
  messageId: string;
  type: SegmentType;
  /** Track event name. */
  event: string | null;
  /** Page or screen name. */
  name: string | null;
  userId: string | null;
  anonymousId: string | null;
  groupId: string | null;
  previousId: string | null;
  /** When it happened, corrected for the client's clock skew (ms). */
  timestamp: number;
  /** The client's own `timestamp` (or `originalTimestamp`), uncorrected. */
  originalTimestamp: number | null;
  sentAt: number | null;
  receivedAt: number;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context: Record<string, unknown>;
  integrations: Record<string, unknown>;
}

export interface Rejection {
  index: number;
  messageId: string | null;
  reason: string;
}

/** Batch-level fields that apply to each event of a batch that lacks them. */
export interface BatchDefaults {
  sentAt?: string | undefined;
  context?: Record<string, unknown> | undefined;
  integrations?: Record<string, unknown> | undefined;
}

/**
 * The `messageId` a rejected message was sent with, as its rejection reports it (null when it
 * had none: an id Tailor would have generated means nothing to the sender).
 *
 * @example
 * rawMessageIdOf({ messageId: 'm-1' }); // 'm-1'
 */
export function rawMessageIdOf(raw: unknown): string | null {
  return typeof raw === 'object' && raw !== null && typeof (raw as { messageId?: unknown }).messageId === 'string' ? (raw as { messageId: string }).messageId : null;
}

/**
 * Validates one incoming message and turns it into a `NormalizedEvent`.
 *
 * Times follow the Segment spec's clock-skew correction: when the client sends `sentAt`,
 * `timestamp = receivedAt − (sentAt − originalTimestamp)`, so a device whose clock is off
 * by an hour still records the right moment; without `sentAt` the client's timestamp is
 * kept; without any timestamp the event happened when it was received.
 *
 * @example
 * normalizeMessage({ raw: { event: 'Signed Up', userId: 'u1' }, type: 'track', index: 0, receivedAt: 1e12, newMessageId: () => 'm1' });
 */
export function normalizeMessage(input: {
  raw: unknown;
  /** The type fixed by the endpoint (`/v1/track`), or undefined to read `raw.type` (batch). */
  type?: SegmentType | undefined;
  index: number;
  receivedAt: number;
  defaults?: BatchDefaults | undefined;
  newMessageId: () => string;
  /** Overrides `INGEST_LIMITS.maxEventBytes` (file imports). */
  maxEventBytes?: number | undefined;
  /**
   * Rejects an event nested deeper than this, counted as in a single call (the event object is
   * level 1). Given by the batch route when the body nests deeper than `INGEST_LIMITS.maxJsonDepth`,
   * so that only the events over the limit are rejected; otherwise the route's check of the
   * body's text already bounds every event.
   */
  maxJsonDepth?: number | undefined;
}): Result<NormalizedEvent, Rejection> {
  const { raw, index } = input;
  const reject = (reason: string) => err({ index, messageId: rawMessageIdOf(raw), reason });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return reject('event must be a JSON object');

  const declared = (raw as { type?: unknown }).type;
  const type = input.type ?? (typeof declared === 'string' ? declared : undefined);
  if (type === undefined) return reject(`type: required, one of ${segmentTypes.join(', ')}`);
  if (!(segmentTypes as readonly string[]).includes(type)) return reject(`type: "${String(type).slice(0, 40)}" is not one of ${segmentTypes.join(', ')}`);
  if (input.type !== undefined && declared !== undefined && declared !== input.type) return reject(`type: "${String(declared).slice(0, 40)}" does not match the endpoint (${input.type})`);

  const maxBytes = input.maxEventBytes ?? INGEST_LIMITS.maxEventBytes;
  const json = JSON.stringify(raw);
  const bytes = Buffer.byteLength(json);
  if (bytes > maxBytes) return reject(`event is ${bytes} bytes; the limit is ${maxBytes} bytes (${Math.round(maxBytes / 1024)} KB)`);
  if (input.maxJsonDepth !== undefined && nestingDepth(json, input.maxJsonDepth) > input.maxJsonDepth) return reject(`JSON nested deeper than ${input.maxJsonDepth} levels`);

  const parsed = schemaByType[type as SegmentType].safeParse(raw);
  if (!parsed.success) return reject(describeIssues(parsed.error));
  const m = parsed.data as Record<string, unknown> & { messageId?: string; userId?: string | null; anonymousId?: string | null; timestamp?: string; originalTimestamp?: string; sentAt?: string };

  // Read with the parser the schema validated them with, so that what passed is what is stored.
  // A batch's `sentAt` default was validated by the envelope schema; callers that skip it are still caught here.
  const sentAtText = m.sentAt ?? input.defaults?.sentAt;
  const sentAt = sentAtText === undefined ? null : parseIsoDate(sentAtText);
  if (sentAtText !== undefined && sentAt === null) return reject('sentAt: must be an ISO-8601 date-time');
  const clientTimeText = m.timestamp ?? m.originalTimestamp;
  const originalTimestamp = clientTimeText === undefined ? null : parseIsoDate(clientTimeText);
  if (clientTimeText !== undefined && originalTimestamp === null) return reject(`${m.timestamp === undefined ? 'originalTimestamp' : 'timestamp'}: must be an ISO-8601 date-time`);
  let timestamp: number;
  if (originalTimestamp === null) timestamp = input.receivedAt;
  else if (sentAt === null) timestamp = originalTimestamp;
  else timestamp = input.receivedAt - (sentAt - originalTimestamp);

  const objectOr = (v: unknown, fallback: Record<string, unknown> | undefined): Record<string, unknown> =>
    typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : (fallback ?? {});

  return ok({
    messageId: m.messageId ?? input.newMessageId(),
    type: type as SegmentType,
    event: typeof m.event === 'string' ? m.event : null,
    name: typeof m.name === 'string' ? m.name : null,
    userId: m.userId ?? null,
    anonymousId: m.anonymousId ?? null,
    groupId: typeof m.groupId === 'string' ? m.groupId : null,
    previousId: typeof m.previousId === 'string' ? m.previousId : null,
    timestamp,
    originalTimestamp,
    sentAt,
    receivedAt: input.receivedAt,
    properties: objectOr(m.properties, undefined),
    traits: objectOr(m.traits, undefined),
    context: objectOr(m.context, input.defaults?.context),
    integrations: objectOr(m.integrations, input.defaults?.integrations),
  });
}
