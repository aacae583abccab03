import type { OrderChange, OrderLine, RefundLine } from './order-events.js';

/**
 * An order as stored: `kind: 'order'` for a purchase, `'return'` for a standalone credit note
 * (a refund whose order is not known). The meaning of each status for revenue is in
 * src/profiles/order-rules.ts.
 */
export interface OrderRecord {
  orderId: string;
  profileId: string | null;
  kind: 'order' | 'return';
  status: 'completed' | 'refunded' | 'partially_refunded' | 'cancelled';
  currency: string;
  revenue: number;
  total: number;
  discount: number;
  refundedAmount: number;
  coupon: string | null;
  placedAt: number;
  updatedAt: number;
  source: string;
  messageId: string | null;
  lines: OrderLine[];
}

/** The event an order change came from, and when it is applied. */
export interface OrderChangeContext {
  profileId: string | null;
  timestamp: number;
  messageId: string;
  source: string;
  now: number;
}

/** The order after a change, or why the change was not applied (the stored order stays as it was). */
export type OrderChangeOutcome = { applied: true; order: OrderRecord } | { applied: false; reason: string };

// Refunded amounts are sums of floating-point prices: 99.99999999999 of 100 is all of it.
const EPSILON = 1e-9;

const sameCurrency = (a: string, b: string) => a.toUpperCase() === b.toUpperCase();

/**
 * Applies one order event to the stored order, so that the result does not depend on the
 * order in which the events arrive (real pipelines deliver them out of order):
 *
 * - refunds add up, capped at the order's revenue; a refund without an amount or products
 *   refunds everything; a cancellation is final — later refunds are recorded but the order
 *   stays cancelled (it counts for nothing either way);
 * - `Order Completed` replaces the order's lines and amounts but keeps the refunds and the
 *   cancellation already recorded for its id, in particular those that came before it;
 * - a refund or cancellation whose order is not known yet is kept until it arrives: a refund
 *   with an amount as a standalone return (negative revenue, so net revenue stays right if
 *   the order never arrives; further refunds add to it), a full refund or a cancellation as
 *   a placeholder order of revenue 0 with that status (it counts for nothing). A full refund or
 *   cancellation of an order known only by its return turns the return into such a placeholder;
 * - a refund with an amount in another currency than its order's is not applied (amounts
 *   are never converted), whichever arrives first. A refund that names no currency is in its
 *   order's currency; kept before its order, it is recorded in the workspace's default currency
 *   and applies to the order whatever its currency (so a refund naming the default currency
 *   explicitly, kept before an order in another currency, applies too: the row cannot tell them apart).
 *
 * @example
 * const ctx = { profileId: 'p', timestamp: 1, messageId: 'm', source: 'api', now: 2 };
 * const early = applyOrderChange(null, { kind: 'refunded', orderId: 'o1', amount: 30, currency: 'EUR', currencyGiven: true, lines: null }, ctx);
 * // { applied: true, order: { kind: 'return', revenue: -30, ... } }
 * applyOrderChange(early.applied ? early.order : null, { kind: 'completed', orderId: 'o1', revenue: 100, currency: 'EUR', ... }, ctx);
 * // { applied: true, order: { kind: 'order', status: 'partially_refunded', revenue: 100, refundedAmount: 30, ... } }
 */
export function applyOrderChange(current: OrderRecord | null, change: OrderChange, ctx: OrderChangeContext): OrderChangeOutcome {
  if (change.kind === 'completed') return { applied: true, order: completeOrder(current, change, ctx) };
  if (change.kind === 'cancelled') {
    if (current === null) return { applied: true, order: placeholder({ orderId: change.orderId, status: 'cancelled', currency: change.currency, refundedAmount: 0 }, ctx) };
    if (current.kind === 'return') {
      return { applied: true, order: placeholder({ orderId: current.orderId, status: 'cancelled', currency: current.currency, refundedAmount: Math.abs(current.revenue) }, { ...ctx, profileId: current.profileId, timestamp: current.placedAt, messageId: current.messageId ?? ctx.messageId }) };
    }
    return { applied: true, order: { ...current, status: 'cancelled', updatedAt: ctx.now } };
  }
  return refundOrder(current, change, ctx);
}

function completeOrder(current: OrderRecord | null, change: Extract<OrderChange, { kind: 'completed' }>, ctx: OrderChangeContext): OrderRecord {
  const order: OrderRecord = {
    orderId: change.orderId, profileId: ctx.profileId, kind: 'order', status: 'completed', currency: change.currency, revenue: change.revenue,
    total: change.total, discount: change.discount, refundedAmount: 0, coupon: change.coupon, placedAt: ctx.timestamp,
    updatedAt: ctx.now, source: ctx.source, messageId: ctx.messageId, lines: change.lines,
  };
  if (current === null) return order;
  // What was refunded before this event, in this order's currency (amounts are never converted).
  // A return in the workspace's default currency may hold a refund that named none, which is in
  // its order's currency: it applies too.
  const earlier = current.kind === 'return' ? Math.abs(current.revenue) : current.refundedAmount;
  const inCurrency = sameCurrency(current.currency, order.currency) || (current.kind === 'return' && sameCurrency(current.currency, change.defaultCurrency));
  const kept = inCurrency ? Math.max(earlier, 0) : 0;
  const full = current.kind === 'order' && current.status === 'refunded';
  const refunded = applyRefund(order, full ? null : kept);
  return { ...order, ...refunded, status: current.kind === 'order' && current.status === 'cancelled' ? 'cancelled' : refunded.status };
}

function refundOrder(current: OrderRecord | null, change: Extract<OrderChange, { kind: 'refunded' }>, ctx: OrderChangeContext): OrderChangeOutcome {
  const full = change.amount === null && change.lines === null;
  if (current === null) {
    if (full) return { applied: true, order: placeholder({ orderId: change.orderId, status: 'refunded', currency: change.currency, refundedAmount: 0 }, ctx) };
    const amount = Math.abs(change.amount ?? refundValue(change.lines ?? [], []).amount);
    return { applied: true, order: {
      orderId: change.orderId, profileId: ctx.profileId, kind: 'return', status: 'refunded', currency: change.currency, revenue: -amount,
      total: -amount, discount: 0, refundedAmount: 0, coupon: null, placedAt: ctx.timestamp, updatedAt: ctx.now, source: ctx.source,
      messageId: ctx.messageId, lines: returnLines(change.lines),
    } };
  }
  if (!full && change.currencyGiven && !sameCurrency(change.currency, current.currency)) {
    return { applied: false, reason: `currency: the refund is in ${change.currency.toUpperCase()}, the order in ${current.currency.toUpperCase()}` };
  }
  if (current.kind === 'return') {
    if (full) {
      return { applied: true, order: placeholder({ orderId: current.orderId, status: 'refunded', currency: current.currency, refundedAmount: Math.abs(current.revenue) }, { ...ctx, profileId: current.profileId, timestamp: current.placedAt, messageId: current.messageId ?? ctx.messageId }) };
    }
    // The order is still unknown: the credit note grows (lines without a price count 0, as they cannot be valued).
    const amount = Math.abs(change.amount ?? refundValue(change.lines ?? [], []).amount);
    const revenue = -(Math.abs(current.revenue) + amount);
    return { applied: true, order: { ...current, revenue, total: revenue, updatedAt: ctx.now, lines: [...current.lines, ...returnLines(change.lines)] } };
  }
  let amount: number | null = change.amount;
  if (amount === null && change.lines !== null) {
    const valued = refundValue(change.lines, current.lines);
    if (!valued.refundsSomething) return { applied: false, reason: 'properties.products: none of the refunded products is in the order or has a price' };
    amount = valued.amount;
  }
  return { applied: true, order: { ...current, ...applyRefund(current, amount), updatedAt: ctx.now } };
}

/** A row standing for an order not known yet, holding a full refund or a cancellation until it arrives. */
function placeholder(args: { orderId: string; status: 'refunded' | 'cancelled'; currency: string; refundedAmount: number }, ctx: OrderChangeContext): OrderRecord {
  return {
    orderId: args.orderId, profileId: ctx.profileId, kind: 'order', status: args.status, currency: args.currency, revenue: 0, total: 0, discount: 0,
    refundedAmount: args.refundedAmount, coupon: null, placedAt: ctx.timestamp, updatedAt: ctx.now, source: ctx.source, messageId: ctx.messageId, lines: [],
  };
}

/** A standalone return's lines: negative quantities, price 0 where the refund gave none. */
function returnLines(lines: readonly RefundLine[] | null): OrderLine[] {
  return (lines ?? []).map((l) => ({ itemId: l.itemId, name: l.name, category: l.category, price: l.price ?? 0, quantity: -Math.abs(l.quantity) }));
}

/**
 * The amount a refund of `lines` is worth against the order's own lines: a line with a price is
 * worth price × quantity; a line without one takes the price of the order's line for that
 * item, for its quantity (1 unless given) capped by what the order had left of it; a line
 * without a price for an item the order does not have is worth nothing.
 * `refundsSomething` is false when no line was worth anything.
 *
 * @example
 * refundValue([{ itemId: 'sku-1', name: null, category: null, price: null, quantity: 1 }], [{ itemId: 'sku-1', name: null, category: null, price: 40, quantity: 2 }]);
 * // { amount: 40, refundsSomething: true }
 */
export function refundValue(lines: readonly RefundLine[], orderLines: readonly OrderLine[]): { amount: number; refundsSomething: boolean } {
  const left = new Map<string, { price: number; quantity: number }>();
  for (const l of orderLines) {
    const known = left.get(l.itemId);
    if (known === undefined) left.set(l.itemId, { price: l.price, quantity: Math.abs(l.quantity) });
    else known.quantity += Math.abs(l.quantity);
  }
  let amount = 0;
  for (const line of lines) {
    if (line.price !== null) {
      amount += line.price * line.quantity;
      continue;
    }
    const ordered = left.get(line.itemId);
    if (ordered === undefined) continue;
    const quantity = Math.min(line.quantity, ordered.quantity);
    ordered.quantity -= quantity;
    amount += ordered.price * quantity;
  }
  return { amount, refundsSomething: Math.abs(amount) > EPSILON };
}

/**
 * The status and refunded amount after a refund of `amount` (null = everything). Refunds add
 * up to at most the revenue (an order of revenue 0 — a placeholder — records them uncapped);
 * a cancelled order stays cancelled, a refund of 0 leaves the status as it was.
 *
 * @example
 * applyRefund({ status: 'completed', revenue: 100, refundedAmount: 0 }, 30); // { refundedAmount: 30, status: 'partially_refunded' }
 * applyRefund({ status: 'cancelled', revenue: 100, refundedAmount: 0 }, 30); // { refundedAmount: 30, status: 'cancelled' }
 */
export function applyRefund(order: Pick<OrderRecord, 'status' | 'revenue' | 'refundedAmount'>, amount: number | null): Pick<OrderRecord, 'status' | 'refundedAmount'> {
  const cap = order.revenue > 0 ? order.revenue : Number.POSITIVE_INFINITY;
  const refundedAmount = amount === null ? Math.max(order.revenue, order.refundedAmount) : Math.min(cap, order.refundedAmount + Math.abs(amount));
  if (order.status === 'cancelled') return { refundedAmount, status: 'cancelled' };
  if (amount !== null && Math.abs(amount) <= EPSILON) return { refundedAmount, status: order.status };
  if (amount === null || order.status === 'refunded' || refundedAmount >= order.revenue - EPSILON) return { refundedAmount, status: 'refunded' };
  return { refundedAmount, status: 'partially_refunded' };
}
