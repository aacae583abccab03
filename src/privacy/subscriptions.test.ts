import { describe, expect, it } from 'vitest';
import { channelSchema, marketingPurposeFor, subscriptionRecordSchema, subscriptionStateAt, unsubscribeChanges, type SubscriptionRecord } from './subscriptions.js';

const sub = (o: Partial<SubscriptionRecord>): SubscriptionRecord => ({ id: 's', profileId: 'p', channel: 'email', status: 'subscribed', source: 'ui', recordedAt: 100, ...o });

describe('subscriptionStateAt (P16)', () => {
  it('reports never-subscribed channels as not_subscribed', () => {
    const s = subscriptionStateAt({ records: [], at: 1000 });
    expect(Object.values(s.channels).map((c) => [c.channel, c.status, c.record])).toEqual([
      ['email', 'not_subscribed', null], ['sms', 'not_subscribed', null], ['push', 'not_subscribed', null], ['webhook', 'not_subscribed', null],
    ]);
  });

  it('takes the latest record per channel at the time asked, and the later of equal times', () => {
    const records = [
      sub({ id: 'a', recordedAt: 100 }),
      sub({ id: 'b', status: 'unsubscribed', source: 'unsubscribe_link', recordedAt: 200 }),
      sub({ id: 'c', channel: 'sms', recordedAt: 150 }),
      sub({ id: 'd', channel: 'sms', status: 'unsubscribed', source: 'stop_reply', recordedAt: 150 }),
    ];
    expect(subscriptionStateAt({ records, at: 199 }).channels.email).toMatchObject({ status: 'subscribed', record: { id: 'a' } });
    expect(subscriptionStateAt({ records, at: 200 }).channels.email).toMatchObject({ status: 'unsubscribed', record: { id: 'b' } });
    expect(subscriptionStateAt({ records, at: 99 }).channels.email.status).toBe('not_subscribed');
    expect(subscriptionStateAt({ records, at: 200 }).channels.sms).toMatchObject({ status: 'unsubscribed', record: { id: 'd' } });
    expect(subscriptionStateAt({ records: [records[2]!, records[3]!].reverse(), at: 200 }).channels.sms.status).toBe('subscribed');
  });
});

describe('unsubscribe (P17)', () => {
  it('writes both the subscription and the consent withdrawal of the channel', () => {
    expect(unsubscribeChanges({ channel: 'sms', source: 'stop_reply', method: 'STOP' })).toEqual({
      subscription: { channel: 'sms', status: 'unsubscribed', source: 'stop_reply' },
      consent: { purpose: 'marketing_sms', decision: 'withdrawn', source: 'unsubscribe', method: 'STOP' },
    });
  });

  it('maps every channel to its marketing purpose', () => {
    expect(['email', 'sms', 'push', 'webhook'].map((c) => marketingPurposeFor(channelSchema.parse(c))))
      .toEqual(['marketing_email', 'marketing_sms', 'marketing_push', 'marketing_webhook']);
  });

  it('validates channels and stored records', () => {
    expect(channelSchema.safeParse('fax').error?.issues[0]?.message).toBe('unknown channel "fax"; valid channels: email, sms, push, webhook');
    expect(subscriptionRecordSchema.safeParse(sub({})).success).toBe(true);
    expect(subscriptionRecordSchema.safeParse({ ...sub({}), status: 'paused' }).success).toBe(false);
  });
});
