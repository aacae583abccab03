import { createHmac } from 'node:crypto';
import { normalizeIdentifier, type Identifier } from '../identity/index.js';

/**
 * The erasure suppression list (PRIVACY.md P14; GDPR 17, 19; PIPL 47). When a person is
 * erased, their identifiers are replaced by keyed hashes so that late or replayed events for
 * them (a mobile SDK flushing its queue, a re-run import) are dropped instead of recreating
 * the profile. The list holds no identifier itself: it can only answer "is this one of the
 * erased?" for an identifier someone already has.
 *
 *   suppressionHash = hex(hmac-sha256(key = salt, message = utf8(type + ':' + normalizedValue)))
 *
 * `normalizedValue` is the identity module's normalization (emails trimmed and lower-cased,
 * phone numbers reduced to `+` and digits), so `Ann@X.io` and `ann@x.io ` hash the same.
 *
 * Why a secret salt, one per workspace:
 * - Without a secret, the hash of an email or phone number is reversed by hashing candidate
 *   values: a phone number space of ~10^10 is exhausted in minutes. With HMAC under a key
 *   that is not stored beside the list, the list alone reveals nothing (GDPR 32(1)(a)).
 * - Per workspace, because the same person erased by two brands must not be linkable across
 *   tenants: equal hashes in two workspaces' lists would tell each brand that the other knew
 *   the person (P21 tenant isolation; GDPR 5(1)(b) purpose limitation).
 * - Per workspace, so a leaked salt exposes one workspace's list, and a workspace can be
 *   exported or deleted without touching another's.
 * Salts cannot be rotated by re-hashing (the identifiers are gone), so a workspace keeps its
 * earlier salts and checks against all of them; new entries use the first.
 *
 * The hash is a suppression mechanism, not a form of erasure: everything else about the
 * person is deleted (PRIVACY.md: "hashing or masking is not erasure").
 */

/** Shortest salt accepted: 16 bytes of entropy written as text is at least 16 characters. */
export const MIN_SALT_LENGTH = 16;

function assertSalt(salt: string): void {
  // A short salt is a configuration bug that would make the list reversible: fail loudly.
  if (salt.length < MIN_SALT_LENGTH) throw new Error(`suppression salt must be at least ${MIN_SALT_LENGTH} characters (got ${salt.length})`);
}

/**
 * The suppression hash of one identifier, or `null` when the value cannot be an identifier
 * of that type (the same values identity resolution would drop).
 *
 * @example
 * suppressionHash({ salt: workspaceSalt, identifier: { type: 'email', value: ' Ann@Example.com' } });
 * // hex(hmac-sha256(workspaceSalt, 'email:ann@example.com'))
 */
export function suppressionHash(input: { salt: string; identifier: Identifier }): string | null {
  assertSalt(input.salt);
  const value = normalizeIdentifier(input.identifier.type, input.identifier.value);
  if (value === null) return null;
  return createHmac('sha256', input.salt).update(`${input.identifier.type}:${value}`, 'utf8').digest('hex');
}

/**
 * The hashes to add to the suppression list when a person is erased: one per identifier the
 * person held, under the workspace's current salt, de-duplicated.
 *
 * @example
 * suppressionEntries({ salt, identifiers: [{ type: 'user_id', value: 'u1' }, { type: 'email', value: 'a@x.io' }] }); // [hex, hex]
 */
export function suppressionEntries(input: { salt: string; identifiers: readonly Identifier[] }): string[] {
  const out = new Set<string>();
  for (const identifier of input.identifiers) {
    const h = suppressionHash({ salt: input.salt, identifier });
    if (h !== null) out.add(h);
  }
  return [...out];
}

export interface SuppressionCheck {
  readonly suppressed: boolean;
  /** The identifiers of the event that are on the list. */
  readonly matched: Identifier[];
}

/**
 * Checks an incoming event's identifiers (as `extractIdentifiers` in the identity module
 * reads them) against the workspace's suppression list, under each of its salts (current
 * first, then earlier ones). Any match suppresses the event: it belongs to an erased person.
 *
 * @example
 * const identifiers = extractIdentifiers(event, rules);
 * checkSuppression({ salts: [salt], identifiers, list: new Set(storedHashes) });
 * // { suppressed: true, matched: [{ type: 'email', value: 'a@x.io' }] }
 */
export function checkSuppression(input: { salts: readonly string[]; identifiers: readonly Identifier[]; list: ReadonlySet<string> }): SuppressionCheck {
  if (input.salts.length === 0) throw new Error('checkSuppression needs at least one salt');
  const matched: Identifier[] = [];
  if (input.list.size === 0) {
    for (const salt of input.salts) assertSalt(salt);
    return { suppressed: false, matched };
  }
  for (const identifier of input.identifiers) {
    const hit = input.salts.some((salt) => {
      const h = suppressionHash({ salt, identifier });
      return h !== null && input.list.has(h);
    });
    if (hit) matched.push(identifier);
  }
  return { suppressed: matched.length > 0, matched };
}
