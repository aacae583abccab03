import { sql, type Kysely, type RawBuilder } from 'kysely';
import { TRAITS, isTraitName } from '../profiles/trait-registry.js';
import type { DialectFeatures } from '../store/dialects/features.js';
import type { Database } from '../store/schema.js';
import { resolveDate, type Condition, type EventCondition, type TraitCondition } from './definition.js';

const DAY_MS = 86_400_000;

/**
 * How a compiled condition reads events: `population` for a full evaluation (each event
 * condition an uncorrelated `p.id in (select profile_id from events …)`, which reads only the
 * matching events once, through index `events_name_time`), `profiles` for a few people at a
 * time (correlated `exists` / `count(*)` per person, through index `events_profile_time`).
 */
export type Scope = 'population' | 'profiles';

/**
 * Compiles a segment condition to one SQL boolean over the live profiles of a workspace,
 * read as `profiles p` left-joined with `computed_traits c` and `predictions pr` (see
 * `segmentSource`). Values are parameters; JSON keys are parameters too, and the definition
 * has restricted them. `top_percent` looks its threshold up first, so compiling is
 * asynchronous.
 *
 * Where a trait is read: `first_seen`/`last_seen` from the profile row (always current);
 * other registry traits from the last recompute (`computed_traits`) or the last `tailor
 * predict` (`predictions`); `source: "profile"` traits from those sent with `identify`.
 */
export async function compileCondition(db: Kysely<Database>, f: DialectFeatures, ws: string, condition: Condition, now: number, scope: Scope = 'population'): Promise<RawBuilder<boolean>> {
  const compile = async (c: Condition): Promise<RawBuilder<boolean>> => {
    if ('all' in c) return sql<boolean>`(${sql.join(await Promise.all(c.all.map(compile)), sql` and `)})`;
    if ('any' in c) return sql<boolean>`(${sql.join(await Promise.all(c.any.map(compile)), sql` or `)})`;
    if ('not' in c) return sql<boolean>`(not coalesce(${await compile(c.not)}, false))`;
    if ('trait' in c) return traitSql(db, f, ws, c, now, scope);
    if ('event' in c) return eventSql(f, ws, c, now, scope);
    if ('sequence' in c) {
      const since = c.withinLastDays === undefined ? sql`` : sql`and a.timestamp >= ${now - c.withinLastDays * DAY_MS}`;
      const [ea, eb] = scope === 'population' ? [sql`events a`, sql`events b`] : [f.eventsOfProfile('a'), f.eventsOfProfile('b')];
      const pairs = sql`from ${ea} join ${eb} on b.workspace_id = a.workspace_id and b.profile_id = a.profile_id
        and ${scope === 'population' ? sql`b.event` : sql`coalesce(b.event, '')`} = ${c.sequence[1]} and b.timestamp > a.timestamp and b.timestamp <= a.timestamp + ${Math.round(c.withinHours * 3_600_000)}
        where a.workspace_id = ${ws} and ${scope === 'population' ? sql`a.event` : sql`coalesce(a.event, '')`} = ${c.sequence[0]} ${since}`;
      return scope === 'population' ? sql<boolean>`p.id in (select a.profile_id ${pairs})` : sql<boolean>`exists (select 1 ${pairs} and a.profile_id = p.id)`;
    }
    if ('segment' in c) {
      // Memberships are packed per person (packed-memberships.ts): the referenced segment's part, by its ordinal.
      const pattern = sql`'%,' || (select s.ordinal from segments s where s.workspace_id = ${ws} and s.id = ${c.segment}) || ':%'`;
      return scope === 'population'
        ? sql<boolean>`p.id in (select profile_id from segment_memberships where workspace_id = ${ws} and segments like ${pattern})`
        : sql<boolean>`exists (select 1 from segment_memberships sm where sm.workspace_id = ${ws} and sm.profile_id = p.id and sm.segments like ${pattern})`;
    }
    if ('cluster' in c) {
      return scope === 'population'
        ? sql<boolean>`p.id in (select profile_id from cluster_assignments where workspace_id = ${ws} and model_id = ${c.cluster.model} and cluster = ${c.cluster.number})`
        : sql<boolean>`exists (select 1 from cluster_assignments ca where ca.workspace_id = ${ws} and ca.model_id = ${c.cluster.model} and ca.cluster = ${c.cluster.number} and ca.profile_id = p.id)`;
    }
    if ('subscription' in c) {
      // The latest subscription record for the channel (append-only; order: recorded_at, id).
      const latest = sql`(select status from subscription_records sr where sr.workspace_id = ${ws} and sr.profile_id = p.id and sr.channel = ${c.subscription} order by sr.recorded_at desc, sr.id desc limit 1)`;
      return c.state === 'none' ? sql<boolean>`(${latest} is null)` : sql<boolean>`(coalesce(${latest}, '') = ${c.state})`;
    }
    // consent: the latest recorded decision for the purpose (ledger order: recorded_at, id).
    const latest = sql`(select decision from consent_records cr where cr.workspace_id = ${ws} and cr.profile_id = p.id and cr.purpose = ${c.consent} order by cr.recorded_at desc, cr.id desc limit 1)`;
    if (c.state === 'none') return sql<boolean>`(${latest} is null)`;
    return c.state === 'granted' ? sql<boolean>`(coalesce(${latest}, '') = 'granted')` : sql<boolean>`(coalesce(${latest}, '') in ('denied', 'withdrawn'))`;
  };
  return compile(condition);
}

/** Where a trait lives: a column, or a key of one of the JSON columns. */
type Location = { column: string } | { json: string; path: string[] };

function traitLocation(c: TraitCondition): Location {
  const path = c.key === undefined ? [c.trait] : [c.trait, c.key];
  if (c.source === 'profile') return { json: 'p.traits', path };
  if (c.trait === 'first_seen') return { column: 'p.first_seen_at' };
  if (c.trait === 'last_seen') return { column: 'p.last_seen_at' };
  if (isTraitName(c.trait) && TRAITS[c.trait].source === 'prediction') return { json: 'pr.traits', path };
  return { json: 'c.traits', path };
}

async function traitSql(db: Kysely<Database>, f: DialectFeatures, ws: string, c: TraitCondition, now: number, scope: Scope): Promise<RawBuilder<boolean>> {
  const at = traitLocation(c);
  // For a few people by id, a column of the profile row is read as an expression: otherwise
  // SQLite may walk the index on that column (profiles_last_seen: every recent profile of the
  // workspace) for each batch instead of looking the people up by id.
  const column = (name: string) => (scope === 'profiles' ? sql`(${sql.ref(name)} + 0)` : sql.ref(name));
  const scalar = (kind: 'text' | 'number' | 'boolean') => ('column' in at ? column(at.column) : f.jsonScalar(at.json, at.path, kind));
  // Dates: computed traits hold epoch ms; traits sent with identify may also be ISO 8601 UTC
  // strings, compared as text in the canonical form (YYYY-MM-DDTHH:MM:SS.sssZ).
  const dateCompare = (op: '<' | '>' | '>=', at: number) => (c.source === 'profile'
    ? sql<boolean>`(${scalar('number')} ${sql.raw(op)} ${at} or ${scalar('text')} ${sql.raw(op)} ${new Date(at).toISOString()})`
    : sql<boolean>`(${scalar('number')} ${sql.raw(op)} ${at})`);
  switch (c.op) {
    case '=': return sql<boolean>`(${scalar(kindOf(c.value))} = ${valueOf(c.value)})`;
    case '!=': return sql<boolean>`(coalesce(${scalar(kindOf(c.value))} <> ${valueOf(c.value)}, true))`;
    case '<': case '<=': case '>': case '>=': return sql<boolean>`(${scalar(kindOf(c.value))} ${sql.raw(c.op)} ${valueOf(c.value)})`;
    case 'between': {
      const [low, high] = c.value as [number, number];
      return sql<boolean>`(${scalar('number')} between ${low} and ${high})`;
    }
    case 'in': case 'not_in': {
      const values = c.value as Array<string | number | boolean>;
      const anyOf = sql<boolean>`(${sql.join(values.map((v) => sql`${scalar(kindOf(v))} = ${valueOf(v)}`), sql` or `)})`;
      return c.op === 'in' ? anyOf : sql<boolean>`(not coalesce(${anyOf}, false))`;
    }
    case 'contains': {
      const v = c.value as string | number;
      if ('column' in at) return sql<boolean>`false`;
      // A substring of a text trait: replace() and length() exist on both engines.
      const text = f.jsonScalar(at.json, at.path, 'text');
      const inText = typeof v === 'string' ? sql`or length(replace(${text}, ${v}, '')) < length(${text})` : sql``;
      return sql<boolean>`(${f.jsonArrayContains(at.json, at.path, v)} ${inText})`;
    }
    case 'exists': return 'column' in at ? sql<boolean>`(${column(at.column)} is not null)` : f.jsonHas(at.json, at.path);
    case 'not_exists': return 'column' in at ? sql<boolean>`(${column(at.column)} is null)` : sql<boolean>`(not ${f.jsonHas(at.json, at.path)})`;
    case 'before': return dateCompare('<', resolveDate(c.value as never, now));
    case 'after': return dateCompare('>', resolveDate(c.value as never, now));
    case 'within_last': return dateCompare('>=', now - (c.value as { days: number }).days * DAY_MS);
    case 'top_percent': {
      const threshold = await topPercentThreshold(db, f, ws, at, c.value as number);
      return threshold === null ? sql<boolean>`false` : sql<boolean>`(${scalar('number')} >= ${threshold})`;
    }
  }
}

/** The value at the top `percent`% boundary of the workspace's live profiles (null: nobody has the trait). */
async function topPercentThreshold(db: Kysely<Database>, f: DialectFeatures, ws: string, at: Location, percent: number): Promise<number | null> {
  const value = 'column' in at ? sql.ref(at.column) : f.jsonScalar(at.json, at.path, 'number');
  const n = await sql<{ n: number | string }>`select count(*) as n from ${segmentSource(ws)} and ${value} is not null`.execute(db);
  const count = Number(n.rows[0]?.n ?? 0);
  if (count === 0) return null;
  const offset = Math.max(0, Math.ceil((count * percent) / 100) - 1);
  const r = await sql<{ v: number | string }>`select ${value} as v from ${segmentSource(ws)} and ${value} is not null order by v desc limit 1 offset ${offset}`.execute(db);
  return r.rows[0] === undefined ? null : Number(r.rows[0].v);
}

function eventSql(f: DialectFeatures, ws: string, c: EventCondition, now: number, scope: Scope): RawBuilder<boolean> {
  // Per person, the name is compared through an expression so that no planner prefers the
  // event-name index (every event of that name) over the person's own events.
  const name = scope === 'population' ? sql`e.event = ${c.event}` : sql`coalesce(e.event, '') = ${c.event}`;
  const filters: Array<RawBuilder<unknown>> = [sql`e.workspace_id = ${ws}`, name];
  if (c.withinLastDays !== undefined) filters.push(sql`e.timestamp >= ${now - c.withinLastDays * DAY_MS}`);
  if (c.between !== undefined) filters.push(sql`e.timestamp >= ${resolveDate(c.between[0], now)} and e.timestamp < ${resolveDate(c.between[1], now)}`);
  for (const w of c.where ?? []) {
    const path = w.property.split('.');
    const prop = (v: unknown) => f.jsonScalar('e.properties', path, kindOf(v));
    if (w.op === 'exists') filters.push(f.jsonHas('e.properties', path));
    else if (w.op === 'in') filters.push(sql`(${sql.join((w.value as unknown[]).map((v) => sql`${prop(v)} = ${valueOf(v)}`), sql` or `)})`);
    else if (w.op === '!=') filters.push(sql`coalesce(${prop(w.value)} <> ${valueOf(w.value)}, true)`);
    else filters.push(sql`${prop(w.value)} ${sql.raw(w.op)} ${valueOf(w.value)}`);
  }
  const where = sql.join(filters, sql` and `);
  const atLeast = c.count?.atLeast ?? (c.count?.atMost === undefined ? 1 : 0);
  const atMost = c.count?.atMost;
  const parts: Array<RawBuilder<boolean>> = [];
  if (scope === 'profiles') {
    // Correlated: one person's matching events, through the profile index.
    const mine = sql`from ${f.eventsOfProfile('e')} where ${where} and e.profile_id = p.id`;
    if (atLeast === 1) parts.push(sql<boolean>`exists (select 1 ${mine})`);
    else if (atLeast > 1) parts.push(sql<boolean>`((select count(*) ${mine}) >= ${atLeast})`);
    if (atMost === 0) parts.push(sql<boolean>`not exists (select 1 ${mine})`);
    else if (atMost !== undefined) parts.push(sql<boolean>`((select count(*) ${mine}) <= ${atMost})`);
  } else {
    if (atLeast === 1) parts.push(sql<boolean>`p.id in (select e.profile_id from events e where ${where})`);
    else if (atLeast > 1) parts.push(sql<boolean>`p.id in (select e.profile_id from events e where ${where} group by e.profile_id having count(*) >= ${atLeast})`);
    if (atMost === 0) parts.push(sql<boolean>`p.id not in (select e.profile_id from events e where ${where})`);
    else if (atMost !== undefined) parts.push(sql<boolean>`p.id not in (select e.profile_id from events e where ${where} group by e.profile_id having count(*) > ${atMost})`);
  }
  return parts.length === 0 ? sql<boolean>`true` : sql<boolean>`(${sql.join(parts, sql` and `)})`;
}

const kindOf = (v: unknown): 'text' | 'number' | 'boolean' => (typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'text');
const valueOf = (v: unknown) => (typeof v === 'boolean' ? String(v) : (v as string | number));

/**
 * The FROM clause of a condition compiled in scope `profiles`, for a few people by id: like
 * `segmentSource`, but driven by the list of ids (a `values` list joined to the profiles by
 * primary key), so that the plan stays a look-up per person whatever the planner knows —
 * without statistics (a young PostgreSQL table) it would otherwise read every live profile of
 * the workspace through `profiles_merged_into_id`, or every recent event of a name, and
 * filter the few people out.
 *
 * @example
 * await sql`select p.id from ${profilesSource(ws, ids)} and ${where}`.execute(db);
 */
export function profilesSource(ws: string, ids: readonly string[]): RawBuilder<unknown> {
  // A values list's column is called column1 on both engines; SQLite keeps the order of a
  // cross join (the list outside), and the live-profile test reads no index.
  return sql`(values ${sql.join(ids.map((id) => sql`(${id})`))}) as wanted
    cross join profiles p
    left join computed_traits c on c.workspace_id = p.workspace_id and c.profile_id = p.id
    left join predictions pr on pr.workspace_id = p.workspace_id and pr.profile_id = p.id
    where p.workspace_id = ${ws} and p.id = wanted.column1 and coalesce(p.merged_into, '') = ''`;
}

/**
 * The FROM clause every compiled condition reads: live profiles of the workspace with their
 * recomputed traits and predictions.
 *
 * @example
 * await sql`select p.id from ${segmentSource(ws)} and ${where}`.execute(db);
 */
export function segmentSource(ws: string): RawBuilder<unknown> {
  return sql`profiles p left join computed_traits c on c.workspace_id = p.workspace_id and c.profile_id = p.id
    left join predictions pr on pr.workspace_id = p.workspace_id and pr.profile_id = p.id
    where p.workspace_id = ${ws} and p.merged_into is null`;
}
