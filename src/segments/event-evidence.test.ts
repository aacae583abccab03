import { describe, expect, it } from 'vitest';
import type { Condition } from './definition.js';
import { holdsFromNewEvents, newEventsMayChange, type NewEvent } from './event-evidence.js';

const NOW = Date.parse('2024-03-02T00:00:00Z');
const DAY = 86_400_000;
let n = 0;
const track = (event: string, properties: Record<string, unknown> = {}, daysAgo = 0): NewEvent => ({ messageId: `m${++n}`, type: 'track', event, properties, timestamp: NOW - daysAgo * DAY });
const page = (daysAgo = 0): NewEvent => ({ messageId: `m${++n}`, type: 'page', event: null, properties: {}, timestamp: NOW - daysAgo * DAY });

describe('what new events prove', () => {
  it('decides performed-event conditions when enough new events match, and leaves the rest to the stored history', () => {
    const order = track('Order Completed', { revenue: 40, coupon: 'X', shipping: { country: 'GB' } }, 2);
    expect(holdsFromNewEvents({ event: 'Order Completed', withinLastDays: 30 }, [order], NOW)).toBe(true);
    expect(holdsFromNewEvents({ event: 'Order Completed', withinLastDays: 1 }, [order], NOW)).toBeNull(); // too old: an older stored one cannot help either, but a stored newer one could exist
    expect(holdsFromNewEvents({ event: 'Order Completed', count: { atLeast: 2 } }, [order], NOW)).toBeNull();
    expect(holdsFromNewEvents({ event: 'Order Completed', count: { atLeast: 2 } }, [order, track('Order Completed')], NOW)).toBe(true);
    expect(holdsFromNewEvents({ event: 'Product Viewed' }, [order], NOW)).toBeNull();
    expect(holdsFromNewEvents({ event: 'Order Completed', between: ['2024-02-01', '2024-03-01'] }, [order], NOW)).toBe(true);
    expect(holdsFromNewEvents({ event: 'Order Completed', between: ['2024-02-01', '2024-02-29'] }, [order], NOW)).toBeNull(); // the end is exclusive
  });

  it('proves "at most N" false once more than N new events match', () => {
    const views = [track('Product Viewed'), track('Product Viewed')];
    expect(holdsFromNewEvents({ event: 'Product Viewed', count: { atMost: 1 } }, views, NOW)).toBe(false);
    expect(holdsFromNewEvents({ event: 'Product Viewed', count: { atMost: 2 } }, views, NOW)).toBeNull();
    expect(holdsFromNewEvents({ not: { event: 'Product Viewed' } }, views, NOW)).toBe(false);
    expect(holdsFromNewEvents({ event: 'Product Viewed', count: { atLeast: 1, atMost: 5 } }, views, NOW)).toBeNull();
  });

  it('compares properties as the compiled SQL does: same JSON type, dotted paths, numbers ordered, strings left to the database', () => {
    const e = track('Order Completed', { revenue: 40, coupon: 'X', gift: true, shipping: { country: 'GB' }, list: ['a'], code: '40' });
    const holds = (where: unknown) => holdsFromNewEvents({ event: 'Order Completed', where } as never, [e], NOW);
    expect(holds([{ property: 'revenue', op: '>=', value: 40 }])).toBe(true);
    expect(holds([{ property: 'revenue', op: '>', value: 40 }])).toBeNull();
    expect(holds([{ property: 'code', op: '=', value: 40 }])).toBeNull(); // "40" is a string, not the number 40
    expect(holds([{ property: 'code', op: '!=', value: 40 }])).toBe(true); // as SQL: a value of another type is "not equal"
    expect(holds([{ property: 'gift', op: '=', value: true }])).toBe(true);
    expect(holds([{ property: 'shipping.country', op: 'in', value: ['IE', 'GB'] }])).toBe(true);
    expect(holds([{ property: 'shipping.city', op: 'exists' }])).toBeNull();
    expect(holds([{ property: 'list.0', op: '=', value: 'a' }])).toBeNull(); // paths do not index arrays
    expect(holds([{ property: 'coupon', op: '>', value: 'A' }])).toBeNull(); // string order: the database's collation decides
    expect(holds([{ property: 'coupon', op: 'exists' }, { property: 'revenue', op: '<', value: 50 }])).toBe(true);
  });

  it('finds sequences among the new events', () => {
    const added = track('Product Added', {}, 1);
    const bought = { ...track('Order Completed'), timestamp: added.timestamp + 3_600_000 };
    expect(holdsFromNewEvents({ sequence: ['Product Added', 'Order Completed'], withinHours: 2 }, [bought, added], NOW)).toBe(true);
    expect(holdsFromNewEvents({ sequence: ['Product Added', 'Order Completed'], withinHours: 0.5 }, [bought, added], NOW)).toBeNull();
    expect(holdsFromNewEvents({ sequence: ['Order Completed', 'Product Added'], withinHours: 2 }, [bought, added], NOW)).toBeNull();
  });

  it('knows last_seen is at least the latest new event, of any type', () => {
    expect(holdsFromNewEvents({ trait: 'last_seen', op: 'within_last', value: { days: 1 } }, [page(0.5)], NOW)).toBe(true);
    expect(holdsFromNewEvents({ trait: 'last_seen', op: 'within_last', value: { days: 1 } }, [page(3)], NOW)).toBeNull();
    expect(holdsFromNewEvents({ trait: 'last_seen', op: 'after', value: '2024-03-01' }, [page(0.5)], NOW)).toBe(true);
    expect(holdsFromNewEvents({ trait: 'last_seen', op: 'before', value: '2024-03-05' }, [page(0.5)], NOW)).toBeNull();
    expect(holdsFromNewEvents({ trait: 'first_seen', op: 'within_last', value: { days: 1 } }, [page(0.5)], NOW)).toBeNull();
  });

  it('combines three-valued through all / any / not, and knows nothing of traits, consent or other segments', () => {
    const e = [track('Order Completed')];
    const yes = { event: 'Order Completed' } as const;
    const unknown = { trait: 'orders_count', op: '>', value: 1 } as const;
    expect(holdsFromNewEvents({ all: [yes, unknown] }, e, NOW)).toBeNull();
    expect(holdsFromNewEvents({ any: [yes, unknown] }, e, NOW)).toBe(true);
    expect(holdsFromNewEvents({ all: [{ not: yes }, unknown] }, e, NOW)).toBe(false);
    expect(holdsFromNewEvents({ any: [{ not: yes }, { consent: 'marketing_email', state: 'granted' }] }, e, NOW)).toBeNull();
    expect(holdsFromNewEvents({ segment: 's1' }, e, NOW)).toBeNull();
    expect(holdsFromNewEvents({ trait: 'last_seen', op: 'exists' }, [], NOW)).toBeNull();
  });

  it('with the profile row and memberships known, decides their leaves too, and a profile that is not live matches nothing', () => {
    const profile = { traits: { plan: 'pro' }, firstSeenAt: NOW - 10 * DAY, lastSeenAt: NOW - 2 * DAY };
    const known = { profile, memberOf: new Set(['s1']) };
    expect(holdsFromNewEvents({ all: [{ trait: 'plan', source: 'profile', op: '=', value: 'pro' }, { segment: 's1' }] }, [], NOW, known)).toBe(true);
    expect(holdsFromNewEvents({ segment: 's2' }, [], NOW, known)).toBe(false);
    // The row is exact where the events only bound: last seen two days ago is not within one day.
    expect(holdsFromNewEvents({ trait: 'last_seen', op: 'within_last', value: { days: 1 } }, [page(3)], NOW, known)).toBe(false);
    expect(holdsFromNewEvents({ trait: 'orders_count', op: '>', value: 1 }, [], NOW, known)).toBeNull();
    expect(holdsFromNewEvents({ not: { event: 'Order Completed' } }, [], NOW, { profile: null })).toBe(false);
  });

  it('knows which conditions new events can change: name, window and filters of event conditions, either name of a sequence', () => {
    const garden = track('Product Viewed', { category: 'Garden', price: 12, label: 'b' }, 1);
    const kitchen: Condition = { event: 'Product Viewed', where: [{ property: 'category', op: '=', value: 'Kitchen' }] };
    expect(newEventsMayChange(kitchen, [garden], NOW)).toBe(false);
    expect(newEventsMayChange({ any: [kitchen, { event: 'Product Viewed', withinLastDays: 2 }] }, [garden], NOW)).toBe(true);
    expect(newEventsMayChange({ event: 'Product Viewed', withinLastDays: 0.5 }, [garden], NOW)).toBe(false); // older than the window
    expect(newEventsMayChange({ not: { event: 'Product Viewed', count: { atMost: 0 }, where: [{ property: 'price', op: '>', value: 20 }] } }, [garden], NOW)).toBe(false);
    expect(newEventsMayChange({ event: 'Product Viewed', where: [{ property: 'label', op: '>', value: 'a' }] }, [garden], NOW)).toBe(true); // string order: cannot tell
    expect(newEventsMayChange({ event: 'Product Viewed', where: [{ property: 'price', op: '>', value: '10' }] }, [garden], NOW)).toBe(false); // a number is not compared with a string
    expect(newEventsMayChange({ sequence: ['Product Added', 'Product Viewed'], withinHours: 1 }, [garden], NOW)).toBe(true);
    expect(newEventsMayChange({ trait: 'last_seen', op: 'exists' }, [garden], NOW)).toBe(false); // not an event condition: other triggers cover it
  });
});
