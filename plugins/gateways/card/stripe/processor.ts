import type { PaymentStatus, RefundOutcome } from '@saldo/sdk';
import type { CardProcessor } from '../processor.js';
import { type Ctx, isMissing, isRefusal, stripeAmount, stripeOf } from './client.js';
import { chargeSaved, startCheckout } from './create.js';
import { intentOutcome, sessionOutcome } from './outcomes.js';
import { recordOf } from './records.js';
import { parseStripeWebhook } from './webhook.js';

/**
 * Stripe: a new card on Stripe's Checkout page, a kept card by a PaymentIntent confirmed at once.
 * Saldo's payment id travels as the idempotency key and as `metadata.saldo_payment_id`.
 */
export const stripe: CardProcessor = {
  createPayment(ctx, payment) {
    if (payment.savedMethod) return chargeSaved(ctx, { ...payment, savedMethod: payment.savedMethod });
    // Without the customer there is nobody to enter a card: decline rather than ask (see the SDK).
    if (payment.offSession) return Promise.resolve({ status: 'declined', reason: 'card_not_found' });
    return startCheckout(ctx, payment);
  },

  /**
   * What became of a payment. By its reference when Saldo or this plugin has it; otherwise the
   * call's answer never came back, and Stripe is searched: a direct charge among its Customer's
   * intents (a list reads what was just written), a Checkout payment by its metadata (Stripe's
   * search lags by up to a minute, but a session whose address never reached the customer cannot
   * have been paid). No note at all: the call never began.
   */
  async getPayment(ctx, lookup): Promise<PaymentStatus> {
    const record = await recordOf(ctx, lookup.paymentId);
    const reference = lookup.reference ?? record?.reference;
    try {
      if (reference) return await byReference(ctx, reference);
    } catch (error) {
      if (!isMissing(error)) throw error;
      return { status: 'not_found' };
    }
    if (!record) return { status: 'not_found' };
    const client = stripeOf(ctx);
    const found = record.customer_id
      ? (await client.paymentIntents.list({ customer: record.customer_id, created: { gte: Math.floor(record.created_at.getTime() / 1000) - 300 }, limit: 100, expand: ['data.payment_method'] }))
          .data.find((i) => i.metadata.saldo_payment_id === lookup.paymentId)
      : (await client.paymentIntents.search({ query: `metadata['saldo_payment_id']:'${uuid(lookup.paymentId)}'`, expand: ['data.payment_method'] })).data[0];
    return found ? intentOutcome(ctx, found) : { status: 'not_found' };
  },

  parseWebhook: parseStripeWebhook,

  /** Whole or in part; Saldo's refund id is the idempotency key, so a retried refund is one refund. */
  async refund(ctx, refund): Promise<RefundOutcome> {
    const client = stripeOf(ctx);
    try {
      const intent = refund.reference.startsWith('cs_') ? (await client.checkout.sessions.retrieve(refund.reference)).payment_intent : refund.reference;
      if (!intent) return { status: 'failed', reason: 'not_collected' };
      const made = await client.refunds.create({
        payment_intent: typeof intent === 'string' ? intent : intent.id,
        amount: stripeAmount(refund.amount),
        metadata: { saldo_refund_id: refund.refundId, saldo_payment_id: refund.paymentId, saldo_reason: refund.reason.slice(0, 500) },
      }, { idempotencyKey: refund.refundId });
      if (made.status === 'succeeded') return { status: 'succeeded', reference: made.id };
      if (made.status === 'pending' || made.status === 'requires_action') return { status: 'pending', reference: made.id };
      return { status: 'failed', reason: made.failure_reason ?? made.status ?? 'failed' };
    } catch (error) {
      // Stripe refused it (more than is left to refund, refunded already): an answer, not an outage.
      if (isRefusal(error)) return { status: 'failed', reason: error.code ?? 'refused' };
      throw error;
    }
  },

  /** A refund whose answer was pending or lost: found among the intent's refunds by Saldo's refund id. */
  async getRefund(ctx, refund) {
    const client = stripeOf(ctx);
    const intent = refund.reference.startsWith('cs_') ? (await client.checkout.sessions.retrieve(refund.reference)).payment_intent : refund.reference;
    if (!intent) return { status: 'not_found' };
    const found = (await client.refunds.list({ payment_intent: typeof intent === 'string' ? intent : intent.id, limit: 100 })).data
      .find((r) => r.metadata?.saldo_refund_id === refund.refundId);
    if (!found) return { status: 'not_found' };
    if (found.status === 'succeeded') return { status: 'succeeded', reference: found.id };
    if (found.status === 'pending' || found.status === 'requires_action') return { status: 'pending', reference: found.id };
    return { status: 'failed', reason: found.failure_reason ?? found.status ?? 'failed' };
  },

  /** Detaches the card from its Customer: Stripe will not charge it again. Gone already is as good. */
  async removeMethod(ctx, token) {
    await stripeOf(ctx).paymentMethods.detach(token).catch((error: unknown) => {
      if (!isRefusal(error)) throw error;
    });
  },

  // Stripe hosts its pages itself; its notifications come to the spine's `…/webhook`.
  routes: [],
};

async function byReference(ctx: Ctx, reference: string) {
  const client = stripeOf(ctx);
  return reference.startsWith('cs_')
    ? sessionOutcome(ctx, await client.checkout.sessions.retrieve(reference, { expand: ['payment_intent.payment_method'] }))
    : intentOutcome(ctx, await client.paymentIntents.retrieve(reference, { expand: ['payment_method'] }));
}

/** Saldo's payment ids are UUIDs; anything else must not reach a search query. */
function uuid(id: string): string {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new Error(`not a payment id: ${id}`);
  return id;
}
