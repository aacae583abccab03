import { DEFAULT_SIGNAL_WEIGHTS, type InteractionKind } from './interactions.js';

/** A committed event, as recommendation serving reads it after ingest. */
export interface ObservedEvent {
  messageId: string;
  /** Track event name (null for page, identify…). */
  event: string | null;
  timestamp: number;
  properties: Record<string, unknown>;
  context: Record<string, unknown>;
  profileId: string;
}

/** One product in an event, with what it says: the signal, its quantity and price, and a recommendation id if it carries one. */
export interface ProductSignal {
  itemId: string;
  kind: InteractionKind | 'click';
  weight: number;
  quantity: number;
  price: number | null;
  recommendationId: string | null;
}

/** The Segment E-commerce spec v2 events that say something about products (README "Recommendations"). */
const EVENT_KINDS: Record<string, InteractionKind | 'click'> = {
  'Order Completed': 'purchase',
  'Product Added': 'add_to_cart',
  'Product Viewed': 'view',
  'Product Clicked': 'click',
};

const idOf = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : null);
const numberOf = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);

/**
 * The products an event is about. `Order Completed` names them in `products[]`; the other
 * events in `properties` (`product_id`). A recommendation id is read from the product
 * (`products[].recommendation_id`) or, failing that, from the event (`properties.recommendation_id`).
 * Clicks weigh like views for popularity.
 *
 * @example
 * productSignals({ event: 'Product Clicked', properties: { product_id: 'mug', recommendation_id: 'r1' } }); // [{ itemId: 'mug', kind: 'click', … recommendationId: 'r1' }]
 */
export function productSignals(event: Pick<ObservedEvent, 'event' | 'properties'>): ProductSignal[] {
  const kind = event.event === null ? undefined : EVENT_KINDS[event.event];
  if (kind === undefined) return [];
  const shared = idOf(event.properties.recommendation_id);
  const weight = kind === 'click' ? DEFAULT_SIGNAL_WEIGHTS.view : DEFAULT_SIGNAL_WEIGHTS[kind];
  if (kind === 'purchase') {
    const products = Array.isArray(event.properties.products) ? event.properties.products : [];
    const out: ProductSignal[] = [];
    for (const p of products.slice(0, 500)) {
      if (typeof p !== 'object' || p === null) continue;
      const product = p as Record<string, unknown>;
      const itemId = idOf(product.product_id) ?? idOf(product.sku) ?? idOf(product.id);
      if (itemId === null) continue;
      const quantity = numberOf(product.quantity) ?? 1;
      if (!(quantity > 0)) continue;
      out.push({ itemId, kind, weight, quantity, price: numberOf(product.price), recommendationId: idOf(product.recommendation_id) ?? shared });
    }
    return out;
  }
  const itemId = idOf(event.properties.product_id) ?? idOf(event.properties.sku);
  if (itemId === null) return [];
  return [{ itemId, kind, weight, quantity: numberOf(event.properties.quantity) ?? 1, price: numberOf(event.properties.price), recommendationId: shared }];
}

/** The country of an event's context (`context.location.country`), or null. */
export function eventRegion(context: Record<string, unknown>): string | null {
  const location = context.location;
  if (typeof location !== 'object' || location === null) return null;
  const country = (location as Record<string, unknown>).country;
  return typeof country === 'string' && country.trim() !== '' ? country.trim() : null;
}
