import { describe, expect, it } from 'vitest';
import { scrubEvent, scrubTraits, searchNeedles } from './erasure-scrub.js';

const person = [
  { type: 'user_id', value: '14390' }, { type: 'anonymous_id', value: 'dev-77' },
  { type: 'email', value: 'erase77@example.com' }, { type: 'phone', value: '+442079460077' }, { type: 'member_no', value: 'M-1' },
];
const event = (overrides: Partial<Parameters<typeof scrubEvent>[0]> = {}) => ({ userId: 'other-88', anonymousId: null, previousId: null, traits: {}, context: {}, properties: {}, ...overrides });

describe('scrubEvent', () => {
  it('removes the person\'s ids from the id columns, identifier places and contact data, and keeps the rest', () => {
    const out = scrubEvent(event({
      anonymousId: 'dev-77', previousId: '14390',
      traits: { name: 'Olga', partner: '14390', card: 'M-1' },
      context: {
        traits: { email: ' Erase77@Example.COM ', phone: '+44 20 7946-0077', name: 'Olga' }, ip: '10.0.0.1',
        externalIds: [{ id: 'M-1', type: 'member_no' }, { id: 'crm-88', type: 'crm' }], page: { referrer: 'erase77@example.com', path: '/' },
      },
      properties: { order_id: '14390', quantity: 14390, invited: ['erase77@example.com', 'friend@example.com'], plan: 'gold' },
    }), person);
    expect(out).toEqual({
      userId: 'other-88', anonymousId: null, previousId: null,
      traits: { name: 'Olga' },
      context: { traits: { name: 'Olga' }, ip: '10.0.0.1', externalIds: [{ id: 'crm-88', type: 'crm' }], page: { path: '/' } },
      // An order id that equals a user id and a number are not the person; their email is.
      properties: { order_id: '14390', quantity: 14390, invited: ['friend@example.com'], plan: 'gold' },
    });
  });

  it('returns null for an event that holds none of them', () => {
    expect(scrubEvent(event({ context: { traits: { email: 'olga@example.com' } }, properties: { note: 'dev-77 was here' } }), person)).toBeNull();
  });
});

describe('scrubTraits', () => {
  it('drops traits holding an identifier and contact data at any depth', () => {
    expect(scrubTraits({ name: 'B', partner: 'dev-77', contacts: [{ email: 'ERASE77@example.com' }, { email: 'x@y.io' }] }, person))
      .toEqual({ name: 'B', contacts: [{}, { email: 'x@y.io' }] });
    expect(scrubTraits({ name: 'B' }, person)).toBeNull();
  });
});

describe('searchNeedles', () => {
  it('looks for each value as JSON writes it, e-mails case-folded, phones also by their last four digits', () => {
    expect(searchNeedles([{ type: 'email', value: 'a@x.io' }, { type: 'phone', value: '+442079460077' }, { type: 'user_id', value: 'say "hi"' }])).toEqual([
      { text: 'a@x.io', foldCase: true }, { text: '+442079460077', foldCase: false }, { text: '0077', foldCase: false }, { text: 'say \\"hi\\"', foldCase: false },
    ]);
  });
});
