import type { Kysely } from 'kysely';
import type { ProfileHead, ProfileRecord, ProfileRepository, StoredEvent, StoredOrder } from '../../profiles/profile-repository.js';
import { readJson } from '../../shared/json.js';
import { incrementalTraitValues, readStoredTraitState } from '../../profiles/trait-state.js';
import type { Database } from '../schema.js';
import { precompiled } from '../precompiled.js';

type ProfileRow = { id: string; traits: unknown; first_seen_at: number; last_seen_at: number; created_at: number; updated_at: number; merged_into: string | null };
const toProfile = (r: ProfileRow): ProfileRecord => ({
  id: r.id, traits: readJson(r.traits, {}), firstSeenAt: r.first_seen_at, lastSeenAt: r.last_seen_at, createdAt: r.created_at, updatedAt: r.updated_at, mergedInto: r.merged_into,
});

/** Highest code point: `value >= q and value < q + MAX` is a prefix match on both engines, using the index, with no LIKE escaping. */
const PREFIX_END = '\u{10FFFF}';

const incrementalValuesOf = (stored: unknown) => {
  const state = readStoredTraitState(stored);
  return state === null ? {} : incrementalTraitValues(state);
};

const profileColumns = ['id', 'traits', 'first_seen_at', 'last_seen_at', 'created_at', 'updated_at', 'merged_into'] as const;
// Every profile look-up by reference runs these (serving does on every request): compiled once.
const profileById = precompiled((db, v: { ws: string; id: string }) => db.selectFrom('profiles').select(profileColumns).where('workspace_id', '=', v.ws).where('id', '=', v.id));
const ownerOf = precompiled((db, v: { ws: string; type: string; value: string }) =>
  db.selectFrom('identities').select('profile_id').where('workspace_id', '=', v.ws).where('type', '=', v.type).where('value', '=', v.value));
const headById = precompiled((db, v: { ws: string; id: string }) => db.selectFrom('profiles').select(['id', 'updated_at', 'merged_into']).where('workspace_id', '=', v.ws).where('id', '=', v.id));
const ownerHeadOf = precompiled((db, v: { ws: string; type: string; value: string }) =>
  db.selectFrom('identities as i').innerJoin('profiles as p', (j) => j.onRef('p.workspace_id', '=', 'i.workspace_id').onRef('p.id', '=', 'i.profile_id'))
    .select(['p.id', 'p.updated_at', 'p.merged_into']).where('i.workspace_id', '=', v.ws).where('i.type', '=', v.type).where('i.value', '=', v.value));
const toHead = (r: { id: string; updated_at: number; merged_into: string | null }): ProfileHead => ({ id: r.id, updatedAt: Number(r.updated_at), mergedInto: r.merged_into });

/** ProfileRepository on Kysely (SQLite and PostgreSQL). */
export function profileRepositorySql(db: Kysely<Database>): ProfileRepository {
  /** Profiles with an identifier whose value starts with `q` (emails are stored lower-cased, other identifiers as given: both spellings). */
  const owningPrefix = (ws: string, q: string) => {
    const prefixes = [...new Set([q, q.toLowerCase()])];
    return db.selectFrom('identities').select('profile_id').where('workspace_id', '=', ws)
      .where((eb) => eb.or(prefixes.map((p) => eb.and([eb('value', '>=', p), eb('value', '<', p + PREFIX_END)]))));
  };
  return {
    async computedTraits(ws, profileId) {
      const r = await db.selectFrom('profiles as p')
        .leftJoin('computed_traits as c', (j) => j.onRef('c.workspace_id', '=', 'p.workspace_id').onRef('c.profile_id', '=', 'p.id'))
        .select(['p.trait_state', 'p.updated_at as profile_updated_at', 'c.traits', 'c.computed_at', 'c.updated_at'])
        .where('p.workspace_id', '=', ws).where('p.id', '=', profileId).executeTakeFirst();
      if (r === undefined) return null;
      const p = await db.selectFrom('predictions').select(['traits', 'predicted_at']).where('workspace_id', '=', ws).where('profile_id', '=', profileId).executeTakeFirst();
      if (r.traits === null && r.trait_state === null && p === undefined) return null;
      // Recomputed values as of the last recompute; the activity values from the fold state,
      // always current; predictions as of the last `tailor predict`.
      const traits = { ...readJson<Record<string, unknown>>(r.traits, {}), ...incrementalValuesOf(r.trait_state), ...readJson<Record<string, unknown>>(p?.traits, {}) };
      return { traits, computedAt: r.computed_at ?? null, updatedAt: Math.max(r.updated_at ?? 0, r.profile_updated_at, p?.predicted_at ?? 0), predictedAt: p?.predicted_at ?? null };
    },
    async getProfile(ws, id) {
      const [r] = await profileById(db, { ws, id });
      return r === undefined ? null : toProfile(r);
    },
    async findOwner(ws, identifier) {
      const [r] = await ownerOf(db, { ws, type: identifier.type, value: identifier.value });
      return r?.profile_id ?? null;
    },
    async profileHead(ws, id) {
      const [r] = await headById(db, { ws, id });
      return r === undefined ? null : toHead(r);
    },
    async ownerHead(ws, identifier) {
      const [r] = await ownerHeadOf(db, { ws, type: identifier.type, value: identifier.value });
      return r === undefined ? null : toHead(r);
    },
    async identifiers(ws, profileId) {
      // Sorted here, not by ORDER BY: without statistics SQLite would walk the primary key
      // (whose order matches) instead of the profile index, a scan of every identity.
      const rows = await db.selectFrom('identities').select(['type', 'value', 'first_seen_at']).where('workspace_id', '=', ws).where('profile_id', '=', profileId).execute();
      return rows.map((r) => ({ type: r.type, value: r.value, firstSeenAt: r.first_seen_at }))
        .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : a.firstSeenAt - b.firstSeenAt));
    },
    async merges(ws, profileId) {
      const rows = await db.selectFrom('identity_merges').selectAll().where('workspace_id', '=', ws).where('into_profile_id', '=', profileId).orderBy('merged_at').execute();
      return rows.map((r) => ({ fromProfileId: r.from_profile_id, intoProfileId: r.into_profile_id, reason: r.reason, identifier: { type: r.identifier_type, value: r.identifier_value }, messageId: r.message_id, mergedAt: r.merged_at }));
    },
    async conflicts(ws, profileId, limit) {
      // Two index look-ups (identity_conflicts_profile, identity_conflicts_other), merged here.
      const columns = ['profile_id', 'other_profile_id', 'identifier_type', 'identifier_value', 'reason', 'message_id', 'recorded_at', 'id'] as const;
      const [mine, theirs] = await Promise.all([
        db.selectFrom('identity_conflicts').select(columns).where('workspace_id', '=', ws).where('profile_id', '=', profileId).orderBy('recorded_at', 'desc').orderBy('id', 'desc').limit(limit).execute(),
        db.selectFrom('identity_conflicts').select(columns).where('workspace_id', '=', ws).where('other_profile_id', '=', profileId).orderBy('recorded_at', 'desc').orderBy('id', 'desc').limit(limit).execute(),
      ]);
      return [...mine, ...theirs]
        .sort((a, b) => b.recorded_at - a.recorded_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
        .slice(0, limit)
        .map((r) => ({
          profileId: r.profile_id, otherProfileId: r.other_profile_id, identifier: { type: r.identifier_type, value: r.identifier_value },
          reason: r.reason, messageId: r.message_id, recordedAt: Number(r.recorded_at),
        }));
    },
    async events(ws, profileId, page) {
      let q = db.selectFrom('events')
        .select(['message_id', 'type', 'event', 'name', 'user_id', 'anonymous_id', 'timestamp', 'received_at', 'properties', 'traits', 'context'])
        .where('workspace_id', '=', ws).where('profile_id', '=', profileId);
      if (page.event !== undefined) q = q.where('event', '=', page.event);
      if (page.before !== undefined) {
        const b = page.before;
        q = q.where((eb) => eb.or([eb('timestamp', '<', b.timestamp), eb.and([eb('timestamp', '=', b.timestamp), eb('message_id', '<', b.messageId)])]));
      }
      const rows = await q.orderBy('timestamp', 'desc').orderBy('message_id', 'desc').limit(page.limit).execute();
      return rows.map((r): StoredEvent => ({
        messageId: r.message_id, type: r.type, event: r.event, name: r.name, userId: r.user_id, anonymousId: r.anonymous_id, timestamp: r.timestamp, receivedAt: r.received_at,
        properties: readJson(r.properties, {}), traits: readJson(r.traits, {}), context: readJson(r.context, {}),
      }));
    },
    async orders(ws, profileId, limit) {
      const orders = await db.selectFrom('orders').selectAll().where('workspace_id', '=', ws).where('profile_id', '=', profileId).orderBy('placed_at', 'desc').limit(limit).execute();
      if (orders.length === 0) return [];
      const lines = await db.selectFrom('order_items').selectAll().where('workspace_id', '=', ws).where('order_id', 'in', orders.map((o) => o.order_id)).orderBy('line').execute();
      const byOrder = new Map<string, StoredOrder['lines']>();
      for (const l of lines) {
        const list = byOrder.get(l.order_id) ?? [];
        list.push({ itemId: l.item_id, name: l.name, category: l.category, price: l.price, quantity: l.quantity });
        byOrder.set(l.order_id, list);
      }
      return orders.map((o) => ({
        orderId: o.order_id, kind: o.kind, status: o.status, currency: o.currency, revenue: o.revenue, refundedAmount: o.refunded_amount, coupon: o.coupon, placedAt: o.placed_at, lines: byOrder.get(o.order_id) ?? [],
      }));
    },
    async list(ws, page) {
      let q = db.selectFrom('profiles').select(profileColumns).where('workspace_id', '=', ws).where('merged_into', 'is', null);
      if (page.q !== undefined) q = q.where('id', 'in', owningPrefix(ws, page.q));
      if (page.after !== undefined) {
        const a = page.after;
        q = q.where((eb) => eb.or([eb('last_seen_at', '<', a.lastSeenAt), eb.and([eb('last_seen_at', '=', a.lastSeenAt), eb('id', '<', a.id)])]));
      }
      const rows = await q.orderBy('last_seen_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
      return rows.map(toProfile);
    },
    async count(ws, q) {
      let query = db.selectFrom('profiles').select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', ws).where('merged_into', 'is', null);
      if (q !== undefined) query = query.where('id', 'in', owningPrefix(ws, q));
      return Number((await query.executeTakeFirstOrThrow()).n);
    },
  };
}
