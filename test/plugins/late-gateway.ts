import { defineGateway, type Money, z } from '@saldo/sdk';

/**
 * A processor whose answers come late, for the spine's tests: its calls lose their answers (so a
 * payment starts unknown), it knows of a payment only once `collect()` says it collected it, it
 * notifies unsigned (a test double, never configured outside tests), and its refunds stay pending
 * until `refundDone()`.
 */
const collected = new Map<string, Money>();
const refunds = new Map<string, 'pending' | 'succeeded'>();
export const collect = (paymentId: string, amount: Money) => void collected.set(paymentId, amount);
export const refundDone = (refundId: string) => void refunds.set(refundId, 'succeeded');

export default defineGateway({
  code: 'late-pay',
  apiVersion: 1,
  label: 'late-pay:label',
  configSchema: z.object({}),
  capabilities: { topUp: true, payDue: true, refunds: true },
  async createPayment() {
    throw new Error('the answer was lost');
  },
  async getPayment(_ctx, { paymentId }) {
    const amount = collected.get(paymentId);
    return amount ? { status: 'succeeded', reference: `late_${paymentId}`, amount } : { status: 'not_found' };
  },
  async parseWebhook(_ctx, request) {
    const event = JSON.parse(request.rawBody) as { id: string; paymentId: string; amount: string; currency: string };
    return {
      verified: true, eventId: event.id, payment: { paymentId: event.paymentId }, occurredAt: request.receivedAt,
      outcome: { status: 'succeeded', reference: `late_${event.paymentId}`, amount: { amount: BigInt(event.amount), currency: event.currency } as Money },
    };
  },
  async refund(_ctx, refund) {
    refunds.set(refund.refundId, refunds.get(refund.refundId) ?? 'pending');
    return { status: 'pending', reference: `re_${refund.refundId}` };
  },
  async getRefund(_ctx, { refundId }) {
    const state = refunds.get(refundId);
    return state ? { status: state, reference: `re_${refundId}` } : { status: 'not_found' };
  },
});
