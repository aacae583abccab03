/**
 * Errors that carry an HTTP-meaningful kind. The server's one error boundary maps them to
 * responses (src/server/error-boundary.ts); everything else is a 500 without details.
 */
export type ClientErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited';

export class ClientError extends Error {
  readonly kind: ClientErrorKind;
  readonly details: unknown;
  readonly retryAfterSeconds: number | undefined;

  constructor(kind: ClientErrorKind, message: string, options?: { details?: unknown; retryAfterSeconds?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ClientError';
    this.kind = kind;
    this.details = options?.details;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** A configuration problem found at start-up: the message says which setting and why. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
