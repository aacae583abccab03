import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { Identifier } from '../../identity/index.js';
import { scrubEvent, scrubTraits, searchNeedles } from '../../privacy/erasure-scrub.js';
import type { ChainedAuditEntry } from '../../privacy/audit-chain.js';
import type { ConsentRecord } from '../../privacy/consent-ledger.js';
import type { PeoplePrivacy, PrivacyRepository, ScrubJob } from '../../privacy/privacy-repository.js';
import type { AgeFacts } from '../../privacy/minors.js';
import type { DialectFeatures } from '../dialects/features.js';
import type { SubscriptionRecord } from '../../privacy/subscriptions.js';
import { readJson, type JsonObject } from '../../shared/json.js';
import type { Database } from '../schema.js';
import type { Store } from '../store.js';
import { chunkRows } from './chunk.js';
import { precompiled } from '../precompiled.js';
import { profileSelection, type SelectionOptions } from './profile-selection.js';

/** Tables whose `profile_id` rows erasure must keep (none today: the erasure record uses another column). */
const RETAINED_TABLES = new Set<string>();

/** PrivacyRepository on Kysely (SQLite and PostgreSQL). */
export function privacyRepositorySql(store: Store): PrivacyRepository {
  const { db, features } = store;
  const max = features.maxParameters;
  return {
    consentRecords: (ws, profileIds) => readConsent(db, ws, profileIds, max),
    async insertConsentRecords(ws, records) {
      await insertConsent(db, ws, records, max);
    },
    async subscriptionRecords(ws, profileIds) {
      const out: SubscriptionRecord[] = [];
      for (const chunk of chunkRows(profileIds, 1, max - 1)) {
        const rows = await db.selectFrom('subscription_records').selectAll().where('workspace_id', '=', ws).where('profile_id', 'in', chunk).orderBy('recorded_at').orderBy('id').execute();
        for (const r of rows) out.push({ id: r.id, profileId: r.profile_id, channel: r.channel as SubscriptionRecord['channel'], status: r.status as SubscriptionRecord['status'], source: r.source as SubscriptionRecord['source'], recordedAt: r.recorded_at });
      }
      return out;
    },
    async insertSubscriptionRecords(ws, records) {
      for (const chunk of chunkRows(records, 7, max)) {
        await db.insertInto('subscription_records').values(chunk.map((r) => ({ workspace_id: ws, id: r.id, profile_id: r.profileId, channel: r.channel, status: r.status, source: r.source, recorded_at: r.recordedAt }))).execute();
      }
    },
    async personalizationOff(ws, profileIds) {
      const out = new Set<string>();
      for (const chunk of chunkRows(profileIds, 1, max - 1)) {
        const rows = await db.selectFrom('privacy_switches').select('profile_id').where('workspace_id', '=', ws).where('profile_id', 'in', chunk).where('personalization_off', '=', 1).execute();
        for (const r of rows) out.add(r.profile_id);
      }
      return out;
    },
    async ageFacts(ws, profileIds) {
      return (await readSwitchesAndAges(db, features, ws, profileIds)).ages;
    },
    async setGuardianConsent(ws, change) {
      const values = { guardian_consent: change.granted ? 1 : 0, guardian_source: change.source, guardian_changed_at: change.at };
      // A row made for the guardian's consent leaves the personalization switch as never set (source '', time 0).
      await db.insertInto('privacy_switches').values({ workspace_id: ws, profile_id: change.profileId, personalization_off: 0, source: '', updated_at: 0, ...values })
        .onConflict((oc) => oc.columns(['workspace_id', 'profile_id']).doUpdateSet(values)).execute();
    },
    async setPersonalization(ws, change) {
      await db.insertInto('privacy_switches').values({ workspace_id: ws, profile_id: change.profileId, personalization_off: change.off ? 1 : 0, source: change.source, updated_at: change.at })
        .onConflict((oc) => oc.columns(['workspace_id', 'profile_id']).doUpdateSet({ personalization_off: change.off ? 1 : 0, source: change.source, updated_at: change.at })).execute();
    },
    async salt(ws, create, at) {
      const found = await db.selectFrom('workspace_secrets').select('value').where('workspace_id', '=', ws).where('name', '=', 'suppression_salt').executeTakeFirst();
      if (found !== undefined) return found.value;
      await db.insertInto('workspace_secrets').values({ workspace_id: ws, name: 'suppression_salt', value: create(), created_at: at })
        .onConflict((oc) => oc.columns(['workspace_id', 'name']).doNothing()).execute();
      const row = await db.selectFrom('workspace_secrets').select('value').where('workspace_id', '=', ws).where('name', '=', 'suppression_salt').executeTakeFirstOrThrow();
      return row.value;
    },
    async addSuppressions(ws, hashes, at) {
      for (const chunk of chunkRows(hashes, 3, max)) {
        await db.insertInto('suppressions').values(chunk.map((hash) => ({ workspace_id: ws, hash, created_at: at }))).onConflict((oc) => oc.columns(['workspace_id', 'hash']).doNothing()).execute();
      }
    },
    async findSuppressed(ws, hashes) {
      const out = new Set<string>();
      for (const chunk of chunkRows(hashes, 1, max - 1)) {
        const rows = await db.selectFrom('suppressions').select('hash').where('workspace_id', '=', ws).where('hash', 'in', chunk).execute();
        for (const r of rows) out.add(r.hash);
      }
      return out;
    },
    appendAudit: (ws, build) => store.inTransaction(async (tx) => {
      await features.lock(tx, `audit:${ws}`);
      const last = await tx.selectFrom('audit_log').select(['seq', 'hash']).where('workspace_id', '=', ws).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      const entry = build(last === undefined ? { seq: 0, hash: '0'.repeat(64) } : { seq: Number(last.seq), hash: last.hash });
      await tx.insertInto('audit_log').values({
        workspace_id: ws, seq: entry.seq, actor: entry.actor, action: entry.action, subject: entry.subject, details: JSON.stringify(entry.details),
        at: entry.at, prev_hash: entry.prevHash, hash: entry.hash,
      }).execute();
      return entry;
    }),
    async auditEntries(ws, page) {
      let q = db.selectFrom('audit_log').selectAll().where('workspace_id', '=', ws).where('seq', '>', page.afterSeq);
      if (page.subject !== undefined) {
        // A person's trail includes the entries about profiles merged into theirs (they keep the
        // absorbed id: entries are hash-chained history). Merge pointers are flattened, so one step finds them all.
        const merged = await db.selectFrom('profiles').select('id').where('workspace_id', '=', ws).where('merged_into', '=', page.subject).execute();
        q = q.where('subject', 'in', [page.subject, ...merged.map((r) => r.id)]);
      }
      const rows = await q.orderBy('seq').limit(page.limit).execute();
      return rows.map((r): ChainedAuditEntry => ({
        seq: Number(r.seq), workspaceId: r.workspace_id, actor: r.actor, action: r.action, subject: r.subject, details: readJson<JsonObject>(r.details, {}), at: r.at, prevHash: r.prev_hash, hash: r.hash,
      }));
    },
    async mergedInto(ws, profileId) {
      const rows = await db.selectFrom('profiles').select('id').where('workspace_id', '=', ws).where('merged_into', '=', profileId).execute();
      return rows.map((r) => r.id);
    },
    // Deleted bytes are overwritten where the engine can (SQLite's secure_delete), not only unlinked.
    eraseProfiles: (ws, erase) => store.inTransaction((tx) => features.overwritingDeletes(tx, async () => {
      const counts: Record<string, number> = {};
      const add = (table: string, n: bigint | number | undefined) => { counts[table] = (counts[table] ?? 0) + Number(n ?? 0); };
      const ids = [...erase.profileIds];
      const values = [...erase.identifierValues];
      // Rows that name the person outside a profile_id column.
      const orderIds = (await tx.selectFrom('orders').select('order_id').where('workspace_id', '=', ws).where('profile_id', 'in', ids).execute()).map((r) => r.order_id);
      for (const chunk of chunkRows(orderIds, 1, max - 2)) {
        add('order_items', (await tx.deleteFrom('order_items').where('workspace_id', '=', ws).where('order_id', 'in', chunk).executeTakeFirst()).numDeletedRows);
      }
      // The person's identifier values in other people's rows — events (a shared device, an
      // alias naming them, a form that carried their email) and profile traits — are searched
      // for after this transaction, in steps (`scrubStep`): finding them reads every event of
      // the workspace. What to look for is read now, before the person's identities go.
      const typed = await tx.selectFrom('identities').select(['type', 'value']).where('workspace_id', '=', ws).where('profile_id', 'in', ids).execute();
      const known = new Set(typed.map((i) => i.value));
      const identifiers = [...typed, ...values.filter((v) => !known.has(v)).map((value) => ({ type: 'user_id', value }))];
      const searching = identifiers.length > 0;
      if (searching) {
        checkSearchable(identifiers, ids.length, max);
        await tx.insertInto('erasure_scrubs').values({
          workspace_id: ws, report_id: erase.reportId, identifiers: JSON.stringify(identifiers.map((i) => ({ type: i.type, value: i.value }))), erased_profile_ids: JSON.stringify(ids),
          phase: 'events', cursor: null, events_scrubbed: 0, profiles_scrubbed: 0, scanned: 0, claimed_until: null, created_at: erase.at,
        }).execute();
      }
      add('identity_merges', (await tx.deleteFrom('identity_merges').where('workspace_id', '=', ws)
        .where((eb) => eb.or([eb('from_profile_id', 'in', ids), eb('into_profile_id', 'in', ids), ...(values.length > 0 ? [eb('identifier_value', 'in', values)] : [])])).executeTakeFirst()).numDeletedRows);
      add('identity_conflicts', (await tx.deleteFrom('identity_conflicts').where('workspace_id', '=', ws)
        .where((eb) => eb.or([eb('profile_id', 'in', ids), eb('other_profile_id', 'in', ids), ...(values.length > 0 ? [eb('identifier_value', 'in', values)] : [])])).executeTakeFirst()).numDeletedRows);
      // Two statements, one per index: SQLite plans the OR form as a scan of the workspace.
      add('profiles', (await tx.deleteFrom('profiles').where('workspace_id', '=', ws).where('merged_into', 'in', ids).executeTakeFirst()).numDeletedRows);
      add('profiles', (await tx.deleteFrom('profiles').where('workspace_id', '=', ws).where('id', 'in', ids).executeTakeFirst()).numDeletedRows);
      // Every table with a profile_id column, present and future.
      for (const table of await features.listTables(tx)) {
        if (RETAINED_TABLES.has(table)) continue;
        const columns = await features.listColumns(tx, table);
        if (!columns.includes('profile_id') || !columns.includes('workspace_id')) continue;
        const loose = tx as unknown as Kysely<Record<string, { workspace_id: string; profile_id: string }>>;
        add(table, (await loose.deleteFrom(table).where('workspace_id', '=', ws).where('profile_id', 'in', ids).executeTakeFirst()).numDeletedRows);
      }
      await tx.insertInto('erasure_reports').values({ workspace_id: ws, id: erase.reportId, erased_profile_id: erase.profileIds[0]!, report: JSON.stringify(erase.report(counts, searching)), completed_at: erase.at }).execute();
      return { tables: counts, searching };
    })),
    async claimScrub(now, leaseMs) {
      const free = await db.selectFrom('erasure_scrubs').selectAll()
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)])).orderBy('created_at').limit(1).executeTakeFirst();
      if (free === undefined) return null;
      // Taken only if nobody took it since the read (the lease seen is still the one stored).
      const taken = await db.updateTable('erasure_scrubs').set({ claimed_until: now + leaseMs })
        .where('workspace_id', '=', free.workspace_id).where('report_id', '=', free.report_id)
        .where((eb) => free.claimed_until === null ? eb('claimed_until', 'is', null) : eb('claimed_until', '=', free.claimed_until))
        .executeTakeFirst();
      return Number(taken.numUpdatedRows) === 1 ? scrubJobOf(free) : null;
    },
    scrubStep: (job, options) => scrubStep(store, job, options),
    async releaseScrub(job) {
      await db.updateTable('erasure_scrubs').set({ claimed_until: null }).where('workspace_id', '=', job.workspaceId).where('report_id', '=', job.reportId)
        .where('phase', '=', job.phase).where((eb) => job.cursor === null ? eb('cursor', 'is', null) : eb('cursor', '=', job.cursor)).execute();
    },
    async searchableRows(ws) {
      const loose = db as unknown as Kysely<Record<string, Record<string, string>>>;
      return await countInRange(loose, 'events', 'message_id', ws, { after: null, upTo: null }) + await countInRange(loose, 'profiles', 'id', ws, { after: null, upTo: null });
    },
  };
}

/** A stored search as a job. */
function scrubJobOf(r: Selectable<Database['erasure_scrubs']>): ScrubJob {
  return {
    workspaceId: r.workspace_id, reportId: r.report_id, identifiers: readJson<ScrubJob['identifiers']>(r.identifiers, []), erasedProfileIds: readJson<string[]>(r.erased_profile_ids, []),
    phase: r.phase as ScrubJob['phase'], cursor: r.cursor, eventsScrubbed: Number(r.events_scrubbed), profilesScrubbed: Number(r.profiles_scrubbed), scanned: Number(r.scanned), createdAt: Number(r.created_at),
  };
}

/** Refuses, before anything is deleted, a person with more identifiers than one search statement can bind. */
function checkSearchable(identifiers: readonly Identifier[], erased: number, max: number): void {
  const values = new Set(identifiers.map((i) => i.value)).size;
  if (values * 3 + searchNeedles(identifiers).length * 3 + erased + 3 > max) throw new Error(`erasure: too many identifiers to search for at once (${values})`);
}

/**
 * One step of the search of other people's rows (`PrivacyRepository.scrubStep`). The rows
 * that may hold an identifier are found by a read outside any transaction — the next `limit`
 * keys after the cursor, their text searched (`otherEventsHolding`) — so that neither
 * SQLite's write lock nor a PostgreSQL snapshot is held while a large workspace is read. The
 * few rows found are read again and rewritten in a short transaction that also moves the
 * cursor, on the condition that the cursor is still where this step found it.
 */
async function scrubStep(store: Store, job: ScrubJob, options: { limit: number; now: number; leaseMs: number }): Promise<ScrubJob | null> {
  const { db, features } = store;
  const ws = job.workspaceId;
  const identifiers = job.identifiers;
  const table = job.phase === 'events' ? 'events' : 'profiles';
  const key = job.phase === 'events' ? 'message_id' : 'id';
  // The last key of this step: the `limit`-th after the cursor, or the end of the table.
  const loose = db as unknown as Kysely<Record<string, Record<string, string>>>;
  let page = loose.selectFrom(table).select(key).where('workspace_id', '=', ws);
  if (job.cursor !== null) page = page.where(key, '>', job.cursor);
  const upper = (await page.orderBy(key).limit(1).offset(options.limit - 1).executeTakeFirst())?.[key] ?? null;
  const range = { after: job.cursor, upTo: upper };
  const found = job.phase === 'events'
    ? await otherEventsHolding(db, ws, job.erasedProfileIds, identifiers, range)
    : await otherProfilesHolding(db, ws, job.erasedProfileIds, identifiers, range);
  const scanned = upper !== null ? options.limit : await countInRange(loose, table, key, ws, range);
  const next: ScrubJob = upper !== null
    ? { ...job, cursor: upper, scanned: job.scanned + scanned }
    : { ...job, phase: job.phase === 'events' ? 'profiles' : 'done', cursor: null, scanned: job.scanned + scanned };
  const moved = await store.inTransaction((tx) => features.overwritingDeletes(tx, async () => {
    const advanced = await tx.updateTable('erasure_scrubs').set({ phase: next.phase, cursor: next.cursor, scanned: next.scanned, claimed_until: options.now + options.leaseMs })
      .where('workspace_id', '=', ws).where('report_id', '=', job.reportId).where('phase', '=', job.phase)
      .where((eb) => job.cursor === null ? eb('cursor', 'is', null) : eb('cursor', '=', job.cursor))
      .executeTakeFirst();
    if (Number(advanced.numUpdatedRows) !== 1) return false;
    if (job.phase === 'events') next.eventsScrubbed += await scrubEvents(tx, ws, job.erasedProfileIds, identifiers, found);
    else next.profilesScrubbed += await scrubProfiles(tx, ws, identifiers, found);
    await tx.updateTable('erasure_scrubs').set({ events_scrubbed: next.eventsScrubbed, profiles_scrubbed: next.profilesScrubbed })
      .where('workspace_id', '=', ws).where('report_id', '=', job.reportId).execute();
    if (next.phase === 'done') {
      await tx.deleteFrom('erasure_scrubs').where('workspace_id', '=', ws).where('report_id', '=', job.reportId).execute();
      const report = await tx.selectFrom('erasure_reports').select('report').where('workspace_id', '=', ws).where('id', '=', job.reportId).executeTakeFirst();
      if (report !== undefined) {
        const othersScrubbed = { status: 'done', eventsChanged: next.eventsScrubbed, profilesChanged: next.profilesScrubbed, rowsSearched: next.scanned, completedAt: new Date(options.now).toISOString() };
        await tx.updateTable('erasure_reports').set({ report: JSON.stringify({ ...readJson<JsonObject>(report.report, {}), othersScrubbed }) })
          .where('workspace_id', '=', ws).where('id', '=', job.reportId).execute();
      }
    }
    return true;
  }));
  return moved ? next : null;
}

async function countInRange(db: Kysely<Record<string, Record<string, string>>>, table: string, key: string, ws: string, range: { after: string | null; upTo: string | null }): Promise<number> {
  let q = db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', ws);
  if (range.after !== null) q = q.where(key, '>', range.after);
  if (range.upTo !== null) q = q.where(key, '<=', range.upTo);
  return Number((await q.executeTakeFirst())?.n ?? 0);
}

/**
 * Other people's events in a key range that may hold one of the identifiers: those naming one
 * in `user_id`, `anonymous_id` or `previous_id`, or whose JSON text (traits, context,
 * properties) contains one (`searchNeedles`). No index serves a search inside JSON text: over
 * all the steps of a search this reads every event of the workspace once, on both engines
 * (erasure is rare; ingest pays nothing for it). Returns their message ids.
 */
async function otherEventsHolding(db: Kysely<Database>, ws: string, erased: readonly string[], identifiers: readonly Identifier[], range: { after: string | null; upTo: string | null }): Promise<string[]> {
  const values = [...new Set(identifiers.map((i) => i.value))];
  const needles = searchNeedles(identifiers);
  let q = db.selectFrom('events').select('message_id').where('workspace_id', '=', ws);
  if (range.after !== null) q = q.where('message_id', '>', range.after);
  if (range.upTo !== null) q = q.where('message_id', '<=', range.upTo);
  const rows = await q.where('profile_id', 'not in', erased)
    .where((eb) => eb.or([
      eb('user_id', 'in', values), eb('anonymous_id', 'in', values), eb('previous_id', 'in', values),
      ...(['traits', 'context', 'properties'] as const).flatMap((column) => needles.map((n) => jsonTextContains(column, n))),
    ]))
    .execute();
  return rows.map((r) => r.message_id);
}

/** Other people's profiles in a key range whose traits' text contains one of the identifiers (as `otherEventsHolding`). */
async function otherProfilesHolding(db: Kysely<Database>, ws: string, erased: readonly string[], identifiers: readonly Identifier[], range: { after: string | null; upTo: string | null }): Promise<string[]> {
  const needles = searchNeedles(identifiers);
  let q = db.selectFrom('profiles').select('id').where('workspace_id', '=', ws);
  if (range.after !== null) q = q.where('id', '>', range.after);
  if (range.upTo !== null) q = q.where('id', '<=', range.upTo);
  const rows = await q.where('id', 'not in', erased).where((eb) => eb.or(needles.map((n) => jsonTextContains('traits', n)))).execute();
  return rows.map((r) => r.id);
}

/**
 * Rewrites the events found without the person's identifiers (`scrubEvent`), each read again
 * inside the transaction (another erasure may have rewritten it since it was found). Returns
 * how many changed.
 */
async function scrubEvents(tx: Kysely<Database>, ws: string, erased: readonly string[], identifiers: readonly Identifier[], messageIds: readonly string[]): Promise<number> {
  let updated = 0;
  for (const messageId of messageIds) {
    const r = await tx.selectFrom('events').select(['message_id', 'profile_id', 'user_id', 'anonymous_id', 'previous_id', 'traits', 'context', 'properties'])
      .where('workspace_id', '=', ws).where('message_id', '=', messageId).executeTakeFirst();
    if (r === undefined || erased.includes(r.profile_id)) continue;
    const scrubbed = scrubEvent({
      userId: r.user_id, anonymousId: r.anonymous_id, previousId: r.previous_id,
      traits: readJson<JsonObject>(r.traits, {}), context: readJson<JsonObject>(r.context, {}), properties: readJson<JsonObject>(r.properties, {}),
    }, identifiers);
    if (scrubbed === null) continue;
    await tx.updateTable('events').set({
      user_id: scrubbed.userId, anonymous_id: scrubbed.anonymousId, previous_id: scrubbed.previousId,
      traits: JSON.stringify(scrubbed.traits), context: JSON.stringify(scrubbed.context), properties: JSON.stringify(scrubbed.properties),
    }).where('workspace_id', '=', ws).where('message_id', '=', messageId).execute();
    updated++;
  }
  return updated;
}

/** Rewrites the profiles found without the person's identifiers in their traits (`scrubTraits`), each read again inside the transaction. */
async function scrubProfiles(tx: Kysely<Database>, ws: string, identifiers: readonly Identifier[], ids: readonly string[]): Promise<number> {
  let updated = 0;
  for (const id of ids) {
    const r = await tx.selectFrom('profiles').select('traits').where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst();
    if (r === undefined) continue;
    const traits = scrubTraits(readJson<JsonObject>(r.traits, {}), identifiers);
    if (traits === null) continue;
    await tx.updateTable('profiles').set({ traits: JSON.stringify(traits) }).where('workspace_id', '=', ws).where('id', '=', id).execute();
    updated++;
  }
  return updated;
}

/**
 * Whether a JSON column's text contains a needle: `cast(… as text)` is the document on SQLite
 * and jsonb's text form on PostgreSQL (both write strings with JSON's escapes). LIKE is
 * ASCII-case-insensitive on SQLite and case-sensitive on PostgreSQL: a superset either way for
 * exact needles, and `foldCase` lower-cases both sides for e-mails, which are compared folded.
 */
function jsonTextContains(column: 'traits' | 'context' | 'properties', needle: { text: string; foldCase: boolean }): RawBuilder<boolean> {
  const pattern = `%${needle.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const text = sql`cast(${sql.ref(column)} as text)`;
  return needle.foldCase ? sql<boolean>`lower(${text}) like ${pattern} escape '\\'` : sql<boolean>`${text} like ${pattern} escape '\\'`;
}

/**
 * The privacy state jobs need to decide whether they may profile people: their consent
 * records in ledger order and who switched personalization off (shared by the jobs that
 * profile: trait recompute, recommendation training, real-time segments). `options.page`:
 * the ids are one page of live profiles (see `profileSelection`).
 */
export async function readPrivacyOf(db: Kysely<Database>, features: DialectFeatures, ws: string, profileIds: readonly string[], options: SelectionOptions & { declaredAges?: boolean } = {}): Promise<PeoplePrivacy> {
  const maxParameters = features.maxParameters;
  const consents = await readConsent(db, ws, profileIds, maxParameters, options);
  const { personalizationOff, ages } = await readSwitchesAndAges(db, features, ws, profileIds, options);
  return { consents, personalizationOff, ages };
}

/**
 * Who of these people switched personalization off, and the age facts (P11) of those who
 * declared a `birthday` or an `age` (unless `declaredAges: false`) or have a guardian's consent.
 */
async function readSwitchesAndAges(db: Kysely<Database>, features: DialectFeatures, ws: string, profileIds: readonly string[], options: SelectionOptions & { declaredAges?: boolean } = {}): Promise<{ personalizationOff: Set<string>; ages: Map<string, AgeFacts> }> {
  const personalizationOff = new Set<string>();
  const ages = new Map<string, AgeFacts>();
  const birthday = features.jsonText('traits', 'birthday');
  const age = features.jsonText('traits', 'age');
  const { conditions, keeps } = profileSelection(profileIds, options, features.maxParameters);
  for (const condition of conditions) {
    const switched = await db.selectFrom('privacy_switches').select(['profile_id', 'personalization_off', 'guardian_consent']).where('workspace_id', '=', ws).where((eb) => condition(eb.ref('profile_id')))
      .where((eb) => eb.or([eb('personalization_off', '=', 1), eb('guardian_consent', '=', 1)])).execute();
    for (const r of switched) {
      if (!keeps(r.profile_id)) continue;
      if (Number(r.personalization_off) === 1) personalizationOff.add(r.profile_id);
      if (Number(r.guardian_consent) === 1) ages.set(r.profile_id, { birthday: null, age: null, guardianConsent: true });
    }
    if (options.declaredAges === false) continue;
    const declared = await db.selectFrom('profiles').select(['id', birthday.as('birthday'), age.as('age')]).where('workspace_id', '=', ws).where((eb) => condition(eb.ref('id')))
      .where((eb) => eb.or([eb(birthday, 'is not', null), eb(age, 'is not', null)])).execute();
    for (const r of declared) {
      if (keeps(r.id)) ages.set(r.id, { birthday: r.birthday, age: r.age, guardianConsent: ages.get(r.id)?.guardianConsent ?? false });
    }
  }
  return { personalizationOff, ages };
}

/** One person's personalization switch and guardian consent: compiled once (serving reads them on every request). */
export const switchOf = precompiled((db, v: { ws: string; profileId: string }) =>
  db.selectFrom('privacy_switches').select(['personalization_off', 'guardian_consent']).where('workspace_id', '=', v.ws).where('profile_id', '=', v.profileId));


/** Reads consent records of profiles, each person's in ledger order (shared with the ingest path). */
export async function readConsent(db: Kysely<Database>, ws: string, profileIds: readonly string[], maxParameters: number, options: SelectionOptions = {}): Promise<ConsentRecord[]> {
  const out: ConsentRecord[] = [];
  const { conditions, keeps } = profileSelection(profileIds, options, maxParameters);
  for (const condition of conditions) {
    const rows = await db.selectFrom('consent_records').selectAll().where('workspace_id', '=', ws).where((eb) => condition(eb.ref('profile_id'))).orderBy('recorded_at').orderBy('id').execute();
    for (const r of rows) if (keeps(r.profile_id)) out.push(consentRecordOf(r));
  }
  return out;
}

/** A consent_records row as a ledger record. */
export function consentRecordOf(r: Selectable<Database['consent_records']>): ConsentRecord {
  return {
    id: r.id, profileId: r.profile_id, purpose: r.purpose as ConsentRecord['purpose'], decision: r.decision as ConsentRecord['decision'], noticeVersion: r.notice_version,
    source: r.source as ConsentRecord['source'], ...(r.method === null ? {} : { method: r.method }), jurisdiction: r.jurisdiction as ConsentRecord['jurisdiction'], recordedAt: r.recorded_at,
  };
}

/** One person's consent rows in ledger order: compiled once (serving reads them on every request). */
export const consentOf = precompiled((db, v: { ws: string; profileId: string }) =>
  db.selectFrom('consent_records').selectAll().where('workspace_id', '=', v.ws).where('profile_id', '=', v.profileId).orderBy('recorded_at').orderBy('id'));

/** Inserts consent records (shared with the ingest path, which records consent sent with identify). */
export async function insertConsent(db: Kysely<Database>, ws: string, records: readonly ConsentRecord[], maxParameters: number): Promise<void> {
  for (const chunk of chunkRows(records, 10, maxParameters)) {
    await db.insertInto('consent_records').values(chunk.map((r) => ({
      workspace_id: ws, id: r.id, profile_id: r.profileId, purpose: r.purpose, decision: r.decision, notice_version: r.noticeVersion, source: r.source,
      method: r.method ?? null, jurisdiction: r.jurisdiction, recorded_at: r.recordedAt,
    }))).execute();
  }
}
