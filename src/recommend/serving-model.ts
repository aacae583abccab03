import { z } from 'zod';
import { createIntervalCollector, productDays } from '../predict/index.js';
import { err, ok, type Result } from '../shared/result.js';
import { createDecayedCounters, type DecayedCounters } from './decayed-counters.js';
import { buildInteractionMatrix, DEFAULT_SIGNAL_WEIGHTS, type Interaction, type InteractionKind } from './interactions.js';
import { itemCosineNeighbours } from './item-knn.js';
import { decodeNeighbours, encodeNeighbours, serializedNeighboursSchema, type NeighbourLists } from './neighbours.js';
import { historyWeightingSchema, type HistoryWeighting } from './history.js';
import { fitDefaultModel } from './recipe.js';
import type { Recommender } from './recommender.js';
import type { Rng } from './rng.js';
import { deserializeRecommender } from './serialize.js';
import type { ItemAttributes } from './text-features.js';

/**
 * The serving model: everything recommendation serving keeps in memory for a workspace,
 * trained in one batch job and stored as one JSON document (the `models` table, kind
 * `recommender`). It holds item-level knowledge only — no row per person — so serving a
 * person combines it with their live history, and erasing a person needs no surgery on it
 * (the next scheduled retrain drops their contribution; PRIVACY.md P14).
 */
export interface ServingModel {
  trainedAt: number;
  dataFrom: number | null;
  dataTo: number | null;
  /** The items the personal model and the neighbour lists are indexed by. */
  itemIds: readonly string[];
  itemIndex: ReadonlyMap<string, number>;
  /** The personalized model (README "Which model, and why") and how to weigh a person's history for it. */
  personal: Recommender;
  history: HistoryWeighting;
  /** Item → item cosine over people's interactions: "similar" and explanations. */
  similar: NeighbourLists;
  /** Item → item cosine over orders (items in the same basket): "bought together". */
  together: NeighbourLists;
  /**
   * Decayed popularity: short half-life ("trending"), long half-life ("popular"), per region and
   * per segment. Counted over every person's events, profiled or not (README "What popularity
   * counts").
   */
  trending: DecayedCounters;
  popular: DecayedCounters;
  regions: ReadonlyMap<string, DecayedCounters>;
  segments: ReadonlyMap<string, DecayedCounters>;
  /** Per device type of the events (`mobile`, `desktop`…): cart adds and views only, as orders carry no device. */
  devices: ReadonlyMap<string, DecayedCounters>;
  /**
   * All-time popularity: the signal weights of every event in the training window summed per
   * item, undecayed. What fills a list once decayed popularity runs out (a live event long after
   * the data ends rebases the decayed counters, and the data's own popularity becomes ~0).
   */
  allTime: ReadonlyMap<string, number>;
  /** Median days between purchases of repeat-bought products (src/predict/replenishment.ts). */
  replenishment: ReadonlyMap<string, number>;
  stats: TrainingStats;
}

export interface TrainingStats {
  /** People, interactions and orders the personal parts learned from (people whose profiling the policy allows). */
  people: number;
  items: number;
  interactions: Record<InteractionKind, number>;
  orders: number;
  seconds: number;
  /** What popularity counted: every person's events (absent in models trained before it was counted apart). */
  popularity?: { people: number; interactions: number };
}

/** One interaction for training; purchases carry their order id (for "bought together"). */
export interface TrainingInteraction extends Interaction {
  orderId?: string | undefined;
  /** Device type of the event's context (cart adds and views). */
  device?: string | undefined;
}

/** Half-lives of the popularity counters (days). 7 won for popularity on the Online Retail validation split. */
export const POPULARITY_HALF_LIVES = Object.freeze({ trending: 7, popular: 90, region: 30, segment: 30, device: 30 });
/** Neighbours kept per item for "similar" and "bought together". */
export const NEIGHBOURS_PER_ITEM = 50;
/** Regions and segments with fewer interacting people than this get no popularity list of their own. */
export const MIN_PEOPLE_PER_SCOPE = 5;

/**
 * Trains the serving model.
 *
 * @example
 * const model = trainServingModel({ interactions: profiled, counted: all, items, referenceTime: clock.now(), regionOf: (p) => regions.get(p), segmentsOf: (p) => memberships.get(p) ?? [], rng: seededRng(1) });
 */
export function trainServingModel(input: {
  /** What the personal parts learn from: the interactions of people whose profiling the policy allows. */
  interactions: readonly TrainingInteraction[];
  /**
   * What popularity counts (default: `interactions`): every person's interactions, since a
   * count per item has no output per person (README "What popularity counts").
   */
  counted?: readonly TrainingInteraction[];
  /** The catalog: item ids in column order and their attributes (for the content part). */
  items: readonly ItemAttributes[];
  referenceTime: number;
  regionOf?: (profileId: string) => string | undefined;
  segmentsOf?: (profileId: string) => readonly string[];
  rng: Rng;
  onProgress?: (step: string) => void;
}): ServingModel {
  const started = performance.now();
  const say = input.onProgress ?? (() => {});
  const { interactions, referenceTime } = input;
  const counted = input.counted ?? interactions;
  const itemIds = input.items.map((i) => i.itemId);
  say('personal model');
  const personal = fitDefaultModel({ interactions, items: input.items, itemIds, referenceTime, rng: input.rng });
  const modelItems = personal.model.itemIds;

  say('similar items');
  const purchaseAndCart = buildInteractionMatrix({ interactions: interactions.filter((e) => e.kind !== 'view'), referenceTime, itemIds: modelItems, halfLifeDays: Infinity, cap: 1 });
  const similar = itemCosineNeighbours(purchaseAndCart, { k: NEIGHBOURS_PER_ITEM, shrink: 10 });
  say('bought together');
  const baskets = buildInteractionMatrix({
    interactions: interactions.filter((e) => e.kind === 'purchase' && e.orderId !== undefined).map((e) => ({ ...e, userId: e.orderId! })),
    referenceTime, itemIds: modelItems, halfLifeDays: Infinity, cap: 1,
  });
  const together = itemCosineNeighbours(baskets, { k: NEIGHBOURS_PER_ITEM, shrink: 5 });

  say('popularity');
  const trending = createDecayedCounters({ halfLifeDays: POPULARITY_HALF_LIVES.trending, reference: referenceTime });
  const popular = createDecayedCounters({ halfLifeDays: POPULARITY_HALF_LIVES.popular, reference: referenceTime });
  const regionCounters = new Map<string, { counters: DecayedCounters; people: Set<string> }>();
  const segmentCounters = new Map<string, { counters: DecayedCounters; people: Set<string> }>();
  const deviceCounters = new Map<string, { counters: DecayedCounters; people: Set<string> }>();
  const scoped = (map: typeof regionCounters, key: string, halfLifeDays: number) => {
    let entry = map.get(key);
    if (entry === undefined) map.set(key, (entry = { counters: createDecayedCounters({ halfLifeDays, reference: referenceTime }), people: new Set() }));
    return entry;
  };
  const allTime = new Map<string, number>();
  const countedPeople = new Set<string>();
  for (const e of counted) {
    countedPeople.add(e.userId);
    const w = DEFAULT_SIGNAL_WEIGHTS[e.kind];
    trending.add(e.itemId, w, e.at);
    popular.add(e.itemId, w, e.at);
    allTime.set(e.itemId, (allTime.get(e.itemId) ?? 0) + w);
    const region = input.regionOf?.(e.userId);
    if (region !== undefined) {
      const r = scoped(regionCounters, region, POPULARITY_HALF_LIVES.region);
      r.counters.add(e.itemId, w, e.at);
      r.people.add(e.userId);
    }
    for (const segment of input.segmentsOf?.(e.userId) ?? []) {
      const s = scoped(segmentCounters, segment, POPULARITY_HALF_LIVES.segment);
      s.counters.add(e.itemId, w, e.at);
      s.people.add(e.userId);
    }
    if (e.device !== undefined) {
      const d = scoped(deviceCounters, e.device, POPULARITY_HALF_LIVES.device);
      d.counters.add(e.itemId, w, e.at);
      d.people.add(e.userId);
    }
  }
  const counts: Record<InteractionKind, number> = { purchase: 0, add_to_cart: 0, view: 0 };
  const people = new Set<string>();
  const orders = new Set<string>();
  const ordersByPerson = new Map<string, Map<string, { placedAt: number; items: Array<{ itemId: string; quantity: number }> }>>();
  for (const e of interactions) {
    counts[e.kind]++;
    people.add(e.userId);
    if (e.kind === 'purchase' && e.orderId !== undefined) {
      orders.add(e.orderId);
      let mine = ordersByPerson.get(e.userId);
      if (mine === undefined) ordersByPerson.set(e.userId, (mine = new Map()));
      let order = mine.get(e.orderId);
      if (order === undefined) mine.set(e.orderId, (order = { placedAt: e.at, items: [] }));
      order.items.push({ itemId: e.itemId, quantity: e.quantity ?? 1 });
    }
  }
  say('replenishment');
  const collector = createIntervalCollector();
  for (const mine of ordersByPerson.values()) collector.add(productDays([...mine.values()]));
  const keep = (map: typeof regionCounters) => new Map([...map].filter(([, v]) => v.people.size >= MIN_PEOPLE_PER_SCOPE).map(([k, v]) => [k, v.counters] as const));

  return {
    trainedAt: referenceTime,
    dataFrom: counted.length === 0 ? null : counted.reduce((m, e) => Math.min(m, e.at), Infinity),
    dataTo: counted.length === 0 ? null : counted.reduce((m, e) => Math.max(m, e.at), -Infinity),
    itemIds: modelItems,
    itemIndex: personal.model.itemIndex,
    personal: personal.model,
    history: personal.history,
    similar,
    together,
    trending,
    popular,
    regions: keep(regionCounters),
    segments: keep(segmentCounters),
    devices: keep(deviceCounters),
    allTime,
    replenishment: collector.productIntervals(),
    stats: { people: people.size, items: modelItems.length, interactions: counts, orders: orders.size, seconds: (performance.now() - started) / 1000, popularity: { people: countedPeople.size, interactions: counted.length } },
  };
}

const countersSchema = z.object({ halfLifeDays: z.number().positive(), reference: z.number(), amounts: z.record(z.string(), z.number()) });

/** The stored form of a serving model. */
export const servingModelSchema = z.object({
  format: z.literal(2),
  trainedAt: z.number(),
  dataFrom: z.number().nullable(),
  dataTo: z.number().nullable(),
  personal: z.record(z.string(), z.unknown()),
  history: historyWeightingSchema,
  similar: serializedNeighboursSchema,
  together: serializedNeighboursSchema,
  trending: countersSchema,
  popular: countersSchema,
  regions: z.record(z.string(), countersSchema),
  segments: z.record(z.string(), countersSchema),
  devices: z.record(z.string(), countersSchema),
  /** Optional, so that models stored before it load (their all-time popularity is taken from `popular`). */
  allTime: z.record(z.string(), z.number().positive()).optional(),
  replenishment: z.record(z.string(), z.number().positive()),
  stats: z.object({ people: z.number(), items: z.number(), interactions: z.object({ purchase: z.number(), add_to_cart: z.number(), view: z.number() }), orders: z.number(), seconds: z.number(), popularity: z.object({ people: z.number(), interactions: z.number() }).optional() }),
});

/**
 * The JSON form of a serving model (typed arrays as base64).
 *
 * @example
 * const text = JSON.stringify(serializeServingModel(model));
 */
export function serializeServingModel(model: ServingModel): z.infer<typeof servingModelSchema> {
  const counters = (map: ReadonlyMap<string, DecayedCounters>) => Object.fromEntries([...map].map(([k, v]) => [k, v.toJSON()]));
  return {
    format: 2, trainedAt: model.trainedAt, dataFrom: model.dataFrom, dataTo: model.dataTo,
    personal: model.personal.serialize() as unknown as Record<string, unknown>, history: { signalWeights: { ...model.history.signalWeights }, terms: model.history.terms.map((t) => ({ ...t })) },
    similar: encodeNeighbours(model.similar), together: encodeNeighbours(model.together),
    trending: model.trending.toJSON(), popular: model.popular.toJSON(), regions: counters(model.regions), segments: counters(model.segments), devices: counters(model.devices),
    allTime: Object.fromEntries(model.allTime), replenishment: Object.fromEntries(model.replenishment), stats: model.stats,
  };
}

/**
 * Loads a stored serving model, refusing a corrupt or foreign document with the reason (the
 * server keeps serving the model it has).
 *
 * @example
 * const loaded = loadServingModel(JSON.parse(artifact)); if (loaded.ok) swap(loaded.value);
 */
export function loadServingModel(json: unknown): Result<ServingModel, { type: 'invalid_model'; reason: string }> {
  const parsed = servingModelSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return err({ type: 'invalid_model', reason: `${issue?.path.join('.') || 'model'}: ${issue?.message ?? 'invalid'}` });
  }
  const data = parsed.data;
  const personal = deserializeRecommender(data.personal);
  if (!personal.ok) return personal;
  const itemCount = personal.value.itemIds.length;
  try {
    const counters = (c: z.infer<typeof countersSchema>) => createDecayedCounters(c);
    return ok({
      trainedAt: data.trainedAt, dataFrom: data.dataFrom, dataTo: data.dataTo,
      itemIds: personal.value.itemIds, itemIndex: personal.value.itemIndex, personal: personal.value, history: data.history,
      similar: decodeNeighbours({ data: data.similar, itemCount }), together: decodeNeighbours({ data: data.together, itemCount }),
      trending: counters(data.trending), popular: counters(data.popular),
      regions: new Map(Object.entries(data.regions).map(([k, v]) => [k, counters(v)])),
      segments: new Map(Object.entries(data.segments).map(([k, v]) => [k, counters(v)])),
      devices: new Map(Object.entries(data.devices).map(([k, v]) => [k, counters(v)])),
      allTime: new Map(Object.entries(data.allTime ?? data.popular.amounts)),
      replenishment: new Map(Object.entries(data.replenishment)), stats: data.stats,
    });
  } catch (error) {
    if (error instanceof RangeError) return err({ type: 'invalid_model', reason: error.message });
    throw error;
  }
}
