import { z } from 'zod';
import { PURPOSES } from '../privacy/purposes.js';
import { CHANNELS } from '../privacy/subscriptions.js';
import { isTraitName, TIME_BY_KEY_TRAITS, TRAITS, type TraitDefinition, type TraitType } from '../profiles/trait-registry.js';
import { parseIsoDate } from '../shared/iso-date.js';

/**
 * The segment definition language: JSON, validated here, compiled to SQL by compile-sql.ts.
 * A definition is one condition; conditions nest with `all` / `any` / `not`.
 *
 * Leaf conditions:
 * - trait: `{ "trait": "orders_count", "op": ">", "value": 3 }` — a computed trait or
 *   prediction (by registry name) or, with `"source": "profile"`, a trait sent with
 *   `identify`. Operators: `=`, `!=`, `<`, `<=`, `>`, `>=` (numbers or strings), `between`
 *   (`[low, high]`, inclusive), `in` / `not_in` (a list), `contains` (a substring of a string
 *   trait, or an element of a list trait), `exists` / `not_exists`, `before` / `after` (a
 *   date trait against a date: an ISO 8601 time or `{ "daysAgo": N }`), `within_last`
 *   (`{ "days": N }`: a date trait in the last N days), `top_percent` (`N`: the person is in
 *   the top N% of the workspace by this numeric trait, e.g. predicted_clv).
 * - event: `{ "event": "Order Completed", "where": [{ "property": "category", "op": "=", "value": "tea" }],
 *   "count": { "atLeast": 1 }, "withinLastDays": 30 }` — performed E (whose properties match
 *   every filter) at least / at most N times, within the last D days or between two dates
 *   (`"between": ["2024-01-01", "2024-02-01"]`). `{ "atMost": 0 }` is "did not perform".
 * - sequence: `{ "sequence": ["Product Viewed", "Order Completed"], "withinHours": 24 }` —
 *   A then B within T (optionally `withinLastDays` for A).
 * - segment: `{ "segment": "<segment id>" }` — member of another segment now.
 * - consent: `{ "consent": "marketing_email", "state": "granted" | "denied" | "none" }` — the
 *   person's latest recorded decision for a purpose (`denied` includes a withdrawn grant;
 *   `none`: no decision recorded; the jurisdiction's defaults are not applied — sending still
 *   asks the policy function).
 * - subscription: `{ "subscription": "email", "state": "subscribed" | "unsubscribed" | "none" }` —
 *   the latest subscription record for a channel.
 * - cluster: `{ "cluster": { "model": "<clustering model id>", "number": 2 } }` — placed in
 *   cluster 2 by that run of `tailor segments cluster` (src/segments/clustering.ts).
 */

export const TRAIT_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Most conditions in one definition, and deepest nesting. */
export const MAX_CONDITIONS = 50;
export const MAX_DEPTH = 8;

/** The form a date in a definition must take, quoted in the messages. */
const ISO_DATE_HINT = 'an ISO 8601 date or time (2024-05-01, 2024-05-01T10:30:00Z)';

// Dates are read by `parseIsoDate` both here and in `resolveDate`, so whatever validation
// accepts is exactly what evaluation compares against (`Date.parse` took "1" for 2001-01-01).
const dateRef = z.union([
  z.string().max(64).refine((s) => parseIsoDate(s) !== null, `must be ${ISO_DATE_HINT}`),
  z.object({ daysAgo: z.number().int().min(0).max(36_500) }).strict(),
]);
const scalar = z.union([z.string().max(1000), z.number().finite(), z.boolean()]);
const name = z.string().regex(TRAIT_NAME, 'must be a plain name: letters, digits and _, starting with a letter or _, at most 64 characters');

/** A key inside a JSON object: any text without `"`, `\\` or `.`. */
const jsonKey = z.string().min(1).max(100).regex(/^[^"\\.]+$/, 'must not contain ", \\ or .');

const traitCondition = z.object({
  trait: name,
  source: z.enum(['computed', 'profile']).optional(),
  /** For a per-key trait (revenue_total, event_counts, last_event_at, price_band_shares): the key. */
  key: jsonKey.optional(),
  op: z.enum(['=', '!=', '<', '<=', '>', '>=', 'between', 'in', 'not_in', 'contains', 'exists', 'not_exists', 'before', 'after', 'within_last', 'top_percent']),
  value: z.unknown().optional(),
}).strict().superRefine((c, ctx) => {
  const bad = (message: string) => ctx.addIssue({ code: 'custom', path: ['value'], message });
  switch (c.op) {
    case '=': case '!=': if (!scalar.safeParse(c.value).success) bad(`"${c.op}" needs a string, number or boolean value`); break;
    case '<': case '<=': case '>': case '>=': if (typeof c.value !== 'number' && typeof c.value !== 'string') bad(`"${c.op}" needs a number or string value`); break;
    case 'between': if (!Array.isArray(c.value) || c.value.length !== 2 || c.value.some((v) => typeof v !== 'number')) bad('"between" needs [low, high], two numbers'); break;
    case 'in': case 'not_in': if (!Array.isArray(c.value) || c.value.length === 0 || c.value.length > 1000 || c.value.some((v) => !scalar.safeParse(v).success)) bad(`"${c.op}" needs a list of 1 to 1000 strings, numbers or booleans`); break;
    case 'contains': if ((typeof c.value !== 'string' || c.value === '') && typeof c.value !== 'number') bad('"contains" needs a non-empty string or a number'); break;
    case 'exists': case 'not_exists': if (c.value !== undefined) bad(`"${c.op}" takes no value`); break;
    case 'before': case 'after': if (!dateRef.safeParse(c.value).success) bad(`"${c.op}" needs ${ISO_DATE_HINT} or { "daysAgo": N }`); break;
    case 'within_last': if (!z.object({ days: z.number().positive().max(36_500) }).strict().safeParse(c.value).success) bad('"within_last" needs { "days": N }'); break;
    case 'top_percent': if (typeof c.value !== 'number' || !(c.value > 0 && c.value <= 100)) bad('"top_percent" needs a number in (0, 100]'); break;
  }
});

const propertyFilter = z.object({
  /** A property name, or a dotted path into nested objects (`address.city`, at most 5 levels). */
  property: z.string().min(1).max(300).regex(/^[^"\\.]+(\.[^"\\.]+){0,4}$/, 'must be a property name or a dotted path of up to 5 names, without " or \\'),
  op: z.enum(['=', '!=', '<', '<=', '>', '>=', 'in', 'exists']),
  value: z.unknown().optional(),
}).strict().superRefine((f, ctx) => {
  if (f.op === 'exists') { if (f.value !== undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: '"exists" takes no value' }); return; }
  if (f.op === 'in') { if (!Array.isArray(f.value) || f.value.length === 0 || f.value.some((v) => !scalar.safeParse(v).success)) ctx.addIssue({ code: 'custom', path: ['value'], message: '"in" needs a non-empty list' }); return; }
  if (!scalar.safeParse(f.value).success) ctx.addIssue({ code: 'custom', path: ['value'], message: `"${f.op}" needs a string, number or boolean value` });
});

const eventCondition = z.object({
  event: z.string().min(1).max(200),
  where: z.array(propertyFilter).max(10).optional(),
  count: z.object({ atLeast: z.number().int().min(0).optional(), atMost: z.number().int().min(0).optional() }).strict()
    .refine((c) => c.atLeast !== undefined || c.atMost !== undefined, 'give atLeast, atMost or both')
    .refine((c) => c.atLeast === undefined || c.atMost === undefined || c.atLeast <= c.atMost, 'atLeast must not exceed atMost').optional(),
  withinLastDays: z.number().positive().max(36_500).optional(),
  between: z.tuple([dateRef, dateRef]).optional(),
}).strict().refine((c) => c.withinLastDays === undefined || c.between === undefined, { message: 'give withinLastDays or between, not both', path: ['between'] });

const sequenceCondition = z.object({
  sequence: z.tuple([z.string().min(1).max(200), z.string().min(1).max(200)]),
  withinHours: z.number().positive().max(24 * 365),
  withinLastDays: z.number().positive().max(36_500).optional(),
}).strict();

const segmentCondition = z.object({ segment: z.string().min(1).max(100) }).strict();
const consentCondition = z.object({
  consent: z.enum(PURPOSES, { error: () => `must be a purpose: ${PURPOSES.join(', ')}` }),
  state: z.enum(['granted', 'denied', 'none']),
}).strict();
const subscriptionCondition = z.object({
  subscription: z.enum(CHANNELS, { error: () => `must be a channel: ${CHANNELS.join(', ')}` }),
  state: z.enum(['subscribed', 'unsubscribed', 'none']),
}).strict();

const clusterCondition = z.object({
  cluster: z.object({ model: z.string().min(1).max(100), number: z.number().int().min(1) }).strict(),
}).strict();

export type TraitCondition = z.infer<typeof traitCondition>;
export type EventCondition = z.infer<typeof eventCondition>;
export type SequenceCondition = z.infer<typeof sequenceCondition>;
export type SegmentRefCondition = z.infer<typeof segmentCondition>;
export type ConsentCondition = z.infer<typeof consentCondition>;
export type SubscriptionCondition = z.infer<typeof subscriptionCondition>;
export type ClusterCondition = z.infer<typeof clusterCondition>;
export type DateRef = z.infer<typeof dateRef>;
export type Condition =
  | { all: Condition[] } | { any: Condition[] } | { not: Condition }
  | TraitCondition | EventCondition | SequenceCondition | SegmentRefCondition | ConsentCondition | SubscriptionCondition | ClusterCondition;

/** Which leaf a condition object is, by its distinguishing key. */
const KINDS = ['all', 'any', 'not', 'trait', 'event', 'sequence', 'segment', 'consent', 'subscription', 'cluster'] as const;
function kindOf(value: unknown): (typeof KINDS)[number] | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  for (const k of KINDS) if (Object.hasOwn(value, k)) return k;
  return null;
}

export interface DefinitionIssue {
  /** JSON path of the offending value, e.g. `condition.all[1].value`. */
  path: string;
  message: string;
}

const pathText = (path: ReadonlyArray<string | number>) => path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s === '' ? p : `${s}.${p}`), '');

/**
 * Validates a condition tree; every problem is reported with the path to it.
 *
 * @example
 * parseCondition({ all: [{ trait: 'orders_count', op: '>', value: 'x' }] });
 * // { ok: false, issues: [{ path: 'condition.all[0].value', message: '">" needs a number or string value' }] }
 */
export function parseCondition(input: unknown, base: ReadonlyArray<string | number> = ['condition']): { ok: true; value: Condition } | { ok: false; issues: DefinitionIssue[] } {
  const issues: DefinitionIssue[] = [];
  let count = 0;
  const walk = (value: unknown, path: ReadonlyArray<string | number>, depth: number): Condition | null => {
    count++;
    if (depth > MAX_DEPTH) { issues.push({ path: pathText(path), message: `nesting deeper than ${MAX_DEPTH} levels` }); return null; }
    const kind = kindOf(value);
    if (kind === null) { issues.push({ path: pathText(path), message: `must be a condition: an object with one of ${KINDS.join(', ')}` }); return null; }
    const v = value as Record<string, unknown>;
    if (kind === 'all' || kind === 'any') {
      const list = v[kind];
      const extra = Object.keys(v).filter((k) => k !== kind);
      if (extra.length > 0) issues.push({ path: pathText([...path, extra[0]!]), message: `unexpected key next to "${kind}"` });
      if (!Array.isArray(list) || list.length === 0) { issues.push({ path: pathText([...path, kind]), message: `"${kind}" needs a non-empty list of conditions` }); return null; }
      const children = list.map((c, i) => walk(c, [...path, kind, i], depth + 1));
      return children.every((c) => c !== null) ? ({ [kind]: children } as Condition) : null;
    }
    if (kind === 'not') {
      const extra = Object.keys(v).filter((k) => k !== 'not');
      if (extra.length > 0) issues.push({ path: pathText([...path, extra[0]!]), message: 'unexpected key next to "not"' });
      const child = walk(v['not'], [...path, 'not'], depth + 1);
      return child === null ? null : { not: child };
    }
    const schema = { trait: traitCondition, event: eventCondition, sequence: sequenceCondition, segment: segmentCondition, consent: consentCondition, subscription: subscriptionCondition, cluster: clusterCondition }[kind];
    const r = schema.safeParse(value);
    if (!r.success) {
      for (const issue of r.error.issues) issues.push({ path: pathText([...path, ...(issue.path as Array<string | number>)]), message: issue.message });
      return null;
    }
    if (kind === 'trait') {
      const problem = traitProblem(r.data as TraitCondition);
      if (problem !== null) { issues.push({ path: pathText([...path, problem.at]), message: problem.message }); return null; }
    }
    return r.data as Condition;
  };
  const value = walk(input, base, 1);
  if (count > MAX_CONDITIONS) issues.push({ path: pathText(base), message: `more than ${MAX_CONDITIONS} conditions` });
  return value === null || issues.length > 0 ? { ok: false, issues } : { ok: true, value };
}

const OPS_BY_TYPE: Record<TraitType, ReadonlyArray<TraitCondition['op']>> = {
  number: ['=', '!=', '<', '<=', '>', '>=', 'between', 'in', 'not_in', 'exists', 'not_exists', 'top_percent'],
  date: ['before', 'after', 'within_last', 'exists', 'not_exists'],
  string: ['=', '!=', 'in', 'not_in', 'contains', 'exists', 'not_exists'],
  'string[]': ['contains', 'exists', 'not_exists'],
  'record<string,number>': ['exists', 'not_exists'],
};

/** What is wrong with a computed-trait condition against the trait registry, if anything. */
function traitProblem(c: TraitCondition): { at: string; message: string } | null {
  if (c.source === 'profile') return null;
  if (!isTraitName(c.trait)) return { at: 'trait', message: `unknown computed trait "${c.trait}" (for a trait sent with identify, add "source": "profile"); computed traits: ${Object.keys(TRAITS).join(', ')}` };
  const def = TRAITS[c.trait] as TraitDefinition;
  const record = def.type === 'record<string,number>';
  if (c.key !== undefined && !record) return { at: 'key', message: `"${c.trait}" is a ${def.type}, not a per-key trait` };
  const type: TraitType = record && c.key !== undefined ? (TIME_BY_KEY_TRAITS.has(c.trait) ? 'date' : 'number') : def.type;
  if (!OPS_BY_TYPE[type].includes(c.op)) {
    const hint = record && c.key === undefined ? ' (give "key" to compare one entry, e.g. a currency or an event name)' : '';
    return { at: 'op', message: `"${c.op}" does not apply to "${c.trait}", a ${type}${hint}; use one of ${OPS_BY_TYPE[type].join(', ')}` };
  }
  if (['<', '<=', '>', '>='].includes(c.op) && typeof c.value !== 'number') return { at: 'value', message: `"${c.trait}" is a number; "${c.op}" needs a number` };
  if (def.values !== undefined && (c.op === '=' || c.op === '!=' || c.op === 'in' || c.op === 'not_in')) {
    const given = Array.isArray(c.value) ? c.value : [c.value];
    const unknown = given.find((v) => typeof v !== 'string' || !def.values!.includes(v));
    if (unknown !== undefined) return { at: 'value', message: `${JSON.stringify(unknown)} is not a value of "${c.trait}": ${def.values.join(', ')}` };
  }
  return null;
}

/** A segment as created through the API or CLI. */
export const segmentInputSchema = z.object({
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  condition: z.unknown(),
}).strict();

/**
 * Whether a condition reads behaviour (events, computed traits, predictions, clusters, other segments):
 * such segments never include people whose profiling the policy refuses (PRIVACY.md P5).
 *
 * @example
 * usesBehaviour({ trait: 'plan', source: 'profile', op: '=', value: 'pro' }); // false
 */
export function usesBehaviour(c: Condition): boolean {
  if ('all' in c) return c.all.some(usesBehaviour);
  if ('any' in c) return c.any.some(usesBehaviour);
  if ('not' in c) return usesBehaviour(c.not);
  if ('trait' in c) return c.source !== 'profile';
  if ('consent' in c || 'subscription' in c) return false;
  return true;
}

/**
 * Whether a condition ranks the whole population (`top_percent`): such segments change when
 * anyone's value changes, so they are kept by full evaluations only.
 *
 * @example
 * usesPopulationRank({ trait: 'predicted_clv', op: 'top_percent', value: 10 }); // true
 */
export function usesPopulationRank(c: Condition): boolean {
  if ('all' in c) return c.all.some(usesPopulationRank);
  if ('any' in c) return c.any.some(usesPopulationRank);
  if ('not' in c) return usesPopulationRank(c.not);
  return 'trait' in c && c.op === 'top_percent';
}

/** What can change a condition's value for a person between full evaluations. */
export interface Triggers {
  /** Track events named in event and sequence conditions. */
  eventNames: Set<string>;
  /** Any event at all (first_seen / last_seen move with every event). */
  anyEvent: boolean;
  /** An identify call (traits sent with identify, consent and subscriptions recorded from it). */
  identify: boolean;
  /** Other segments referred to. */
  segments: Set<string>;
}

/**
 * What can change a condition between full evaluations, so that ingest re-evaluates a
 * segment only for the people whose new events could have changed it. Recomputed traits and
 * predictions change only with `tailor compute` / `tailor predict`, after which the scheduled
 * evaluation runs; a merge can change anything (the real-time updater treats it so).
 *
 * @example
 * triggersOf({ all: [{ event: 'Order Completed' }, { trait: 'orders_count', op: '>', value: 1 }] });
 * // { eventNames: Set {'Order Completed'}, anyEvent: false, identify: false, segments: Set {} }
 */
export function triggersOf(c: Condition): Triggers {
  const t: Triggers = { eventNames: new Set(), anyEvent: false, identify: false, segments: new Set() };
  const walk = (x: Condition): void => {
    if ('all' in x) x.all.forEach(walk);
    else if ('any' in x) x.any.forEach(walk);
    else if ('not' in x) walk(x.not);
    else if ('event' in x) t.eventNames.add(x.event);
    else if ('sequence' in x) { t.eventNames.add(x.sequence[0]); t.eventNames.add(x.sequence[1]); }
    else if ('segment' in x) t.segments.add(x.segment);
    else if ('consent' in x || 'subscription' in x) t.identify = true;
    else if ('cluster' in x) return; // changes only when clustering runs again
    else if (x.source === 'profile') t.identify = true;
    else if (x.trait === 'first_seen' || x.trait === 'last_seen') t.anyEvent = true;
  };
  walk(c);
  return t;
}

/**
 * Event names of which a person must have at least one stored event for the condition to
 * hold (any one of them), or null when it can hold without any: a positive event condition
 * (at least once, the default) needs its name, a sequence its first step; `all` needs what its
 * most demanding part needs, `any` what every part needs together. The real-time update uses
 * it to pass over newcomers — people whose stored events are all new — in segments their
 * events cannot put them in.
 *
 * @example
 * requiredEventNames({ all: [{ event: 'Order Completed' }, { trait: 'city', source: 'profile', op: '=', value: 'Leeds' }] }); // Set {'Order Completed'}
 * requiredEventNames({ not: { event: 'Order Completed' } }); // null
 */
export function requiredEventNames(c: Condition): Set<string> | null {
  if ('all' in c) {
    let best: Set<string> | null = null;
    for (const x of c.all) {
      const s = requiredEventNames(x);
      if (s !== null && (best === null || s.size < best.size)) best = s;
    }
    return best;
  }
  if ('any' in c) {
    if (c.any.length === 0) return null;
    const out = new Set<string>();
    for (const x of c.any) {
      const s = requiredEventNames(x);
      if (s === null) return null;
      for (const n of s) out.add(n);
    }
    return out;
  }
  if ('event' in c) return (c.count?.atLeast ?? (c.count?.atMost === undefined ? 1 : 0)) >= 1 ? new Set([c.event]) : null;
  if ('sequence' in c) return new Set([c.sequence[0]]);
  return null;
}

/**
 * Whether new events can only make the condition true, never false (positive event and
 * sequence conditions without `atMost`, last_seen moving forward, and conditions events do
 * not change — recomputed traits, predictions, and, for events other than identify, traits
 * sent with identify, consent and subscriptions — combined with `all` / `any`). A member of
 * such a segment stays a member whatever track or page events arrive, so the real-time
 * update need not look.
 *
 * @example
 * growsWithEvents({ event: 'Order Completed', withinLastDays: 30 }); // true
 * growsWithEvents({ not: { event: 'Order Completed' } }); // false
 */
export function growsWithEvents(c: Condition): boolean {
  if ('all' in c) return c.all.every(growsWithEvents);
  if ('any' in c) return c.any.every(growsWithEvents);
  if ('not' in c || 'segment' in c) return false;
  if ('event' in c) return c.count?.atMost === undefined;
  if ('sequence' in c || 'consent' in c || 'subscription' in c || 'cluster' in c) return true;
  if (c.source === 'profile') return true;
  if (c.trait === 'first_seen') return false;
  if (c.trait === 'last_seen') return ['>', '>=', 'after', 'within_last', 'exists'].includes(c.op);
  return true;
}

/**
 * The clustering models a condition refers to, with the cluster numbers.
 *
 * @example
 * referencedClusters({ not: { cluster: { model: 'm1', number: 2 } } }); // [{ model: 'm1', number: 2 }]
 */
export function referencedClusters(c: Condition): Array<ClusterCondition['cluster']> {
  if ('all' in c) return c.all.flatMap(referencedClusters);
  if ('any' in c) return c.any.flatMap(referencedClusters);
  if ('not' in c) return referencedClusters(c.not);
  if ('cluster' in c) return [c.cluster];
  return [];
}

/**
 * The other segments a condition refers to.
 *
 * @example
 * referencedSegments({ any: [{ segment: 'vip' }] }); // ['vip']
 */
export function referencedSegments(c: Condition): string[] {
  if ('all' in c) return c.all.flatMap(referencedSegments);
  if ('any' in c) return c.any.flatMap(referencedSegments);
  if ('not' in c) return referencedSegments(c.not);
  if ('segment' in c) return [c.segment];
  return [];
}

/**
 * The `segment` and `cluster` leaves of a condition with the JSON path of each, in document
 * order, so that a reference that does not hold can be reported where it is written.
 *
 * @example
 * referencesOf({ all: [{ event: 'X' }, { not: { segment: 's1' } }] });
 * // [{ kind: 'segment', segment: 's1', path: 'condition.all[1].not.segment' }]
 */
export function referencesOf(c: Condition, base: ReadonlyArray<string | number> = ['condition']): Array<
  { kind: 'segment'; segment: string; path: string } | { kind: 'cluster'; cluster: ClusterCondition['cluster']; path: string }
> {
  if ('all' in c) return c.all.flatMap((x, i) => referencesOf(x, [...base, 'all', i]));
  if ('any' in c) return c.any.flatMap((x, i) => referencesOf(x, [...base, 'any', i]));
  if ('not' in c) return referencesOf(c.not, [...base, 'not']);
  if ('segment' in c) return [{ kind: 'segment', segment: c.segment, path: pathText([...base, 'segment']) }];
  if ('cluster' in c) return [{ kind: 'cluster', cluster: c.cluster, path: pathText([...base, 'cluster']) }];
  return [];
}

/**
 * A date reference as epoch ms, read with the same strict parser validation uses. A definition
 * stored before dates were checked strictly can hold a text that parser refuses (`2024-1-5`):
 * it keeps the meaning it was saved with (`Date.parse`'s), so that an old segment goes on
 * evaluating as before instead of stopping every evaluation of its workspace; editing it asks
 * for a valid date.
 *
 * @example
 * resolveDate({ daysAgo: 30 }, now); // now − 30 days
 * resolveDate('2024-05-01T00:00:00Z', now); // 1714521600000
 */
export function resolveDate(ref: DateRef, now: number): number {
  if (typeof ref !== 'string') return now - ref.daysAgo * 86_400_000;
  return parseIsoDate(ref) ?? Date.parse(ref);
}
