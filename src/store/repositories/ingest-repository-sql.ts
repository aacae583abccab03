import type { Kysely } from 'kysely';
import type { CommittedBatch, IngestRepository, IngestUnitOfWork, OrderRow, ProfileState } from '../../ingest/index.js';
import { readJson } from '../../shared/json.js';
import { emptyTraitState, readStoredTraitState } from '../../profiles/trait-state.js';
import { precompiledRows } from '../precompiled.js';
import type { Database } from '../schema.js';
import type { Store } from '../store.js';
import { chunkRows, chunkRowsInShapes } from './chunk.js';
import { insertConsent, readConsent } from './privacy-repository-sql.js';

/**
 * Code that derives state from each ingested batch inside the ingest transaction
 * (computed traits, segment membership). Registered once, in the composition root.
 */
export type IngestParticipant = (tx: Kysely<Database>, batch: CommittedBatch) => Promise<void>;

/** IngestRepository on Kysely: each method is one or a few multi-row statements. */
export function ingestRepositorySql(store: Store, participants: readonly IngestParticipant[] = []): IngestRepository {
  const statements = ingestStatements(store.db);
  return {
    withIdentityLock: (workspaceId, fn) =>
      store.inTransaction(async (tx) => {
        await store.features.lock(tx, `identity:${workspaceId}`);
        return fn(unitOfWork(tx, workspaceId, store.features.maxParameters, participants, statements));
      }),
  };
}

/** A value of an `in (…)` list, with the workspace it is looked up in (read from the first row). */
type Keyed = { ws: string; v: string };
const keyed = (ws: string, values: readonly string[]): Keyed[] => values.map((v) => ({ ws, v }));

/**
 * The statements every ingest batch runs, compiled once per row count (`precompiledRows`):
 * building Kysely's operation tree for a 256-row insert on every batch cost about 6% of the
 * ingest time (docs/benchmarks.md, bench/ingest). Row counts come from `chunkRowsInShapes`.
 */
function ingestStatements(db: Kysely<Database>) {
  type ProfileRow = { workspace_id: string; id: string; traits: string; first_seen_at: number; last_seen_at: number; created_at: number; updated_at: number; merged_into: null; trait_state: string | null };
  type IdentityRow = { workspace_id: string; type: string; value: string; profile_id: string; first_seen_at: number; source_message_id: string | null };
  type EventRow = {
    workspace_id: string; message_id: string; type: string; event: string | null; name: string | null; profile_id: string; user_id: string | null; anonymous_id: string | null;
    group_id: string | null; previous_id: string | null; timestamp: number; original_timestamp: number | null; received_at: number; sent_at: number | null;
    properties: string; traits: string; context: string; integrations: string;
  };
  return {
    storedMessageIds: precompiledRows<Keyed, { message_id: string }>(db, ['ws', 'v'], (d, rows) =>
      d.selectFrom('events').select('message_id').where('workspace_id', '=', rows[0]!.ws).where('message_id', 'in', rows.map((r) => r.v))),
    ownersOf: precompiledRows<Keyed & { type: string }, { value: string; profile_id: string }>(db, ['ws', 'type', 'v'], (d, rows) =>
      d.selectFrom('identities').select(['value', 'profile_id']).where('workspace_id', '=', rows[0]!.ws).where('type', '=', rows[0]!.type).where('value', 'in', rows.map((r) => r.v))),
    identitiesOf: precompiledRows<Keyed, { type: string; value: string; profile_id: string }>(db, ['ws', 'v'], (d, rows) =>
      d.selectFrom('identities').select(['type', 'value', 'profile_id']).where('workspace_id', '=', rows[0]!.ws).where('profile_id', 'in', rows.map((r) => r.v))),
    profilesById: precompiledRows<Keyed, { id: string; traits: unknown; first_seen_at: number; last_seen_at: number; created_at: number; trait_state: unknown }>(db, ['ws', 'v'], (d, rows) =>
      d.selectFrom('profiles').select(['id', 'traits', 'first_seen_at', 'last_seen_at', 'created_at', 'trait_state']).where('workspace_id', '=', rows[0]!.ws).where('id', 'in', rows.map((r) => r.v))),
    upsertProfiles: precompiledRows<ProfileRow, never>(db, ['workspace_id', 'id', 'traits', 'first_seen_at', 'last_seen_at', 'created_at', 'updated_at', 'merged_into', 'trait_state'], (d, rows) =>
      d.insertInto('profiles').values(rows).onConflict((oc) => oc.columns(['workspace_id', 'id']).doUpdateSet((eb) => ({
        traits: eb.ref('excluded.traits'),
        trait_state: eb.ref('excluded.trait_state'),
        first_seen_at: eb.ref('excluded.first_seen_at'),
        last_seen_at: eb.ref('excluded.last_seen_at'),
        created_at: eb.ref('excluded.created_at'),
        updated_at: eb.ref('excluded.updated_at'),
      })))),
    insertIdentities: precompiledRows<IdentityRow, never>(db, ['workspace_id', 'type', 'value', 'profile_id', 'first_seen_at', 'source_message_id'], (d, rows) =>
      d.insertInto('identities').values(rows)),
    insertEvents: precompiledRows<EventRow, never>(db, [
      'workspace_id', 'message_id', 'type', 'event', 'name', 'profile_id', 'user_id', 'anonymous_id', 'group_id', 'previous_id',
      'timestamp', 'original_timestamp', 'received_at', 'sent_at', 'properties', 'traits', 'context', 'integrations',
    ], (d, rows) => d.insertInto('events').values(rows).onConflict((oc) => oc.columns(['workspace_id', 'message_id']).doNothing())),
    suppressionSalt: precompiledRows<{ ws: string }, { value: string }>(db, ['ws'], (d, rows) =>
      d.selectFrom('workspace_secrets').select('value').where('workspace_id', '=', rows[0]!.ws).where('name', '=', 'suppression_salt')),
    /**
     * Workspaces' suppression salts once seen: a salt is written once, at the first erasure,
     * and never changed, so every later batch skips the look-up (a workspace without one is
     * asked again each batch: another process may erase someone at any time).
     */
    salts: new Map<string, string>(),
  };
}

function unitOfWork(tx: Kysely<Database>, ws: string, maxParameters: number, participants: readonly IngestParticipant[], sql: ReturnType<typeof ingestStatements>): IngestUnitOfWork {
  return {
    async afterBatch(batch) {
      for (const participant of participants) await participant(tx, batch);
    },

    async existingMessageIds(messageIds) {
      const found = new Set<string>();
      for (const chunk of chunkRowsInShapes(messageIds, 1, maxParameters - 1)) {
        for (const r of await sql.storedMessageIds(tx, keyed(ws, chunk))) found.add(r.message_id);
      }
      return found;
    },

    async findIdentities(identifiers) {
      // One query per identifier type, so that the (workspace_id, type, value) key serves it.
      const byType = new Map<string, Set<string>>();
      for (const i of identifiers) {
        let set = byType.get(i.type);
        if (set === undefined) byType.set(i.type, (set = new Set()));
        set.add(i.value);
      }
      const out: Array<{ type: string; value: string; profileId: string }> = [];
      for (const [type, values] of byType) {
        for (const chunk of chunkRowsInShapes([...values], 1, maxParameters - 2)) {
          for (const r of await sql.ownersOf(tx, chunk.map((v) => ({ ws, type, v })))) out.push({ type, value: r.value, profileId: r.profile_id });
        }
      }
      return out;
    },

    async identitiesOfProfiles(profileIds) {
      const out: Array<{ type: string; value: string; profileId: string }> = [];
      for (const chunk of chunkRowsInShapes(profileIds, 1, maxParameters - 1)) {
        for (const r of await sql.identitiesOf(tx, keyed(ws, chunk))) out.push({ type: r.type, value: r.value, profileId: r.profile_id });
      }
      return out;
    },

    async loadProfiles(profileIds) {
      const out: ProfileState[] = [];
      for (const chunk of chunkRowsInShapes(profileIds, 1, maxParameters - 1)) {
        for (const r of await sql.profilesById(tx, keyed(ws, chunk))) {
          out.push({
            id: r.id, traits: readJson(r.traits, {}), firstSeenAt: r.first_seen_at, lastSeenAt: r.last_seen_at, createdAt: r.created_at,
            // A profile without a (current) state has history the state has not seen: incomplete.
            traitState: readStoredTraitState(r.trait_state) ?? emptyTraitState(false),
          });
        }
      }
      return out;
    },

    async upsertProfiles(profiles, now) {
      for (const chunk of chunkRowsInShapes(profiles, 9, maxParameters)) {
        await sql.upsertProfiles(tx, chunk.map((p) => ({
          workspace_id: ws, id: p.id, traits: JSON.stringify(p.traits), first_seen_at: p.firstSeenAt, last_seen_at: p.lastSeenAt,
          created_at: p.createdAt, updated_at: now, merged_into: null, trait_state: p.traitState === null ? null : JSON.stringify(p.traitState),
        })));
      }
    },

    async mergeProfile(m) {
      await tx.updateTable('identities').set({ profile_id: m.into }).where('workspace_id', '=', ws).where('profile_id', '=', m.from).execute();
      await tx.updateTable('events').set({ profile_id: m.into }).where('workspace_id', '=', ws).where('profile_id', '=', m.from).execute();
      await tx.updateTable('orders').set({ profile_id: m.into }).where('workspace_id', '=', ws).where('profile_id', '=', m.from).execute();
      // The person's privacy decisions made on either profile stay theirs (P2, P5): the consent and
      // subscription ledgers are joined (readers order by time, so the latest decision per purpose
      // or channel wins across both), and the off switch is merged below.
      await tx.updateTable('consent_records').set({ profile_id: m.into }).where('workspace_id', '=', ws).where('profile_id', '=', m.from).execute();
      await tx.updateTable('subscription_records').set({ profile_id: m.into }).where('workspace_id', '=', ws).where('profile_id', '=', m.from).execute();
      await mergeSwitch(tx, ws, m.from, m.into);
      // What was shown to them and how they answered is part of the person too (export, fatigue).
      await tx.updateTable('recommendation_log').set({ profile_id: m.into }).where('workspace_id', '=', ws).where('profile_id', '=', m.from).execute();
      await tx.updateTable('recommendation_feedback').set({ profile_id: m.into }).where('workspace_id', '=', ws).where('profile_id', '=', m.from).execute();
      // Its incremental trait state was folded into the survivor's (ingest-service).
      await tx.updateTable('profiles').set({ merged_into: m.into, updated_at: m.at, trait_state: null }).where('workspace_id', '=', ws).where('id', '=', m.from).execute();
      // Earlier merges into `from` now point at the survivor, so every old id resolves in one step.
      await tx.updateTable('profiles').set({ merged_into: m.into }).where('workspace_id', '=', ws).where('merged_into', '=', m.from).execute();
      await tx.insertInto('identity_merges').values({
        workspace_id: ws, id: m.id, from_profile_id: m.from, into_profile_id: m.into, reason: m.reason,
        identifier_type: m.identifier.type, identifier_value: m.identifier.value, message_id: m.messageId, merged_at: m.at,
      }).execute();
    },

    async insertIdentities(rows) {
      for (const chunk of chunkRowsInShapes(rows, 6, maxParameters)) {
        await sql.insertIdentities(tx, chunk.map((r) => ({ workspace_id: ws, type: r.identifier.type, value: r.identifier.value, profile_id: r.profileId, first_seen_at: r.at, source_message_id: r.messageId })));
      }
    },

    async insertConflicts(rows) {
      for (const chunk of chunkRows(rows, 9, maxParameters)) {
        await tx.insertInto('identity_conflicts')
          .values(chunk.map((r) => ({
            workspace_id: ws, id: r.id, profile_id: r.profileId, other_profile_id: r.otherProfileId, identifier_type: r.identifier.type,
            identifier_value: r.identifier.value, reason: r.reason, message_id: r.messageId, recorded_at: r.at,
          })))
          .execute();
      }
    },

    async insertEvents(rows) {
      for (const chunk of chunkRowsInShapes(rows, 18, maxParameters)) {
        await sql.insertEvents(tx, chunk.map(({ event: e, profileId }) => ({
          workspace_id: ws, message_id: e.messageId, type: e.type, event: e.event, name: e.name, profile_id: profileId,
          user_id: e.userId, anonymous_id: e.anonymousId, group_id: e.groupId, previous_id: e.previousId,
          timestamp: e.timestamp, original_timestamp: e.originalTimestamp, received_at: e.receivedAt, sent_at: e.sentAt,
          properties: JSON.stringify(e.properties), traits: JSON.stringify(e.traits), context: JSON.stringify(e.context), integrations: JSON.stringify(e.integrations),
        })));
      }
    },

    async getOrders(orderIds) {
      const out: OrderRow[] = [];
      for (const chunk of chunkRows(orderIds, 1, maxParameters - 1)) {
        const rows = await tx.selectFrom('orders').selectAll().where('workspace_id', '=', ws).where('order_id', 'in', chunk).execute();
        if (rows.length === 0) continue;
        const lines = await tx.selectFrom('order_items').selectAll().where('workspace_id', '=', ws).where('order_id', 'in', rows.map((r) => r.order_id)).orderBy('order_id').orderBy('line').execute();
        const byOrder = new Map<string, OrderRow['lines']>();
        for (const l of lines) byOrder.set(l.order_id, [...(byOrder.get(l.order_id) ?? []), { itemId: l.item_id, name: l.name, category: l.category, price: l.price, quantity: l.quantity }]);
        for (const r of rows) {
          out.push({
            orderId: r.order_id, profileId: r.profile_id, kind: r.kind, status: r.status, currency: r.currency, revenue: r.revenue, total: r.total,
            discount: r.discount, refundedAmount: r.refunded_amount, coupon: r.coupon, placedAt: Number(r.placed_at), updatedAt: Number(r.updated_at), source: r.source,
            messageId: r.message_id, lines: byOrder.get(r.order_id) ?? [],
          });
        }
      }
      return out;
    },

    async upsertOrders(orders) {
      await upsertOrderRows(tx, ws, orders, maxParameters);
    },

    async suppressionSalt() {
      const known = sql.salts.get(ws);
      if (known !== undefined) return known;
      const [row] = await sql.suppressionSalt(tx, [{ ws }]);
      if (row !== undefined) sql.salts.set(ws, row.value);
      return row?.value ?? null;
    },

    async findSuppressed(hashes) {
      const out = new Set<string>();
      for (const chunk of chunkRows(hashes, 1, maxParameters - 1)) {
        const rows = await tx.selectFrom('suppressions').select('hash').where('workspace_id', '=', ws).where('hash', 'in', chunk).execute();
        for (const r of rows) out.add(r.hash);
      }
      return out;
    },

    consentRecords: (profileIds) => readConsent(tx, ws, profileIds, maxParameters),

    async insertConsentRecords(records) {
      await insertConsent(tx, ws, records, maxParameters);
    },
  };
}

/**
 * Gives the survivor of a merge the personalization switch that protects the person: off when
 * either profile switched it off, unless the survivor's own switch was changed later than the
 * absorbed profile's (the person's latest explicit choice). The winning row keeps its source and
 * time, so that a later merge compares decision times, not merge times. A guardian's consent
 * follows the later of the two recorded. The absorbed row goes.
 */
async function mergeSwitch(tx: Kysely<Database>, ws: string, from: string, into: string): Promise<void> {
  const rows = await tx.selectFrom('privacy_switches').select(['profile_id', 'personalization_off', 'source', 'updated_at', 'guardian_consent', 'guardian_source', 'guardian_changed_at'])
    .where('workspace_id', '=', ws).where('profile_id', 'in', [from, into]).execute();
  const absorbed = rows.find((r) => r.profile_id === from);
  if (absorbed === undefined) return;
  const survivor = rows.find((r) => r.profile_id === into);
  const keepSurvivor = survivor !== undefined && (absorbed.personalization_off === survivor.personalization_off || survivor.personalization_off === 1 || Number(survivor.updated_at) > Number(absorbed.updated_at));
  // A guardian's consent (P11) follows the latest change of either profile.
  const takeGuardian = absorbed.guardian_changed_at !== null && (survivor?.guardian_changed_at === null || survivor === undefined || Number(absorbed.guardian_changed_at) > Number(survivor.guardian_changed_at));
  if (!keepSurvivor || takeGuardian) {
    const switchOf = keepSurvivor ? survivor! : absorbed;
    const guardianOf = takeGuardian ? absorbed : survivor;
    const row = {
      personalization_off: switchOf.personalization_off, source: switchOf.source, updated_at: Number(switchOf.updated_at),
      guardian_consent: Number(guardianOf?.guardian_consent ?? 0), guardian_source: guardianOf?.guardian_source ?? null,
      guardian_changed_at: guardianOf?.guardian_changed_at === null || guardianOf?.guardian_changed_at === undefined ? null : Number(guardianOf.guardian_changed_at),
    };
    await tx.insertInto('privacy_switches').values({ workspace_id: ws, profile_id: into, ...row })
      .onConflict((oc) => oc.columns(['workspace_id', 'profile_id']).doUpdateSet(row)).execute();
  }
  await tx.deleteFrom('privacy_switches').where('workspace_id', '=', ws).where('profile_id', '=', from).execute();
}

/** Inserts or replaces orders and their lines (shared by ingest and the order import). */
export async function upsertOrderRows(tx: Kysely<Database>, ws: string, orders: readonly OrderRow[], maxParameters: number): Promise<void> {
  if (orders.length === 0) return;
  for (const chunk of chunkRows(orders, 15, maxParameters)) {
    await tx.insertInto('orders')
      .values(chunk.map((o) => ({
        workspace_id: ws, order_id: o.orderId, profile_id: o.profileId, kind: o.kind, status: o.status, currency: o.currency, revenue: o.revenue,
        total: o.total, discount: o.discount, refunded_amount: o.refundedAmount, coupon: o.coupon, placed_at: o.placedAt, updated_at: o.updatedAt,
        source: o.source, message_id: o.messageId,
      })))
      .onConflict((oc) => oc.columns(['workspace_id', 'order_id']).doUpdateSet((eb) => ({
        profile_id: eb.ref('excluded.profile_id'), kind: eb.ref('excluded.kind'), status: eb.ref('excluded.status'), currency: eb.ref('excluded.currency'),
        revenue: eb.ref('excluded.revenue'), total: eb.ref('excluded.total'), discount: eb.ref('excluded.discount'), refunded_amount: eb.ref('excluded.refunded_amount'),
        coupon: eb.ref('excluded.coupon'), placed_at: eb.ref('excluded.placed_at'), updated_at: eb.ref('excluded.updated_at'), source: eb.ref('excluded.source'),
        message_id: eb.ref('excluded.message_id'),
      })))
      .execute();
  }
  const ids = orders.map((o) => o.orderId);
  for (const chunk of chunkRows(ids, 1, maxParameters - 1)) {
    await tx.deleteFrom('order_items').where('workspace_id', '=', ws).where('order_id', 'in', chunk).execute();
  }
  const lines = orders.flatMap((o) => o.lines.map((l, i) => ({
    workspace_id: ws, order_id: o.orderId, line: i, item_id: l.itemId, name: l.name, category: l.category, price: l.price, quantity: l.quantity,
  })));
  for (const chunk of chunkRows(lines, 8, maxParameters)) await tx.insertInto('order_items').values(chunk).execute();
}
