/**
 * What the computed-trait functions read. These are plain data shapes, deliberately
 * independent of storage rows and wire schemas: the service that wires traits to the store
 * maps its rows onto them (StoredOrder.lines → OrderInput.items, and so on).
 *
 * Times are milliseconds since the Unix epoch (UTC). Amounts are in the order's currency.
 */

/** One line of an order. For a return, `quantity` may be negative (it is read as returned units). */
export interface OrderItem {
  itemId: string;
  category: string | null;
  brand: string | null;
  /** Unit price, in the order's currency. */
  price: number;
  quantity: number;
}

/**
 * An order as stored after ingest (see src/orders/order-events.ts and src/ingest):
 * `kind: 'return'` is a standalone credit note (a refund that matched no known order, e.g.
 * an Online Retail `C…` invoice) whose `revenue` is negative; refunds of a known order are
 * recorded on that order in `refundedAmount` and `status`.
 */
export interface OrderInput {
  orderId: string;
  kind: 'order' | 'return';
  status: 'completed' | 'refunded' | 'partially_refunded' | 'cancelled';
  /** ISO 4217 code, upper case. */
  currency: string;
  /** Gross order revenue (negative for a return). */
  revenue: number;
  /** Amount refunded so far on this order (0 when none). */
  refundedAmount: number;
  coupon: string | null;
  placedAt: number;
  items: readonly OrderItem[];
}

/** Segment message types (https://segment.com/docs/connections/spec/). */
export type EventType = 'track' | 'page' | 'screen' | 'identify' | 'group' | 'alias';

/**
 * One stored event, as the Segment spec defines it: `event` is the track event name (null
 * for other types), `timestamp` the corrected event time, `context` the Segment context
 * object (`timezone`, `locale`, `location`, `traits`, …), `traits` an identify call's traits
 * (absent when the caller did not read them).
 */
export interface EventInput {
  type: EventType | (string & {});
  event: string | null;
  timestamp: number;
  properties: Readonly<Record<string, unknown>>;
  context: Readonly<Record<string, unknown>>;
  traits?: Readonly<Record<string, unknown>>;
}

/**
 * The prices of the catalog items in one category, sorted ascending, used to place an
 * order line's price within its category (build it with `buildCategoryPriceDistributions`).
 */
export interface CategoryPriceDistribution {
  category: string;
  /** Ascending; at least one price. */
  prices: readonly number[];
}

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;
