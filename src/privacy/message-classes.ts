import { z } from 'zod';
import type { Purpose } from './purposes.js';
import { marketingPurposeFor, type Channel } from './subscriptions.js';

/**
 * Transactional versus marketing messages (PRIVACY.md P16). Every template declares a kind;
 * the kind, not the sender's wish, decides the class. Transactional kinds follow the CAN-SPAM
 * definition of a "transactional or relationship message" (15 U.S.C. 7702(17)(A)): they
 * complete or confirm a transaction, give safety or account information, or deliver what
 * was bought. Everything else, and any kind Tailor does not know, is marketing: calling a
 * promotion "transactional" to skip consent is exactly what the rules forbid.
 */

export type MessageClass = 'transactional' | 'marketing';

/** Kinds that are transactional, each with the clause of 7702(17)(A) it falls under. */
export const TRANSACTIONAL_KINDS = {
  order_confirmation: '(i) confirm a commercial transaction',
  payment_receipt: '(i) confirm a commercial transaction',
  refund_update: '(i) complete a commercial transaction',
  shipping_update: '(v) deliver goods the person bought',
  delivery_update: '(v) deliver goods the person bought',
  product_recall: '(ii) safety or recall information',
  password_reset: '(iii) account information',
  account_security: '(ii) security information',
  account_notice: '(iii) change in terms or status of the account (e.g. a new privacy notice)',
  loyalty_statement: '(iii) account balance of a membership',
  double_opt_in_confirmation: 'confirms a subscription the person asked for',
  privacy_request_update: 'answers a data-subject request (GDPR 12(3); PIPL 50)',
} as const;
export type TransactionalKind = keyof typeof TRANSACTIONAL_KINDS;

/** Common marketing kinds, listed so templates can name them; unknown kinds are marketing too. */
export const MARKETING_KINDS = [
  'promotion', 'newsletter', 'recommendation', 'abandoned_cart', 'browse_abandonment', 'win_back',
  'replenishment_reminder', 'back_in_stock', 'price_drop', 'review_request', 'birthday_offer',
] as const;

export const messageKindSchema = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be lower_snake_case, at most 64 characters');

/** The class of a message kind, and the purpose a send of it needs on a channel. */
export interface MessageClassification {
  readonly kind: string;
  readonly class: MessageClass;
  /** Whether Tailor knows the kind; unknown kinds are classified marketing. */
  readonly known: boolean;
  /** The 7702(17)(A) clause for transactional kinds, else `null`. */
  readonly ground: string | null;
}

/**
 * Classifies a template's declared kind.
 *
 * @example
 * classifyMessage('order_confirmation'); // { kind: 'order_confirmation', class: 'transactional', known: true, ground: '(i) confirm…' }
 * classifyMessage('flash_sale');         // { kind: 'flash_sale', class: 'marketing', known: false, ground: null }
 */
export function classifyMessage(kind: string): MessageClassification {
  if (Object.hasOwn(TRANSACTIONAL_KINDS, kind)) {
    return { kind, class: 'transactional', known: true, ground: TRANSACTIONAL_KINDS[kind as TransactionalKind] };
  }
  return { kind, class: 'marketing', known: (MARKETING_KINDS as readonly string[]).includes(kind), ground: null };
}

/**
 * The purpose a send needs: `transactional_messages` for transactional messages on any
 * channel, `marketing_<channel>` for marketing.
 *
 * @example
 * sendPurpose({ messageClass: 'marketing', channel: 'push' }); // 'marketing_push'
 * sendPurpose({ messageClass: 'transactional', channel: 'sms' }); // 'transactional_messages'
 */
export function sendPurpose(input: { messageClass: MessageClass; channel: Channel }): Purpose {
  return input.messageClass === 'transactional' ? 'transactional_messages' : marketingPurposeFor(input.channel);
}
