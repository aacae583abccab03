import { normalizeIdentifier, type Identifier } from '../identity/index.js';
import type { JsonObject } from '../shared/json.js';

/** The parts of another person's event that may carry the erased person's identifiers. */
export interface ScrubbableEvent {
  userId: string | null;
  anonymousId: string | null;
  previousId: string | null;
  traits: JsonObject;
  context: JsonObject;
  properties: JsonObject;
}

/** Whether a value is one of the identifiers, read the way identity resolution reads that type. */
type Matcher = (value: unknown) => boolean;

function matcher(identifiers: readonly Identifier[], types?: ReadonlySet<string>): Matcher {
  const byType = new Map<string, Set<string>>();
  for (const i of identifiers) {
    if (types !== undefined && !types.has(i.type)) continue;
    let set = byType.get(i.type);
    if (set === undefined) byType.set(i.type, (set = new Set()));
    set.add(i.value);
  }
  return (value) => {
    // Strings only: a number that equals a user id (a quantity, a price) is not that person.
    if (typeof value !== 'string') return false;
    for (const [type, values] of byType) {
      const v = normalizeIdentifier(type, value);
      if (v !== null && values.has(v)) return true;
    }
    return false;
  };
}

/** `object` without its keys whose value matches (one level). */
function withoutMatchingKeys(object: JsonObject, matches: Matcher): JsonObject | null {
  const kept = Object.entries(object).filter(([, v]) => !matches(v));
  return kept.length === Object.keys(object).length ? null : Object.fromEntries(kept);
}

/** `value` without the string leaves that match, at any depth (array elements dropped, object keys deleted). */
function deepWithout(value: unknown, matches: Matcher): { value: unknown; changed: boolean } {
  if (Array.isArray(value)) {
    let changed = false;
    const out: unknown[] = [];
    for (const v of value) {
      if (matches(v)) { changed = true; continue; }
      const r = deepWithout(v, matches);
      changed ||= r.changed;
      out.push(r.value);
    }
    return changed ? { value: out, changed } : { value, changed };
  }
  if (value !== null && typeof value === 'object') {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (matches(v)) { changed = true; continue; }
      const r = deepWithout(v, matches);
      changed ||= r.changed;
      out[k] = r.value;
    }
    return changed ? { value: out, changed } : { value, changed };
  }
  return { value, changed: false };
}

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Removes an erased person's identifiers from another person's event (P14), keeping the rest
 * of it: the `userId`, `anonymousId` and `previousId` that equal one of them; in `traits` and
 * `context.traits`, every trait whose value is one of them (any identifier type: these are the
 * places identifiers are read from); in `context.externalIds`, the entries whose `id` is one;
 * and anywhere else in `context` and `properties`, values equal to their email or phone (the
 * contact data that cannot be someone else's; other ids there are left, as an order id may
 * equal a user id by chance). Values match as identity resolution normalizes them (an
 * e-mail's case and spaces, a phone number's punctuation). Returns null when nothing changed.
 *
 * @example
 * scrubEvent({ userId: 'u2', anonymousId: 'dev-1', previousId: null, traits: {}, properties: {}, context: { traits: { email: 'A@x.io', name: 'B' } } },
 *   [{ type: 'anonymous_id', value: 'dev-1' }, { type: 'email', value: 'a@x.io' }]);
 * // { userId: 'u2', anonymousId: null, previousId: null, traits: {}, properties: {}, context: { traits: { name: 'B' } } }
 */
export function scrubEvent(event: ScrubbableEvent, identifiers: readonly Identifier[]): ScrubbableEvent | null {
  const any = matcher(identifiers);
  const contact = matcher(identifiers, new Set(['email', 'phone']));
  const exact = new Set(identifiers.map((i) => i.value));
  let changed = false;
  const column = (v: string | null) => {
    if (v === null || !exact.has(v)) return v;
    changed = true;
    return null;
  };
  const out: ScrubbableEvent = { ...event, userId: column(event.userId), anonymousId: column(event.anonymousId), previousId: column(event.previousId) };

  const traits = scrubTraits(event.traits, identifiers);
  if (traits !== null) { out.traits = traits; changed = true; }

  let context: JsonObject = event.context;
  if (isObject(context['traits'])) {
    const t = withoutMatchingKeys(context['traits'], any);
    if (t !== null) context = { ...context, traits: t };
  }
  if (Array.isArray(context['externalIds'])) {
    const ids = context['externalIds'].filter((e) => !(isObject(e) && any(e['id'])));
    if (ids.length !== context['externalIds'].length) context = { ...context, externalIds: ids };
  }
  const rest = deepWithout(context, contact);
  if (rest.changed || context !== event.context) { out.context = rest.value as JsonObject; changed = true; }

  const properties = deepWithout(event.properties, contact);
  if (properties.changed) { out.properties = properties.value as JsonObject; changed = true; }
  return changed ? out : null;
}

/**
 * Removes an erased person's identifiers from another person's traits (an event's or a
 * profile's): every trait whose value is one of them, and their email or phone at any depth.
 * Returns null when nothing changed.
 *
 * @example
 * scrubTraits({ name: 'B', partner: 'u1' }, [{ type: 'user_id', value: 'u1' }]); // { name: 'B' }
 */
export function scrubTraits(traits: JsonObject, identifiers: readonly Identifier[]): JsonObject | null {
  const top = withoutMatchingKeys(traits, matcher(identifiers)) ?? traits;
  const deep = deepWithout(top, matcher(identifiers, new Set(['email', 'phone'])));
  return deep.changed || top !== traits ? deep.value as JsonObject : null;
}

/**
 * Strings to look for in the JSON text of other people's rows, to find the few that may hold
 * one of the identifiers without parsing every row: each value as JSON writes it (its case
 * folded for e-mails, which are stored as sent), and for a phone number its last four digits
 * (it may have been sent with spaces or dashes). A row found is then checked exactly
 * (`scrubEvent`); a row not found holds none of them, except a phone number whose last four
 * digits were split by punctuation.
 *
 * @example
 * searchNeedles([{ type: 'email', value: 'a@x.io' }, { type: 'phone', value: '+442079460077' }]);
 * // [{ text: 'a@x.io', foldCase: true }, { text: '+442079460077', foldCase: false }, { text: '0077', foldCase: false }]
 */
export function searchNeedles(identifiers: readonly Identifier[]): Array<{ text: string; foldCase: boolean }> {
  const out = new Map<string, { text: string; foldCase: boolean }>();
  for (const i of identifiers) {
    const text = JSON.stringify(i.value).slice(1, -1);
    out.set(`${i.type === 'email'}\u0000${text}`, { text, foldCase: i.type === 'email' });
    if (i.type === 'phone' && i.value.length > 4) out.set(`false\u0000${i.value.slice(-4)}`, { text: i.value.slice(-4), foldCase: false });
  }
  return [...out.values()];
}
