import { describe, expect, it } from 'vitest';
import { createOrderAssembler, normalizeCustomerId, ONLINE_RETAIL_MAPPING, orderToMessage, parseOrderRow, type OrderLineRow } from './order-rows.js';

// Rows copied from the UCI Online Retail file (InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country).
const row = (InvoiceNo: string, StockCode: string, Description: string, Quantity: string, InvoiceDate: string, UnitPrice: string, CustomerID: string, Country = 'United Kingdom') =>
  ({ InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country });
const guestsSkip = { guests: 'skip' as const };

describe('parseOrderRow with the Online Retail mapping', () => {
  it('reads a sale line, the 17850.0 customer id and the UK local time', () => {
    const r = parseOrderRow(row('536365', '85123A', 'WHITE HANGING HEART T-LIGHT HOLDER', '6', '2010-12-01T08:26:00', '2.55', '17850.0'), ONLINE_RETAIL_MAPPING, guestsSkip);
    expect(r).toEqual({ ok: true, value: {
      orderId: '536365', isReturn: false, itemId: '85123A', itemName: 'WHITE HANGING HEART T-LIGHT HOLDER', quantity: 6, unitPrice: 2.55,
      placedAt: Date.parse('2010-12-01T08:26:00Z'), customerId: '17850', country: 'United Kingdom', currency: 'GBP',
    } });
  });

  it('reads a cancellation as a return with a positive quantity', () => {
    const r = parseOrderRow(row('C536379', 'D', 'Discount', '-1', '2010-12-01T09:41:00', '27.5', '14527.0'), ONLINE_RETAIL_MAPPING, guestsSkip);
    expect(r.ok && r.value).toMatchObject({ isReturn: true, quantity: 1, unitPrice: 27.5, customerId: '14527' });
  });

  it('says why a row is skipped', () => {
    expect(parseOrderRow(row('536414', '22139', '', '56', '2010-12-01T11:52:00', '0.0', ''), ONLINE_RETAIL_MAPPING, guestsSkip)).toEqual({ ok: false, error: 'missing_customer_id' });
    expect(parseOrderRow(row('536414', '22139', '', '56', '2010-12-01T11:52:00', '0.0', ''), ONLINE_RETAIL_MAPPING, { guests: 'import' })).toEqual({ ok: false, error: 'zero_price' });
    expect(parseOrderRow(row('A563185', 'B', 'Adjust bad debt', '1', '2011-08-12T14:50:00', '11062.06', ''), ONLINE_RETAIL_MAPPING, { guests: 'import' })).toEqual({ ok: false, error: 'not_a_sale' });
    expect(parseOrderRow(row('536589', '21777', '', '-10', '2010-12-01T16:50:00', '1.0', '12345'), ONLINE_RETAIL_MAPPING, guestsSkip)).toEqual({ ok: false, error: 'negative_quantity_outside_return' });
    expect(parseOrderRow(row('536589', '21777', '', 'ten', '2010-12-01T16:50:00', '1.0', '12345'), ONLINE_RETAIL_MAPPING, guestsSkip)).toEqual({ ok: false, error: 'invalid_quantity' });
    expect(parseOrderRow(row('536589', '21777', '', '1', 'yesterday', '1.0', '12345'), ONLINE_RETAIL_MAPPING, guestsSkip)).toEqual({ ok: false, error: 'invalid_date' });
  });

  it('normalizes customer ids', () => {
    expect(normalizeCustomerId('17850.0')).toBe('17850');
    expect(normalizeCustomerId(' 12346 ')).toBe('12346');
    expect(normalizeCustomerId('17850.5')).toBe('17850.5');
    expect(normalizeCustomerId('')).toBeNull();
    expect(normalizeCustomerId('nan')).toBeNull();
  });
});

describe('createOrderAssembler and orderToMessage', () => {
  const line = (orderId: string, itemId: string, quantity = 1, unitPrice = 2): OrderLineRow => ({
    orderId, isReturn: orderId.startsWith('C'), itemId, itemName: null, quantity, unitPrice, placedAt: Date.parse('2011-01-01T10:00:00Z'), customerId: '1', country: 'France', currency: 'GBP',
  });

  it('groups lines per order, tolerating interleaving within the window, and reports lines that come back too late', () => {
    const a = createOrderAssembler(2);
    expect(a.push(line('1', 'x'), 0).completed).toEqual([]);
    expect(a.push(line('2', 'y'), 1).completed).toEqual([]);
    expect(a.push(line('1', 'x2'), 2).completed).toEqual([]); // interleaved: still open
    expect(a.resumePosition()).toBe(0);
    const third = a.push(line('3', 'z'), 3);
    expect(third.completed.map((o) => [o.orderId, o.lines.map((l) => l.itemId)])).toEqual([['1', ['x', 'x2']]]);
    expect(a.resumePosition()).toBe(1);
    expect(a.push(line('1', 'late'), 4)).toEqual({ completed: [], skipped: 'order_rows_not_contiguous' });
    expect(a.finish().map((o) => o.orderId)).toEqual(['2', '3']);
    expect(a.resumePosition()).toBe(5);
  });

  it('turns a sale into Order Completed (6 × 2.55 + 8 × 3.39 = 42.42) and a credit note into Order Refunded', () => {
    const sale = orderToMessage({ orderId: '536365', isReturn: false, customerId: '17850', placedAt: Date.parse('2010-12-01T08:26:00Z'), country: 'United Kingdom', currency: 'GBP',
      lines: [{ itemId: '85123A', itemName: 'HEART', quantity: 6, unitPrice: 2.55 }, { itemId: '71053', itemName: null, quantity: 8, unitPrice: 3.39 }] }, 'online-retail');
    expect(sale).toMatchObject({ messageId: 'import:online-retail:536365', userId: '17850', event: 'Order Completed', timestamp: '2010-12-01T08:26:00.000Z',
      properties: { order_id: '536365', revenue: 42.42, currency: 'GBP' }, context: { location: { country: 'United Kingdom' } } });
    const credit = orderToMessage({ orderId: 'C536379', isReturn: true, customerId: '14527', placedAt: 0, country: null, currency: 'GBP', lines: [{ itemId: 'D', itemName: 'Discount', quantity: 1, unitPrice: 27.5 }] }, 'online-retail');
    expect(credit).toMatchObject({ event: 'Order Refunded', properties: { order_id: 'C536379', total: 27.5 } });
  });
});
