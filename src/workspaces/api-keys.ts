import { createHash } from 'node:crypto';
import type { ApiKeyKind } from '../contracts/workspace.js';

const PREFIX: Record<ApiKeyKind, string> = { write: 'tw_', admin: 'ta_' };
/** How many leading characters of a key are stored in clear, to tell keys apart in listings. */
export const VISIBLE_PREFIX_LENGTH = 10;

/**
 * Formats a new key from a random secret: `tw_…` for write keys, `ta_…` for admin keys.
 *
 * @example
 * formatKey('write', 'Zk3…'); // 'tw_Zk3…'
 */
export function formatKey(kind: ApiKeyKind, secret: string): string {
  return PREFIX[kind] + secret;
}

/** The kind a key's text claims to be, or null when it is not a Tailor key. */
export function kindOfKey(key: string): ApiKeyKind | null {
  if (key.startsWith(PREFIX.write)) return 'write';
  if (key.startsWith(PREFIX.admin)) return 'admin';
  return null;
}

/**
 * Keys are stored only as SHA-256 digests. A fast hash is appropriate here (unlike for
 * passwords) because keys carry 256 bits of randomness: there is nothing to guess.
 *
 * @example
 * hashKey('tw_abc').length; // 64
 */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export const visiblePrefix = (key: string): string => key.slice(0, VISIBLE_PREFIX_LENGTH);
