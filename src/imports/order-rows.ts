import { z } from 'zod';
import { err, ok, type Result } from '../shared/result.js';
import { isTimeZone } from '../profiles/time-zones.js';
import { DATE_FORMATS, parseLocalDate } from './local-time.js';

/**
 * Which CSV columns hold what, for importing historical orders (one row per order line).
 * `defaultCurrency`: the currency of rows without one; absent, the workspace's default
 * currency (as for live events). `dateFormats`: the written forms of the order date
 * accepted, tried in order (see `DATE_FORMATS`). `timeZone` (IANA) or
 * `timezoneOffsetMinutes`: where dates written without an offset are; neither: UTC.
 * `returnPrefix`: order ids starting with it are credit notes (returns/cancellations).
 * `skipPrefixes`: order ids that are not sales at all (e.g. bad-debt adjustments).
 */
export const orderCsvMappingSchema = z.object({
  orderId: z.string().min(1),
  itemId: z.string().min(1),
  itemName: z.string().min(1).optional(),
  quantity: z.string().min(1),
  unitPrice: z.string().min(1),
  placedAt: z.string().min(1),
  customerId: z.string().min(1),
  country: z.string().min(1).optional(),
  currency: z.string().min(1).optional(),
  defaultCurrency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code such as "USD"').optional(),
  dateFormats: z.array(z.enum(DATE_FORMATS)).min(1).default(['iso'])
    .refine((f) => !(f.includes('m/d/yyyy') && f.includes('d/m/yyyy')), { message: '"m/d/yyyy" and "d/m/yyyy" cannot both be accepted (1/2/2011 would be ambiguous)' }),
  timeZone: z.string().refine(isTimeZone, { message: 'must be an IANA time zone such as "Europe/London"' }).optional(),
  /** Interpret times without a zone as this fixed offset from UTC, in minutes. */
  timezoneOffsetMinutes: z.number().int().min(-840).max(840).optional(),
  returnPrefix: z.string().min(1).optional(),
  skipPrefixes: z.array(z.string().min(1)).default([]),
}).strict().refine((m) => m.timeZone === undefined || m.timezoneOffsetMinutes === undefined, { message: 'give timeZone or timezoneOffsetMinutes, not both', path: ['timeZone'] });
export type OrderCsvMapping = z.infer<typeof orderCsvMappingSchema>;

/** A mapping whose default currency is settled (the mapping's own, or the workspace's). */
export type ResolvedOrderCsvMapping = OrderCsvMapping & { defaultCurrency: string };

/**
 * The mapping an import uses: rows without a currency get the mapping's `defaultCurrency`,
 * or else the workspace's default currency, as live events do.
 *
 * @example
 * withDefaultCurrency(mapping, workspace.settings.defaultCurrency);
 */
export function withDefaultCurrency(mapping: OrderCsvMapping, workspaceCurrency: string): ResolvedOrderCsvMapping {
  return { ...mapping, defaultCurrency: mapping.defaultCurrency ?? workspaceCurrency };
}

/**
 * The UCI Online Retail data set (Chen et al. 2012; CC BY 4.0): a UK retailer, prices in
 * pounds sterling, invoice times in UK local time (GMT in winter, BST in summer), written
 * `2010-12-01 08:26:00` in the UCI spreadsheet's conversions and `12/1/2010 8:26` in the
 * common CSV copies; `C…` invoices are cancellations and `A…` invoices are bad-debt adjustments.
 */
export const ONLINE_RETAIL_MAPPING: ResolvedOrderCsvMapping = withDefaultCurrency(orderCsvMappingSchema.parse({
  orderId: 'InvoiceNo', itemId: 'StockCode', itemName: 'Description', quantity: 'Quantity', unitPrice: 'UnitPrice',
  placedAt: 'InvoiceDate', customerId: 'CustomerID', country: 'Country', defaultCurrency: 'GBP', returnPrefix: 'C', skipPrefixes: ['A'],
  dateFormats: ['iso', 'm/d/yyyy'], timeZone: 'Europe/London',
}), 'GBP');

export const MAPPING_PRESETS: Record<string, OrderCsvMapping> = { 'online-retail': ONLINE_RETAIL_MAPPING };

export type SkipReason =
  | 'missing_customer_id'
  | 'missing_order_id'
  | 'missing_item_id'
  | 'invalid_quantity'
  | 'invalid_price'
  | 'invalid_date'
  | 'zero_price'
  | 'zero_quantity'
  | 'negative_quantity_outside_return'
  | 'not_a_sale'
  | 'order_rows_not_contiguous';

export const SKIP_REASON_TEXT: Record<SkipReason, string> = {
  missing_customer_id: 'no customer id (guest sale; use --guests import to keep it)',
  missing_order_id: 'no order id',
  missing_item_id: 'no item id',
  invalid_quantity: 'quantity is not a number',
  invalid_price: 'unit price is not a number',
  invalid_date: 'order date is not a date',
  zero_price: 'unit price is 0 (free item or stock adjustment)',
  zero_quantity: 'quantity is 0',
  negative_quantity_outside_return: 'negative quantity on an order that is not a return (stock adjustment)',
  not_a_sale: 'order id marks a non-sale (e.g. bad-debt adjustment)',
  order_rows_not_contiguous: 'lines of this order appear again long after it (more than 16 orders later); only its first part was imported',
};

export interface OrderLineRow {
  orderId: string;
  isReturn: boolean;
  itemId: string;
  itemName: string | null;
  /** Positive; for returns, the returned quantity. */
  quantity: number;
  unitPrice: number;
  placedAt: number;
  customerId: string | null;
  country: string | null;
  currency: string;
}

/**
 * Customer ids exported through spreadsheets often arrive as floats (`17850.0`); an id
 * that is a whole number written with a zero fraction is read as the integer.
 *
 * @example
 * normalizeCustomerId('17850.0'); // '17850'
 */
export function normalizeCustomerId(raw: string | undefined): string | null {
  const v = (raw ?? '').trim();
  if (v === '' || v.toLowerCase() === 'nan' || v.toLowerCase() === 'null') return null;
  const m = /^(-?\d+)\.0+$/.exec(v);
  return m === null ? v : m[1]!;
}

/**
 * Reads one CSV row (an object keyed by header) as an order line, or says why it is skipped.
 *
 * @example
 * parseOrderRow({ InvoiceNo: '536365', StockCode: '85123A', Description: 'WHITE HANGING HEART', Quantity: '6', InvoiceDate: '2010-12-01T08:26:00', UnitPrice: '2.55', CustomerID: '17850.0', Country: 'United Kingdom' }, ONLINE_RETAIL_MAPPING, { guests: 'skip' });
 */
export function parseOrderRow(row: Readonly<Record<string, string | undefined>>, mapping: ResolvedOrderCsvMapping, options: { guests: 'skip' | 'import' }): Result<OrderLineRow, SkipReason> {
  const orderId = (row[mapping.orderId] ?? '').trim();
  if (orderId === '') return err('missing_order_id');
  if (mapping.skipPrefixes.some((p) => orderId.startsWith(p))) return err('not_a_sale');
  const itemId = (row[mapping.itemId] ?? '').trim();
  if (itemId === '') return err('missing_item_id');
  const customerId = normalizeCustomerId(row[mapping.customerId]);
  if (customerId === null && options.guests === 'skip') return err('missing_customer_id');
  const quantity = Number((row[mapping.quantity] ?? '').trim());
  if ((row[mapping.quantity] ?? '').trim() === '' || !Number.isFinite(quantity)) return err('invalid_quantity');
  const unitPrice = Number((row[mapping.unitPrice] ?? '').trim());
  if ((row[mapping.unitPrice] ?? '').trim() === '' || !Number.isFinite(unitPrice)) return err('invalid_price');
  const placedAt = parseLocalDate(row[mapping.placedAt] ?? '', mapping.dateFormats,
    mapping.timeZone === undefined ? { offsetMinutes: mapping.timezoneOffsetMinutes ?? 0 } : { timeZone: mapping.timeZone });
  if (!Number.isFinite(placedAt)) return err('invalid_date');
  if (quantity === 0) return err('zero_quantity');
  if (unitPrice <= 0) return err('zero_price');
  const isReturn = mapping.returnPrefix !== undefined && orderId.startsWith(mapping.returnPrefix);
  if (quantity < 0 && !isReturn) return err('negative_quantity_outside_return');
  const name = mapping.itemName === undefined ? '' : (row[mapping.itemName] ?? '').trim();
  const currency = mapping.currency === undefined ? mapping.defaultCurrency : ((row[mapping.currency] ?? '').trim().toUpperCase() || mapping.defaultCurrency);
  return ok({
    orderId, isReturn, itemId, itemName: name === '' ? null : name, quantity: Math.abs(quantity), unitPrice, placedAt, customerId,
    country: mapping.country === undefined ? null : (row[mapping.country] ?? '').trim() || null, currency,
  });
}

/** One order assembled from its lines. */
export interface AssembledOrder {
  orderId: string;
  isReturn: boolean;
  customerId: string | null;
  placedAt: number;
  country: string | null;
  currency: string;
  lines: Array<{ itemId: string; itemName: string | null; quantity: number; unitPrice: number }>;
}

/** How many orders may be open at once while their lines interleave. */
export const OPEN_ORDER_WINDOW = 16;

/**
 * Groups the lines of each order (order exports list an order's lines together, though a
 * few interleave with a neighbour's): up to `OPEN_ORDER_WINDOW` orders stay open, and the
 * oldest is completed when a newer one would exceed the window. A line of an order already
 * completed is reported instead of creating a second, partial order.
 *
 * @example
 * const a = createOrderAssembler(); const { completed } = a.push(line, rowNumber); const rest = a.finish();
 */
export function createOrderAssembler(window = OPEN_ORDER_WINDOW) {
  const open = new Map<string, AssembledOrder & { firstRow: number }>();
  const finished = new Set<string>();
  let nextRow = 0;
  const strip = (o: AssembledOrder & { firstRow: number }): AssembledOrder => {
    const { firstRow: _f, ...order } = o;
    return order;
  };
  return {
    /** Adds the line read at `row`; returns orders completed by it, or a skip. */
    push(line: OrderLineRow, row: number): { completed: AssembledOrder[]; skipped: SkipReason | null } {
      nextRow = row + 1;
      const current = open.get(line.orderId);
      const entry = { itemId: line.itemId, itemName: line.itemName, quantity: line.quantity, unitPrice: line.unitPrice };
      if (current !== undefined) {
        current.lines.push(entry);
        return { completed: [], skipped: null };
      }
      if (finished.has(line.orderId)) return { completed: [], skipped: 'order_rows_not_contiguous' };
      open.set(line.orderId, {
        orderId: line.orderId, isReturn: line.isReturn, customerId: line.customerId, placedAt: line.placedAt, country: line.country, currency: line.currency,
        lines: [entry], firstRow: row,
      });
      const completed: AssembledOrder[] = [];
      while (open.size > window) {
        const [oldestId, oldest] = open.entries().next().value!;
        open.delete(oldestId);
        finished.add(oldestId);
        completed.push(strip(oldest));
      }
      return { completed, skipped: null };
    },
    /** Completes every open order (end of file). */
    finish(): AssembledOrder[] {
      const rest = [...open.values()].map(strip);
      for (const o of rest) finished.add(o.orderId);
      open.clear();
      return rest;
    },
    /** The row to resume from so that no open order loses lines: the first row of the oldest open order. */
    resumePosition(): number {
      const oldest = open.values().next();
      return oldest.done === true ? nextRow : oldest.value.firstRow;
    },
  };
}

/**
 * The Segment E-commerce v2 event an imported order becomes: `Order Completed` for a sale,
 * `Order Refunded` for a credit note (kept as a standalone return, since credit notes do not
 * name the order they refund). The message id is derived from the order id, so importing
 * the same file twice stores each order once. Guest orders get an anonymous id per order.
 *
 * @example
 * orderToMessage(order, 'online-retail')
 */
export function orderToMessage(order: AssembledOrder, source: string): Record<string, unknown> {
  const round = (n: number) => Math.round(n * 100) / 100;
  const amount = round(order.lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0));
  const products = order.lines.map((l) => ({ product_id: l.itemId, ...(l.itemName === null ? {} : { name: l.itemName }), price: l.unitPrice, quantity: l.quantity }));
  return {
    type: 'track',
    messageId: `import:${source}:${order.orderId}`,
    ...(order.customerId === null ? { anonymousId: `guest-order:${order.orderId}` } : { userId: order.customerId }),
    event: order.isReturn ? 'Order Refunded' : 'Order Completed',
    timestamp: new Date(order.placedAt).toISOString(),
    properties: order.isReturn
      ? { order_id: order.orderId, total: amount, currency: order.currency, products }
      : { order_id: order.orderId, revenue: amount, total: amount, currency: order.currency, products },
    context: order.country === null ? {} : { location: { country: order.country } },
  };
}
