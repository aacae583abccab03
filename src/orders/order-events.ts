import { z } from 'zod';
import { describeIssues } from '../contracts/segment.js';
import { err, ok, type Result } from '../shared/result.js';

/**
 * Orders derived from the Segment E-commerce Events spec v2
 * (https://segment.com/docs/connections/spec/ecommerce/v2/): `Order Completed` creates or
 * replaces an order with its `products[]`; `Order Refunded` records a full or partial refund;
 * `Order Cancelled` cancels it.
 */
export const ORDER_EVENTS = ['Order Completed', 'Order Refunded', 'Order Cancelled'] as const;

/** Most lines one order may have. */
export const MAX_ORDER_LINES = 1000;

const amount = z.number().finite();
const productSchema = z.object({
  product_id: z.union([z.string(), z.number()]).transform(String).optional(),
  sku: z.union([z.string(), z.number()]).transform(String).optional(),
  name: z.string().max(500).optional(),
  category: z.string().max(500).optional(),
  brand: z.string().max(200).optional(),
  price: amount.optional(),
  quantity: z.number().finite().positive().optional(),
}).loose().refine((p) => p.product_id !== undefined || p.sku !== undefined, { message: 'needs product_id or sku', path: ['product_id'] });

const orderCompletedSchema = z.object({
  order_id: z.union([z.string().min(1).max(256), z.number()]).transform(String),
  revenue: amount.optional(),
  total: amount.optional(),
  discount: amount.optional(),
  coupon: z.string().max(200).optional().nullable(),
  currency: z.string().regex(/^[A-Za-z]{3}$/, 'must be an ISO-4217 code such as "USD"').transform((c) => c.toUpperCase()).optional(),
  products: z.array(productSchema).max(MAX_ORDER_LINES, `must hold at most ${MAX_ORDER_LINES} products`).optional(),
}).loose();

const orderRefundedSchema = z.object({
  order_id: z.union([z.string().min(1).max(256), z.number()]).transform(String),
  total: amount.optional(),
  revenue: amount.optional(),
  currency: z.string().regex(/^[A-Za-z]{3}$/).transform((c) => c.toUpperCase()).optional(),
  products: z.array(productSchema).max(MAX_ORDER_LINES, `must hold at most ${MAX_ORDER_LINES} products`).optional(),
}).loose();

const orderCancelledSchema = z.object({ order_id: z.union([z.string().min(1).max(256), z.number()]).transform(String) }).loose();

export interface OrderLine {
  itemId: string;
  name: string | null;
  category: string | null;
  price: number;
  quantity: number;
}

/** A line of E-commerce `products[]` as sent: product_id (else sku), quantity 1 and price null when absent. */
function lineAsSent(product: z.output<typeof productSchema>): RefundLine {
  return { itemId: (product.product_id ?? product.sku)!, name: product.name ?? null, category: product.category ?? null, price: product.price ?? null, quantity: product.quantity ?? 1 };
}

/** Order lines from E-commerce `products[]`: as sent, a missing price 0. */
function toLines(products: ReadonlyArray<z.output<typeof productSchema>> | undefined): OrderLine[] {
  return (products ?? []).map((product) => {
    const line = lineAsSent(product);
    return { ...line, price: line.price ?? 0 };
  });
}

/**
 * A line of a refund as sent: `price` is null when the event did not give one, so that the
 * refund can take the price from the order's own line (see `refundValue`).
 */
export interface RefundLine {
  itemId: string;
  name: string | null;
  category: string | null;
  price: number | null;
  quantity: number;
}

export type OrderChange =
  | {
      kind: 'completed';
      orderId: string;
      currency: string;
      /** The workspace's default currency, in which a refund naming none was kept before its order arrived. */
      defaultCurrency: string;
      revenue: number;
      total: number;
      discount: number;
      coupon: string | null;
      lines: OrderLine[];
    }
  | {
      kind: 'refunded';
      orderId: string;
      /** `total`, else `revenue`, as sent; null when neither was (then `lines`, else the whole order). */
      amount: number | null;
      /** As sent, upper-cased; else the workspace default. */
      currency: string;
      /** Whether the event named its currency: a refund without one is in its order's currency. */
      currencyGiven: boolean;
      /** The refunded `products[]`; null when the event listed none. */
      lines: RefundLine[] | null;
    }
  /** `currency` is the workspace default, used only for a cancellation kept before its order arrives. */
  | { kind: 'cancelled'; orderId: string; currency: string };

/**
 * Reads the order change a track event describes, or `null` for events that are not order
 * events. A malformed order event is an error naming the property path, so that the caller
 * can reject the event instead of storing an order it cannot honour.
 *
 * When `revenue` is absent it is taken from `total`, then from the sum of price × quantity.
 *
 * @example
 * orderChangeFromEvent('Order Completed', { order_id: 'o1', products: [{ product_id: 'p', price: 2, quantity: 3 }] }, 'USD');
 * // { ok: true, value: { kind: 'completed', orderId: 'o1', revenue: 6, ... } }
 */
export function orderChangeFromEvent(event: string, properties: Record<string, unknown>, defaultCurrency: string): Result<OrderChange | null, string> {
  if (event === 'Order Completed') {
    const parsed = orderCompletedSchema.safeParse(properties);
    if (!parsed.success) return err(describeIssues(parsed.error, 'properties'));
    const p = parsed.data;
    const lines = toLines(p.products);
    const lineSum = lines.reduce((s, l) => s + l.price * l.quantity, 0);
    const revenue = p.revenue ?? p.total ?? lineSum;
    return ok({
      kind: 'completed',
      orderId: p.order_id,
      currency: p.currency ?? defaultCurrency,
      defaultCurrency,
      revenue,
      total: p.total ?? revenue,
      discount: p.discount ?? 0,
      coupon: p.coupon ?? null,
      lines,
    });
  }
  if (event === 'Order Refunded') {
    const parsed = orderRefundedSchema.safeParse(properties);
    if (!parsed.success) return err(describeIssues(parsed.error, 'properties'));
    const p = parsed.data;
    // Neither an amount nor products: a full refund (spec: "full refund"). Products are valued
    // when the refund is applied, because a line without a price takes the order's own price.
    const lines = p.products === undefined ? null : p.products.map(lineAsSent);
    return ok({
      kind: 'refunded', orderId: p.order_id, amount: p.total ?? p.revenue ?? null,
      currency: p.currency ?? defaultCurrency, currencyGiven: p.currency !== undefined, lines,
    });
  }
  if (event === 'Order Cancelled') {
    const parsed = orderCancelledSchema.safeParse(properties);
    if (!parsed.success) return err(describeIssues(parsed.error, 'properties'));
    return ok({ kind: 'cancelled', orderId: parsed.data.order_id, currency: defaultCurrency });
  }
  return ok(null);
}

