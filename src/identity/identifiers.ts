import { z } from 'zod';

/** One identifier of a person: its type (`user_id`, `email`, a declared custom type…) and value. */
export interface Identifier {
  readonly type: string;
  readonly value: string;
}

/** Built-in identifier types, in their default priority (highest first). */
export const BUILT_IN_TYPES = ['user_id', 'email', 'phone', 'anonymous_id'] as const;

/** A workspace-declared identifier type (member number, WeChat unionid, loyalty card…). */
export interface CustomIdentifierType {
  /** Type name, e.g. `member_number`; also the `type` matched in `context.externalIds`. */
  name: string;
  /** Trait that carries it in `identify` traits or `context.traits`, e.g. `memberNumber`. */
  trait?: string | undefined;
  /** Most identifiers of this type one profile may hold (1 = unique per person). */
  limit: number;
}

/** Identity rules of a workspace (stored in its settings; see README "Identity resolution"). */
export interface IdentityRules {
  /** Most identifiers of each type a profile may hold. `user_id` is always 1. */
  limits: Readonly<Record<string, number>>;
  /** Types in priority order, highest first: decides which profile survives a merge and which identifier is dropped on a conflict. */
  priority: readonly string[];
  customTypes: readonly CustomIdentifierType[];
}

export const customIdentifierTypeSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be lower_snake_case, at most 40 characters').refine((n) => !(BUILT_IN_TYPES as readonly string[]).includes(n), 'must not reuse a built-in identifier type'),
  trait: z.string().min(1).max(100).optional(),
  limit: z.number().int().min(1).max(1000).default(1),
});

export const identitySettingsSchema = z.object({
  limits: z.object({
    email: z.number().int().min(1).max(1000).default(10),
    phone: z.number().int().min(1).max(1000).default(10),
    anonymous_id: z.number().int().min(1).max(10_000).default(500),
  }).default({ email: 10, phone: 10, anonymous_id: 500 }),
  customTypes: z.array(customIdentifierTypeSchema).max(20).default([]),
});
export type IdentitySettings = z.infer<typeof identitySettingsSchema>;

/**
 * Builds the effective rules from a workspace's identity settings.
 * Custom types rank after `user_id` and before `email`: a member number is declared by the
 * brand to identify one person, which is stronger evidence than a shared family email.
 *
 * @example
 * const rules = identityRules(identitySettingsSchema.parse({}));
 * rules.limits.user_id; // 1
 */
export function identityRules(settings: IdentitySettings): IdentityRules {
  const limits: Record<string, number> = { user_id: 1, ...settings.limits };
  for (const c of settings.customTypes) limits[c.name] = c.limit;
  return {
    limits,
    priority: ['user_id', ...settings.customTypes.map((c) => c.name), 'email', 'phone', 'anonymous_id'],
    customTypes: settings.customTypes,
  };
}

export const DEFAULT_IDENTITY_RULES: IdentityRules = identityRules(identitySettingsSchema.parse({}));

/** Longest identifier value (README "Limits"; as `MAX_ID_LENGTH` for `userId` and `messageId`). */
export const MAX_IDENTIFIER_LENGTH = 256;

/**
 * Normalizes an identifier value so that the same person's id always compares equal:
 * emails are trimmed and lower-cased and must look like `local@domain`; phone numbers keep
 * a leading `+` and their digits (at least 6); other values are trimmed.
 * Returns `null` when the value cannot be an identifier.
 *
 * @example
 * normalizeIdentifier('email', ' Ann@Example.COM '); // 'ann@example.com'
 * normalizeIdentifier('phone', '+44 (0)20-7946 0018'); // '+4402079460018'
 */
export function normalizeIdentifier(type: string, raw: unknown): string | null {
  if (typeof raw !== 'string' && typeof raw !== 'number') return null;
  const value = String(raw).trim();
  if (value === '' || value.length > MAX_IDENTIFIER_LENGTH) return null;
  if (type === 'email') {
    const email = value.toLowerCase();
    return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? email : null;
  }
  if (type === 'phone') {
    const plus = value.startsWith('+') ? '+' : '';
    const digits = value.replace(/\D/g, '');
    return digits.length >= 6 && digits.length <= 20 ? plus + digits : null;
  }
  return value;
}

/** What identity resolution reads from one event. */
export interface IdentifierSource {
  type: string;
  userId?: string | null | undefined;
  anonymousId?: string | null | undefined;
  previousId?: string | null | undefined;
  traits?: Record<string, unknown> | undefined;
  context?: { traits?: Record<string, unknown> | undefined; externalIds?: ReadonlyArray<{ id: string; type: string }> | undefined } | undefined;
}

/**
 * Reads the identifiers an event carries: `userId`, `anonymousId`, `email` and `phone`
 * from `identify` traits or `context.traits`, declared custom ids from their trait or from
 * `context.externalIds` (Segment's shape: `{ id, type }`). Values are normalized and
 * de-duplicated; invalid values are left out. Alias's `previousId` is not included: the
 * caller resolves what it names (see `aliasPreviousIdentifier`).
 *
 * @example
 * extractIdentifiers({ type: 'identify', userId: 'u1', traits: { email: 'A@x.io' } }, DEFAULT_IDENTITY_RULES);
 * // [{ type: 'user_id', value: 'u1' }, { type: 'email', value: 'a@x.io' }]
 */
export function extractIdentifiers(source: IdentifierSource, rules: IdentityRules): Identifier[] {
  const out: Identifier[] = [];
  const seen = new Set<string>();
  const add = (type: string, raw: unknown) => {
    const value = normalizeIdentifier(type, raw);
    if (value === null) return;
    const key = `${type}\u0000${value}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ type, value });
  };
  add('user_id', source.userId);
  add('anonymous_id', source.anonymousId);
  const traitSources = [source.type === 'identify' ? source.traits : undefined, source.context?.traits];
  for (const traits of traitSources) {
    if (traits === undefined) continue;
    add('email', traits.email);
    add('phone', traits.phone);
    for (const c of rules.customTypes) if (c.trait !== undefined) add(c.name, traits[c.trait]);
  }
  const declared = new Set(rules.customTypes.map((c) => c.name));
  for (const ext of source.context?.externalIds ?? []) {
    if (declared.has(ext.type)) add(ext.type, ext.id);
    else if (ext.type === 'email' || ext.type === 'phone') add(ext.type, ext.id);
  }
  return out;
}

/**
 * The first identifier an event carries whose value is over `MAX_IDENTIFIER_LENGTH` characters,
 * as the path of the field it came from, or null. Read from the same places as
 * `extractIdentifiers`; such an event is rejected (README "Limits") rather than stored without
 * the identifier, as an over-long `userId` is.
 *
 * @example
 * overlongIdentifier({ type: 'identify', traits: { email: `${'a'.repeat(300)}@x.io` } }, DEFAULT_IDENTITY_RULES); // 'traits.email'
 */
export function overlongIdentifier(source: IdentifierSource, rules: IdentityRules): string | null {
  if (tooLong(source.userId)) return 'userId';
  if (tooLong(source.anonymousId)) return 'anonymousId';
  if (tooLong(source.previousId)) return 'previousId';
  const { traitNames, externalTypes } = readPlacesOf(rules);
  if (source.type === 'identify' && source.traits !== undefined) {
    for (const name of traitNames) if (tooLong(source.traits[name])) return `traits.${name}`;
  }
  const contextTraits = source.context?.traits;
  if (contextTraits !== undefined) {
    for (const name of traitNames) if (tooLong(contextTraits[name])) return `context.traits.${name}`;
  }
  const externalIds = source.context?.externalIds ?? [];
  for (let i = 0; i < externalIds.length; i++) {
    const ext = externalIds[i]!;
    if (externalTypes.has(ext.type) && tooLong(ext.id)) return `context.externalIds[${i}].id`;
  }
  return null;
}

function tooLong(raw: unknown): boolean {
  return (typeof raw === 'string' || typeof raw === 'number') && String(raw).trim().length > MAX_IDENTIFIER_LENGTH;
}

/** The traits identifiers are read from and the `externalIds` types read, worked out once per rules (every event is checked). */
const readPlaces = new WeakMap<IdentityRules, { traitNames: readonly string[]; externalTypes: ReadonlySet<string> }>();
function readPlacesOf(rules: IdentityRules): { traitNames: readonly string[]; externalTypes: ReadonlySet<string> } {
  let places = readPlaces.get(rules);
  if (places === undefined) {
    places = {
      traitNames: ['email', 'phone', ...rules.customTypes.flatMap((c) => (c.trait === undefined ? [] : [c.trait]))],
      externalTypes: new Set(['email', 'phone', ...rules.customTypes.map((c) => c.name)]),
    };
    readPlaces.set(rules, places);
  }
  return places;
}

/** Key for maps of identifiers. */
export const identifierKey = (id: Identifier): string => `${id.type}\u0000${id.value}`;
