import type { Kysely } from 'kysely';
import type { EventInput, OrderInput } from '../../profiles/inputs.js';
import { buildCategoryPriceDistributions } from '../../profiles/price-bands.js';
import type { ComputedTraitRepository, ComputedTraitsRecord } from '../../profiles/computed-trait-repository.js';
import { foldTraitState, incrementalTraitValues, mergeTraitStates, parseTraitState, emptyTraitState } from '../../profiles/trait-state.js';
import type { TraitValues } from '../../profiles/trait-registry.js';
import { readJson } from '../../shared/json.js';
import type { Database } from '../schema.js';
import type { Store } from '../store.js';
import { chunkRows, chunkRowsInShapes } from './chunk.js';
import type { IngestParticipant } from './ingest-repository-sql.js';
import { readConsent } from './privacy-repository-sql.js';

type Db = Kysely<Database>;

async function readRows(db: Db, ws: string, profileIds: readonly string[], maxParameters: number, shapes = false): Promise<Map<string, ComputedTraitsRecord>> {
  const out = new Map<string, ComputedTraitsRecord>();
  const chunks = shapes ? chunkRowsInShapes(profileIds, 1, maxParameters - 1) : chunkRows(profileIds, 1, maxParameters - 1);
  for (const chunk of chunks) {
    const rows = await db.selectFrom('computed_traits').select(['profile_id', 'traits', 'state', 'computed_at', 'updated_at'])
      .where('workspace_id', '=', ws).where('profile_id', 'in', chunk).execute();
    for (const r of rows) {
      out.set(r.profile_id, { profileId: r.profile_id, traits: readJson<TraitValues>(r.traits, {}), state: parseTraitState(readJson(r.state, null)), computedAt: r.computed_at, updatedAt: r.updated_at });
    }
  }
  return out;
}

async function writeRows(db: Db, ws: string, rows: readonly ComputedTraitsRecord[], maxParameters: number): Promise<void> {
  for (const chunk of chunkRowsInShapes(rows, 6, maxParameters)) {
    await db.insertInto('computed_traits')
      .values(chunk.map((r) => ({ workspace_id: ws, profile_id: r.profileId, traits: JSON.stringify(r.traits), state: JSON.stringify(r.state), computed_at: r.computedAt, updated_at: r.updatedAt })))
      .onConflict((oc) => oc.columns(['workspace_id', 'profile_id']).doUpdateSet((eb) => ({
        traits: eb.ref('excluded.traits'), state: eb.ref('excluded.state'), computed_at: eb.ref('excluded.computed_at'), updated_at: eb.ref('excluded.updated_at'),
      })))
      .execute();
  }
}

/**
 * Keeps the incremental traits current inside the ingest transaction: folds each committed
 * event into its profile's state, combines the states of merged profiles, and writes the
 * activity trait values next to the recomputed ones. One read and one multi-row upsert per batch.
 */
export function computedTraitParticipant(store: Store): IngestParticipant {
  const max = store.features.maxParameters;
  return async (tx, batch) => {
    const ws = batch.workspaceId;
    const touched = new Set<string>();
    for (const m of batch.merges) { touched.add(m.from); touched.add(m.into); }
    const byProfile = new Map<string, EventInput[]>();
    for (const { event, profileId } of batch.events) {
      touched.add(profileId);
      let list = byProfile.get(profileId);
      if (list === undefined) byProfile.set(profileId, (list = []));
      list.push({ type: event.type, event: event.type === 'track' ? event.event : null, timestamp: event.timestamp, properties: event.properties, context: event.context });
    }
    if (touched.size === 0) return;
    const rows = await readRows(tx, ws, [...touched], max, true);
    const stateOf = (id: string) => rows.get(id) ?? { profileId: id, traits: {}, state: emptyTraitState(), computedAt: null, updatedAt: batch.now };
    const removed = new Set<string>();
    for (const m of batch.merges) {
      const from = stateOf(m.from);
      const into = stateOf(m.into);
      // The survivor's recomputed traits stay until the next recompute; the activity state is combined now.
      rows.set(m.into, { ...into, traits: { ...from.traits, ...into.traits }, state: mergeTraitStates(into.state, from.state) });
      rows.delete(m.from);
      removed.add(m.from);
    }
    const changed: ComputedTraitsRecord[] = [];
    for (const id of touched) {
      if (removed.has(id)) continue;
      const current = stateOf(id);
      const events = byProfile.get(id) ?? [];
      const state = events.length === 0 ? current.state : foldTraitState(current.state, events);
      changed.push({ ...current, state, traits: { ...current.traits, ...incrementalTraitValues(state) }, updatedAt: batch.now });
    }
    for (const chunk of chunkRows([...removed], 1, max - 1)) {
      await tx.deleteFrom('computed_traits').where('workspace_id', '=', ws).where('profile_id', 'in', chunk).execute();
    }
    await writeRows(tx, ws, changed, max);
  };
}

/** ComputedTraitRepository on Kysely (SQLite and PostgreSQL). */
export function computedTraitRepositorySql(store: Store): ComputedTraitRepository {
  const db = store.db;
  const max = store.features.maxParameters;
  return {
    async profilePage(ws, after, limit) {
      let q = db.selectFrom('profiles').select('id').where('workspace_id', '=', ws).where('merged_into', 'is', null);
      if (after !== null) q = q.where('id', '>', after);
      const rows = await q.orderBy('id').limit(limit).execute();
      return rows.map((r) => r.id);
    },

    async ordersOf(ws, profileIds) {
      const out = new Map<string, OrderInput[]>();
      const byId = new Map<string, OrderInput & { items: OrderInput['items'][number][] }>();
      for (const chunk of chunkRows(profileIds, 1, max - 1)) {
        const orders = await db.selectFrom('orders')
          .select(['order_id', 'profile_id', 'kind', 'status', 'currency', 'revenue', 'refunded_amount', 'coupon', 'placed_at'])
          .where('workspace_id', '=', ws).where('profile_id', 'in', chunk).execute();
        for (const o of orders) {
          const order = { orderId: o.order_id, kind: o.kind, status: o.status, currency: o.currency, revenue: o.revenue, refundedAmount: o.refunded_amount, coupon: o.coupon, placedAt: o.placed_at, items: [] };
          byId.set(o.order_id, order);
          const list = out.get(o.profile_id!) ?? [];
          list.push(order);
          out.set(o.profile_id!, list);
        }
      }
      const orderIds = [...byId.keys()];
      for (const chunk of chunkRows(orderIds, 1, max - 2)) {
        const lines = await db.selectFrom('order_items as l')
          .leftJoin('catalog_items as c', (j) => j.onRef('c.workspace_id', '=', 'l.workspace_id').onRef('c.item_id', '=', 'l.item_id'))
          .select(['l.order_id', 'l.item_id', 'l.category', 'l.price', 'l.quantity', 'c.brand'])
          .where('l.workspace_id', '=', ws).where('l.order_id', 'in', chunk).execute();
        for (const l of lines) byId.get(l.order_id)?.items.push({ itemId: l.item_id, category: l.category, brand: l.brand ?? null, price: l.price, quantity: l.quantity });
      }
      return out;
    },

    async eventsOf(ws, profileIds, withProperties) {
      const out = new Map<string, EventInput[]>();
      const wanted = new Set(withProperties);
      for (const chunk of chunkRows(profileIds, 1, max - 1)) {
        const rows = await db.selectFrom('events').select(['profile_id', 'type', 'event', 'timestamp', 'context', 'properties'])
          .where('workspace_id', '=', ws).where('profile_id', 'in', chunk).execute();
        for (const r of rows) {
          let list = out.get(r.profile_id);
          if (list === undefined) out.set(r.profile_id, (list = []));
          list.push({
            type: r.type, event: r.event, timestamp: r.timestamp, context: readJson(r.context, {}),
            properties: r.event !== null && wanted.has(r.event) ? readJson(r.properties, {}) : {},
          });
        }
      }
      return out;
    },

    async privacyOf(ws, profileIds) {
      const consents = await readConsent(db, ws, profileIds, max);
      const personalizationOff = new Set<string>();
      for (const chunk of chunkRows(profileIds, 1, max - 1)) {
        const off = await db.selectFrom('privacy_switches').select('profile_id').where('workspace_id', '=', ws).where('profile_id', 'in', chunk).where('personalization_off', '=', 1).execute();
        for (const r of off) personalizationOff.add(r.profile_id);
      }
      return { consents, personalizationOff };
    },

    async priceDistributions(ws) {
      const rows = await db.selectFrom('catalog_items').select(['category_path', 'price']).where('workspace_id', '=', ws).where('price', 'is not', null).execute();
      // Each element of an item's path is a category an order line may name.
      return buildCategoryPriceDistributions(rows.flatMap((r) => [...new Set(readJson<unknown[]>(r.category_path, []).filter((c): c is string => typeof c === 'string'))].map((category) => ({ category, price: r.price! }))));
    },

    read: (ws, profileIds) => readRows(db, ws, profileIds, max),
    write: (ws, rows) => store.inTransaction((tx) => writeRows(tx, ws, rows, max)),
  };
}
