/**
 * Ingest limits, as Segment documents them for its HTTP Tracking API
 * (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#max-request-size):
 * 32 KB per call, 500 KB per batch request. We also bound the number of events per batch
 * and the JSON nesting depth, which Segment leaves implicit.
 */
export const INGEST_LIMITS = {
  maxEventBytes: 32 * 1024,
  /**
   * File imports (`tailor import`) are admin operations that build whole orders as one
   * event; an order of several hundred lines exceeds 32 KB, so imported events may be up to 1 MiB.
   */
  maxImportedEventBytes: 1024 * 1024,
  maxBatchBytes: 500 * 1024,
  maxBatchEvents: 2500,
  /** Per event, counted as in a single call (the event object is level 1). */
  maxJsonDepth: 32,
  /**
   * Bound on a batch body's text, checked before parsing: the batch wrapper (object → `batch`
   * array → event) adds two levels, and room is left so that an event over `maxJsonDepth` is
   * rejected on its own (reported by index) instead of failing the whole batch.
   */
  maxBatchJsonDepth: 64,
} as const;
