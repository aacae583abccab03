import type { TraitSettings } from '../contracts/workspace.js';

/**
 * The traits the Segment Identify spec reserves
 * (https://segment.com/docs/connections/spec/identify/#traits), plus Tailor's own documented
 * ones (`preferences` for cold-start recommendations, `consent` — read into the consent ledger,
 * never stored as a trait). They are always accepted.
 */
export const STANDARD_IDENTIFY_TRAITS: ReadonlySet<string> = new Set([
  'address', 'age', 'avatar', 'birthday', 'company', 'createdAt', 'description', 'email', 'firstName', 'gender', 'id',
  'lastName', 'name', 'phone', 'title', 'username', 'website',
  'preferences', 'consent',
]);

/**
 * Applies the workspace's policy for undeclared `identify` traits (data minimization,
 * PRIVACY.md): with `undeclared: 'drop'`, a trait that is neither standard nor declared by
 * the workspace is not stored and is reported by name. Custom identifier types the workspace
 * declared (identity settings) are always kept: identity resolution reads them.
 *
 * @example
 * filterIdentifyTraits({ traits: { email: 'a@b.c', shoeSize: 42 }, settings: { undeclared: 'drop', declared: [] }, identifierTraits: [] });
 * // { kept: { email: 'a@b.c' }, dropped: ['shoeSize'] }
 */
export function filterIdentifyTraits(input: {
  traits: Readonly<Record<string, unknown>>;
  settings: Pick<TraitSettings, 'undeclared' | 'declared'>;
  identifierTraits: readonly string[];
}): { kept: Record<string, unknown>; dropped: string[] } {
  if (input.settings.undeclared === 'accept') return { kept: { ...input.traits }, dropped: [] };
  const allowed = new Set<string>([...STANDARD_IDENTIFY_TRAITS, ...input.settings.declared.map((d) => d.name), ...input.identifierTraits]);
  const kept: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(input.traits)) {
    if (allowed.has(name)) kept[name] = value;
    else dropped.push(name);
  }
  return { kept, dropped };
}
