import type { IdentityGraph } from './identity-graph.js';
import type { Identifier, IdentityRules } from './identifiers.js';

export type MergeReason = 'shared_identifier' | 'alias';

export interface Merge {
  from: string;
  into: string;
  reason: MergeReason;
  /** The incoming identifier that tied `from` to this event. */
  identifier: Identifier;
}

export interface Conflict {
  /** The profile the event was attributed to. */
  profileId: string;
  /** The profile that was not merged, when the conflict is about one. */
  otherProfileId: string | null;
  /** The incoming identifier that was not used. */
  identifier: Identifier;
  reason: string;
}

export interface Resolution {
  /** The profile the event belongs to. */
  profileId: string;
  createdProfile: boolean;
  /** Identifiers newly given to `profileId`. */
  attached: Identifier[];
  merges: Merge[];
  conflicts: Conflict[];
}

/**
 * Resolves one event's identifiers against the identity graph and applies the outcome to it.
 *
 * The rules (README "Identity resolution"), after Segment Unify's identity resolution:
 * 1. Identifiers are considered in priority order (`rules.priority`, highest first).
 * 2. Each identifier is accepted if the person it implies — the profiles already matched,
 *    plus this identifier, plus the profile that owns it — stays within every per-type limit.
 *    `user_id` has limit 1, so two profiles holding different user ids are never merged.
 *    An identifier that would break a limit is dropped from this event and recorded as a
 *    conflict; resolution continues with the rest.
 * 3. No profile matched: a new profile is created with the accepted identifiers.
 *    Otherwise the profile matched by the highest-priority identifier survives; every other
 *    matched profile is merged into it (all history kept, the merge recorded with its reason)
 *    and accepted identifiers nobody owned are attached to it.
 *
 * @example
 * const graph = new IdentityGraph();
 * const r = resolveIdentifiers({ graph, identifiers: [{ type: 'anonymous_id', value: 'a1' }], rules: DEFAULT_IDENTITY_RULES, newProfileId: () => 'p1', reason: 'shared_identifier' });
 * r.createdProfile; // true
 */
export function resolveIdentifiers(input: {
  graph: IdentityGraph;
  identifiers: readonly Identifier[];
  rules: IdentityRules;
  newProfileId: () => string;
  reason: MergeReason;
}): Resolution {
  const { graph, rules } = input;
  if (input.identifiers.length === 0) throw new Error('resolveIdentifiers needs at least one identifier');
  const rank = (type: string) => {
    const i = rules.priority.indexOf(type);
    return i === -1 ? rules.priority.length : i;
  };
  const ordered = [...input.identifiers].sort((a, b) => rank(a.type) - rank(b.type));

  const matched: Array<{ profileId: string; via: Identifier }> = [];
  const accepted: Identifier[] = [];
  const rejected: Array<{ identifier: Identifier; owner: string | null; reason: string }> = [];
  // The person as accepted so far: the distinct values of each type.
  const combined = new Map<string, Set<string>>();

  for (const id of ordered) {
    const owner = graph.ownerOf(id) ?? null;
    const alreadyMatched = owner !== null && matched.some((m) => m.profileId === owner);
    const adding: Identifier[] = [id];
    if (owner !== null && !alreadyMatched) adding.push(...graph.identifiersOf(owner));
    // The first identifier always stands: it alone decides whose event this is, even if its
    // profile exceeds limits that were lowered after it was built.
    const breach = accepted.length === 0 ? null : findBreach(combined, adding, rules.limits);
    if (breach !== null) {
      rejected.push({
        identifier: id,
        owner,
        reason: owner === null
          ? `would give the person ${breach.count} identifiers of type ${breach.type} (limit ${breach.limit})`
          : `belongs to profile ${owner}; merging would give ${breach.count} identifiers of type ${breach.type} (limit ${breach.limit})`,
      });
      continue;
    }
    for (const a of adding) addTo(combined, a);
    accepted.push(id);
    if (owner !== null && !alreadyMatched) matched.push({ profileId: owner, via: id });
  }

  let profileId: string;
  let createdProfile = false;
  const merges: Merge[] = [];
  if (matched.length === 0) {
    profileId = input.newProfileId();
    graph.addProfile(profileId);
    createdProfile = true;
  } else {
    profileId = matched[0]!.profileId;
    for (const m of matched.slice(1)) {
      graph.merge(m.profileId, profileId);
      merges.push({ from: m.profileId, into: profileId, reason: input.reason, identifier: m.via });
    }
  }
  const attached: Identifier[] = [];
  for (const id of accepted) {
    if (graph.ownerOf(id) === undefined) {
      graph.attach(profileId, id);
      attached.push(id);
    }
  }
  const conflicts: Conflict[] = rejected.map((r) => ({ profileId, otherProfileId: r.owner, identifier: r.identifier, reason: r.reason }));
  return { profileId, createdProfile, attached, merges, conflicts };
}

function addTo(combined: Map<string, Set<string>>, id: Identifier): void {
  let set = combined.get(id.type);
  if (set === undefined) combined.set(id.type, (set = new Set()));
  set.add(id.value);
}

/** The first type whose count would grow past its limit, if any (a type already over its limit may stay so but not grow). */
function findBreach(combined: Map<string, Set<string>>, adding: readonly Identifier[], limits: Readonly<Record<string, number>>): { type: string; count: number; limit: number } | null {
  const grown = new Map<string, Set<string>>();
  for (const id of adding) {
    const base = combined.get(id.type);
    let set = grown.get(id.type);
    if (set === undefined) grown.set(id.type, (set = new Set(base)));
    set.add(id.value);
  }
  for (const [type, set] of grown) {
    const limit = limits[type] ?? Number.POSITIVE_INFINITY;
    const before = combined.get(type)?.size ?? 0;
    if (set.size > limit && set.size > before) return { type, count: set.size, limit };
  }
  return null;
}

/**
 * What an alias call's `previousId` names: a user id if some profile already holds it as
 * one, otherwise an anonymous id (Segment's alias joins a previous anonymous or user
 * identity to the new user id).
 *
 * @example
 * aliasPreviousIdentifier(new IdentityGraph(), 'anon-7'); // { type: 'anonymous_id', value: 'anon-7' }
 */
export function aliasPreviousIdentifier(graph: IdentityGraph, previousId: string): Identifier {
  const asUser = { type: 'user_id', value: previousId };
  return graph.ownerOf(asUser) !== undefined ? asUser : { type: 'anonymous_id', value: previousId };
}
