import { sql } from 'kysely';
import type { CatalogEntry } from '../../recommend/catalog-index.js';
import type { InteractionKind } from '../../recommend/interactions.js';
import { NUMBER, PackedInteractions, PackedMap } from '../../recommend/packed.js';
import type { FeedbackRow, PlacementReport, RecommendationLogRow, RecommendationRepository } from '../../recommend/recommendation-repository.js';
import { membershipOrdinals } from '../../segments/packed-memberships.js';
import { readJson } from '../../shared/json.js';
import type { Store } from '../store.js';
import { chunkRows, chunkRowsInShapes } from './chunk.js';
import { consentOf, consentRecordOf, readPrivacyOf, switchOf } from './privacy-repository-sql.js';
import { readMembershipsOf } from './segment-repository-sql.js';

/** The model kind of trained recommendation models in `models`. */
export const RECOMMENDER_MODEL_KIND = 'recommender';
/** Cart adds and views read per person and request (newest first). */
const MAX_EVENTS_PER_PERSON = 200;
/** Order lines kept as a person's history (newest first), and orders read to know everything they bought. */
const MAX_ORDER_LINES_PER_PERSON = 500;
const MAX_ORDERS_FOR_EXCLUSION = 5000;
/** Served responses read per person for fatigue (newest first). */
const MAX_LOGS_PER_PERSON = 50;
/** Training rows read per page. */
const TRAINING_PAGE = 20_000;

const EVENT_KINDS: Record<string, InteractionKind> = { 'Product Added': 'add_to_cart', 'Product Viewed': 'view' };

/** Every showing of an item, from logged responses. */
function shownTimes(rows: ReadonlyArray<{ items: unknown; created_at: number }>): { itemIds: string[]; times: number[] } {
  const itemIds: string[] = [];
  const times: number[] = [];
  for (const r of rows) {
    const at = Number(r.created_at);
    for (const i of readJson<Array<{ itemId: string }>>(r.items, [])) {
      itemIds.push(i.itemId);
      times.push(at);
    }
  }
  return { itemIds, times };
}

/** RecommendationRepository on Kysely (SQLite and PostgreSQL). */
export function recommendationRepositorySql(store: Store): RecommendationRepository {
  const { db, features } = store;
  const max = features.maxParameters;
  const toLog = (r: { id: string; profile_id: string | null; placement: string; personalized: number; model_version: number | null; items: unknown; details: unknown; created_at: number }): RecommendationLogRow => ({
    id: r.id, profileId: r.profile_id, placement: r.placement, personalized: Number(r.personalized) === 1,
    modelVersion: r.model_version === null ? null : Number(r.model_version),
    items: readJson(r.items, []), details: readJson(r.details, { strategies: [], scenes: [] }), createdAt: Number(r.created_at),
  });
  const toFeedback = (r: { id: string; recommendation_id: string; profile_id: string | null; placement: string; item_id: string; kind: string; revenue: number | null; currency: string | null; message_id: string; at: number }): FeedbackRow => ({
    id: r.id, recommendationId: r.recommendation_id, profileId: r.profile_id, placement: r.placement, itemId: r.item_id, kind: r.kind as FeedbackRow['kind'],
    revenue: r.revenue === null ? null : Number(r.revenue), currency: r.currency, messageId: r.message_id, at: Number(r.at),
  });

  return {
    async catalog(ws) {
      const rows = await db.selectFrom('catalog_items')
        .select(['item_id', 'name', 'category_path', 'brand', 'price', 'currency', 'url', 'image_url', 'in_stock', 'tags', 'created_at', features.jsonText('attributes', 'description').as('description')])
        .where('workspace_id', '=', ws).orderBy('item_id').execute();
      return rows.map((r): CatalogEntry => ({
        id: r.item_id, name: r.name, categoryPath: readJson<unknown[]>(r.category_path, []).filter((c): c is string => typeof c === 'string'),
        brand: r.brand, price: r.price === null ? null : Number(r.price), inStock: Number(r.in_stock) === 1,
        tags: readJson<unknown[]>(r.tags, []).filter((t): t is string => typeof t === 'string'), createdAt: Number(r.created_at),
        description: typeof r.description === 'string' ? r.description : undefined, currency: r.currency, url: r.url, image: r.image_url,
      }));
    },

    async catalogSignature(ws) {
      const r = await db.selectFrom('catalog_items').select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('updated_at').as('at')]).where('workspace_id', '=', ws).executeTakeFirst();
      return `${Number(r?.n ?? 0)}:${Number(r?.at ?? 0)}`;
    },

    async person(ws, profileId, window) {
      const known = window.unchanged;
      const [profile, computed, lines, events, segments, shown, responded] = await Promise.all([
        known !== undefined ? null : db.selectFrom('profiles').select('traits').where('workspace_id', '=', ws).where('id', '=', profileId).executeTakeFirst(),
        db.selectFrom('computed_traits').select('traits').where('workspace_id', '=', ws).where('profile_id', '=', profileId).executeTakeFirst(),
        // Orders first (by the profile index), then their lines: joined in one statement, SQLite
        // without statistics would walk every order line of the workspace.
        known !== undefined ? [] : db.selectFrom('orders').select(['order_id', 'placed_at'])
          .where('workspace_id', '=', ws).where('profile_id', '=', profileId).where('kind', '=', 'order').where('status', '<>', 'cancelled')
          .orderBy('placed_at', 'desc').limit(MAX_ORDERS_FOR_EXCLUSION).execute()
          .then(async (orders) => {
            if (orders.length === 0) return [];
            const placed = new Map(orders.map((o) => [o.order_id, Number(o.placed_at)]));
            const items: Array<{ order_id: string; item_id: string; quantity: number }> = [];
            for (const chunk of chunkRows([...placed.keys()], 1, max - 1)) {
              items.push(...await db.selectFrom('order_items').select(['order_id', 'item_id', 'quantity']).where('workspace_id', '=', ws).where('order_id', 'in', chunk).execute());
            }
            return items.filter((i) => Number(i.quantity) > 0).map((i) => ({ placed_at: placed.get(i.order_id)!, item_id: i.item_id })).sort((a, b) => b.placed_at - a.placed_at);
          }),
        // Through the profile index: without statistics SQLite would pick the event-name index and scan every view.
        known !== undefined ? [] : sql<{ event: string; timestamp: number; product_text: unknown; product_number: unknown }>`select e.event, e.timestamp,
            ${features.jsonScalar('e.properties', ['product_id'], 'text')} as product_text, ${features.jsonScalar('e.properties', ['product_id'], 'number')} as product_number
          from ${features.eventsOfProfile('e')}
          where e.workspace_id = ${ws} and e.profile_id = ${profileId} and e.event in (${sql.join(Object.keys(EVENT_KINDS))})
          order by e.timestamp desc limit ${MAX_EVENTS_PER_PERSON}`.execute(db).then((r) => r.rows),
        db.selectFrom('segment_memberships').select('segments').where('workspace_id', '=', ws).where('profile_id', '=', profileId).executeTakeFirst()
          .then(async (row) => {
            const ordinals = membershipOrdinals(row?.segments ?? null);
            return ordinals.length === 0 ? [] : db.selectFrom('segments').select(['id', 'name']).where('workspace_id', '=', ws).where('ordinal', 'in', ordinals).execute();
          }),
        db.selectFrom('recommendation_log').select(['items', 'created_at']).where('workspace_id', '=', ws).where('profile_id', '=', profileId)
          .where('created_at', '>=', window.exposuresSince).orderBy('created_at', 'desc').limit(MAX_LOGS_PER_PERSON).execute(),
        db.selectFrom('recommendation_feedback').select(['item_id', 'at']).where('workspace_id', '=', ws).where('profile_id', '=', profileId)
          .where('at', '>=', window.exposuresSince).execute(),
      ]);
      // The latest lines are the history models read; every item ever bought is kept for "not what they bought".
      const interactions: Array<{ itemId: string; kind: InteractionKind; at: number }> = [];
      const purchased = new Map<string, number>();
      for (const l of lines) {
        if (interactions.length < MAX_ORDER_LINES_PER_PERSON) interactions.push({ itemId: l.item_id, kind: 'purchase', at: l.placed_at });
        if (!purchased.has(l.item_id)) purchased.set(l.item_id, l.placed_at);
      }
      for (const e of events) {
        const itemId = typeof e.product_text === 'string' ? e.product_text : typeof e.product_number === 'number' || typeof e.product_number === 'string' ? String(e.product_number) : null;
        const kind = EVENT_KINDS[e.event];
        if (itemId !== null && itemId !== '' && kind !== undefined) interactions.push({ itemId, kind, at: Number(e.timestamp) });
      }
      return {
        ...(known !== undefined ? { traits: known.traits, interactions: known.interactions, purchased: known.purchased } : {
          traits: readJson(profile?.traits, {}),
          // Packed: the person cache keeps thousands of these (recommend/packed.ts).
          interactions: PackedInteractions.from(interactions), purchased: PackedMap.from(purchased, NUMBER),
        }),
        computed: readJson(computed?.traits, {}),
        segments: segments.map((s) => ({ id: s.id, name: s.name })),
        shown: shownTimes(shown),
        responded: responded.map((r) => ({ itemId: r.item_id, at: Number(r.at) })),
      };
    },

    async latestInteractionAt(ws) {
      const [order, ...events] = await Promise.all([
        db.selectFrom('orders').select((eb) => eb.fn.max('placed_at').as('at')).where('workspace_id', '=', ws).where('kind', '=', 'order').executeTakeFirst(),
        ...Object.keys(EVENT_KINDS).map((name) => db.selectFrom('events').select((eb) => eb.fn.max('timestamp').as('at')).where('workspace_id', '=', ws).where('event', '=', name).executeTakeFirst()),
      ]);
      const times = [order, ...events].map((r) => (r?.at === null || r?.at === undefined ? null : Number(r.at))).filter((t): t is number => t !== null);
      return times.length === 0 ? null : Math.max(...times);
    },

    async personPrivacy(ws, profileId) {
      const [consents, [row]] = await Promise.all([consentOf(db, { ws, profileId }), switchOf(db, { ws, profileId })]);
      return { consents: consents.map(consentRecordOf), personalizationOff: Number(row?.personalization_off ?? 0) === 1, guardianConsent: Number(row?.guardian_consent ?? 0) === 1 };
    },

    async *trainingInteractions(ws, since) {
      // Order lines in pages by (placed_at, order_id, line).
      let after: { at: number; order: string; line: number } | null = null;
      for (;;) {
        let q = db.selectFrom('orders as o').innerJoin('order_items as i', (j) => j.onRef('i.workspace_id', '=', 'o.workspace_id').onRef('i.order_id', '=', 'o.order_id'))
          .select(['o.order_id', 'o.profile_id', 'o.placed_at', 'i.line', 'i.item_id', 'i.quantity'])
          .where('o.workspace_id', '=', ws).where('o.kind', '=', 'order').where('o.status', '<>', 'cancelled').where('o.profile_id', 'is not', null)
          .where('o.placed_at', '>=', since).where('i.quantity', '>', 0);
        if (after !== null) {
          const a = after;
          q = q.where((eb) => eb.or([eb('o.placed_at', '>', a.at), eb.and([eb('o.placed_at', '=', a.at), eb.or([eb('o.order_id', '>', a.order), eb.and([eb('o.order_id', '=', a.order), eb('i.line', '>', a.line)])])])]));
        }
        const rows = await q.orderBy('o.placed_at').orderBy('o.order_id').orderBy('i.line').limit(TRAINING_PAGE).execute();
        if (rows.length === 0) break;
        yield rows.map((r) => ({ userId: r.profile_id!, itemId: r.item_id, kind: 'purchase' as const, at: Number(r.placed_at), quantity: Number(r.quantity), orderId: r.order_id }));
        const last = rows[rows.length - 1]!;
        after = { at: Number(last.placed_at), order: last.order_id, line: Number(last.line) };
        if (rows.length < TRAINING_PAGE) break;
      }
      // Cart adds and views, by the event-name index, in pages by (timestamp, message_id).
      for (const [name, kind] of Object.entries(EVENT_KINDS)) {
        let cursor: { at: number; id: string } | null = null;
        for (;;) {
          let q = db.selectFrom('events')
            .select(['message_id', 'profile_id', 'timestamp', features.jsonScalar('properties', ['product_id'], 'text').as('product_text'), features.jsonScalar('properties', ['product_id'], 'number').as('product_number'), features.jsonScalar('context', ['device', 'type'], 'text').as('device')])
            .where('workspace_id', '=', ws).where('event', '=', name).where('timestamp', '>=', since);
          if (cursor !== null) {
            const c = cursor;
            q = q.where((eb) => eb.or([eb('timestamp', '>', c.at), eb.and([eb('timestamp', '=', c.at), eb('message_id', '>', c.id)])]));
          }
          const rows = await q.orderBy('timestamp').orderBy('message_id').limit(TRAINING_PAGE).execute();
          if (rows.length === 0) break;
          const page = [];
          for (const r of rows) {
            const itemId = typeof r.product_text === 'string' ? r.product_text : typeof r.product_number === 'number' || typeof r.product_number === 'string' ? String(r.product_number) : '';
            if (itemId === '') continue;
            page.push({ userId: r.profile_id, itemId, kind, at: Number(r.timestamp), ...(typeof r.device === 'string' && r.device !== '' ? { device: r.device.toLowerCase() } : {}) });
          }
          yield page;
          const last = rows[rows.length - 1]!;
          cursor = { at: Number(last.timestamp), id: last.message_id };
          if (rows.length < TRAINING_PAGE) break;
        }
      }
    },

    privacyOf: (ws, profileIds) => readPrivacyOf(db, features, ws, profileIds),

    async regionsOf(ws, profileIds) {
      const out = new Map<string, string>();
      for (const chunk of chunkRows(profileIds, 1, max - 1)) {
        const rows = await db.selectFrom('computed_traits').select(['profile_id', features.jsonText('traits', 'country').as('country')])
          .where('workspace_id', '=', ws).where('profile_id', 'in', chunk).execute();
        for (const r of rows) if (typeof r.country === 'string' && r.country !== '') out.set(r.profile_id, r.country);
      }
      return out;
    },

    async segmentNames(ws) {
      const rows = await db.selectFrom('segments').select(['id', 'name']).where('workspace_id', '=', ws).execute();
      return new Map(rows.map((r) => [r.id, r.name]));
    },

    async membershipsOf(ws, profileIds) {
      const sets = await readMembershipsOf(db, max, ws, profileIds);
      return new Map([...sets].map(([id, set]) => [id, [...set]]));
    },

    saveModel: (ws, m) => store.inTransaction(async (tx) => {
      await features.lock(tx, `models:${ws}:${RECOMMENDER_MODEL_KIND}`);
      const last = await tx.selectFrom('models').select('version').where('workspace_id', '=', ws).where('kind', '=', RECOMMENDER_MODEL_KIND).orderBy('version', 'desc').limit(1).executeTakeFirst();
      const version = last === undefined ? 1 : Number(last.version) + 1;
      // Only the active model keeps its artifact: older versions stay listed with their statistics.
      await tx.updateTable('models').set({ status: 'retired', artifact: null }).where('workspace_id', '=', ws).where('kind', '=', RECOMMENDER_MODEL_KIND).where('status', '=', 'active').execute();
      await tx.insertInto('models').values({
        workspace_id: ws, id: m.id, kind: RECOMMENDER_MODEL_KIND, version, status: 'active', created_at: m.createdAt, data_from: m.dataFrom, data_to: m.dataTo,
        params: JSON.stringify(m.params), stats: JSON.stringify(m.stats), artifact: m.artifact,
      }).execute();
      return version;
    }),

    async activeModelVersion(ws) {
      const r = await db.selectFrom('models').select('version').where('workspace_id', '=', ws).where('kind', '=', RECOMMENDER_MODEL_KIND).where('status', '=', 'active').orderBy('version', 'desc').limit(1).executeTakeFirst();
      return r === undefined ? null : Number(r.version);
    },

    async activeModel(ws) {
      const r = await db.selectFrom('models').select(['id', 'version', 'created_at', 'artifact']).where('workspace_id', '=', ws).where('kind', '=', RECOMMENDER_MODEL_KIND).where('status', '=', 'active')
        .orderBy('version', 'desc').limit(1).executeTakeFirst();
      return r === undefined || r.artifact === null ? null : { id: r.id, version: Number(r.version), createdAt: Number(r.created_at), artifact: r.artifact };
    },

    async appendLogs(ws, rows) {
      if (rows.length === 0) return;
      await store.inTransaction(async (tx) => {
        for (const chunk of chunkRowsInShapes(rows, 9, max)) {
          await tx.insertInto('recommendation_log').values(chunk.map((r) => ({
            workspace_id: ws, id: r.id, profile_id: r.profileId, placement: r.placement, personalized: r.personalized ? 1 : 0, model_version: r.modelVersion,
            items: JSON.stringify(r.items), details: JSON.stringify(r.details), created_at: r.createdAt,
          }))).onConflict((oc) => oc.columns(['workspace_id', 'id']).doNothing()).execute();
        }
      });
    },

    async getLog(ws, id) {
      const r = await db.selectFrom('recommendation_log').selectAll().where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst();
      return r === undefined ? null : toLog(r);
    },

    async addFeedback(ws, rows) {
      if (rows.length === 0) return [];
      return store.inTransaction(async (tx) => {
        const fresh: FeedbackRow[] = [];
        for (const chunk of chunkRows(rows, 1, max - 1)) {
          const existing = new Set((await tx.selectFrom('recommendation_feedback').select('id').where('workspace_id', '=', ws).where('id', 'in', chunk.map((r) => r.id)).execute()).map((r) => r.id));
          const seen = new Set<string>();
          const add = chunk.filter((r) => !existing.has(r.id) && !seen.has(r.id) && seen.add(r.id));
          for (const part of chunkRows(add, 11, max)) {
            await tx.insertInto('recommendation_feedback').values(part.map((r) => ({
              workspace_id: ws, id: r.id, recommendation_id: r.recommendationId, profile_id: r.profileId, placement: r.placement, item_id: r.itemId,
              kind: r.kind, revenue: r.revenue, currency: r.currency, message_id: r.messageId, at: r.at,
            }))).execute();
          }
          fresh.push(...add);
        }
        return fresh;
      });
    },

    async feedbackOf(ws, recommendationId) {
      const rows = await db.selectFrom('recommendation_feedback').selectAll().where('workspace_id', '=', ws).where('recommendation_id', '=', recommendationId).orderBy('at').execute();
      return rows.map(toFeedback);
    },

    async itemStats(ws) {
      const rows = await db.selectFrom('recommendation_item_stats').select(['placement', 'item_id', 'impressions', 'responses']).where('workspace_id', '=', ws).execute();
      return rows.map((r) => ({ placement: r.placement, itemId: r.item_id, impressions: Number(r.impressions), responses: Number(r.responses) }));
    },

    async addItemStats(ws, rows, at) {
      if (rows.length === 0) return;
      await store.inTransaction(async (tx) => {
        for (const chunk of chunkRowsInShapes(rows, 6, max)) {
          await tx.insertInto('recommendation_item_stats')
            .values(chunk.map((r) => ({ workspace_id: ws, placement: r.placement, item_id: r.itemId, impressions: r.impressions, responses: r.responses, updated_at: at })))
            .onConflict((oc) => oc.columns(['workspace_id', 'placement', 'item_id']).doUpdateSet((eb) => ({
              impressions: sql`${eb.ref('recommendation_item_stats.impressions')} + ${eb.ref('excluded.impressions')}`,
              responses: sql`${eb.ref('recommendation_item_stats.responses')} + ${eb.ref('excluded.responses')}`,
              updated_at: eb.ref('excluded.updated_at'),
            })))
            .execute();
        }
      });
    },

    async report(ws, since) {
      const logs = await db.selectFrom('recommendation_log').select(['placement', 'personalized', 'items']).where('workspace_id', '=', ws).where('created_at', '>=', since).execute();
      const feedback = await db.selectFrom('recommendation_feedback as f').innerJoin('recommendation_log as l', (j) => j.onRef('l.workspace_id', '=', 'f.workspace_id').onRef('l.id', '=', 'f.recommendation_id'))
        .select(['f.placement', 'f.item_id', 'f.kind', 'f.revenue', 'f.currency', 'l.items']).where('f.workspace_id', '=', ws).where('l.created_at', '>=', since).execute();
      const out = new Map<string, PlacementReport>();
      const entry = (placement: string) => {
        let r = out.get(placement);
        if (r === undefined) out.set(placement, (r = { placement, responses: 0, personalized: 0, impressions: 0, clicks: 0, addsToCart: 0, purchases: 0, revenue: {}, explorationImpressions: 0, explorationResponses: 0 }));
        return r;
      };
      for (const l of logs) {
        const r = entry(l.placement);
        const items = readJson<Array<{ exploration: boolean }>>(l.items, []);
        r.responses++;
        if (Number(l.personalized) === 1) r.personalized++;
        r.impressions += items.length;
        r.explorationImpressions += items.filter((i) => i.exploration).length;
      }
      for (const f of feedback) {
        const r = entry(f.placement);
        if (f.kind === 'click') r.clicks++;
        else if (f.kind === 'add_to_cart') r.addsToCart++;
        else r.purchases++;
        if (f.revenue !== null && f.currency !== null) r.revenue[f.currency] = Math.round(((r.revenue[f.currency] ?? 0) + Number(f.revenue)) * 100) / 100;
        if (readJson<Array<{ itemId: string; exploration: boolean }>>(f.items, []).some((i) => i.itemId === f.item_id && i.exploration)) r.explorationResponses++;
      }
      return [...out.values()].sort((a, b) => (a.placement < b.placement ? -1 : 1));
    },

    async logsOf(ws, profileId) {
      const [logs, feedback] = await Promise.all([
        db.selectFrom('recommendation_log').selectAll().where('workspace_id', '=', ws).where('profile_id', '=', profileId).orderBy('created_at').execute(),
        db.selectFrom('recommendation_feedback').selectAll().where('workspace_id', '=', ws).where('profile_id', '=', profileId).orderBy('at').execute(),
      ]);
      const byRec = new Map<string, FeedbackRow[]>();
      for (const f of feedback.map(toFeedback)) {
        const list = byRec.get(f.recommendationId);
        if (list === undefined) byRec.set(f.recommendationId, [f]);
        else list.push(f);
      }
      return logs.map((l) => ({ ...toLog(l), feedback: byRec.get(l.id) ?? [] }));
    },
  };
}
