import { BUILT_IN_TYPES, normalizeIdentifier, type Identifier } from '../identity/index.js';
import { err, ok, type Result } from '../shared/result.js';
import type { ProfileHead, ProfileRecord, ProfileRepository, StoredEvent } from './profile-repository.js';

export type ProfileLookupError = { type: 'profile_not_found'; ref: string } | { type: 'bad_reference'; message: string };

const MAX_PAGE = 200;
/** Most identity conflicts a profile read returns (newest first). */
export const MAX_CONFLICTS = 50;

/**
 * The identifier type a reference may start with (`email` in `email:ann@…`), or null when it
 * cannot name one. Whether it does depends on the workspace: see `parseProfileRef`.
 */
function typePrefixOf(ref: string): string | null {
  const colon = ref.indexOf(':');
  const typePart = colon > 0 ? ref.slice(0, colon) : '';
  return /^[a-z][a-z0-9_]{0,39}$/.test(typePart) ? typePart : null;
}

/** Reference prefixes every workspace knows: the built-in identifier types and `profile_id`. */
const BUILT_IN_PREFIXES: ReadonlySet<string> = new Set<string>([...BUILT_IN_TYPES, 'profile_id']);

/**
 * Parses a profile reference as the API accepts it: `type:value` for a known identifier type
 * (`user_id:42`, `email:ann@example.com`, `anonymous_id:…`, one of the workspace's
 * `customTypes`, or `profile_id:…`), or a bare value, tried as a profile id and then as a user
 * id. A prefix that names no known type is part of a bare value: `auth0:abc123` is a user id.
 *
 * @example
 * parseProfileRef('email:Ann@Example.com'); // { kind: 'identifier', identifier: { type: 'email', value: 'ann@example.com' } }
 * parseProfileRef('auth0:abc123');          // { kind: 'bare', value: 'auth0:abc123' }
 */
export function parseProfileRef(ref: string, customTypes: readonly string[] = []): { kind: 'identifier'; identifier: Identifier } | { kind: 'profile_id'; id: string } | { kind: 'bare'; value: string } | { kind: 'invalid'; message: string } {
  const typePart = typePrefixOf(ref);
  if (typePart !== null && (BUILT_IN_PREFIXES.has(typePart) || customTypes.includes(typePart))) {
    const raw = ref.slice(typePart.length + 1);
    if (typePart === 'profile_id') return raw === '' ? { kind: 'invalid', message: 'profile_id: must not be empty' } : { kind: 'profile_id', id: raw };
    const value = normalizeIdentifier(typePart, raw);
    if (value === null) return { kind: 'invalid', message: `${typePart}: "${raw.slice(0, 60)}" is not a valid ${typePart}` };
    return { kind: 'identifier', identifier: { type: typePart, value } };
  }
  if (ref.trim() === '') return { kind: 'invalid', message: 'profile reference must not be empty' };
  return { kind: 'bare', value: ref };
}

/**
 * Reading profiles: look one up by any identifier (following merges to the surviving
 * profile), its identifiers, merge history, events and orders; list and search profiles.
 *
 * @example
 * const profiles = createProfileService({ repository });
 * const r = await profiles.resolve(workspaceId, 'user_id:17850');
 */
export function createProfileService(deps: {
  repository: ProfileRepository;
  /** The custom identifier types a workspace declared (identity settings), for references like `member_number:M-1`. */
  customIdentifierTypes?: (workspaceId: string) => Promise<readonly string[]>;
}) {
  const { repository } = deps;

  /** Parses a reference, asking for the workspace's custom types only when its prefix could be one (not on `user_id:…`). */
  async function parse(workspaceId: string, ref: string): Promise<ReturnType<typeof parseProfileRef>> {
    const prefix = typePrefixOf(ref);
    const custom = prefix === null || BUILT_IN_PREFIXES.has(prefix) || deps.customIdentifierTypes === undefined ? [] : await deps.customIdentifierTypes(workspaceId);
    return parseProfileRef(ref, custom);
  }

  /** The surviving profile: merge pointers are kept one step deep (ingest repoints older merges), but a few are followed to be safe. */
  async function followMerges<T extends { mergedInto: string | null }>(first: T | null, byId: (id: string) => Promise<T | null>): Promise<T | null> {
    let profile = first;
    for (let hops = 0; profile !== null && profile.mergedInto !== null && hops < 10; hops++) profile = await byId(profile.mergedInto);
    return profile;
  }

  /** A reference resolved with the given look-ups (whole records, or heads only). */
  async function resolveWith<T extends { mergedInto: string | null }>(workspaceId: string, ref: string, byId: (id: string) => Promise<T | null>, byIdentifier: (identifier: Identifier) => Promise<T | null>): Promise<Result<T, ProfileLookupError>> {
    const parsed = await parse(workspaceId, ref);
    let profile: T | null = null;
    if (parsed.kind === 'invalid') return err({ type: 'bad_reference', message: parsed.message });
    if (parsed.kind === 'profile_id') profile = await followMerges(await byId(parsed.id), byId);
    else if (parsed.kind === 'identifier') profile = await followMerges(await byIdentifier(parsed.identifier), byId);
    else {
      profile = await followMerges(await byId(parsed.value), byId);
      if (profile === null) profile = await followMerges(await byIdentifier({ type: 'user_id', value: parsed.value.trim() }), byId);
    }
    return profile === null ? err({ type: 'profile_not_found', ref }) : ok(profile);
  }

  function resolve(workspaceId: string, ref: string): Promise<Result<ProfileRecord, ProfileLookupError>> {
    return resolveWith(workspaceId, ref, (id) => repository.getProfile(workspaceId, id), async (identifier) => {
      const owner = await repository.findOwner(workspaceId, identifier);
      return owner === null ? null : repository.getProfile(workspaceId, owner);
    });
  }

  return {
    resolve,

    /**
     * Like `resolve`, for callers that need only which profile it is and when it last changed
     * (serving, on every request): an identifier and its owner in one look-up, no traits read.
     */
    resolveHead(workspaceId: string, ref: string): Promise<Result<ProfileHead, ProfileLookupError>> {
      return resolveWith(workspaceId, ref, (id) => repository.profileHead(workspaceId, id), (identifier) => repository.ownerHead(workspaceId, identifier));
    },

    /** A profile with its identifiers, merge history, identity conflicts (the latest `MAX_CONFLICTS`), recent events and orders. */
    async get(workspaceId: string, ref: string, options: { events?: number } = {}) {
      const r = await resolve(workspaceId, ref);
      if (!r.ok) return r;
      const profile = r.value;
      const [identifiers, merges, conflicts, events, orders, computed] = await Promise.all([
        repository.identifiers(workspaceId, profile.id),
        repository.merges(workspaceId, profile.id),
        repository.conflicts(workspaceId, profile.id, MAX_CONFLICTS),
        repository.events(workspaceId, profile.id, { limit: Math.min(options.events ?? 20, MAX_PAGE) }),
        repository.orders(workspaceId, profile.id, 50),
        repository.computedTraits(workspaceId, profile.id),
      ]);
      const computedTraits: Record<string, unknown> | null = computed === null ? null : { ...computed.traits, computedAt: computed.computedAt, updatedAt: computed.updatedAt };
      return ok({ profile, identifiers, merges, conflicts, events, orders, computedTraits });
    },

    /** A page of a profile's events, newest first, with the cursor of the next page. */
    async events(workspaceId: string, ref: string, page: { limit?: number; cursor?: string | undefined; event?: string | undefined }) {
      const r = await resolve(workspaceId, ref);
      if (!r.ok) return r;
      const limit = Math.min(Math.max(page.limit ?? 50, 1), MAX_PAGE);
      const before = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
      if (before === null) return err({ type: 'bad_reference' as const, message: 'cursor: not a cursor this API returned' });
      const events = await repository.events(workspaceId, r.value.id, { limit: limit + 1, before: before === undefined ? undefined : { timestamp: before.n, messageId: before.s }, event: page.event });
      const more = events.length > limit;
      const items = events.slice(0, limit);
      const last = items.at(-1);
      return ok({ profileId: r.value.id, events: items, nextCursor: more && last !== undefined ? encodeCursor(last.timestamp, last.messageId) : null });
    },

    /** Live profiles, most recently seen first, optionally those with an identifier starting with `q`. */
    async list(workspaceId: string, page: { limit?: number; cursor?: string | undefined; q?: string | undefined }) {
      const limit = Math.min(Math.max(page.limit ?? 50, 1), MAX_PAGE);
      const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
      if (after === null) return err({ type: 'bad_reference' as const, message: 'cursor: not a cursor this API returned' });
      const q = page.q?.trim();
      const rows = await repository.list(workspaceId, { limit: limit + 1, after: after === undefined ? undefined : { lastSeenAt: after.n, id: after.s }, q: q === '' ? undefined : q });
      const more = rows.length > limit;
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return ok({ profiles: items, nextCursor: more && last !== undefined ? encodeCursor(last.lastSeenAt, last.id) : null });
    },

    /** How many live profiles there are, or with `q` how many `list` finds with it (those with an identifier starting with `q`). */
    count(workspaceId: string, q?: string): Promise<number> {
      const prefix = q?.trim();
      return repository.count(workspaceId, prefix === undefined || prefix === '' ? undefined : prefix);
    },
  };
}

export type ProfileService = ReturnType<typeof createProfileService>;
export type { StoredEvent };

function encodeCursor(n: number, s: string): string {
  return Buffer.from(JSON.stringify([n, s])).toString('base64url');
}

function decodeCursor(cursor: string): { n: number; s: string } | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string') return { n: v[0], s: v[1] };
  } catch {
    // fall through: not ours
  }
  return null;
}
