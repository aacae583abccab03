import { sql, type Kysely } from 'kysely';
import type { EventInput, OrderInput } from '../../profiles/inputs.js';
import { buildCategoryPriceDistributions } from '../../profiles/price-bands.js';
import type { ComputedTraitRepository, ComputedTraitsRecord } from '../../profiles/computed-trait-repository.js';
import { emptyTraitState, readStoredTraitState, type IncrementalTraitState } from '../../profiles/trait-state.js';
import type { TraitValues } from '../../profiles/trait-registry.js';
import { readJson } from '../../shared/json.js';
import type { Database } from '../schema.js';
import type { Store } from '../store.js';
import { chunkRows, chunkRowsInShapes } from './chunk.js';
import type { IngestParticipant } from './ingest-repository-sql.js';
import { readPrivacyOf } from './privacy-repository-sql.js';
import { profileSelection } from './profile-selection.js';

type Db = Kysely<Database>;

async function readRows(db: Db, ws: string, profileIds: readonly string[], maxParameters: number): Promise<Map<string, ComputedTraitsRecord>> {
  const out = new Map<string, ComputedTraitsRecord>();
  for (const chunk of chunkRows(profileIds, 1, maxParameters - 2)) {
    const rows = await db.selectFrom('profiles as p')
      .leftJoin('computed_traits as c', (j) => j.onRef('c.workspace_id', '=', 'p.workspace_id').onRef('c.profile_id', '=', 'p.id'))
      .select(['p.id', 'p.trait_state', 'c.traits', 'c.computed_at', 'c.updated_at'])
      .where('p.workspace_id', '=', ws).where('p.id', 'in', chunk).execute();
    for (const r of rows) {
      if (r.trait_state === null && r.traits === null) continue;
      const state = readStoredTraitState(r.trait_state);
      out.set(r.id, {
        profileId: r.id, traits: readJson<TraitValues>(r.traits, {}), state: state ?? emptyTraitState(false),
        hasState: state !== null, computedAt: r.computed_at ?? null, updatedAt: r.updated_at ?? 0,
      });
    }
  }
  return out;
}

async function writeStates(db: Db, features: Store['features'], ws: string, rows: ReadonlyArray<{ profileId: string; state: IncrementalTraitState }>): Promise<void> {
  // One multi-row UPDATE … FROM (VALUES …) per chunk; VALUES columns are column1, column2 on both engines.
  for (const chunk of chunkRowsInShapes(rows, 2, features.maxParameters - 1)) {
    const values = sql.join(chunk.map((r) => sql`(${r.profileId}, ${JSON.stringify(r.state)})`));
    await sql`update profiles set trait_state = cast(v.column2 as ${sql.raw(features.jsonType)}) from (values ${values}) as v
      where profiles.workspace_id = ${ws} and profiles.id = v.column1`.execute(db);
  }
}

async function writeRows(db: Db, features: Store['features'], ws: string, rows: readonly ComputedTraitsRecord[]): Promise<void> {
  for (const chunk of chunkRowsInShapes(rows, 5, features.maxParameters)) {
    await db.insertInto('computed_traits')
      .values(chunk.map((r) => ({ workspace_id: ws, profile_id: r.profileId, traits: JSON.stringify(r.traits), computed_at: r.computedAt, updated_at: r.updatedAt })))
      .onConflict((oc) => oc.columns(['workspace_id', 'profile_id']).doUpdateSet((eb) => ({
        traits: eb.ref('excluded.traits'), computed_at: eb.ref('excluded.computed_at'), updated_at: eb.ref('excluded.updated_at'),
      })))
      .execute();
  }
  await writeStates(db, features, ws, rows.filter((r) => r.stateChanged === true));
}

/**
 * The incremental traits themselves are folded by ingest into `profiles.trait_state` (written
 * with the profile row, at no extra statement). This participant only drops the recomputed
 * traits of profiles merged away in the batch: the survivor's are recomputed next time.
 */
export function computedTraitParticipant(store: Store): IngestParticipant {
  const max = store.features.maxParameters;
  return async (tx, batch) => {
    if (batch.merges.length === 0) return;
    for (const chunk of chunkRows(batch.merges.map((m) => m.from), 1, max - 1)) {
      await tx.deleteFrom('computed_traits').where('workspace_id', '=', batch.workspaceId).where('profile_id', 'in', chunk).execute();
    }
  };
}

/** ComputedTraitRepository on Kysely (SQLite and PostgreSQL). */
export function computedTraitRepositorySql(store: Store): ComputedTraitRepository {
  const db = store.db;
  const f = store.features;
  const max = f.maxParameters;

  return {
    async profilePage(ws, after, limit) {
      let q = db.selectFrom('profiles').select('id').where('workspace_id', '=', ws).where('merged_into', 'is', null);
      if (after !== null) q = q.where('id', '>', after);
      const rows = await q.orderBy('id').limit(limit).execute();
      return rows.map((r) => r.id);
    },

    async ordersOf(ws, profileIds, options = {}) {
      const out = new Map<string, OrderInput[]>();
      const byId = new Map<string, OrderInput & { items: OrderInput['items'][number][] }>();
      const { conditions, keeps } = profileSelection(profileIds, options, max);
      for (const condition of conditions) {
        const orders = await db.selectFrom('orders')
          .select(['order_id', 'profile_id', 'kind', 'status', 'currency', 'revenue', 'refunded_amount', 'coupon', 'placed_at'])
          .where('workspace_id', '=', ws).where((eb) => condition(eb.ref('profile_id')))
          // A fixed order, whatever plan the database picks: sums over a person's orders and lines
          // (revenue, favourites, price bands) are then the same bits in every run.
          .orderBy('profile_id').orderBy('placed_at').orderBy('order_id').execute();
        for (const o of orders) {
          if (!keeps(o.profile_id!)) continue;
          const order = { orderId: o.order_id, kind: o.kind, status: o.status, currency: o.currency, revenue: o.revenue, refundedAmount: o.refunded_amount, coupon: o.coupon, placedAt: o.placed_at, items: [] };
          byId.set(o.order_id, order);
          const list = out.get(o.profile_id!) ?? [];
          list.push(order);
          out.set(o.profile_id!, list);
        }
      }
      const orderIds = options.items === false ? [] : [...byId.keys()];
      for (const chunk of chunkRows(orderIds, 1, max - 2)) {
        const lines = await db.selectFrom('order_items as l')
          .leftJoin('catalog_items as c', (j) => j.onRef('c.workspace_id', '=', 'l.workspace_id').onRef('c.item_id', '=', 'l.item_id'))
          .select(['l.order_id', 'l.item_id', 'l.category', 'l.price', 'l.quantity', 'c.brand'])
          .where('l.workspace_id', '=', ws).where('l.order_id', 'in', chunk).orderBy('l.order_id').orderBy('l.line').execute();
        for (const l of lines) byId.get(l.order_id)?.items.push({ itemId: l.item_id, category: l.category, brand: l.brand ?? null, price: l.price, quantity: l.quantity });
      }
      return out;
    },

    async eventsOf(ws, profileIds, withProperties) {
      const out = new Map<string, EventInput[]>();
      const wanted = new Set(withProperties);
      // Only the context fields the traits read are fetched (time zone, locale, country), not
      // the whole context (analytics.js sends ~1 KB of it per event); context objects are shared.
      const contexts = new Map<string, Record<string, unknown>>();
      const text = (v: unknown) => (typeof v === 'string' ? v : null);
      const contextOf = (timezone: string | null, locale: string | null, country: string | null, traitsCountry: string | null) => {
        const key = `${timezone ?? ''}\u0000${locale ?? ''}\u0000${country ?? ''}\u0000${traitsCountry ?? ''}`;
        let c = contexts.get(key);
        if (c === undefined) {
          c = {};
          if (timezone !== null) c['timezone'] = timezone;
          if (locale !== null) c['locale'] = locale;
          if (country !== null) c['location'] = { country };
          if (traitsCountry !== null) c['traits'] = { address: { country: traitsCountry } };
          contexts.set(key, c);
        }
        return c;
      };
      const empty = {};
      for (const chunk of chunkRows(profileIds, 1, max - 1)) {
        const rows = await db.selectFrom('events')
          .select((eb) => [
            'profile_id', 'type', 'event', 'timestamp', f.jsonText('context', 'timezone').as('timezone'), f.jsonText('context', 'locale').as('locale'),
            f.jsonScalar('context', ['location', 'country'], 'text').as('country'), f.jsonScalar('context', ['traits', 'address', 'country'], 'text').as('context_traits_country'),
            eb.case().when('type', '=', 'identify').then(f.jsonScalar('traits', ['address', 'country'], 'text')).else(null).end().as('address_country'),
            eb.case().when('type', '=', 'identify').then(f.jsonScalar('traits', ['country'], 'text')).else(null).end().as('traits_country'),
            (withProperties.length === 0 ? eb.val(null) : eb.case().when('event', 'in', [...withProperties]).then(eb.ref('properties')).else(null).end()).as('properties'),
          ])
          // By time, ties by message id: the order the states are rebuilt in, the same in every run.
          .where('workspace_id', '=', ws).where('profile_id', 'in', chunk).orderBy('profile_id').orderBy('timestamp').orderBy('message_id').execute();
        for (const r of rows) {
          let list = out.get(r.profile_id);
          if (list === undefined) out.set(r.profile_id, (list = []));
          list.push({
            type: r.type, event: r.event, timestamp: r.timestamp,
            context: contextOf(text(r.timezone), text(r.locale), text(r.country), text(r.context_traits_country)),
            ...(r.type === 'identify' && (text(r.address_country) !== null || text(r.traits_country) !== null)
              ? { traits: { ...(text(r.address_country) === null ? {} : { address: { country: text(r.address_country) } }), ...(text(r.traits_country) === null ? {} : { country: text(r.traits_country) }) } }
              : {}),
            properties: r.event !== null && wanted.has(r.event) ? readJson(r.properties, {}) : empty,
          });
        }
      }
      return out;
    },

    privacyOf: (ws, profileIds, options = {}) => readPrivacyOf(db, f, ws, profileIds, options),

    async priceDistributions(ws) {
      const rows = await db.selectFrom('catalog_items').select(['category_path', 'price']).where('workspace_id', '=', ws).where('price', 'is not', null).execute();
      // Each element of an item's path is a category an order line may name.
      return buildCategoryPriceDistributions(rows.flatMap((r) => [...new Set(readJson<unknown[]>(r.category_path, []).filter((c): c is string => typeof c === 'string'))].map((category) => ({ category, price: r.price! }))));
    },

    read: (ws, profileIds) => readRows(db, ws, profileIds, max),
    async statesOf(ws, profileIds, options = {}) {
      const out = new Map<string, IncrementalTraitState | null>();
      const { conditions, keeps } = profileSelection(profileIds, options, max);
      for (const condition of conditions) {
        const rows = await db.selectFrom('profiles').select(['id', 'trait_state']).where('workspace_id', '=', ws).where((eb) => condition(eb.ref('id'))).execute();
        for (const r of rows) if (keeps(r.id)) out.set(r.id, readStoredTraitState(r.trait_state));
      }
      return out;
    },
    write: (ws, rows) => store.inTransaction((tx) => writeRows(tx, store.features, ws, rows)),
  };
}
