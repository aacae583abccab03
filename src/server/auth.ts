import type { Context } from 'hono';
import { ClientError } from '../shared/errors.js';
import type { createTokenBuckets } from '../shared/token-bucket.js';
import type { AuthenticatedKey, WorkspaceService } from '../workspaces/index.js';

/**
 * Reads the API key of a request: HTTP Basic with the key as user name (Segment's
 * convention; the password is ignored), or `Authorization: Bearer <key>`.
 */
export function keyFromHeader(header: string | undefined): string | null {
  if (header === undefined) return null;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (value === undefined || scheme === undefined) return null;
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() !== 'basic') return null;
  let decoded: string;
  try {
    decoded = Buffer.from(value, 'base64').toString('utf8');
  } catch {
    return null;
  }
  const colon = decoded.indexOf(':');
  const user = colon === -1 ? decoded : decoded.slice(0, colon);
  return user === '' ? null : user;
}

export interface RateLimits {
  write: ReturnType<typeof createTokenBuckets>;
  admin: ReturnType<typeof createTokenBuckets>;
  /** Admin keys calling the recommendation serving path. */
  recommend?: ReturnType<typeof createTokenBuckets>;
}

/**
 * Authenticates a key and spends one token of its rate limit.
 * Unknown or revoked key → 401; over the limit → 429 with Retry-After.
 */
export async function authenticate(deps: { workspaces: WorkspaceService; limits: RateLimits; now: () => number }, key: string | null, adminBucket: 'admin' | 'recommend' = 'admin'): Promise<AuthenticatedKey> {
  if (key === null) throw new ClientError('unauthorized', 'missing API key: send HTTP Basic auth with the key as user name (or Bearer), or writeKey in the body');
  const auth = await deps.workspaces.authenticate(key);
  if (auth === null) throw new ClientError('unauthorized', 'unknown or revoked API key');
  const bucket = auth.kind === 'write' ? deps.limits.write : adminBucket === 'recommend' ? deps.limits.recommend ?? deps.limits.admin : deps.limits.admin;
  const r = bucket.take(auth.keyId, deps.now());
  if (!r.allowed) throw new ClientError('rate_limited', `rate limit exceeded for key ${key.slice(0, 10)}…; retry after ${r.retryAfterSeconds} s`, { retryAfterSeconds: r.retryAfterSeconds });
  return auth;
}

/** Admin endpoints: an admin key is required; write keys may only ingest (PRIVACY.md P21). */
export async function requireAdmin(deps: Parameters<typeof authenticate>[0], c: Context, bucket: 'admin' | 'recommend' = 'admin'): Promise<AuthenticatedKey> {
  const auth = await authenticate(deps, keyFromHeader(c.req.header('authorization')), bucket);
  if (auth.kind !== 'admin') throw new ClientError('forbidden', 'write keys may only ingest events; use an admin key');
  return auth;
}
