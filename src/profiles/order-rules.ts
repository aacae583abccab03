import type { OrderInput } from './inputs.js';

/**
 * The one definition of which orders count and how much of them was kept, shared by every
 * commerce trait, RFM and lifecycle:
 *
 * | order                                   | counted | net revenue              | line spend factor            |
 * |-----------------------------------------|---------|--------------------------|------------------------------|
 * | kind 'order', status completed          | yes     | revenue                  | 1                            |
 * | kind 'order', status partially_refunded | yes     | revenue − refundedAmount | (revenue − refunded)/revenue |
 * | kind 'order', status refunded           | no      | 0                        | 0                            |
 * | kind 'order', status cancelled          | no      | 0                        | 0                            |
 * | kind 'return' (standalone credit note)  | no      | −abs(revenue)            | −1                           |
 */

/**
 * Whether an order counts as a purchase (orders_count, order dates, intervals, AOV divisor).
 *
 * @example
 * isCountedOrder({ kind: 'order', status: 'partially_refunded', … }); // true
 */
export function isCountedOrder(order: Pick<OrderInput, 'kind' | 'status'>): boolean {
  return order.kind === 'order' && (order.status === 'completed' || order.status === 'partially_refunded');
}

/**
 * The revenue an order contributes once refunds, cancellations and returns are netted.
 *
 * @example
 * netRevenue({ kind: 'order', status: 'partially_refunded', revenue: 100, refundedAmount: 30 }); // 70
 * netRevenue({ kind: 'return', status: 'refunded', revenue: -12, refundedAmount: 0 }); // -12
 */
export function netRevenue(order: Pick<OrderInput, 'kind' | 'status' | 'revenue' | 'refundedAmount'>): number {
  if (order.kind === 'return') return -Math.abs(order.revenue);
  if (!isCountedOrder(order)) return 0;
  // A refund never takes more than the order was worth (ingest caps it too).
  return order.revenue - Math.min(Math.max(order.refundedAmount, 0), Math.max(order.revenue, 0));
}

/**
 * The factor applied to each line's price × |quantity| to get the spend it contributes:
 * the kept share of a partially refunded order, −1 for a return's lines, 0 for orders that
 * were not kept.
 *
 * @example
 * lineSpendFactor({ kind: 'order', status: 'partially_refunded', revenue: 100, refundedAmount: 25 }); // 0.75
 */
export function lineSpendFactor(order: Pick<OrderInput, 'kind' | 'status' | 'revenue' | 'refundedAmount'>): number {
  if (order.kind === 'return') return -1;
  if (!isCountedOrder(order)) return 0;
  if (order.revenue <= 0) return 1;
  return netRevenue(order) / order.revenue;
}
