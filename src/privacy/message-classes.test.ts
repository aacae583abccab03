import { describe, expect, it } from 'vitest';
import { classifyMessage, messageKindSchema, sendPurpose } from './message-classes.js';

describe('classifyMessage (P16)', () => {
  it.each([
    ['order_confirmation', 'transactional'],
    ['shipping_update', 'transactional'],
    ['password_reset', 'transactional'],
    ['product_recall', 'transactional'],
    ['promotion', 'marketing'],
    ['abandoned_cart', 'marketing'],
    ['review_request', 'marketing'],
    ['back_in_stock', 'marketing'],
  ])('classifies %s as %s', (kind, expected) => {
    expect(classifyMessage(kind).class).toBe(expected);
    expect(classifyMessage(kind).known).toBe(true);
  });

  it('classifies unknown kinds as marketing, never as transactional', () => {
    expect(classifyMessage('order_confirmation_with_coupon')).toEqual({ kind: 'order_confirmation_with_coupon', class: 'marketing', known: false, ground: null });
    expect(classifyMessage('toString').class).toBe('marketing');
    expect(classifyMessage('__proto__').class).toBe('marketing');
  });

  it('cites the CAN-SPAM clause of transactional kinds', () => {
    expect(classifyMessage('payment_receipt').ground).toMatch(/^\(i\)/);
  });

  it('names the purpose a send needs', () => {
    expect(sendPurpose({ messageClass: 'transactional', channel: 'sms' })).toBe('transactional_messages');
    expect(sendPurpose({ messageClass: 'marketing', channel: 'webhook' })).toBe('marketing_webhook');
  });

  it('validates kind names', () => {
    expect(messageKindSchema.safeParse('Order Confirmation').success).toBe(false);
    expect(messageKindSchema.safeParse('win_back').success).toBe(true);
  });
});
