import { describe, expect, it } from 'vitest';
import { parseLocalDate, wallTimeToUtc, zoneOffsetMs } from './local-time.js';
import { ONLINE_RETAIL_MAPPING, orderCsvMappingSchema, parseOrderRow, withDefaultCurrency } from './order-rows.js';
import { describeIssues } from '../contracts/segment.js';

// UK summer time (BST, UTC+1) in 2011 ran from 27 March 01:00 UTC to 30 October 01:00 UTC:
// the Summer Time Order 2002 / EU Directive 2000/84/EC, "last Sunday of March/October at
// 01:00 GMT". In 2010 it ended on 31 October; the Online Retail file starts on 1 December 2010.
const london = { timeZone: 'Europe/London' };
const both = ['iso', 'm/d/yyyy'] as const;

describe('parseLocalDate', () => {
  it('reads the UCI forms `2010-12-01 08:26:00` and `12/1/2010 8:26` as the same winter instant (GMT = UTC)', () => {
    expect(parseLocalDate('2010-12-01 08:26:00', both, london)).toBe(Date.parse('2010-12-01T08:26:00Z'));
    expect(parseLocalDate('12/1/2010 8:26', both, london)).toBe(Date.parse('2010-12-01T08:26:00Z'));
    expect(parseLocalDate('12/09/2011 12:50:07', both, london)).toBe(Date.parse('2011-12-09T12:50:07Z'));
  });

  it('reads summer times as BST, one hour ahead of UTC', () => {
    expect(parseLocalDate('2011-06-01 09:00:00', both, london)).toBe(Date.parse('2011-06-01T08:00:00Z'));
    expect(parseLocalDate('6/1/2011 9:00', both, london)).toBe(Date.parse('2011-06-01T08:00:00Z'));
    // Either side of the 2011 changes.
    expect(parseLocalDate('2011-03-27 00:59:00', both, london)).toBe(Date.parse('2011-03-27T00:59:00Z'));
    expect(parseLocalDate('2011-03-27 02:00:00', both, london)).toBe(Date.parse('2011-03-27T01:00:00Z'));
    expect(parseLocalDate('2011-10-30 00:59:00', both, london)).toBe(Date.parse('2011-10-29T23:59:00Z'));
    expect(parseLocalDate('2011-10-30 02:00:00', both, london)).toBe(Date.parse('2011-10-30T02:00:00Z'));
  });

  it('settles the skipped and the repeated hour deterministically (Temporal "compatible")', () => {
    // 01:30 on 27 March 2011 never happened in London: read with the offset before the change (GMT).
    expect(parseLocalDate('2011-03-27 01:30:00', both, london)).toBe(Date.parse('2011-03-27T01:30:00Z'));
    // 01:30 on 30 October 2011 happened twice (00:30 UTC in BST, 01:30 UTC in GMT): the earlier.
    expect(parseLocalDate('2011-10-30 01:30:00', both, london)).toBe(Date.parse('2011-10-30T00:30:00Z'));
    // The same rule west of UTC: New York skipped 02:00–03:00 on 13 March 2011 and repeated 01:00–02:00 on 6 November 2011.
    expect(wallTimeToUtc(Date.UTC(2011, 2, 13, 2, 30), 'America/New_York')).toBe(Date.parse('2011-03-13T07:30:00Z'));
    expect(wallTimeToUtc(Date.UTC(2011, 10, 6, 1, 30), 'America/New_York')).toBe(Date.parse('2011-11-06T05:30:00Z'));
  });

  it('takes an explicit offset as written, and a fixed offset when no zone is given', () => {
    expect(parseLocalDate('2011-06-01T09:00:00+02:00', both, london)).toBe(Date.parse('2011-06-01T07:00:00Z'));
    expect(parseLocalDate('2011-06-01 09:00', ['iso'], { offsetMinutes: -300 })).toBe(Date.parse('2011-06-01T14:00:00Z'));
  });

  it('reads day-first dates only when asked, and rejects dates and forms that do not exist', () => {
    expect(parseLocalDate('1/12/2010 8:26', ['d/m/yyyy'], london)).toBe(Date.parse('2010-12-01T08:26:00Z'));
    expect(parseLocalDate('12/1/2010 8:26', ['iso'], london)).toBeNaN();
    expect(parseLocalDate('2/30/2011 8:26', both, london)).toBeNaN();
    expect(parseLocalDate('13/1/2011 8:26', both, london)).toBeNaN();
    expect(parseLocalDate('12/1/2010 24:00', both, london)).toBeNaN();
    expect(parseLocalDate('2011-02-29 10:00:00', both, london)).toBeNaN();
    expect(parseLocalDate('yesterday', both, london)).toBeNaN();
    expect(parseLocalDate('1', both, london)).toBeNaN();
  });

  it('knows the London offset in winter and in summer', () => {
    expect(zoneOffsetMs('Europe/London', Date.parse('2011-01-15T12:00:00Z'))).toBe(0);
    expect(zoneOffsetMs('Europe/London', Date.parse('2011-07-15T12:00:00Z'))).toBe(3_600_000);
  });
});

describe('order mappings: dates, zones and currencies', () => {
  const custom = { orderId: 'order', itemId: 'sku', quantity: 'qty', unitPrice: 'price', placedAt: 'date', customerId: 'customer' };

  it('reads an Online Retail row in either form, in UK local time', () => {
    const row = (InvoiceDate: string) => ({ InvoiceNo: '555200', StockCode: '71459', Description: 'HANGING JAM JAR T-LIGHT HOLDER', Quantity: '24', InvoiceDate, UnitPrice: '0.85', CustomerID: '17315.0', Country: 'United Kingdom' });
    const a = parseOrderRow(row('6/1/2011 12:05'), ONLINE_RETAIL_MAPPING, { guests: 'skip' });
    const b = parseOrderRow(row('2011-06-01 12:05:00'), ONLINE_RETAIL_MAPPING, { guests: 'skip' });
    expect(a.ok && a.value.placedAt).toBe(Date.parse('2011-06-01T11:05:00Z'));
    expect(b.ok && b.value.placedAt).toBe(Date.parse('2011-06-01T11:05:00Z'));
  });

  it('takes the workspace currency when the mapping names neither a currency column nor a default', () => {
    const mapping = orderCsvMappingSchema.parse(custom);
    expect(mapping.defaultCurrency).toBeUndefined();
    const r = parseOrderRow({ order: '1', sku: 'a', qty: '1', price: '2', date: '2024-01-01 10:00', customer: 'c' }, withDefaultCurrency(mapping, 'EUR'), { guests: 'skip' });
    expect(r.ok && r.value.currency).toBe('EUR');
    expect(withDefaultCurrency(orderCsvMappingSchema.parse({ ...custom, defaultCurrency: 'SEK' }), 'EUR').defaultCurrency).toBe('SEK');
  });

  it('refuses mappings that are ambiguous or name an unknown zone', () => {
    const issues = (raw: unknown) => {
      const r = orderCsvMappingSchema.safeParse(raw);
      return r.success ? null : describeIssues(r.error);
    };
    expect(issues({ ...custom, dateFormats: ['m/d/yyyy', 'd/m/yyyy'] })).toMatch(/^dateFormats: .*ambiguous/);
    expect(issues({ ...custom, dateFormats: ['yyyy/mm/dd'] })).toMatch(/^dateFormats\[0\]: /);
    expect(issues({ ...custom, timeZone: 'Europe/Londn' })).toMatch(/^timeZone: must be an IANA time zone/);
    expect(issues({ ...custom, timeZone: 'Europe/London', timezoneOffsetMinutes: 60 })).toMatch(/^timeZone: give timeZone or timezoneOffsetMinutes, not both/);
    expect(issues({ ...custom, timeZone: 'Europe/London', dateFormats: ['iso', 'd/m/yyyy'] })).toBeNull();
  });
});
