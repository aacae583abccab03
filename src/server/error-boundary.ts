import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ClientError, type ClientErrorKind } from '../shared/errors.js';

const STATUS: Record<ClientErrorKind, ContentfulStatusCode> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
};

const KIND_OF_STATUS = new Map<number, ClientErrorKind>(Object.entries(STATUS).map(([kind, status]) => [status, kind as ClientErrorKind]));

/** The error body every endpoint uses. */
export interface ErrorBody {
  success: false;
  error: { code: string; message: string; details?: unknown };
}

/**
 * The one place that maps errors to HTTP (STYLE.md). Client errors keep their message;
 * anything else is logged with its cause and answered with a bare 500 — no driver
 * messages or stack traces leave the server.
 */
export function errorBoundary(log: (message: string, error: unknown) => void) {
  return (error: Error, c: Context) => {
    if (error instanceof ClientError) {
      if (error.retryAfterSeconds !== undefined) c.header('Retry-After', String(error.retryAfterSeconds));
      if (error.kind === 'unauthorized') c.header('WWW-Authenticate', 'Basic realm="tailor"');
      const body: ErrorBody = { success: false, error: { code: error.kind, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } };
      return c.json(body, STATUS[error.kind]);
    }
    if (error instanceof HTTPException) {
      // Raised by the framework's own checks (a body that is not JSON, a JSON route called
      // without `content-type: application/json`…): answered with the same codes as ours.
      const status = error.status as ContentfulStatusCode;
      const kind = KIND_OF_STATUS.get(status) ?? (status >= 500 ? null : 'bad_request');
      if (kind === null) {
        log(`framework error on ${c.req.method} ${c.req.path}`, error);
        return c.json({ success: false, error: { code: 'internal', message: 'internal error' } } satisfies ErrorBody, 500);
      }
      const message = kind === 'unsupported_media_type' ? 'send the body as JSON with the header content-type: application/json' : error.message || 'request failed';
      return c.json({ success: false, error: { code: kind, message } } satisfies ErrorBody, status);
    }
    log(`unhandled error on ${c.req.method} ${c.req.path}`, error);
    return c.json({ success: false, error: { code: 'internal', message: 'internal error' } } satisfies ErrorBody, 500);
  };
}
