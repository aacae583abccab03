import { z } from 'zod';
import type { ConsentDecisionInput } from './consent-input.js';
import type { ConsentState } from './consent-ledger.js';
import type { Purpose } from './purposes.js';

/**
 * Channel subscriptions (PRIVACY.md P16, P17). A subscription says whether a person wants
 * marketing messages on a channel; it is kept apart from data-use consent, and a marketing
 * send needs both: the `marketing_<channel>` purpose allowed AND the channel subscribed.
 * Transactional messages need neither (they rest on the contract), only the
 * `transactional_messages` purpose.
 */

export const CHANNELS = ['email', 'sms', 'push', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];
export const channelSchema = z.enum(CHANNELS, { error: (i) => `unknown channel ${JSON.stringify(i.input)}; valid channels: ${CHANNELS.join(', ')}` });

/**
 * How a subscription change reached Tailor: `unsubscribe_link` (RFC 8058 one-click or the
 * visible link), `stop_reply` (an SMS STOP keyword), `device` (push permission granted or
 * revoked on the device), `double_opt_in` (a confirmed link), and the admin sources.
 */
export const SUBSCRIPTION_SOURCES = ['ui', 'api', 'import', 'identify', 'double_opt_in', 'unsubscribe_link', 'stop_reply', 'device'] as const;
export type SubscriptionSource = (typeof SUBSCRIPTION_SOURCES)[number];

/** One append-only subscription record (ms times, UTC). */
export interface SubscriptionRecord {
  readonly id: string;
  readonly profileId: string;
  readonly channel: Channel;
  readonly status: 'subscribed' | 'unsubscribed';
  readonly source: SubscriptionSource;
  readonly recordedAt: number;
}

export const subscriptionRecordSchema = z.object({
  id: z.string().min(1),
  profileId: z.string().min(1),
  channel: channelSchema,
  status: z.enum(['subscribed', 'unsubscribed']),
  source: z.enum(SUBSCRIPTION_SOURCES),
  recordedAt: z.number().int().nonnegative(),
});

/**
 * The state of one channel: `not_subscribed` when the person never subscribed. Marketing
 * requires an explicit `subscribed`: a contact list brought from another system is imported
 * as subscription records, so that the origin of every subscription is on file.
 */
export interface ChannelSubscription {
  readonly channel: Channel;
  readonly status: 'subscribed' | 'unsubscribed' | 'not_subscribed';
  /** The record that set the status, `null` for `not_subscribed`. */
  readonly record: SubscriptionRecord | null;
}

export interface SubscriptionState {
  readonly at: number;
  readonly channels: { readonly [C in Channel]: ChannelSubscription };
}

/**
 * The subscription of every channel at time `at`: the latest record not after `at` wins
 * (records with equal times keep their append order). An unsubscribe takes effect at once
 * (P17; CAN-SPAM 15 U.S.C. 7704(a)(4) allows 10 business days, Tailor takes none).
 *
 * @example
 * subscriptionStateAt({ records: [{ id: 's1', profileId: 'p', channel: 'email', status: 'subscribed', source: 'ui', recordedAt: 1 }], at: 5 })
 *   .channels.email.status; // 'subscribed'
 */
export function subscriptionStateAt(input: { records: readonly SubscriptionRecord[]; at: number }): SubscriptionState {
  const latest = new Map<Channel, SubscriptionRecord>();
  for (const r of input.records) {
    if (r.recordedAt > input.at) continue;
    const prior = latest.get(r.channel);
    if (prior === undefined || r.recordedAt >= prior.recordedAt) latest.set(r.channel, r);
  }
  const channels = {} as Record<Channel, ChannelSubscription>;
  for (const channel of CHANNELS) {
    const record = latest.get(channel) ?? null;
    channels[channel] = { channel, status: record?.status ?? 'not_subscribed', record };
  }
  return { at: input.at, channels };
}

/**
 * The data-use purpose that marketing on a channel needs.
 *
 * @example
 * marketingPurposeFor('sms'); // 'marketing_sms'
 */
export function marketingPurposeFor(channel: Channel): Purpose {
  const purposes: { [C in Channel]: Purpose } = { email: 'marketing_email', sms: 'marketing_sms', push: 'marketing_push', webhook: 'marketing_webhook' };
  return purposes[channel];
}

/**
 * What an unsubscribe writes (P17): the subscription record for the channel and the refusal
 * of its marketing purpose in the consent ledger, always (the ledger then shows the
 * unsubscribe even when marketing was already off). Given the person's consent `state`, the
 * refusal is `withdrawn` when a grant of the purpose was in effect (or is outdated) and
 * `denied` otherwise (an opt-out, as `withdrawAllDecisions` and identify consent record it);
 * without a state it is `withdrawn`. The caller appends both.
 *
 * @example
 * unsubscribeChanges({ channel: 'email', source: 'unsubscribe_link', method: 'List-Unsubscribe-Post' });
 * // { subscription: { channel: 'email', status: 'unsubscribed', source: 'unsubscribe_link' },
 * //   consent: { purpose: 'marketing_email', decision: 'withdrawn', source: 'unsubscribe', method: 'List-Unsubscribe-Post' } }
 */
export function unsubscribeChanges(input: { channel: Channel; source: SubscriptionSource; method?: string; state?: ConsentState }): {
  subscription: Pick<SubscriptionRecord, 'channel' | 'status' | 'source'>;
  consent: ConsentDecisionInput;
} {
  const purpose = marketingPurposeFor(input.channel);
  const current = input.state?.purposes[purpose];
  const hadGrant = current === undefined || (current.source === 'record' && current.allowed) || current.outdatedGrant !== null;
  return {
    subscription: { channel: input.channel, status: 'unsubscribed', source: input.source },
    consent: { purpose, decision: hadGrant ? 'withdrawn' : 'denied', source: 'unsubscribe', ...(input.method === undefined ? {} : { method: input.method }) },
  };
}
